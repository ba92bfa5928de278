"""FTS5 query syntax, beside the store that runs it.

A topic arrives as alternatives (the topic as asked, then in other scripts), each a list of units;
a unit is one word of the topic with its spellings, each spelling a run of tokens that must all be
present (scoring then keeps only passages where they stand together). Every token is quoted, so no
user text can produce an FTS5 syntax error.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

# One word of a topic: alternative spellings (scripts), each a run of tokens that must all be present.
Unit = tuple[tuple[str, ...], ...]


def quote(token: str) -> str:
    # Tokens are alphanumerics already; doubling quotes keeps even a surprise safe.
    return '"' + token.replace('"', '""') + '"'


def _option(option: tuple[str, ...]) -> str:
    # Explicit AND: FTS5 accepts implicit AND only between plain phrases, not beside a group.
    return quote(option[0]) if len(option) == 1 else "(" + " AND ".join(quote(t) for t in option) + ")"


def _unit(unit: Unit) -> str:
    return _option(unit[0]) if len(unit) == 1 else "(" + " OR ".join(_option(o) for o in unit) + ")"


def match_all(alternatives: Sequence[Sequence[Unit]]) -> str:
    """Segments holding every word of at least one alternative."""
    return " OR ".join("(" + " AND ".join(_unit(u) for u in alt) + ")" for alt in alternatives)


def match_any(alternatives: Sequence[Sequence[Unit]]) -> str:
    """Segments holding any word of any alternative."""
    units = dict.fromkeys(u for alt in alternatives for u in alt)
    return " OR ".join(_unit(u) for u in units)


def match_near(units: Sequence[Unit], gap: int) -> str:
    """Segments holding one spelling of every unit close together, in any order: at most `gap` tokens
    between each two, as scoring's runs (`_Terms.holds`) count them."""
    groups = []
    for spellings in product(*units):
        toks = list(dict.fromkeys(t for option in spellings for t in option))
        if len(toks) == 1:
            groups.append(quote(toks[0]))
        else:
            groups.append(f"NEAR({' '.join(quote(t) for t in toks)}, {len(toks) - 2 + gap * (len(toks) - 1)})")
    return " OR ".join(groups)
