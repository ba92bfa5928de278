"""Names a question asks about that the store has never seen.

"What did Dario say about the Texas AI law?" holds two everyday words the store knows and one name it
does not. Weighting the topic by how telling each word is still leaves "AI law" enough of the topic to
match a passage about Tennessee's law; but a name is what the question is about, and when no passage
holds it, the honest answer is that nothing mentions it. Only names count: an everyday word the notes
never use ("headcount") is a paraphrase, and the rest of the topic may still find the passage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

from bot.speakers import ROLE_WORDS
from bot.store.fts import Unit
from bot.text import LATIN_WORD, is_cjk, normalize
from bot.topics import AliasTable, topic_units

# A number (a year, a figure: 2019, 72): as specific as a name.
_NUMBER: Final = re.compile(r"(?<![\w.])\d{2,}(?![\w.])")
_KATAKANA: Final = re.compile(r"[\u30a0-\u30ff]+")
_CJK_RUN: Final = re.compile(r"[\u3005\u4e00-\u9fff\u30a0-\u30ff]{2,}")
# An unseen name this close (rapidfuzz ratio, 0-100) to a word the store holds is that word misspelt.
# (80: one letter changed in a five-letter name, "Kenya" for "Kenia").
TYPO_SIMILARITY: Final = 80.0
# The word after a name: "Vercel founder", "Anthropic's CEO" describe a person by their company.
_ROLE_AFTER: Final = re.compile(r"(?:['’]s)?\s+([\w-]+)")


class Vocabulary(Protocol):
    async def similar_terms(self, term: str, *, min_ratio: float) -> list[str]: ...


# Acronyms of countries, unions and public bodies, which chat types in lowercase ("dario on the eu ai act"):
# names all the same. Only ones no everyday word or chat spelling shares ("us", "who", "hr", "ep" are not).
LOWERCASE_ACRONYMS: Final = frozenset(
    "eu uk uae usa ussr prc un nato opec imf wto oecd g7 g20 asean fda ftc sec doj dod fbi cia nsa irs epa fcc "
    "ferc nrc nih cdc ecb boe boj nhs gchq mi5 mi6 darpa nasa esa jaxa cern iaea ofcom ico cnil".split()
)


def _is_name(word: str) -> bool:
    return any(c.isupper() for c in word) or word in LOWERCASE_ACRONYMS


def name_words(topic: str, question: str, aliases: AliasTable) -> list[str]:
    """The topic's words written as names.

    A number of two digits or more (a year, a figure: "revenue in 2019", "72-hour weeks"), a Latin word
    with a capital letter, unless it opens the question ("Scaling laws?"), and a Japanese
    word whose translation is a name (日本 → Japan). A katakana word the glossary does not know is not
    taken for a name: katakana spells loanwords (エッセイ) as often as names.
    """
    first = LATIN_WORD.search(normalize(question))
    opening = first.group(0) if first is not None and first.start() == 0 else None
    found: list[str] = []
    text = normalize(topic)
    found.extend(match.group(0) for match in _NUMBER.finditer(text))
    for match in LATIN_WORD.finditer(text):
        word = match.group(0)
        if is_cjk(word) or not _is_name(word):
            continue
        if word == opening and text.startswith(word) and normalize(question).startswith(word):
            continue
        if word.lower() in ROLE_WORDS:
            continue  # "CEO" is what somebody is, not somebody
        role = _ROLE_AFTER.match(text, match.end())
        if role is not None and role.group(1).lower() in ROLE_WORDS:
            # "the Vercel founder": a person described by their company, not a name the topic asks about.
            continue
        found.append(word)
    for match in _CJK_RUN.finditer(text):
        word = match.group(0)
        if any(aliases.is_proper(t) for t in aliases.translations(word)):
            found.append(word)
    return list(dict.fromkeys(found))


def name_units(words: Iterable[str], aliases: AliasTable) -> list[tuple[str, Unit]]:
    """Each name with the unit a passage must hold to mention it (its spellings across scripts).

    A katakana name is held by its translations only: its character pairs are inside longer words too
    (インド in マインド), so a passage holding them need not name it.
    """
    out: list[tuple[str, Unit]] = []
    for word in words:
        units = topic_units(word, aliases)
        if len(units) != 1:
            continue
        unit = units[0]
        if _KATAKANA.fullmatch(word):
            unit = tuple(option for option in unit if not any(is_cjk(t) for t in option)) or unit
        out.append((word, unit))
    return out


async def unseen_names(
    names: Sequence[tuple[str, Unit]], doc_freq: Mapping[Unit, int], vocabulary: Vocabulary
) -> list[str]:
    """The names no stored passage holds in any spelling, leaving out misspellings of a stored word."""
    unseen: list[str] = []
    for word, unit in names:
        if doc_freq.get(unit, 0) > 0:
            continue
        latin = [t for option in unit for t in option if not is_cjk(t) and len(t) >= 4]
        if not await _misspelt(latin, vocabulary):
            unseen.append(word)
    return unseen


async def _misspelt(terms: Sequence[str], vocabulary: Vocabulary) -> bool:
    """Whether any of `terms` is spelt like a stored word (looked up one at a time, stopping at the first)."""
    for term in terms:
        if await vocabulary.similar_terms(term, min_ratio=TYPO_SIMILARITY):
            return True
    return False
