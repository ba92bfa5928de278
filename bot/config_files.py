"""Reading the TOML configuration files (speakers, shows, aliases, glossaries) with one kind of error.

A broken file is reported as `path:line: reason`, the way a compiler reports a source file, so the
CLI can print it on one line and the person can open the file at that line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Final

# Python 3.11's TOMLDecodeError carries the position only inside its message text.
_AT_LINE: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_AT_END: Final = re.compile(r"\s*\(at end of document\)$")


class ConfigError(ValueError):
    """A configuration file that cannot be used: `{path}:{line}: {reason}`, or `{path}: {reason}`."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        super().__init__(f"{path}:{line}: {reason}" if line is not None else f"{path}: {reason}")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed contents of `path`; raises ConfigError when it cannot be read or is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"cannot read: not UTF-8 text (byte {exc.start})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = _position(str(exc), text)
        raise ConfigError(path, reason, line) from exc


def _position(message: str, text: str) -> tuple[str, int]:
    found = _AT_LINE.search(message)
    if found:
        return message[: found.start()], int(found.group("line"))
    end = _AT_END.search(message)
    if end:
        # An unfinished value at the end of the file: point at its last line.
        return message[: end.start()], max(1, len(text.splitlines()))
    return message, 1
