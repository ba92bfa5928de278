"""Tokens, sentences and timestamps: the ground the index stands on."""

from __future__ import annotations

import pytest

from bot.text import cut_at_sentence, detect_language, format_timestamp, split_sentences, tokens
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


def test_format_timestamp() -> None:
    assert format_timestamp(5917) == "01:38:37"
    assert format_timestamp(None) is None
