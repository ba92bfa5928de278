"""Tokens, sentences and timestamps: the ground the index stands on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from snowballstemmer.english_stemmer import EnglishStemmer

from bot.citations import excerpt
from bot.ingest import links
from bot.text import (
    _CJK_RE,
    _TOKEN_RE,
    cut_at_sentence,
    detect_language,
    format_timestamp,
    is_host_turn,
    normalize,
    split_sentences,
    stem,
    tokens,
)
from bot.timecodes import find_timestamps, parse_timestamp


def test_two_character_japanese_word_is_one_token() -> None:
    """天気 inside an unspaced sentence is a searchable token (trigram and unicode61 miss it)."""
    assert "天気" in tokens("今日の天気はとても良いです")
    assert tokens("天気") == ["天気"]


def test_english_is_stemmed_and_case_folded() -> None:
    assert tokens("Scaling LAWS") == tokens("scaling law")


def test_full_width_latin_is_folded() -> None:
    assert tokens("ｔａｌｅｎｔ") == tokens("talent")


def test_language_detection() -> None:
    assert detect_language("タレント密度") == "ja"
    assert detect_language("talent density") == "en"


def test_sentences_keep_closing_quotes_and_cjk_ends() -> None:
    assert split_sentences('He said "yes." Then left. 雨です。晴れ？') == ['He said "yes."', "Then left.", "雨です。", "晴れ？"]


def test_cut_at_sentence_adds_ellipsis() -> None:
    cut = cut_at_sentence("One two three. Four five six seven. Eight nine ten eleven.", 40)
    assert cut == "One two three. Four five six seven. …"
    assert cut_at_sentence("Short.", 40) == "Short."


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1:38:25", 5905), ("01:38:25", 5905), ("38:25", 2305), ("1h38m25s", 5905), ("1時間38分25秒", 5905)],
)
def test_timestamp_forms(text: str, seconds: int) -> None:
    assert parse_timestamp(text) == seconds


def test_timestamps_in_running_text() -> None:
    assert find_timestamps("around the 1:38:25 mark, not 2024年11月11日 or 3.5") == [5905]
    assert find_timestamps("1時間38分25秒頃に") == [5905]
    # A length is not a moment: "runs for about 1 h 58 min", "10 minutes or so", "5 minutes before".
    assert find_timestamps("約1時間58分間実行され、例：1時間38分25秒のタレント密度") == [5905]
    assert find_timestamps("10分ほど話し、5分前に戻った") == []
    assert find_timestamps("1時間38分前後で、158分") == [5880]


def test_format_timestamp() -> None:
    assert format_timestamp(5917) == "01:38:37"
    assert format_timestamp(None) is None


def _tokens_reference(text: str) -> list[str]:
    """tokens() without its fast paths: every word through the one general loop."""
    text = normalize(text).lower().replace("’", "'")
    has_cjk = _CJK_RE.search(text) is not None
    out: list[str] = []
    for word in _TOKEN_RE.findall(text):
        if has_cjk and _CJK_RE.match(word):
            out.extend(word if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)])
            continue
        out.append(stem(word.split("'", 1)[0]))
    return out


_MIXED = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:!?'’-_()[]*\t\n\u00a0\u3000éüßİKＡ日本語のカナー한々「」")))


@given(_MIXED)
def test_fast_paths_give_the_tokens_the_general_loop_gives(text: str) -> None:
    assert tokens(text) == _tokens_reference(text)


def test_fast_paths_on_english_paragraphs() -> None:
    for text in [
        "It's the talent density that matters, isn't it? Rock'n'roll, 1,000 people.",
        "plain words only here and there",
        "Naïve café owners' résumés",
        "Mixed 天気 and weather's forecast",
        "",
    ]:
        assert tokens(text) == _tokens_reference(text)


def test_stems_are_the_snowball_english_stems() -> None:
    """The C stemmer (PyStemmer, when installed) and the pure-Python one index the same tokens."""
    words = (
        "running runs ran generously generalization organizational relational conditional "
        "hopefulness goodness arguing argued argues argument arguments consistency consistently "
        "dying lying tying skies news howe atlas cosmos bias andes innings outing canning proceed "
        "exceed succeed gently ugly early only singly sky ski skiing skis commune communism "
        "university universe universal knightly knights abergavenny cafés naïve ﬁne"
    ).split()
    reference = EnglishStemmer()
    assert [stem(word) for word in words] == [reference.stemWord(word) for word in words]


def _plain_text_reference(markdown: str) -> str:
    text = links._MD_LINK_RE.sub(lambda m: m.group(1) if not m.group(0).startswith("!") else "", markdown)
    text = links._EMPTY_PARENS.sub("", text)
    text = links._STRONG.sub(r"\2", text)
    text = links._EMPHASIS.sub(r"\1", text)
    text = links._CODE.sub(r"\1", text)
    text = links._TAG.sub("", text)
    text = links._BLANKS.sub(" ", text)
    text = links._LIST_MARKER.sub(" • ", text)
    return links._SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()


@given(st.text(alphabet=st.sampled_from(list(" \t\n\u00a0\u2003\u3000.,;:!?ab[]()*_`<>x1日-+"))))
def test_plain_text_skips_only_substitutions_that_change_nothing(text: str) -> None:
    assert links.plain_text(text) == _plain_text_reference(text)


def test_a_nested_list_keeps_its_items_apart_and_dashes_in_sentences_stay() -> None:
    """A list joined into one item reads as bullets, in English and Japanese; a dash in a sentence is left."""
    english = links.plain_text("**Talent density vs. talent mass**: - A central theme (e.g., 100 people). - He outlines hiring.")
    assert english == "Talent density vs. talent mass: • A central theme (e.g., 100 people). • He outlines hiring."
    japanese = links.plain_text("**タレント密度 vs. タレント量**: - 中心的なテーマです。 - 採用の資質を挙げます。")
    assert japanese == "タレント密度 vs. タレント量: • 中心的なテーマです。 • 採用の資質を挙げます。"
    assert links.plain_text("Models are static - once trained, 5 - 3 stays.") == "Models are static - once trained, 5 - 3 stays."


def test_a_citation_shows_the_notes_own_punctuation() -> None:
    """"(e.g., 100 people)" is cut after "e.g." by the sentence splitter; the join must not add a space."""
    text = "A smaller team (e.g., 100 people) can beat a larger one (e.g., 1,000 people). He notes it often."
    assert excerpt(text, set(), drop_leading_questions=False) == text
    japanese = "小さなチーム（例：100人）は勝ちます。「信頼」、それが理由です。"
    assert excerpt(japanese, set(), drop_leading_questions=False) == japanese


def test_a_host_turn_asks_or_opens_on_what_the_guest_said() -> None:
    assert is_host_turn("Why does talent density matter?")
    assert is_host_turn("You mentioned Rich Sutton and the bitter lesson. He is skeptical of it.")
    assert is_host_turn("At DealBook you were emphasizing how little you spend. Let me push on that.")
    # A guest recalling the host's words later in an answer, or quoting them, is still answering.
    assert not is_host_turn("Winning is a loaded term. I would say you mentioned the DeepSeek moment.")
    assert not is_host_turn("On the hypothesis of, as you put it, a country of geniuses, I am at 90%.")

