"""One scheduled refresh at a time: in this process, and among processes on this machine sharing a database.

The web and worker processes of one deployment may share one database file; both refreshing would
fetch every source twice and write the same documents twice. An advisory lock on a file beside the
database lets the first one refresh and the other skip that round. Processes on other machines have
their own database and refresh their own copy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: the in-process guard still holds
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class RefreshLock:
    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".refresh.lock")
        self._running = False

    @contextmanager
    def held(self) -> Iterator[bool]:
        """True when this caller holds the lock for the block; False when a refresh is running elsewhere."""
        if self._running:
            yield False
            return
        fd = self._lock_file()
        if fd == -2:
            yield False
            return
        self._running = True
        try:
            yield True
        finally:
            self._running = False
            if fd >= 0:
                os.close(fd)  # closing the file releases the lock

    def _lock_file(self) -> int:
        """The locked file's descriptor; -1 when no file lock can be had here (the in-process guard holds);
        -2 when another process holds it."""
        if fcntl is None:
            return -1
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("refresh_lock_unavailable", extra={"path": str(self.path), "error": exc.strerror})
            return -1
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return -2
        return fd
