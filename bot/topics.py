"""What a question's topic is made of, and the tables that translate it between scripts.

A topic becomes units, one per word: a Latin word is one stemmed token; a CJK word is the run of
its bigrams; a word the alias tables know in another script may be matched in either. The topic
as asked and its translations are the alternatives a passage may match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.config_files import read_toml
from bot.speakers import SpeakerDirectory
from bot.store import Hit
from bot.store.fts import Unit
from bot.text import ENGLISH_STOPWORDS, is_cjk, normalize, stem, tokens

__all__ = [
    "AliasTable", "Unit", "cached_aliases", "load_aliases", "person_alternatives", "speaker_topics",
    "telling_terms", "topic_alternatives", "topic_units",
]

_QUESTION_WORDS: Final = frozenset(
    tokens(
        "say said says saying think thinks thought talk talked talking speak spoke mention mentioned believe "
        "believes opinion opinions view views anything something quote quotes explain explains explained explaining "
        "ever own whether"
    )
)
_STOP_STEMS: Final = frozenset(tokens(" ".join(ENGLISH_STOPWORDS))) | _QUESTION_WORDS


# In Japanese the content words are the kanji and katakana runs; hiragana carries particles and
# verb endings ("採用のペースを落とした" -> 採用, ペース, 落).
# The katakana middle dot (U+30FB) separates words: ダリオ・ビジョン・クエスト is three.
_JA_WORD = re.compile(
    r"[\u3005\u4e00-\u9fff]+|[\u30a0-\u30fa\u30fc-\u30ff]+|[\u3040-\u309f]+|[^\u3005\u3040-\u30ff\u4e00-\u9fff]+"
)


# Words that frame a Japanese question rather than name its topic ("…についての見解", "…の理由は").
_JA_FRAME = frozenset(
    "見解 意見 考え 立場 発言 反論 説明 理由 本当 何 どう 答え 言及 主張 予想 思い 意味 方法 必要 場合 "
    "とき 以内 何年 何人 何割 何倍 何回 何歳 何時 何度 何社 何個 結局 そもそも 要するに つまり 一体 話".split()
)


def _cjk_words(piece: str, aliases: AliasTable | None = None) -> list[str]:
    runs = _joined_terms(_JA_WORD.findall(piece), aliases)
    words = []
    for index, w in enumerate(runs):
        if re.fullmatch(r"[\u3040-\u309fー]+", w) or w in _JA_FRAME:
            continue
        following = runs[index + 1] if index + 1 < len(runs) else ""
        kanji = re.fullmatch(r"[\u3005\u4e00-\u9fff]+", w) is not None
        if kanji and aliases is not None and re.match(r"[\u3041-\u309f]", following):
            # A verb or adjective is kanji and a kana ending (勧めた, 学び, 遅く, 口出しして): the kanji
            # with the first kana is the form the glossary lists, and a word in its own right.
            inflected = w + following[0]
            if aliases.knows(inflected):
                w = inflected
        words.append(w)
    long_words = [w for w in words if len(w) >= 2]
    return long_words or words


def _joined_terms(runs: list[str], aliases: AliasTable | None) -> list[str]:
    """Kanji and katakana runs written together that the tables know as one term (拡散 + モデル is 拡散モデル,
    "diffusion model"): one word, so a passage must hold the term, not its parts anywhere."""
    if aliases is None:
        return runs
    joined: list[str] = []
    i = 0
    while i < len(runs):
        end = i + 1
        for j in range(min(len(runs), i + 3), i + 1, -1):
            candidate = "".join(runs[i:j])
            if all(not re.fullmatch(r"[\u3040-\u309f]+", run) for run in runs[i:j]) and aliases.knows(candidate):
                end = j
                break
        joined.append("".join(runs[i:end]))
        i = end
    return joined


def _known_parts(word: str, aliases: AliasTable | None) -> list[str]:
    """A compound the alias table does not know, split into the words it does: 独裁国家 -> 独裁, 国家.

    Japanese writes compounds without spaces, and a glossary cannot list every compound; its
    parts still translate, so an English passage can match each of them.
    """
    if aliases is None or len(word) < 3 or aliases.knows(word) or not is_cjk(word):
        # A Latin word inside a Japanese question is one word: "engineer" is not "e" and "engine".
        return [word]
    parts: list[str] = []
    unknown = ""
    # A katakana word is one loanword or name unless its parts cover it all: モデルナ is not モデル and ナ.
    katakana = bool(re.fullmatch(r"[\u30a0-\u30ff]+", word))
    i = 0
    while i < len(word):
        for j in range(len(word), i + 1, -1):
            if aliases.knows(word[i:j]):
                if len(unknown) >= 2:
                    parts.append(unknown)
                elif unknown and katakana:
                    return [word]
                unknown = ""
                parts.append(word[i:j])
                i = j
                break
        else:
            unknown += word[i]
            i += 1
    if not parts or (katakana and len(unknown) == 1):
        return [word]
    if len(unknown) >= 2:
        parts.append(unknown)
    return parts


def topic_units(topic: str, aliases: AliasTable | None = None) -> list[Unit]:
    """What a passage must contain to be about the topic, one unit per word.

    A Latin word is one stemmed token; a CJK word is the run of its bigrams, all required, so
    "重ね合わせ" never matches a passage that merely contains "合わ". A word the alias table
    knows in another script may be matched in either ("採用" or "hiring"). Stop words and
    question verbs are dropped.
    """
    units: list[Unit] = []
    lone_kanji: list[Unit] = []

    def add(surface: str, toks: tuple[str, ...]) -> Unit | None:
        """The unit for `surface`, added unless already there; None when it frames the question."""
        options = [toks]
        if aliases is not None:
            translated = aliases.translations(surface)
            if not translated and len(toks) == 1 and not is_cjk(surface):
                # An inflected English word as the tables list its stem ("runs" as "run").
                translated = aliases.translations(toks[0])
            for other in translated:
                other_toks = tuple(t for t in tokens(other) if t not in _STOP_STEMS)
                if other_toks and other_toks not in options:
                    options.append(other_toks)
            if translated and len(options) == 1 and is_cjk(surface):
                # Every translation is a question word (話す is "talk", 語る "tell"): it frames the question.
                return None
        unit = tuple(options)
        if unit not in units:
            units.append(unit)
        return unit

    for word in re.findall(r"\S+", normalize(topic)):
        for piece in re.split(r"[^\w\u3005\u3040-\u30ff\u4e00-\u9fff'’-]+", word):
            if not piece:
                continue
            if is_cjk(piece):
                for cjk in _cjk_words(piece, aliases):
                    for part in _known_parts(cjk, aliases):
                        toks = tuple(t for t in tokens(part) if t not in _STOP_STEMS)
                        if toks:
                            unit = add(part.replace("_", " "), toks)
                            if unit is not None and len(part) == 1 and is_cjk(part) and not (
                                aliases is not None and aliases.knows(part)
                            ):
                                lone_kanji.append(unit)
            else:
                raws = re.findall(r"[^\W_]+", piece)
                if re.search(r"[^\W_][_-][^\W_]", piece) and len(raws) > 1:
                    # One term in several words (a translation put in by `expansions`, or written with
                    # a hyphen: "self-driving"): one unit, its words a run, so a passage must hold them
                    # together.
                    toks = tuple(t for t in tokens(" ".join(raws)) if t not in _STOP_STEMS)
                    if toks:
                        add(" ".join(raws), toks)
                    continue
                for raw in raws:
                    toks = tuple(t for t in tokens(raw) if t not in _STOP_STEMS)
                    if toks:
                        add(raw, toks)
    if len(lone_kanji) < len(units):
        # A lone kanji the tables do not know is a stray from a verb (捉え直した → 捉, 直); beside real
        # words it only adds weight no passage can hold.
        units = [unit for unit in units if unit not in lone_kanji]
    return units


# A Japanese topic written as one word: kanji, katakana and Latin letters with no particle between.
_JA_ONE_TERM: Final = re.compile(r"[0-9A-Za-z\u3005\u30a0-\u30ff\u4e00-\u9fff]+")


def one_term(topic: str, units: Sequence[Unit]) -> tuple[Unit, Unit] | None:
    """The topic's two words when it is written as one term ("time travel", "computer vision", 人口密度).

    Such a term means something neither word does alone: a passage on "talent density" is not about
    population density. Two words joined any other way ("sycophancy and honesty", "Dario's essay",
    採用のペース) are not one term.
    """
    if len(units) != 2:
        return None
    text = normalize(topic).strip(" ?？!！.。、,")
    if is_cjk(text):
        return (units[0], units[1]) if _JA_ONE_TERM.fullmatch(text) else None
    words = text.split()
    content = [i for i, word in enumerate(words) if any(t not in _STOP_STEMS for t in tokens(word))]
    if len(content) != 2 or content[1] != content[0] + 1:
        return None
    first = words[content[0]]
    if re.search(r"['’]s?$|[,;:]$", first):
        return None
    return units[0], units[1]


def cjk_compounds(topic: str, aliases: AliasTable | None = None) -> list[tuple[Unit, Unit]]:
    """The Japanese compounds of two words inside a topic: a run of kanji, katakana and Latin letters with
    no particle between, that the tables read as two words (都市の人口密度 holds 人口 + 密度)."""
    pairs: list[tuple[Unit, Unit]] = []
    for group in re.split(r"[^0-9A-Za-z\u3005\u30a0-\u30ff\u4e00-\u9fff]+", normalize(topic)):
        if group and is_cjk(group):
            units = topic_units(group, aliases)
            if len(units) == 2:
                pairs.append((units[0], units[1]))
    return pairs


def topic_alternatives(topic: str, aliases: AliasTable) -> tuple[tuple[Unit, ...], ...]:
    """The topic as asked, then the same topic in other scripts; each as its units, none twice."""
    alternatives: list[tuple[Unit, ...]] = []
    for variant in [topic, *aliases.expansions(topic)]:
        units = tuple(topic_units(variant, aliases))
        if units and units not in alternatives:
            alternatives.append(units)
    return tuple(alternatives)



def person_alternatives(
    topic: str, asked: str | None, speakers: SpeakerDirectory, aliases: AliasTable
) -> tuple[tuple[Unit, ...], ...]:
    """A person the topic names ("アモデイ", "Dario's essay"), as passages write them: their full
    name, first name or surname, so "what did Turing Post say about アモデイ" finds "Amodei"."""
    found = speakers.find(topic)
    if found is None or found[0] == asked:
        return ()
    name, start, end = found
    known = topic_alternatives(topic, aliases)
    extra: list[tuple[Unit, ...]] = []
    for form in dict.fromkeys([name, *(part for part in name.split() if len(part) >= 3)]):
        for alt in topic_alternatives(f"{topic[:start]} {form} {topic[end:]}", aliases):
            if alt not in known and alt not in extra:
                extra.append(alt)
    return tuple(extra)

_KATAKANA_TERM = re.compile(r"[\u30a0-\u30ff]+")


def _replace_spans(text: str, spans: Sequence[tuple[int, int]], other: str) -> str:
    """`other` in place of each span of `text`, apart from Latin letters beside it: 規制 in "AI規制法"
    becomes "AI regulation法", never the one word "airegulation"."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        before = " " if start > 0 and _joins_latin(text[start - 1], other[:1]) else ""
        after = " " if end < len(text) and _joins_latin(other[-1:], text[end]) else ""
        out.append(f"{text[last:start]}{before}{other}{after}")
        last = end
    out.append(text[last:])
    return "".join(out)


def _joins_latin(left: str, right: str) -> bool:
    return left.isascii() and right.isascii() and left.isalnum() and right.isalnum()


@dataclass
class AliasTable:
    """Topic terms across scripts: `タレント密度` <-> `talent density`."""

    pairs: dict[str, set[str]] = field(default_factory=dict)
    # Terms the tables write with a capital ("Japan" for 日本): names, not everyday words.
    proper: set[str] = field(default_factory=set)
    _sorted: list[str] | None = field(default=None, repr=False, compare=False)
    _sorted_for: int = field(default=-1, repr=False, compare=False)

    @staticmethod
    def key(term: str) -> str:
        return " ".join(normalize(term).lower().split())

    def add(self, a: str, b: str, *, both_ways: bool = True) -> None:
        ka, kb = self.key(a), self.key(b)
        self.proper.update(k for k, written in ((ka, a), (kb, b)) if any(c.isupper() for c in written))
        if ka and kb and ka != kb:
            self.pairs.setdefault(ka, set()).add(kb)
            if both_ways:
                self.pairs.setdefault(kb, set()).add(ka)

    def knows(self, word: str) -> bool:
        return self.key(word) in self.pairs

    def is_proper(self, term: str) -> bool:
        """Whether the tables write `term` as a name (with a capital)."""
        return self.key(term) in self.proper

    def translations(self, word: str) -> list[str]:
        """The other-script forms of a single word or term."""
        return sorted(self.pairs.get(self.key(word), ()))

    def expansions(self, topic: str) -> list[str]:
        """The topic with each known term replaced by its counterparts in other scripts."""
        lowered = self.key(topic)
        found: list[str] = []
        # Where a longer term matched, the shorter ones inside it are not replaced: 子供時代 is "childhood",
        # not "children" beside 時代.
        covered: list[tuple[int, int]] = []
        # A substring test first: it rules out nearly every term at C speed before any regex runs.
        for term in self._by_length():
            if term not in lowered:
                continue
            if _KATAKANA_TERM.fullmatch(term):
                # Katakana writes a loanword whole: モデル is not in モデルナ.
                pattern = rf"(?<![\u30a0-\u30ff]){re.escape(term)}(?![\u30a0-\u30ff])"
            elif re.search(r"[^\x00-\x7f]", term):
                pattern = re.escape(term)
            else:
                pattern = rf"(?<!\w){re.escape(term)}(?!\w)"
            spans = [
                m.span() for m in re.finditer(pattern, lowered)
                if not any(a <= m.start() and m.end() <= b for a, b in covered)
            ]
            if spans:
                covered.extend(spans)
                for other in sorted(self.pairs[term]):
                    # A term of several words stays one term (`topic_units` reads "_" as joining a run).
                    found.append(_replace_spans(lowered, spans, "_".join(other.split())))
        return list(dict.fromkeys(found))[:8]

    def _by_length(self) -> list[str]:
        # Rebuilt when terms were added since; single characters are never replaced as a whole term.
        if self._sorted is None or self._sorted_for != len(self.pairs):
            self._sorted = sorted((t for t in self.pairs if len(t) >= 2), key=len, reverse=True)
            self._sorted_for = len(self.pairs)
        return self._sorted


def _alias_files(config_dir: Path) -> list[Path]:
    files = [config_dir / "aliases.toml", *sorted(config_dir.glob("forms-*.toml"))]
    files += sorted(config_dir.glob("glossary-*.toml"))
    return [f for f in files if f.exists()]


def load_aliases(config_dir: Path) -> AliasTable:
    """The maintained term table (aliases.toml), word forms (forms-*.toml) and the general glossaries
    (glossary-*.toml); the first two are read both ways.

    A glossary translates a question's words one way, into the language the answers are likely in
    (a Japanese question reaching English transcripts): thousands of everyday English words each
    also matching Japanese notes would only add noise to English questions.
    """
    table = AliasTable()
    for path in _alias_files(config_dir):
        data = read_toml(path)
        glossary = path.name.startswith("glossary-")
        for term, others in data.get("terms", {}).items():
            for other in others:
                table.add(term, other, both_ways=not glossary)
    return table


def cached_aliases(config_dir: Path) -> AliasTable:
    """The configured tables, read once per process while the files are unchanged (4,000+ glossary lines)."""
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in _alias_files(config_dir))
    found = _ALIAS_CACHE.get(stamp)
    if found is None:
        _ALIAS_CACHE.clear()
        found = _ALIAS_CACHE[stamp] = load_aliases(config_dir)
    # Callers add learnt pairs to copies, never to the cached table.
    return found


_ALIAS_CACHE: dict[tuple[tuple[str, int], ...], AliasTable] = {}


# Words of headings that say what kind of text follows, not what it is about ("Relevant Transcript
# Excerpts", "関連するトランスクリプト抜粋"); a heading made only of them names no topic.
_STRUCTURAL_WORDS: Final = (
    "transcript transcripts summary notes note key points point quotes quote introduction intro overview "
    "conclusion highlights excerpts excerpt relevant full selected main episode podcast video "
    "文字起こし トランスクリプト 抜粋 関連する 関連 要約 まとめ 概要 引用 ハイライト はじめに 主要な ポイント"
).split()
_STRUCTURAL_RE: Final = re.compile(
    "|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in sorted(_STRUCTURAL_WORDS, key=len,
                                                                                       reverse=True)),
    re.I,
)
# Words everyone uses in conversation: frequent in anyone's passages, telling of nobody's topics.
_SPOKEN_WORDS: Final = frozenset(
    tokens(
        "guess kind sort thing things something lot lots going way actually like mean really know think "
        "want make made get got look looking well maybe probably pretty just yeah okay right sure quite "
        "much many even still good great little sense point question answer time times feel work working "
        "idea ideas people person face beautifully naturally understand basically whole different"
    )
)
# A word must come up in this many of a speaker's passages to be among what they talk about.
MIN_TERM_PASSAGES: Final = 2
# What joins a speaker's name to the topic in a heading: "Dario Amodei on …", "アモデイの…".
_AFTER_NAME: Final = re.compile(r"^(?:['’]s)?\s*(?:on|about|:|：|—|–|-|の|について|は)\s*", re.I)


def _heading_topic(heading: str | None, forms: Sequence[str]) -> str | None:
    """The topic a heading names: "Dario Amodei on Talent Density" -> "Talent Density"; None for a
    heading that is only the speaker's name or says what kind of text follows ("Transcript")."""
    if not heading:
        return None
    text = " ".join(heading.split())
    lowered = normalize(text).lower()
    for form in sorted(forms, key=len, reverse=True):
        if lowered.startswith(form):
            text = _AFTER_NAME.sub("", text[len(form) :].strip()).strip()
            break
    key = normalize(text).lower().strip(" :：")
    if not key or key in forms or not re.sub(r"[\W\u3040-\u309f]+", "", _STRUCTURAL_RE.sub("", key)):
        return None
    return text


def _telling_words(text: str, forms: Sequence[str]) -> list[tuple[str, str]]:
    """(word, index token) of the Latin words of `text` that could say what it is about."""
    out = []
    for word in re.findall(r"[A-Za-z][A-Za-z-]{3,}", text):
        lowered = word.lower()
        if lowered in ENGLISH_STOPWORDS or lowered in forms:
            continue
        token = stem(lowered)
        if token not in _STOP_STEMS and token not in _SPOKEN_WORDS:
            out.append((lowered, token))
    return out


def telling_terms(hits: Sequence[Hit], forms: Sequence[str]) -> set[str]:
    """The index tokens `speaker_topics` may pick from: their document frequencies are all it needs."""
    return {token for hit in hits for _, token in _telling_words(hit.text, forms)}


def speaker_topics(
    hits: Sequence[Hit], forms: Sequence[str], language: str, idf: Mapping[str, float], *, limit: int = 5
) -> list[str]:
    """What a speaker talks about most, in words the store holds: the headings their passages sit
    under (most passages first, the asker's language first), then the most telling words of their
    passages, each as the passage wrote it."""
    headings: Counter[str] = Counter()
    first_seen: dict[str, tuple[bool, int]] = {}
    for index, hit in enumerate(hits):
        topic = _heading_topic(hit.heading, forms)
        if topic:
            headings[topic] += 1
            first_seen.setdefault(topic, (hit.lang != language, index))
    chosen = sorted(headings, key=lambda t: (first_seen[t][0], -headings[t], first_seen[t][1]))
    # A heading in another language is the same topic again (a note and its translation): shown only
    # when no heading is in the asker's.
    if any(not first_seen[t][0] for t in chosen):
        chosen = [t for t in chosen if not first_seen[t][0]]
    chosen = chosen[:limit]
    if len(chosen) >= limit:
        return chosen
    # Then the words the speaker uses in many passages that the rest of the store uses little. Only
    # Latin words: a Japanese bigram is no word to show.
    taken = {stem(word) for topic in chosen for word in re.findall(r"[a-z]+", normalize(topic).lower())}
    passages: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for hit in hits:
        seen = set()
        for lowered, token in _telling_words(hit.text, forms):
            if token not in taken:
                surface.setdefault(token, Counter())[lowered] += 1
                seen.add(token)
        passages.update(seen)
    telling = sorted(
        (t for t, n in passages.items() if n >= MIN_TERM_PASSAGES),
        key=lambda t: (-passages[t] * idf.get(t, 0.0), t),
    )
    chosen += [surface[t].most_common(1)[0][0] for t in telling[: limit - len(chosen)]]
    return chosen
