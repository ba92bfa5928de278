"""Which files an ingest reads: a walk of the notes folders that never leaves them and never gives up.

Every surprise on disk is one problem line, and the rest of the walk goes on: a folder that cannot be
read, a file deleted mid-walk, a name that is not UTF-8, folders nested past the path limit, dangling
links and link loops. Nothing outside a root is read (a link to the deployment's `.env` would put its
tokens in the index), nor dotfiles or files named like credentials, and one file reached by several
paths (hard or symbolic links) is read once.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.ingest.formats import is_ingestible
from bot.models import IngestProblem

log = logging.getLogger(__name__)

# Deeper than any notes folder; a deeper tree is a loop of bind mounts or a prank.
MAX_DEPTH: Final = 40
# Names of files that hold secrets, whatever their extension: never indexed, even when they end in .txt.
_CREDENTIALS: Final = re.compile(
    r"^(?:\.env(?:\..*)?|.*\.env|.*\.(?:pem|key|p12|pfx|jks|keystore)|id_(?:rsa|dsa|ecdsa|ed25519)(?:\..*)?"
    r"|credentials.*|secrets\.(?:json|ya?ml|toml|env)|\.?netrc|\.?pgpass|\.?htpasswd)$",
    re.IGNORECASE,
)


# A notes folder's list of remote sources (bot/remote/lists.py reads it); found by the walk, never a note.
SOURCE_LIST_NAME: Final = "sources.txt"


def looks_like_credentials(name: str) -> bool:
    return _CREDENTIALS.match(name) is not None


@dataclass
class Candidate:
    """A file to read: its key in the store (the path it was found at), and the real file to open."""

    path: Path
    key: str
    size: int
    mtime: float
    limit: int = 0  # the largest file to read, in bytes (0: no limit)
    # The regular file the walk saw (links resolved), and its identity: reading checks it is still that file.
    real: str = ""
    device: int = 0
    inode: int = 0


@dataclass
class Walk:
    """What a walk found. `problems` fail their file; `notices` (duplicates) are reported, not failed."""

    candidates: list[Candidate] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    ignored: int = 0
    problems: list[IngestProblem] = field(default_factory=list)
    notices: list[IngestProblem] = field(default_factory=list)
    # Paths under a root that exist but must not stay indexed (links out of the root, credentials, duplicates).
    refused: set[str] = field(default_factory=set)
    # Folders that could not be read: what was indexed from them keeps serving.
    unreadable: list[str] = field(default_factory=list)
    # `sources.txt` files: (the path found, the real file to read).
    source_lists: list[tuple[str, str]] = field(default_factory=list)


def _printable(name: str) -> str:
    """A path for a problem line, even when its bytes are not UTF-8 (shown with U+FFFD)."""
    return os.fsencode(name).decode("utf-8", "replace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


class _Walker:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.out = Walk()
        self._seen_files: dict[tuple[int, int], str] = {}

    def problem(self, path: str, reason: str) -> None:
        self.out.problems.append(IngestProblem(path=_printable(path), line=None, reason=reason))

    def root(self, given: Path) -> None:
        try:
            root = str(given.expanduser().resolve(strict=True))
            info = os.stat(root)
        except (OSError, RuntimeError) as exc:
            reason = "a symlink loop" if isinstance(exc, RuntimeError) or _errno(exc) == errno.ELOOP else (
                "no such file or folder" if _errno(exc) in (errno.ENOENT, errno.ENOTDIR) else _why(exc)
            )
            self.problem(str(given), reason)
            return
        if not _utf8(root):
            self.problem(root, "the name is not valid UTF-8; rename it to index it")
            return
        self.out.roots.append(root)
        if stat.S_ISDIR(info.st_mode):
            self.folder(root, root)
        else:
            self.file(root, os.path.basename(root), root, root)

    def folder(self, top: str, root: str) -> None:
        stack: list[tuple[str, int]] = [(top, 0)]
        visited: set[tuple[int, int]] = set()
        while stack:
            folder, depth = stack.pop()
            try:
                info = os.stat(folder)
                if (info.st_dev, info.st_ino) in visited:
                    continue
                visited.add((info.st_dev, info.st_ino))
                with os.scandir(folder) as scan:
                    entries = sorted(scan, key=lambda e: e.name)
            except FileNotFoundError:
                continue  # deleted during the walk: what was indexed from it is removed
            except OSError as exc:
                self.problem(folder, f"cannot read folder: {_why(exc)}")
                self.out.unreadable.append(folder)
                continue
            subfolders: list[str] = []
            for entry in entries:
                if entry.name.startswith("."):
                    continue  # dotfiles and dot-folders: .git, .env, editor state
                path = entry.path
                if not _utf8(path):
                    self.problem(path, "the name is not valid UTF-8; rename it to index it")
                    continue
                if entry.is_symlink():
                    target = self.link_target(path, root)
                    if target is None:
                        continue
                    if os.path.isdir(target):
                        subfolders.append(target if _within(target, root) else path)
                    else:
                        self.file(path, entry.name, target, root)
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    subfolders.append(path)
                else:
                    self.file(path, entry.name, path, root)
            if subfolders and depth + 1 > MAX_DEPTH:
                self.problem(folder, f"folders nested deeper than {MAX_DEPTH} levels; not read further")
                continue
            stack.extend((sub, depth + 1) for sub in reversed(subfolders))

    def link_target(self, path: str, root: str) -> str | None:
        """Where a symlink leads, when it may be followed; otherwise the reason is reported."""
        try:
            os.stat(path)
        except OSError as exc:
            if _errno(exc) == errno.ELOOP:
                self.problem(path, "a symlink loop; skipped")
            elif _errno(exc) in (errno.ENOENT, errno.ENOTDIR):
                self.problem(path, f"a dangling symlink (to {_printable(os.readlink(path))}); skipped")
            else:
                self.problem(path, f"cannot follow symlink: {_why(exc)}")
            self.out.refused.add(path)
            return None
        real = os.path.realpath(path)
        if not _within(real, root):
            # The deployment's .env, a home directory: nothing outside the notes folder is ever read.
            self.problem(path, "a symlink that leads out of the notes folder; not followed")
            self.out.refused.add(path)
            return None
        return real

    def file(self, path: str, name: str, real: str, root: str) -> None:
        real_name = os.path.basename(real)
        if looks_like_credentials(name) or looks_like_credentials(real_name) or real_name.startswith("."):
            if is_ingestible(Path(name)) or looks_like_credentials(name):
                self.problem(path, "looks like a credentials file; never indexed")
            self.out.refused.add(path)
            return
        if name.lower() == SOURCE_LIST_NAME:
            self.out.source_lists.append((path, real))
            return
        if not is_ingestible(Path(name)):
            self.out.ignored += 1
            return
        try:
            info = os.stat(real)
        except FileNotFoundError:
            return  # deleted during the walk
        except OSError as exc:
            self.problem(path, f"cannot read: {_why(exc)}")
            return
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block the reader forever; a device is not a note.
            self.problem(path, "not a regular file; skipped")
            return
        identity = (info.st_dev, info.st_ino)
        first = self._seen_files.get(identity)
        if first is not None:
            self.out.notices.append(IngestProblem(
                path=path, line=None, reason=f"the same file as {first} (a link); indexed once, as that one"
            ))
            self.out.refused.add(path)
            return
        self._seen_files[identity] = path
        self.out.candidates.append(Candidate(
            Path(path), path, info.st_size, info.st_mtime, self.limit, real, info.st_dev, info.st_ino
        ))


def _errno(exc: BaseException) -> int | None:
    return exc.errno if isinstance(exc, OSError) else None


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long"
    return exc.strerror or str(exc)


def walk(paths: list[Path], limit: int = 0) -> Walk:
    """Files to consider under `paths`, in a stable order, with every problem met on the way."""
    walker = _Walker(limit)
    for given in paths:
        walker.root(given)
    found = walker.out
    log.debug("walk_done", extra={"files": len(found.candidates), "problems": len(found.problems)})
    return found


def gone(path: str) -> bool:
    """True only when the file is known not to exist (not when it cannot be checked, e.g. permission denied)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False
