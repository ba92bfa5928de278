"""Comparing a quote's wording with a stored passage: pure functions, no store access.

A quote pasted in chat is rarely the transcript's exact text: the quoter drops "um" and "you know",
changes punctuation and case, writes 100 for "a hundred", "gonna" for "going to", and transcripts
disagree with each other on spellings ("colour", "Amodei"). `normalise` turns text into the words
that matter for wording, with each word's place in the text kept, so `compare` can find where a
quote sits inside a longer passage and name the words that really differ.

The alignment uses rapidfuzz: `partial_ratio_alignment` finds the best window of the passage for
the quote in C (a transcript passage is hundreds of words and a verify looks at dozens of them),
and Levenshtein opcodes over the word lists give the word diff. Both work on sequences of words,
so an edit is a whole word, never a letter inside one.

Japanese and Chinese have no spaces: CJK text is compared character by character (a quote's
characters against the passage's), which needs no dictionary and tolerates a transcript's
different word boundaries.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

from bot.text import ENGLISH_STOPWORDS, stem

__all__ = ["Coverage", "Difference", "Match", "compare", "content_terms", "coverage", "normalise"]


@dataclass(frozen=True)
class Difference:
    """Words that differ between the quote and the passage; "" on one side = missing/extra words."""

    quoted: str
    stored: str


@dataclass(frozen=True)
class Match:
    # 0..1: how closely `quote` is contained in `passage` (1.0 = the same words, fillers included).
    score: float
    # Every word of the quote is in the passage in order, up to fillers, punctuation, case, numbers
    # written as words or digits and spelling-level transcription variants.
    verbatim: bool
    # The words that differ in substance (or in spelling, for a verbatim match), in passage order.
    differences: tuple[Difference, ...]
    # Characters [start, end) of the passage that the quote matches.
    span: tuple[int, int]
    # A difference that reverses what was said: a number changed for another (500 for 100) or a
    # negation added or dropped. Such a quote is not "nearly that", whatever its score.
    contradicts: bool = False


@dataclass(frozen=True, slots=True)
class _Word:
    word: str
    start: int
    end: int


# Han, Hiragana, Katakana (incl. ー), Hangul: compared one character at a time.
_CJK: Final = r"\u3005\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE: Final = re.compile(
    rf"(?P<cjk>[{_CJK}])|(?P<num>\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<pct>%)?"
    rf"|(?P<word>[^\W\d_{_CJK}]+(?:'[^\W\d_{_CJK}]+)*)"
)

# Sounds and set-off phrases that carry no wording: removed from both sides before comparing.
# "like", "you know", "I mean", "so", "well" count as fillers only when set off by a comma ("like,
# the"): bare "like" is a verb or a preposition as often as a filler.
_FILLERS_RE: Final = re.compile(
    r"\b(?:u+m+|u+h+m*|e+r+m+|e+r|a+h+|h+m+|m+h*m+|mhm)\b"
    r"|\b(?:you know|i mean|like|so|well|okay|ok)\b(?=\s*,)"
    r"|えー+と?|えっと|ええと|あのー+|あの(?=[、,])|うーん|まあ(?=[、,])|なんか(?=[、,])|そのー+"
)
# Words that a speaker or a quoter adds or drops without changing what was said; a difference made
# only of these is tolerated (not shown, still counted in the score).
_SOFT_RE: Final = re.compile(
    r"(?:(?:you know|i mean|kind of|sort of|like|so|well|just|actually|basically|really|right|okay|oh|yes|and)\s*)+"
)

# Spoken and written forms transcripts use interchangeably.
_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "gonna": ("going", "to"), "wanna": ("want", "to"), "gotta": ("got", "to"), "kinda": ("kind", "of"),
    "sorta": ("sort", "of"), "ok": ("okay",), "cause": ("because",), "cuz": ("because",), "coz": ("because",),
    "til": ("until",), "till": ("until",), "yeah": ("yes",), "yep": ("yes",), "alright": ("all", "right"),
    "can't": ("can", "not"), "cannot": ("can", "not"),
    "won't": ("will", "not"), "shan't": ("shall", "not"), "ain't": ("is", "not"), "let's": ("let", "us"),
    "y'all": ("you", "all"),
}
_CLITICS: Final = {
    "n't": ("not",), "'re": ("are",), "'ve": ("have",), "'ll": ("will",), "'m": ("am",), "'d": ("would",),
}
# "'s" is "is" after these (it's, that's); after a noun it is a possessive and stays part of the word.
_IS_AFTER: Final = frozenset("it that there here what who he she where how when why this".split())

_UNITS: Final = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS: Final = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES: Final = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_KANJI_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_SMALL: Final = {"十": 10, "百": 100, "千": 1000}
_KANJI_LARGE: Final = {"万": 10**4, "億": 10**8, "兆": 10**12}
_KANJI_NUMERAL: Final = frozenset(_KANJI_DIGITS) | frozenset(_KANJI_SMALL) | frozenset(_KANJI_LARGE)


def _folded(text: str) -> tuple[str, list[int]]:
    """Text NFKC-folded and lower-cased, with the original index of every character kept."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower()
        folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'")
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def _raw_words(text: str, *, drop_fillers: bool) -> list[_Word]:
    folded, origin = _folded(text)
    if drop_fillers:
        # Blanked rather than cut, so every character keeps its place in the original.
        folded = _FILLERS_RE.sub(lambda m: " " * len(m.group(0)), folded)
    words: list[_Word] = []
    for match in _TOKEN_RE.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        if match.group("num") is not None:
            words.append(_Word(match.group("num").replace(",", ""), start, end))
            if match.group("pct"):
                words.append(_Word("percent", start, end))
        else:
            words.append(_Word(match.group(0), start, end))
    return words


def _expand(word: _Word) -> list[_Word]:
    """A contraction or spoken form as the words it stands for."""
    text = word.word.strip("'")
    found = _VARIANTS.get(text)
    if found is None:
        for clitic, full in _CLITICS.items():
            if text.endswith(clitic) and len(text) > len(clitic):
                found = (text[: -len(clitic)], *full)
                break
    if found is None and text.endswith("'s") and text[:-2] in _IS_AFTER:
        found = (text[:-2], "is")
    if found is None:
        return [_Word(text, word.start, word.end)]
    return [_Word(part, word.start, word.end) for part in found]


def _english_number(words: Sequence[_Word], i: int) -> tuple[int, str] | None:
    """(words used, digits) for a number written out at words[i] ("a hundred", "twenty-five", "1.5 million")."""
    total = 0.0
    current = 0.0
    used = 0
    seen = False
    j = i
    while j < len(words):
        w = words[j].word
        nxt = words[j + 1].word if j + 1 < len(words) else ""
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        elif w == "a" and not seen and (nxt == "hundred" or nxt in _SCALES):
            current = 0
        elif w == "and" and seen and (nxt in _UNITS or nxt in _TENS):
            pass
        elif not seen and re.fullmatch(r"\d+(?:\.\d+)?", w) and (nxt == "hundred" or nxt in _SCALES):
            current = float(w)
        else:
            break
        seen = seen or w not in ("a", "and")
        j += 1
        used = j - i
    if not seen or used == 0:
        return None
    value = total + current
    return used, str(int(value)) if value == int(value) else str(value)


def _kanji_number(run: str) -> int:
    if all(c in _KANJI_DIGITS for c in run):
        return int("".join(str(_KANJI_DIGITS[c]) for c in run))
    total = section = current = 0
    for c in run:
        if c in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[c]
        elif c in _KANJI_SMALL:
            section += (current or 1) * _KANJI_SMALL[c]
            current = 0
        else:
            total += ((section + current) or 1) * _KANJI_LARGE[c]
            section = current = 0
    return total + section + current


def _numbers(words: list[_Word]) -> list[_Word]:
    """Numbers in one form: digits, whether written "a hundred", "100", "百" or "100万"."""
    out: list[_Word] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.word in _KANJI_NUMERAL and not (word.word in _KANJI_LARGE and not out):
            j = i
            while j < len(words) and words[j].word in _KANJI_NUMERAL:
                j += 1
            run = "".join(w.word for w in words[i:j])
            if out and out[-1].word.isdigit() and run[0] in _KANJI_LARGE and len(run) == 1:
                # 100万: digits with a kanji multiplier.
                last = out.pop()
                out.append(_Word(str(int(last.word) * _KANJI_LARGE[run]), last.start, words[j - 1].end))
            else:
                out.append(_Word(str(_kanji_number(run)), word.start, words[j - 1].end))
            i = j
            continue
        found = _english_number(words, i)
        if found is not None:
            used, digits = found
            out.append(_Word(digits, word.start, words[i + used - 1].end))
            i += used
            continue
        out.append(word)
        i += 1
    return out


def _words(text: str) -> list[_Word]:
    """The comparison words of `text`, each with its character span in `text`."""
    expanded = [part for word in _raw_words(text, drop_fillers=True) for part in _expand(word)]
    words = _numbers(expanded)
    # A stutter ("the the", "I- I") is one word said twice.
    return [w for index, w in enumerate(words) if index == 0 or w.word != words[index - 1].word or w.word.isdigit()]


def normalise(text: str) -> list[str]:
    """Words for comparing wording: case, punctuation, quotation marks and dashes ignored; fillers ("um",
    "uh", "like,", "you know,", "I mean,", えー, あのー…) removed; contractions and spoken forms spelled out
    ("that's" = "that is", "gonna" = "going to"); numbers as digits ("a hundred" = "100" = "百"); CJK text
    one character per word."""
    return [w.word for w in _words(text)]


# A word of four letters or more this close to another (rapidfuzz ratio, 0..100) is the same word
# spelled differently by a transcriber ("colour"/"color", "organise"/"organize", "Daryo"/"Dario");
# below it, different words ("model"/"modal" at 80 are kept apart by the length rule's stem check).
VARIANT_RATIO: Final = 80
# How much of the score is the strict wording (fillers and spoken forms forgiven) rather than the
# literal words: a tolerated difference still costs a little, so an exact quote outranks one that
# dropped a filler, but far less than a changed word.
STRICT_SHARE: Final = 0.85


# Function words ("the", "is", particles) count this much of a content word: a passage sharing only
# "is the thing that" with a quote does not hold it.
FUNCTION_WEIGHT: Final = 0.3
# Containment weighs the quote's words found (recall) RECALL_BETA times as much as the passage's
# extra words in the matched stretch (precision): a quote is about what it claims was said.
RECALL_BETA: Final = 2.0
_FUNCTION_WORDS: Final = ENGLISH_STOPWORDS | frozenset("not no one 1 have will would are am".split())
_KANA_RE: Final = re.compile(r"[\u3041-\u309f]")


def _weight(words: Sequence[_Word]) -> float:
    return sum(
        FUNCTION_WEIGHT if w.word in _FUNCTION_WORDS or _KANA_RE.fullmatch(w.word) else 1.0 for w in words
    )


def _f_score(matched: float, quoted: float, stored: float) -> float:
    if matched <= 0 or quoted <= 0 or stored <= 0:
        return 0.0
    recall, precision = min(1.0, matched / quoted), min(1.0, matched / stored)
    beta2 = RECALL_BETA**2
    return (1 + beta2) * precision * recall / (beta2 * precision + recall)


def _variant(a: str, b: str) -> bool:
    if a.isdigit() or b.isdigit():
        return False
    if stem(a) == stem(b):
        return True
    return min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= VARIANT_RATIO and a[0] == b[0]


def _as_quoted(quote: Sequence[str], passage: Sequence[str]) -> list[str]:
    """The passage's words with each spelling variant of a quoted word written as quoted, so the
    alignment sees "organisation" where the quote says it and the transcript has "organization"."""
    vocabulary = [w for w in dict.fromkeys(quote) if not w.isdigit()]
    by_stem = {stem(w): w for w in vocabulary}
    chosen: dict[str, str] = {}
    for word in set(passage).difference(quote):
        if word.isdigit():
            continue
        same = by_stem.get(stem(word))
        if same is None and len(word) >= 4:
            found = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=VARIANT_RATIO)
            if found is not None and _variant(found[0], word):
                same = found[0]
        if same is not None:
            chosen[word] = same
    return [chosen.get(word, word) for word in passage]


def _soft(words: Sequence[_Word]) -> bool:
    return bool(words) and _SOFT_RE.fullmatch(" ".join(w.word for w in words) + " ") is not None


def _repeats(chunk: Sequence[_Word], side: Sequence[_Word], start: int, end: int) -> bool:
    """A chunk that repeats the words just before it ("I think I think"): a restart, not new words."""
    n = end - start
    before = [w.word for w in side[max(0, start - n) : start]]
    after = [w.word for w in side[end : end + n]]
    words = [w.word for w in chunk]
    return bool(words) and (before == words or after == words)


def _best_window(quote: list[str], passage: list[str]) -> tuple[int, int]:
    """Word indices [start, end) of the passage that hold the quote best."""
    if len(passage) <= len(quote):
        start, end = 0, len(passage)
    else:
        found = fuzz.partial_ratio_alignment(quote, passage)
        start, end = (found.dest_start, found.dest_end) if found is not None else (0, len(quote))
    # The window rapidfuzz finds is as long as the quote; a quote that dropped or added words sits in a
    # shorter or longer one. Each edge moves to where the words agree best, the other edge held.
    reach = max(3, len(quote) // 2)

    def similarity(s: int, e: int) -> tuple[float, int]:
        return Indel.normalized_similarity(quote, passage[s:e]), -(e - s)

    for _ in range(2):
        end = max(
            range(max(start + 1, end - reach), min(len(passage), end + reach) + 1),
            key=lambda e: similarity(start, e),
        )
        start = max(range(max(0, start - reach), min(end - 1, start + reach) + 1), key=lambda s: similarity(s, end))
    return start, end


_ELLIPSIS_RE: Final = re.compile(r"\.\s?\.\s?\.|…|\[\s*(?:\.\.\.|…)\s*\]")


def _ellipses(quote: str, words: Sequence[_Word]) -> frozenset[int]:
    """Indices of the quote's words that an ellipsis stands before: where the quoter left words out."""
    marks = [m.start() for m in _ELLIPSIS_RE.finditer(quote)]
    return frozenset(
        index for mark in marks for index, word in enumerate(words)
        if word.start >= mark and (index == 0 or words[index - 1].end <= mark)
    )


def _spellings(quote: str, passage: str, quoted: Sequence[_Word], stored: Sequence[_Word]) -> list[Difference]:
    """Runs of words the alignment took as equal that the passage spells differently."""
    out: list[Difference] = []
    run: list[tuple[_Word, _Word]] = []
    for pair in [*zip(quoted, stored, strict=True), None]:
        if pair is not None and pair[0].word != pair[1].word:
            run.append(pair)
            continue
        if run:
            out.append(Difference(_text(quote, [a for a, _ in run]), _text(passage, [b for _, b in run])))
            run = []
    return out


def _gapped_window(quote: list[str], passage: list[str], gaps: frozenset[int]) -> tuple[int, int]:
    """The window for a quote cut at ellipses: each piece found after the one before it, so the words
    left out between them, however many, sit inside the window."""
    cuts = [0, *sorted(g for g in gaps if 0 < g < len(quote)), len(quote)]
    start, at = None, 0
    for left, right in itertools.pairwise(cuts):
        piece = quote[left:right]
        if not piece or at >= len(passage):
            break
        found_start, found_end = _best_window(piece, passage[at:])
        start = at + found_start if start is None else start
        at += found_end
    return (start or 0), max(at, (start or 0) + 1)


def _text(source: str, words: Sequence[_Word]) -> str:
    return source[words[0].start : words[-1].end] if words else ""


def compare(quote: str, passage: str) -> Match:
    """The best alignment of `quote` inside `passage`, with how closely it matches and what differs."""
    q = _words(quote)
    p = _words(passage)
    if not q or not p:
        return Match(0.0, False, (), (0, 0))
    qw = [w.word for w in q]
    pw = _as_quoted(qw, [w.word for w in p])
    gaps = _ellipses(quote, q)
    start, end = _gapped_window(qw, pw, gaps) if gaps - {0} else _best_window(qw, pw)
    window = p[start:end]
    matched = 0.0
    counted_q, counted_p = _weight(q), _weight(window)
    differences: list[Difference] = []
    substantive = contradicts = False
    for op in Levenshtein.opcodes(qw, pw[start:end]):
        quoted, stored = q[op.src_start : op.src_end], window[op.dest_start : op.dest_end]
        if op.tag == "insert" and op.src_start in gaps:
            # The quoter marked the cut ("… more true every month"): the words left out are not a difference.
            counted_p -= _weight(stored)
            continue
        if op.tag == "equal":
            # Equal in the alignment, which writes a spelling variant as quoted: shown, never a difference in substance.
            matched += _weight(quoted)
            differences.extend(_spellings(quote, passage, quoted, stored))
            continue
        if (
            (not quoted or _soft(quoted) or _repeats(quoted, q, op.src_start, op.src_end))
            and (not stored or _soft(stored) or _repeats(stored, window, op.dest_start, op.dest_end))
        ):
            # Words added or dropped without changing what was said ("so", "just", a restart).
            counted_q -= _weight(quoted)
            counted_p -= _weight(stored)
            continue
        substantive = True
        contradicts = contradicts or _reverses(quoted, stored)
        differences.append(Difference(_text(quote, quoted), _text(passage, stored)))
    if _polarity(q)[1] != _polarity(window)[1]:
        # Japanese negates in a verb ending (当てはまる / 当てはまらない), which a character diff splits.
        contradicts = True
    elif contradicts and _polarity(q) == _polarity(window) and _numbers_agree(q, window):
        # The number or the negation only moved (a reordered quote): the same claim.
        contradicts = False
    strict = _f_score(matched, counted_q, counted_p)
    span = (window[0].start, window[-1].end)
    literal_q = [w.word for w in _raw_words(quote, drop_fillers=False)]
    literal_p = [w.word for w in _raw_words(passage[span[0] : span[1]], drop_fillers=False)]
    literal = Indel.normalized_similarity(literal_q, literal_p)
    score = STRICT_SHARE * strict + (1 - STRICT_SHARE) * literal
    if substantive:
        # Without this a long quote with one changed word could score above a short exact one.
        score = min(score, strict)
    return Match(round(score, 4), not substantive, tuple(differences), span, contradicts)


# Words that turn a statement into its opposite. Japanese negation is a verb ending, found in the text.
_NEGATORS: Final = frozenset("not no never nobody nothing none neither nor without".split())
_JA_NEGATION_RE: Final = re.compile(r"ない|ません|なかった|ず(?:に|、|。|$)|ぬ")


def _negations(words: Sequence[_Word]) -> int:
    return sum(1 for w in words if w.word in _NEGATORS)


def _polarity(words: Sequence[_Word]) -> tuple[int, bool]:
    return _negations(words), bool(_JA_NEGATION_RE.search("".join(w.word for w in words if _is_cjk_word(w.word))))


def _numbers_agree(quoted: Sequence[_Word], stored: Sequence[_Word]) -> bool:
    return {w.word for w in quoted if _is_number(w.word)} <= {w.word for w in stored if _is_number(w.word)}


def _reverses(quoted: Sequence[_Word], stored: Sequence[_Word]) -> bool:
    """A replaced, added or dropped stretch that changes a number or the polarity of what was said."""
    q_numbers = {w.word for w in quoted if w.word.replace(".", "", 1).isdigit()}
    p_numbers = {w.word for w in stored if w.word.replace(".", "", 1).isdigit()}
    if q_numbers and p_numbers and q_numbers != p_numbers:
        return True
    if _negations(quoted) != _negations(stored):
        return True
    if not any(_is_cjk_word(w.word) for w in [*quoted, *stored]):
        return False
    quoted_ja = "".join(w.word for w in quoted)
    stored_ja = "".join(w.word for w in stored)
    return bool(_JA_NEGATION_RE.search(quoted_ja)) != bool(_JA_NEGATION_RE.search(stored_ja))


# ---------------------------------------------------------------------------------------------
# Coverage: the order-free signal. A paraphrase swaps clauses and rewrites "a team of 100" as "the
# 100-person team"; the alignment then scores it like an unrelated sentence, but the quote's telling
# words (its numbers, its rare words) are all there, near each other, in the passage.

# The passage stretch searched for the quote's terms: this many times the quote's content terms, plus
# COVERAGE_SLACK. A reordered paraphrase keeps its words within a sentence or two of each other; a
# whole transcript turn would hold any topic's words somewhere.
COVERAGE_STRETCH: Final = 2.0
COVERAGE_SLACK: Final = 6
# A number is as telling as the rarest word: "100" against "1,000" is what the quote claims.
NUMBER_WEIGHT: Final = 1.0


@dataclass(frozen=True)
class Coverage:
    # 0..1: the quote's content terms found in the best stretch of the passage, each weighed by how
    # telling it is (its weight is relative to the rarest term's).
    share: float
    # Distinct content terms of the quote (the share of a two-word quote says little).
    terms: int
    # The quote's content words the stretch lacks, as quoted.
    missing: tuple[str, ...]
    # The quote's numbers are not the stretch's (500 where it says 100), or one side negates what the
    # other states.
    contradicts: bool
    # The most consecutive content words of the quote (in its order) that the stretch lacks: a run of
    # them is a clause the passage does not hold (words from elsewhere spliced on, a claim added);
    # a retelling's synonyms are single words here and there.
    gap: int = 0


def _is_cjk_word(word: str) -> bool:
    return len(word) == 1 and re.fullmatch(rf"[{_CJK}]", word) is not None


def _content(words: Sequence[_Word]) -> list[tuple[str, _Word]]:
    """(term, word) for each content word: English words stemmed as the index stems them, numbers as
    digits, CJK as the character bigrams the index holds (all-kana bigrams are particles and endings)."""
    out: list[tuple[str, _Word]] = []
    for index, word in enumerate(words):
        if _is_cjk_word(word.word):
            nxt = words[index + 1] if index + 1 < len(words) else None
            if nxt is not None and _is_cjk_word(nxt.word):
                gram = word.word + nxt.word
                if not _KANA_RE.fullmatch(word.word) or not _KANA_RE.fullmatch(nxt.word):
                    out.append((gram, word))
            continue
        if word.word in _FUNCTION_WORDS or _SOFT_RE.fullmatch(word.word + " "):
            continue
        out.append((word.word if word.word[0].isdigit() else stem(word.word), word))
    return out


def content_terms(quote: str) -> list[str]:
    """The quote's content terms (index tokens), to look up how telling each one is."""
    return list(dict.fromkeys(term for term, _ in _content(_words(quote)) if not term[0].isdigit()))


def _is_number(term: str) -> bool:
    return term.replace(".", "", 1).isdigit()


def coverage(quote: str, passage: str, weight: Callable[[str], float]) -> Coverage:
    """How much of the quote's telling content the best stretch of `passage` holds, in any order.

    `weight` gives a term's weight (an IDF, say); numbers weigh NUMBER_WEIGHT times the heaviest term.
    """
    q_words = _words(quote)
    quoted = _content(q_words)
    wanted: dict[str, float] = {}
    shown: dict[str, str] = {}
    for term, word in quoted:
        wanted.setdefault(term, -1.0 if _is_number(term) else max(0.0, weight(term)))
        shown.setdefault(term, quote[word.start : word.end])
    if not wanted:
        return Coverage(0.0, 0, (), False)
    heaviest = max([w for w in wanted.values() if w > 0], default=1.0)
    wanted = {t: (heaviest * NUMBER_WEIGHT if w < 0 else w) for t, w in wanted.items()}
    total = sum(wanted.values()) or 1.0
    p_words = _words(passage)
    stored = [term for term, _ in _content(p_words)]
    # The passage's spelling variants of quoted words count as the quoted words.
    aligned = _as_quoted(list(wanted), stored)
    size = max(1, math.ceil(len(wanted) * COVERAGE_STRETCH) + COVERAGE_SLACK)
    counts: Counter[str] = Counter()
    found = 0.0
    best, best_at = -1.0, 0
    for index, term in enumerate(aligned):
        counts[term] += 1
        if counts[term] == 1 and term in wanted:
            found += wanted[term]
        if index >= size:
            gone = aligned[index - size]
            counts[gone] -= 1
            if counts[gone] == 0 and gone in wanted:
                found -= wanted[gone]
        if found > best + 1e-9:
            best, best_at = found, max(0, index - size + 1)
    window = aligned[best_at : best_at + size]
    present = set(window)
    missing = tuple(shown[t] for t in wanted if t not in present)
    q_numbers = {t for t in wanted if _is_number(t)}
    p_numbers = {t for t in window if _is_number(t)}
    contradicts = bool(q_numbers - p_numbers) and bool(p_numbers - q_numbers)
    # Polarity: a quote that negates where the stretch around its words does not (one way only: a
    # stretch of two sentences often holds an unrelated "not", which must not sink a true paraphrase;
    # a negation the quote drops shows in the aligned differences instead).
    stretch = _stretch(p_words, window, best_at)
    if _negations(q_words) > 0 and _negations(stretch) == 0:
        contradicts = True
    if _JA_NEGATION_RE.search(quote) and not _JA_NEGATION_RE.search("".join(w.word for w in stretch)):
        contradicts = True
    gap = run = 0
    for term, _ in quoted:
        run = 0 if term in present else run + 1
        gap = max(gap, run)
    return Coverage(round(max(0.0, best) / total, 4), len(wanted), missing, contradicts, gap)


def _stretch(words: Sequence[_Word], window: Sequence[str], start: int) -> list[_Word]:
    """The passage's words (function words included) from the window's first content word to its last."""
    content = _content(words)
    if not content or not window:
        return []
    first = content[min(start, len(content) - 1)][1]
    last = content[min(start + len(window), len(content)) - 1][1]
    return [w for w in words if first.start <= w.start and w.end <= last.end]
