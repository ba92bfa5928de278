"""Text normalisation and the tokens saidbot indexes and searches.

FTS5's `unicode61` tokenizer splits on spaces and punctuation, so an unspaced Japanese sentence
becomes one huge token, and `trigram` cannot match two-character words such as 天気. saidbot
therefore tokenizes in Python before text reaches FTS5: Latin words are case-folded and
stemmed (Snowball English), runs of CJK characters become overlapping bigrams (a lone
character stays a unigram). The same function prepares queries, so a two-character Japanese
word is exactly one bigram token and matches wherever it appears, and every token that
reaches FTS5 is plain alphanumerics that can be quoted safely.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Final, cast

import snowballstemmer

# Snowball stemmers keep per-call state, so each thread (ingest parses in workers) gets its own.
_LOCAL = threading.local()

# Han, Hiragana, Katakana (incl. the prolonged sound mark), Hangul syllables.
_CJK_CLASS: Final = r"\u3005\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE: Final = re.compile(rf"[{_CJK_CLASS}]+|[^\W_{_CJK_CLASS}]+(?:['’][^\W_{_CJK_CLASS}]+)*")
_CJK_RE: Final = re.compile(rf"[{_CJK_CLASS}]")
_KANA_RE: Final = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")
_HAN_RE: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

ENGLISH_STOPWORDS: Final = frozenset(
    (
        "a an and are as at be been but by can could did do does doing for from had has have he her his how i if "
        "in into is it its me my of on or our she so than that the their them then there these they this those to "
        "too was we were what when where which who whom why will with would you your about s t just also very really "
        "vs versus whoever whomever whatever whichever whenever wherever"
    ).split()
)


def normalize(text: str) -> str:
    """NFKC folds full-width Latin and half-width kana, so ｔａｌｅｎｔ and talent are one word."""
    return unicodedata.normalize("NFKC", text)


# A word in letters outside Japanese scripts: "EU" in "EUのAI規制法" is a word of its own.
_NOT_JA: Final = r"(?![\u3005\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef])"
LATIN_WORD: Final = re.compile(rf"{_NOT_JA}[^\W\d_](?:{_NOT_JA}[\w'’-])*")


def is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


_CJK_JOIN_RE: Final = re.compile(rf"[{_CJK_CLASS}\u3000-\u303f\uff00-\uffef「」『』]")


def joins_without_space(left: str, right: str) -> bool:
    """Japanese and Chinese sentences follow each other with no space ("です。次に…")."""
    return bool(left and right and _CJK_JOIN_RE.match(left[-1]) and _CJK_JOIN_RE.match(right[0]))


def detect_language(text: str, default: str = "en") -> str:
    """Kana means Japanese; Han without kana is most likely Chinese; otherwise the default."""
    if _KANA_RE.search(text):
        return "ja"
    if _HAN_RE.search(text):
        han = len(_HAN_RE.findall(text))
        latin = len(re.findall(r"[A-Za-z]", text))
        return "zh" if han * 2 >= latin else default
    return default


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    # A plain dict: ingest stems millions of words from a vocabulary of a few hundred thousand.
    found = _STEMS.get(word)
    if found is None:
        if len(_STEMS) > 500_000:
            _STEMS.clear()
        stemmer = getattr(_LOCAL, "stemmer", None)
        if stemmer is None:
            stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("english")
        found = _STEMS[word] = str(stemmer.stemWord(word))
    return found


# ASCII letters and digits are kept, every other byte becomes a space: what _TOKEN_RE finds in ASCII text
# without apostrophes.
_ASCII_WORD_BYTES: Final = bytes(c if chr(c).isalnum() and c < 128 else 0x20 for c in range(256))


def _plain_words(text: str) -> list[str] | None:
    """The words of lower-cased text without CJK, clitics dropped, as tokens() finds them; None for CJK text."""
    if "'" not in text and text.isascii():
        # A plain English paragraph: the words are the runs of ASCII letters and digits, which a byte
        # translation and a split find three times faster than the regex.
        return text.encode().translate(_ASCII_WORD_BYTES).decode().split()
    if _CJK_RE.search(text) is not None:
        return None
    words = _TOKEN_RE.findall(text)
    if "'" in text:
        # "that's" -> "that"; the clitic carries no topic.
        return [word.split("'", 1)[0] if "'" in word else word for word in words]
    return words


def _cjk_grams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str, *, drop_stopwords: bool = False) -> list[str]:
    """The index tokens of `text`, in order."""
    text = normalize(text).lower().replace("’", "'")
    plain = None if drop_stopwords else _plain_words(text)
    if plain is not None:
        # The common case at ingest: one dict lookup per word, in C; stem() only for words not seen before.
        stems = list(map(_STEMS.get, plain))
        if None in stems:
            return [found if found is not None else stem(word) for found, word in zip(stems, plain, strict=True)]
        return cast(list[str], stems)
    words = _TOKEN_RE.findall(text)
    has_cjk = _CJK_RE.search(text) is not None
    out: list[str] = []
    for word in words:
        if has_cjk and _CJK_RE.match(word):
            out.extend(_cjk_grams(word))
            continue
        if "'" in word:
            # "that's" -> "that"; the clitic carries no topic.
            word = word.split("'", 1)[0]
        if drop_stopwords and word in ENGLISH_STOPWORDS:
            continue
        out.append(stem(word))
    return out


def index_text(text: str) -> str:
    """What the FTS5 column holds: the tokens joined by spaces."""
    return " ".join(tokens(text))


def is_question(text: str) -> bool:
    """A turn that ends asking something: in an interview, the host's question."""
    return text.rstrip().rstrip("”\"'」)").endswith(("?", "？"))


# A turn that opens on what the other person said before ("You mentioned Rich Sutton…", "At DealBook you
# were emphasizing…"): in an interview, the host setting up a question, not the guest's answer.
_RECALLS_YOU: Final = re.compile(
    r"\byou(?:'ve| have)? (?:mentioned|said|were (?:saying|making|emphasizing|talking|arguing)|wrote|"
    r"talked about|argued|brought up|raised)\b",
    re.I,
)


def is_host_turn(text: str) -> bool:
    """An interview turn that is the host's: one that only asks, or opens by recalling the guest's words."""
    if is_question(text):
        return True
    first = split_sentences(text[:400])
    return bool(first) and _RECALLS_YOU.search(first[0]) is not None


_SENTENCE_END_RE: Final = re.compile(r"(?<=[.!?。！？…])[\"'”’」』)）]*\s*")


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends (Latin and CJK), keeping closing quotes with their sentence."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        end = match.end()
        # A full stop inside a number or an abbreviation like "e.g." is not an end.
        before = text[max(0, match.start() - 4) : match.start()]
        nxt = text[end : end + 1]
        if nxt and (nxt.islower() or nxt.isdigit()) and not is_cjk(before[-1:] or "x"):
            continue
        if re.search(r"\b(?:e\.g|i\.e|vs|Mr|Ms|Dr|St|etc)\.?$", text[start : match.start() + 1]):
            continue
        piece = text[start:end].strip()
        if piece:
            parts.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def cut_at_sentence(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole sentence, with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in split_sentences(text):
        candidate = kept + sentence if not kept or joins_without_space(kept, sentence) else f"{kept} {sentence}"
        if len(candidate) + 2 > limit:
            break
        kept = candidate
    if not kept:
        # One sentence longer than the limit: cut at a word boundary instead.
        room = text[: max(1, limit - 1)]
        space = room.rfind(" ")
        kept = room[:space] if space > limit // 2 else room
    return kept.rstrip() + " …" if not is_cjk(kept[-1:]) else kept + "…"


def strip_quotes(text: str) -> str:
    text = text.strip()
    pairs = {"“": "”", '"': '"', "「": "」", "『": "』", "‘": "’"}
    if len(text) >= 2 and text[0] in pairs and text.endswith(pairs[text[0]]):
        inner = text[1:-1]
        if pairs[text[0]] not in inner:
            return inner.strip()
    return text


def format_timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"

