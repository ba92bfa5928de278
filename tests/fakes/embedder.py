"""A deterministic embedder for tests: a text's vector is the sum of the vectors of the keywords it holds.

It stands for a model that knows some words mean the same ("headcount" and "hiring") where the lexical
ranking does not, which is all the dense re-ranking needs from a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


class FakeEmbedder:
    def __init__(self, keywords: Mapping[str, Sequence[float]], *, name: str = "fake/keywords") -> None:
        self.name = name
        self._keywords = {k.lower(): list(v) for k, v in keywords.items()}
        self._dim = len(next(iter(self._keywords.values())))
        self.embedded: list[str] = []
        self.queries: list[str] = []
        self.fail_queries = False

    def _vector(self, text: str) -> list[float]:
        lowered = text.lower()
        total = [0.0] * self._dim
        for keyword, vector in self._keywords.items():
            if keyword in lowered:
                total = [a + b for a, b in zip(total, vector, strict=True)]
        norm = math.sqrt(sum(x * x for x in total)) or 1.0
        return [x / norm for x in total]

    def passages(self, texts: Sequence[str]) -> list[Sequence[float]]:
        self.embedded.extend(texts)
        return [self._vector(t) for t in texts]

    def query(self, text: str) -> Sequence[float]:
        self.queries.append(text)
        if self.fail_queries:
            raise RuntimeError("the model is gone")
        return self._vector(text)
