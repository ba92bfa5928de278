"""Synthetic transcripts for the performance benchmark, reproducible from a seed.

`python -m bench.perf.corpus --segments 100000 --seed 1 --out bench/perf/data/100k`

Writes one Markdown transcript per episode (YAML front matter, then `Speaker (hh:mm:ss) text`
paragraphs, one paragraph = one segment) under OUT/transcripts/, and OUT/manifest.json describing
what was planted. The text is gibberish with a realistic shape: words are drawn from a Zipf
(Zipf-Mandelbrot) distribution over ~300 real English words followed by syllable-made fake words,
or over kanji compounds and katakana words glued with particles for Japanese, so posting-list
lengths look like those of a real corpus.

Query terms are *planted* with exact document frequencies, so the benchmark has exact classes:
rare (5 segments), mid (1% of the language's segments) and common (50%), in English and Japanese.
Planted words use letters (English: a `z…x` shape) or kanji (Japanese) that the background
generator never produces, so no segment contains a planted term by chance and each df is exact.
One star guest appears in many episodes of both languages for the speaker-filtered queries.

Determinism: the layout (episodes, speakers, where terms go) comes from one generator seeded by
`--seed`; each episode's words come from a generator seeded by (seed, episode index), so the
output does not depend on how episodes are spread over worker processes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import operator
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray

# Bump when the output for a given seed changes, so cached corpora are regenerated.
GENERATOR_VERSION: Final = 3
STAR_GUEST: Final = "Mara Velden"
TermClass = Literal["rare", "mid", "common"]
RARE_DF: Final = 5
# Of a rare term's five segments, this many are the star guest's, so "rare + speaker" has answers.
RARE_STAR_DF: Final = 2
MID_FRACTION: Final = 0.01
COMMON_FRACTION: Final = 0.5
# Several terms per class, rotated by the harness, so a per-question cache in the core cannot
# turn 200 runs of one question into one measured search and 199 dictionary look-ups.
TERMS_PER_CLASS: Final[dict[TermClass, int]] = {"rare": 50, "mid": 10, "common": 4}
EN_SHARE: Final = 0.7
STAR_EPISODE_SHARE: Final = 0.2

# ~300 real words, most frequent first: function words take the top Zipf ranks as in real speech.
# None contains z, x or q+x shapes used by planted terms (the planted shape is z…x, see below).
COMMON_EN: Final = """
the and to of a I that you it in is we was think so like it's this have be
know but what they just for on not do with are can there about really lot
or if at one all kind my people because think right yeah things more would
get as an going thing he me from your very been has had some how now them our
when where who which then than also even much well make way time actually mean
go see say said want need work out up into other these those any many most
first next last new good great big small different same important little long
model models data training compute system systems research researchers company
companies world problem problems question questions answer idea ideas point
years year today future past early later always never often sometimes maybe
probably certainly clearly basically exactly obviously interesting hard easy
human humans person life society government policy country countries economy
scale scaling laws law progress risk risks benefit benefits power powerful
understand understanding learn learning build building test testing use using
try trying look looking feel feeling believe believed happen happens happened
start started end ended keep kept give gave take took find found tell told
talk talking ask asked help helped show showed call called write writing read
reading run running play move live change changes changed grow growing
science scientific biology medicine disease health cure drug drugs cell cells
software code coding engineer engineers product products market markets money
value values trust careful responsible open closed public private early late
part parts whole place places case cases fact facts example examples number
level levels kind kinds sort sorts side sides reason reasons sense way ways
hand hands head eye eyes word words story stories team teams group groups
here why should could might must will shall may let us his her she him
again back down off over under still only such own same both each few more
""".split()

# Japanese: common nouns and content words, particles, and predicate endings.
COMMON_JA: Final = """
これ それ あれ 私 僕 我々 今 時間 問題 方法 場合 世界 会社 人間 社会 研究 技術 未来 仕事
意味 理由 部分 最初 結果 必要 可能性 状況 話 質問 答え 考え 経験 情報 時代 経済 政府 政策
モデル データ システム コード チーム プロダクト リスク スケール エンジニア コンピュータ
""".split()
JA_PARTICLES: Final = ["は", "が", "を", "に", "で", "と", "の", "も", "から", "まで", "って", "について"]
JA_ENDINGS: Final = [
    "です",
    "でした",
    "だと思います",
    "ですね",
    "なんです",
    "があります",
    "になります",
    "しています",
    "と言えます",
    "かもしれません",
]
JA_QUESTION_ENDINGS: Final = ["ですか", "でしょうか", "と思いますか", "はどうですか"]
# Kanji the background generator may use. Planted Japanese terms use kanji from _RESERVED_KANJI
# only, which are removed from this pool, so their bigrams never occur by chance.
_KANJI_POOL: Final = (
    "人間世界会社時代問題方法場合社会研究技術未来仕事意味理由部分最初結果必要可能性状況話質問答考"
    "経験情報済政府策大小中上下前後外内新古長高低多少強弱早遅明暗近遠東西南北春夏秋冬日月火水木金土"
    "山川海空雨雪風花草森林石田村町市県国都道府家族親子兄弟姉妹友達先生学校生徒教室本文字言語数学物"
    "理化生医療薬病院健康体心頭手足目耳口声音楽歌絵映画写真電気車道駅店品物価値値段料金銀行資本投資"
    "市場産業工場農業商業計画開発設計製造販売管理運営組織制度法律規則安定変化成長発展進歩改善効率"
    "速度規模範囲程度種類形式構造機能能力性能品質基準目標戦略方針意見議論説明理解判断決定選択確認"
)
_RESERVED_KANJI: Final = "翡翠琥珀瑠璃薔薇檸檬鸚鵡蜻蛉蝙蝠"
_KATAKANA: Final = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_KATAKANA_EXTRA: Final = "ガギグゲゴザジズゼゾダデドバビブベボパピプペポー"

_EN_ONSETS: Final = (
    "b c d f g h k l m n p r s t v w bl br cr dr fl gr pl pr st tr sh ch th sl sn sp".split()
)
# Single vowels and open syllables dominate, so fake words are about as long as real ones (~5 letters).
_EN_VOWELS: Final = "a a e e i i o o u u ai ea ou ee".split()
_EN_CODAS: Final = ["", "", "", "", "", "n", "r", "l", "s", "t", "m", "nd", "st", "ng", "rt"]
# Words the core's sentence splitter treats as abbreviations ("vs.", "Dr.") would merge sentences.
_BAD_WORDS: Final = frozenset({"vs", "mr", "ms", "dr", "st", "etc", "eg", "ie", "i", "e"})

EN_FIRST: Final = (
    "Alex Jordan Sam Taylor Morgan Casey Riley Jamie Avery Quinn Rowan Elliot Harper Logan Reese "
    "Parker Blake Dana Emery Finley Hayden Kendall Lane Marlow Nico Oakley Peyton Remy Sage Tatum"
).split()
EN_LAST: Final = (
    "Adler Brennan Carver Dalton Ellison Fairley Garrick Hollis Ingram Jensen Kessler Lowry Marsh "
    "Norwood Oakes Prentice Quill Radley Sutton Thorne Underwood Vance Whitlock Yardley Ashby Bramwell"
).split()
JA_SURNAMES: Final = "山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 清水".split()
JA_GIVEN: Final = "太郎 花子 健一 美咲 翔太 陽子 大輔 真由美 拓海 恵 直樹 由美子 亮 彩 誠 智子".split()


@dataclass(frozen=True)
class PlantedTerm:
    text: str
    lang: str
    klass: TermClass
    df: int  # exact number of segments containing the term
    df_star: int  # of those, segments spoken by the star guest


@dataclass
class Manifest:
    version: int
    seed: int
    segments: int
    segments_by_lang: dict[str, int]
    star_segments_by_lang: dict[str, int]
    episodes: int
    star_episodes: int
    shows: list[dict[str, Any]]
    star_guest: str
    terms: list[PlantedTerm]
    transcripts_dir: str
    bytes: int = 0
    generate_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def terms_of(self, lang: str, klass: TermClass) -> list[PlantedTerm]:
        return [t for t in self.terms if t.lang == lang and t.klass == klass]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["terms"] = [PlantedTerm(**t) for t in data["terms"]]
        return cls(**data)


# ---------------------------------------------------------------------------------------------
# Vocabularies


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cdf: NDArray[np.float64]

    def sample(self, rng: np.random.Generator, n: int) -> list[str]:
        if n == 0:
            return []
        ranks = np.searchsorted(self.cdf, rng.random(n), side="right")
        picked = operator.itemgetter(*ranks.tolist())(self.words)
        return list(picked) if n > 1 else [picked]


def _zipf_cdf(n: int, s: float = 1.07, q: float = 2.7) -> NDArray[np.float64]:
    # Zipf-Mandelbrot: q flattens the head a little, as in real word counts.
    weights = 1.0 / np.power(np.arange(1, n + 1, dtype=np.float64) + q, s)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


def english_vocabulary(seed: int, fake_words: int = 20_000) -> Vocabulary:
    rng = np.random.default_rng([seed, 101])
    real: list[str] = list(dict.fromkeys(COMMON_EN))
    taken = set(real) | _BAD_WORDS
    fakes: list[str] = []
    while len(fakes) < fake_words:
        n_syll = int(rng.choice([1, 1, 2, 2, 2, 3]))
        parts = [
            _EN_ONSETS[rng.integers(len(_EN_ONSETS))]
            + _EN_VOWELS[rng.integers(len(_EN_VOWELS))]
            + _EN_CODAS[rng.integers(len(_EN_CODAS))]
            for _ in range(n_syll)
        ]
        word = "".join(parts)
        if len(word) >= 3 and word not in taken:
            taken.add(word)
            fakes.append(word)
    # Fake words are shuffled into the tail so rank does not correlate with word length.
    words = real + fakes
    return Vocabulary(words, _zipf_cdf(len(words)))


def japanese_vocabulary(seed: int, compounds: int = 6_000, katakana: int = 3_000) -> Vocabulary:
    rng = np.random.default_rng([seed, 202])
    pool = [c for c in dict.fromkeys(_KANJI_POOL) if c not in _RESERVED_KANJI]
    kana = list(_KATAKANA) + list(_KATAKANA_EXTRA[:-1])
    real = [w for w in dict.fromkeys(COMMON_JA) if not any(c in _RESERVED_KANJI for c in w)]
    taken = set(real)
    words: list[str] = []
    while len(words) < compounds + katakana:
        if len(words) < compounds:
            length = int(rng.choice([2, 2, 2, 3, 4]))
            word = "".join(pool[rng.integers(len(pool))] for _ in range(length))
        else:
            length = int(rng.integers(2, 6))
            chars = [kana[rng.integers(len(kana))] for _ in range(length)]
            if rng.random() < 0.3:
                chars.insert(int(rng.integers(1, length + 1)), "ー")
            word = "".join(chars)
        if word not in taken:
            taken.add(word)
            words.append(word)
    order = rng.permutation(len(words))
    vocab = real + [words[i] for i in order]
    return Vocabulary(vocab, _zipf_cdf(len(vocab), s=1.05))


def planted_terms_text(seed: int) -> dict[tuple[str, TermClass], list[str]]:
    """The planted words, by (lang, class). Shapes the background never produces (see module doc)."""
    rng = np.random.default_rng([seed, 303])
    out: dict[tuple[str, TermClass], list[str]] = {}
    en_seen: set[str] = set()
    en_mid = ["a", "e", "i", "o", "u"]
    en_cons = list("bdfgklmnprtv")
    ja_pairs = [a + b for a in _RESERVED_KANJI for b in _RESERVED_KANJI if a != b]
    # Real words first, so the headline term of each class reads naturally in the report.
    ja_real = ["翡翠", "琥珀", "瑠璃", "薔薇", "檸檬", "鸚鵡", "蜻蛉", "蝙蝠"]
    ja_order = ja_real + [p for p in (ja_pairs[i] for i in rng.permutation(len(ja_pairs))) if p not in ja_real]
    ja_index = 0
    for klass in ("common", "mid", "rare"):
        count = TERMS_PER_CLASS[klass]  # type: ignore[index]
        en: list[str] = []
        while len(en) < count:
            # z + CVCV + x: Snowball leaves a final x alone, so saidbot's stem equals the word.
            word = "z" + "".join(
                en_mid[rng.integers(5)] + en_cons[rng.integers(len(en_cons))] for _ in range(2)
            ) + en_mid[rng.integers(5)] + "x"
            if word not in en_seen:
                en_seen.add(word)
                en.append(word)
        out[("en", klass)] = en  # type: ignore[index]
        out[("ja", klass)] = ja_order[ja_index : ja_index + count]  # type: ignore[index]
        ja_index += count
    return out


# ---------------------------------------------------------------------------------------------
# Layout: shows, episodes, speakers and where planted terms go (one process, seeded)


@dataclass(frozen=True)
class Show:
    name: str
    slug: str
    lang: str
    hosts: tuple[str, ...]


@dataclass
class EpisodeSpec:
    index: int
    path: str
    show: Show
    number: int
    date: str
    video_id: str
    guest: str
    # Per segment: 0..len(hosts)-1 = a host, len(hosts) = the guest.
    roles: NDArray[np.int8]
    # Planted terms: (local segment index, term id) pairs.
    plant_segments: NDArray[np.int64]
    plant_terms: NDArray[np.int32]


_VIDEO_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _shows(rng: np.random.Generator) -> list[Show]:
    shows: list[Show] = []
    used: set[str] = {STAR_GUEST}
    for i in range(1, 9):
        lang = "en" if i <= 5 else "ja"
        n_hosts = 1 if i % 3 else 2
        hosts: list[str] = []
        while len(hosts) < n_hosts:
            if lang == "en":
                name = f"{EN_FIRST[rng.integers(len(EN_FIRST))]} {EN_LAST[rng.integers(len(EN_LAST))]}"
            else:
                name = f"{JA_SURNAMES[rng.integers(len(JA_SURNAMES))]}{JA_GIVEN[rng.integers(len(JA_GIVEN))]}"
            if name not in used:
                used.add(name)
                hosts.append(name)
        title = f"Synthetic Show {i}" if lang == "en" else f"合成ラジオ {i}"
        shows.append(Show(title, f"synthetic-show-{i}", lang, tuple(hosts)))
    return shows


def _guest_pool(rng: np.random.Generator, lang: str, exclude: set[str], size: int = 150) -> list[str]:
    pool: list[str] = []
    tries = 0
    while len(pool) < size and tries < size * 50:
        tries += 1
        if lang == "en":
            name = f"{EN_FIRST[rng.integers(len(EN_FIRST))]} {EN_LAST[rng.integers(len(EN_LAST))]}"
        else:
            name = f"{JA_SURNAMES[rng.integers(len(JA_SURNAMES))]}{JA_GIVEN[rng.integers(len(JA_GIVEN))]}"
        if name not in exclude and name not in pool:
            pool.append(name)
    return pool


def _roles(rng: np.random.Generator, n: int, n_hosts: int) -> NDArray[np.int8]:
    """Host asks, guest answers, sometimes over several paragraphs; co-hosts take turns."""
    guest = n_hosts
    out = np.empty(n, dtype=np.int8)
    draws = rng.random(n)
    host_pick = rng.integers(0, n_hosts, size=n)
    prev = 0
    for i in range(n):
        if i == 0:
            role = 0
        elif prev != guest:
            role = guest if draws[i] < 0.85 else int(host_pick[i])
        else:
            role = guest if draws[i] < 0.35 else int(host_pick[i])
        out[i] = role
        prev = role
    return out


def _choose(rng: np.random.Generator, population: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    k = min(k, len(population))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    return np.asarray(rng.choice(population, size=k, replace=False), dtype=np.int64)


def plan(segments: int, seed: int, out: Path) -> tuple[list[EpisodeSpec], Manifest]:
    if segments < 30:
        raise ValueError("need at least 30 segments (a few episodes of each language)")
    rng = np.random.default_rng(seed)
    shows = _shows(rng)
    hosts = {h for s in shows for h in s.hosts}
    pools = {lang: _guest_pool(rng, lang, hosts | {STAR_GUEST}) for lang in ("en", "ja")}
    # Hundreds of episodes at 10k, thousands at 1M; episodes get longer as the corpus grows.
    mean_len = int(min(200, max(20, segments / 300)))
    en_shows = [s for s in shows if s.lang == "en"]
    ja_shows = [s for s in shows if s.lang == "ja"]
    numbers: dict[str, int] = {s.slug: 0 for s in shows}
    specs: list[EpisodeSpec] = []
    roles_all: list[NDArray[np.int8]] = []
    total = 0
    start_date = date(2019, 1, 7)
    seen_lang: set[str] = set()
    while total < segments:
        lang = "en" if rng.random() < EN_SHARE else "ja"
        if not seen_lang:
            lang = "en"
        elif len(seen_lang) == 1 and "ja" not in seen_lang:
            lang = "ja"
        group = en_shows if lang == "en" else ja_shows
        show = group[int(rng.integers(len(group)))]
        n = int(rng.integers(max(3, mean_len // 2), mean_len * 3 // 2 + 1))
        remaining = segments - total
        if remaining - n < max(3, mean_len // 4):
            n = remaining  # the last episode absorbs the remainder so the total is exact
        # The first episode of each language features the star guest, so small corpora have one.
        star = lang not in seen_lang or rng.random() < STAR_EPISODE_SHARE
        seen_lang.add(lang)
        guest = STAR_GUEST if star else pools[lang][int(rng.integers(len(pools[lang])))]
        numbers[show.slug] += 1
        number = numbers[show.slug]
        video_id = "".join(_VIDEO_ALPHABET[i] for i in rng.integers(0, 64, size=11))
        when = start_date + timedelta(days=7 * number + int(rng.integers(0, 7)))
        roles = _roles(rng, n, len(show.hosts))
        roles_all.append(roles)
        path = f"{show.slug}/{show.slug}-e{number:05d}.md"
        specs.append(
            EpisodeSpec(
                len(specs), path, show, number, when.isoformat(), video_id, guest, roles,
                np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32),
            )
        )
        total += n

    # Global segment arrays: language, and whether the star guest speaks it.
    lengths = np.array([len(s.roles) for s in specs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    seg_lang = np.repeat(np.array([0 if s.show.lang == "en" else 1 for s in specs]), lengths)
    is_star = np.concatenate(
        [(s.roles == len(s.show.hosts)) & (s.guest == STAR_GUEST) for s in specs]
    ).astype(bool)

    texts = planted_terms_text(seed)
    terms: list[PlantedTerm] = []
    plant_idx: list[NDArray[np.int64]] = []
    plant_term: list[NDArray[np.int32]] = []
    for lang_code, lang in enumerate(("en", "ja")):
        in_lang = np.flatnonzero(seg_lang == lang_code).astype(np.int64)
        star_in_lang = np.flatnonzero((seg_lang == lang_code) & is_star).astype(np.int64)
        other_in_lang = np.flatnonzero((seg_lang == lang_code) & ~is_star).astype(np.int64)
        n_lang = len(in_lang)
        for klass in ("rare", "mid", "common"):
            for word in texts[(lang, klass)]:  # type: ignore[index]
                if klass == "rare":
                    chosen = np.concatenate(
                        [
                            _choose(rng, star_in_lang, RARE_STAR_DF),
                            _choose(rng, other_in_lang, RARE_DF - min(RARE_STAR_DF, len(star_in_lang))),
                        ]
                    )
                else:
                    fraction = MID_FRACTION if klass == "mid" else COMMON_FRACTION
                    chosen = _choose(rng, in_lang, max(1, round(fraction * n_lang)))
                term_id = len(terms)
                terms.append(
                    PlantedTerm(word, lang, klass, len(chosen), int(is_star[chosen].sum()))  # type: ignore[arg-type]
                )
                plant_idx.append(chosen)
                plant_term.append(np.full(len(chosen), term_id, dtype=np.int32))
    all_idx = np.concatenate(plant_idx)
    all_term = np.concatenate(plant_term)
    order = np.argsort(all_idx, kind="stable")
    all_idx, all_term = all_idx[order], all_term[order]
    bounds = np.searchsorted(all_idx, offsets)
    for i, spec in enumerate(specs):
        lo, hi = bounds[i], bounds[i + 1]
        spec.plant_segments = all_idx[lo:hi] - offsets[i]
        spec.plant_terms = all_term[lo:hi]

    manifest = Manifest(
        version=GENERATOR_VERSION,
        seed=seed,
        segments=int(offsets[-1]),
        segments_by_lang={"en": int((seg_lang == 0).sum()), "ja": int((seg_lang == 1).sum())},
        star_segments_by_lang={
            "en": int((is_star & (seg_lang == 0)).sum()),
            "ja": int((is_star & (seg_lang == 1)).sum()),
        },
        episodes=len(specs),
        star_episodes=sum(1 for s in specs if s.guest == STAR_GUEST),
        shows=[{"name": s.name, "lang": s.lang, "hosts": list(s.hosts)} for s in shows],
        star_guest=STAR_GUEST,
        terms=terms,
        transcripts_dir=str(out / "transcripts"),
    )
    return specs, manifest


# ---------------------------------------------------------------------------------------------
# Text (worker processes)

_STATE: dict[str, Any] = {}


def _init_worker(seed: int, term_texts: list[str]) -> None:
    _STATE["seed"] = seed
    _STATE["en"] = english_vocabulary(seed)
    _STATE["ja"] = japanese_vocabulary(seed)
    _STATE["terms"] = term_texts


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _english_segment(
    rng: np.random.Generator, vocab: Vocabulary, host: bool, plants: Sequence[str]
) -> tuple[str, int]:
    n_sent = int(rng.choice([1, 1, 1, 2])) if host else int(rng.choice([1, 2, 2, 3, 3, 4]))
    lengths = rng.integers(5, 13 if host else 19, size=n_sent)
    words = vocab.sample(rng, int(lengths.sum()))
    for term in plants:
        words.insert(int(rng.integers(0, len(words) + 1)), term)
    # Inserted terms lengthen a sentence; distribute them into the sentences by position.
    extra = len(words) - int(lengths.sum())
    if extra:
        lengths[int(rng.integers(n_sent))] += extra
    sentences: list[str] = []
    pos = 0
    for k, length in enumerate(lengths.tolist()):
        chunk = words[pos : pos + length]
        pos += length
        if length > 7 and rng.random() < 0.4:
            cut = int(rng.integers(2, length - 2))
            chunk[cut] = chunk[cut] + ","
        first = chunk[0]
        chunk[0] = first[:1].upper() + first[1:]
        # Hosts ask; the last sentence of a host turn is the question.
        end = "?" if host and k == n_sent - 1 else "!" if rng.random() < 0.05 else "."
        sentences.append(" ".join(chunk) + end)
    return " ".join(sentences), len(words)


def _japanese_segment(
    rng: np.random.Generator, vocab: Vocabulary, host: bool, plants: Sequence[str]
) -> tuple[str, int]:
    n_sent = int(rng.choice([1, 1, 2])) if host else int(rng.choice([1, 2, 2, 3, 4]))
    chunks_per = rng.integers(2, 5 if host else 7, size=n_sent)
    n_words = int(chunks_per.sum()) + n_sent  # one predicate noun per sentence
    words = vocab.sample(rng, n_words)
    particles = rng.integers(0, len(JA_PARTICLES), size=n_words)
    plant_at: dict[int, list[str]] = {}
    for term in plants:
        plant_at.setdefault(int(rng.integers(0, n_sent)), []).append(term)
    sentences: list[str] = []
    pos = 0
    for k, chunks in enumerate(chunks_per.tolist()):
        parts: list[str] = []
        for j in range(chunks):
            parts.append(words[pos] + JA_PARTICLES[particles[pos]])
            if j and rng.random() < 0.2:
                parts.append("、")
            pos += 1
        for term in plant_at.get(k, []):
            # Always followed by a particle (kana), so a planted kanji pair never touches other kanji.
            parts.insert(int(rng.integers(0, len(parts) + 1)), term + ("について" if rng.random() < 0.5 else "は"))
        predicate = words[pos]
        pos += 1
        if host and k == n_sent - 1:
            ending = JA_QUESTION_ENDINGS[int(rng.integers(len(JA_QUESTION_ENDINGS)))] + "？"
        else:
            ending = JA_ENDINGS[int(rng.integers(len(JA_ENDINGS)))] + ("！" if rng.random() < 0.03 else "。")
        sentences.append("".join(parts) + predicate + ending)
    text = "".join(sentences)
    return text, len(text)


def _write_episode(spec: EpisodeSpec, root: str) -> tuple[int, int]:
    rng = np.random.default_rng([_STATE["seed"], 7, spec.index])
    lang = spec.show.lang
    vocab: Vocabulary = _STATE["en" if lang == "en" else "ja"]
    terms: list[str] = _STATE["terms"]
    speakers = [*spec.show.hosts, spec.guest]
    plants: dict[int, list[str]] = {}
    for local, term_id in zip(spec.plant_segments.tolist(), spec.plant_terms.tolist(), strict=True):
        plants.setdefault(local, []).append(terms[term_id])
    title = f"Episode {spec.number}" if lang == "en" else f"第{spec.number}回"
    lines = [
        "---",
        f"show: {spec.show.name}",
        f"episode: {spec.number}",
        f'title: "{title}"',
        f'video_id: "{spec.video_id}"',
        f"date: {spec.date}",
        f"lang: {lang}",
        f"speakers: [{', '.join(speakers)}]",
        "---",
        "",
    ]
    clock = float(rng.integers(2, 12))
    make = _english_segment if lang == "en" else _japanese_segment
    for i, role in enumerate(spec.roles.tolist()):
        host = role < len(spec.show.hosts)
        text, size = make(rng, vocab, host, plants.get(i, ()))
        lines.append(f"{speakers[role]} ({_clock(clock)}) {text}")
        lines.append("")
        # ~2.5 words/s in English, ~7 characters/s in Japanese, plus a pause between turns.
        clock += (size / 2.5 if lang == "en" else size / 7.0) + float(rng.random()) * 2
    body = "\n".join(lines)
    path = Path(root) / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    data = body.encode("utf-8")
    path.write_bytes(data)
    return len(spec.roles), len(data)


def _write_star(args: tuple[EpisodeSpec, str]) -> tuple[int, int]:
    return _write_episode(*args)


def generate(
    segments: int, seed: int, out: Path, *, workers: int | None = None, log: bool = False
) -> Manifest:
    """Write the corpus under `out` (replacing a previous one there) and return its manifest."""
    started = time.perf_counter()
    out = out.resolve()
    specs, manifest = plan(segments, seed, out)
    root = out / "transcripts"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (out / "manifest.json").unlink(missing_ok=True)
    term_texts = [t.text for t in manifest.terms]
    n_workers = workers or min(len(os.sched_getaffinity(0)), 4)
    total_bytes = 0
    done = 0
    jobs = [(spec, str(root)) for spec in specs]
    if n_workers <= 1 or len(specs) < 20:
        _init_worker(seed, term_texts)
        results = map(_write_star, jobs)
        pool = None
    else:
        # fork: workers inherit the imported module; each builds the vocabularies once.
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(n_workers, initializer=_init_worker, initargs=(seed, term_texts))
        results = pool.imap_unordered(_write_star, jobs, chunksize=8)
    try:
        for n, size in results:
            done += n
            total_bytes += size
            if log and done // 100_000 != (done - n) // 100_000:
                print(f"  corpus: {done:,}/{manifest.segments:,} segments", file=sys.stderr, flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    manifest.bytes = total_bytes
    manifest.generate_seconds = round(time.perf_counter() - started, 2)
    # Written last: its presence marks a complete corpus (see `ensure_corpus`).
    (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def ensure_corpus(segments: int, seed: int, out: Path, *, log: bool = False) -> Manifest:
    """The corpus at `out`, generated only when missing or made by another seed/size/version."""
    path = out / "manifest.json"
    if path.exists():
        try:
            manifest = Manifest.load(path)
        except (ValueError, TypeError, KeyError):
            manifest = None
        if (
            manifest is not None
            and manifest.version == GENERATOR_VERSION
            and manifest.seed == seed
            and manifest.segments == segments
            and Path(manifest.transcripts_dir).is_dir()
        ):
            return manifest
    return generate(segments, seed, out, log=log)


def parse_size(text: str) -> int:
    """`10k`, `1m`, `1M`, `300` → segments."""
    text = text.strip().lower().replace("_", "")
    scale = 1
    if text.endswith("k"):
        scale, text = 1_000, text[:-1]
    elif text.endswith("m"):
        scale, text = 1_000_000, text[:-1]
    return int(float(text) * scale)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--segments", type=parse_size, required=True, help="e.g. 10000, 100k, 1m")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    manifest = generate(args.segments, args.seed, args.out, workers=args.workers, log=True)
    print(
        f"{manifest.segments:,} segments ({manifest.segments_by_lang}) in {manifest.episodes:,} episodes, "
        f"{manifest.bytes / 1e6:.1f} MB, {manifest.generate_seconds:.1f}s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
