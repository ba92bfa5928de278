"""The ingest progress bar a person sees on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO


class ProgressBar:
    """A one-line progress bar on a terminal; silent elsewhere (logs carry the summary)."""

    def __init__(self, stream: TextIO, min_files: int = 20) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.min_files = min_files
        self.drawn = False

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.enabled or total < self.min_files:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        name = Path(path).name[-40:]
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name:<40}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
