"""bot.wording: what counts as the same words, where a quote sits in a passage, and what differs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.wording import Difference, compare, coverage, normalise

PASSAGE = (
    "That was the question. And, um, I think, you know, with talent that dense a team of a hundred people "
    "moves faster than a team of 1,000 — it's one of those things that's more true every month. Anyway."
)
EXACT = "with talent that dense a team of a hundred people moves faster than a team of 1,000"
FILLER_DROPPED = "With talent that dense, a team of 100 people moves faster than a team of a thousand!"
PARAPHRASE = "with talent that dense a team of 100 people is quicker than a team of 1000"
UNRELATED = "we should never have built the bridge across the river"


def test_normalise_ignores_case_punctuation_quotes_and_dashes() -> None:
    assert normalise("“Talent—DENSITY,” he said.") == ["talent", "density", "he", "said"]


def test_normalise_drops_fillers_and_set_off_phrases() -> None:
    assert normalise("Um, so, uh, I mean, it's, like, fine, you know, right") == [
        "it", "is", "fine", "right",
    ]
    # "like" as a verb stays.
    assert normalise("I like it") == ["i", "like", "it"]


def test_normalise_spells_out_contractions_and_spoken_forms() -> None:
    assert normalise("We're gonna say that's what we can't do") == [
        "we", "are", "going", "to", "say", "that", "is", "what", "we", "can", "not", "do",
    ]
    # A possessive stays one word.
    assert normalise("Dario's view") == ["dario's", "view"]


def test_normalise_writes_numbers_as_digits() -> None:
    assert normalise("a hundred") == normalise("100") == normalise("one hundred") == ["100"]
    assert normalise("1,000 people") == normalise("a thousand people") == ["1000", "people"]
    assert normalise("twenty-five percent") == normalise("25%") == ["25", "percent"]
    assert normalise("1.5 million") == ["1500000"]
    assert normalise("百人") == normalise("100人") == ["100", "人"]
    assert normalise("100万") == normalise("百万") == ["1000000"]


def test_normalise_japanese_by_character_without_fillers() -> None:
    assert normalise("えー、あのー、密度が大事です。") == list("密度が大事です")
    assert normalise("えっと「ＡＩ」は") == ["ai", "は"]


def test_a_stutter_is_one_word() -> None:
    assert normalise("the the team") == ["the", "team"]


def test_exact_quote_inside_a_longer_passage() -> None:
    match = compare(EXACT, PASSAGE)
    assert match.verbatim
    assert match.score == 1.0
    assert match.differences == ()
    start, end = match.span
    assert PASSAGE[start:end] == "with talent that dense a team of a hundred people moves faster than a team of 1,000"


def test_punctuation_numbers_and_a_dropped_filler_are_still_verbatim() -> None:
    match = compare("I think with talent that dense, a team of a hundred people moves faster", PASSAGE)
    assert match.verbatim
    assert match.differences == ()
    assert PASSAGE[match.span[0] : match.span[1]].startswith("I think, you know, with talent")
    assert compare(FILLER_DROPPED, PASSAGE).verbatim


def test_a_paraphrase_is_close_with_its_differing_words_named() -> None:
    match = compare(PARAPHRASE, PASSAGE)
    assert not match.verbatim
    assert Difference(quoted="is quicker", stored="moves faster") in match.differences
    assert 0.6 < match.score < 0.95


def test_scores_order_exact_filler_dropped_paraphrase_unrelated() -> None:
    scores = [compare(q, PASSAGE).score for q in (EXACT, FILLER_DROPPED, PARAPHRASE, UNRELATED)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4
    assert scores[-1] < 0.4


def test_missing_and_extra_words_have_an_empty_side() -> None:
    dropped = compare("with talent that dense a team of people moves faster", PASSAGE)
    assert Difference(quoted="", stored="a hundred") in dropped.differences
    added = compare("with talent that dense a huge team of a hundred people moves faster", PASSAGE)
    assert Difference(quoted="huge", stored="") in added.differences


def test_spelling_variants_are_verbatim_but_shown() -> None:
    match = compare("the colour of the organisation", "and the color of the organization was blue")
    assert match.verbatim
    assert Difference(quoted="colour", stored="color") in match.differences
    assert match.score < 1.0


def test_a_restart_is_not_a_difference() -> None:
    assert compare("I think I think with talent that dense", PASSAGE).verbatim
    assert not compare("I think I think talent that dense", PASSAGE).verbatim


def test_japanese_quote_in_a_japanese_passage() -> None:
    passage = "えー、百人のチームは、千人のチームに毎回勝つんです。それが密度です。"
    match = compare("100人のチームは1000人のチームに毎回勝つ", passage)
    assert match.verbatim
    assert passage[match.span[0] : match.span[1]] == "百人のチームは、千人のチームに毎回勝つ"
    changed = compare("100人のチームは1000人のチームにいつも負ける", passage)
    assert not changed.verbatim
    assert changed.score < match.score


def test_empty_or_wordless_text_never_matches() -> None:
    assert compare("", PASSAGE).score == 0.0
    assert not compare("…!?", PASSAGE).verbatim
    assert not compare(EXACT, "").verbatim


def test_a_quote_longer_than_the_passage_is_not_verbatim() -> None:
    match = compare(EXACT + " and then some more words nobody said", "talent that dense")
    assert not match.verbatim
    assert match.score < 0.5


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.text(max_size=400))
def test_compare_never_fails_and_stays_in_bounds(quote: str, passage: str) -> None:
    match = compare(quote, passage)
    assert 0.0 <= match.score <= 1.0
    start, end = match.span
    assert 0 <= start <= end <= len(passage)
    if match.verbatim:
        assert all(d.quoted and d.stored for d in match.differences)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("the team of a hundred people beat um you know 1,000 every time, talent".split()),
                min_size=1, max_size=30))
def test_a_passage_always_holds_itself_verbatim(words: list[str]) -> None:
    text = " ".join(words)
    if normalise(text):
        assert compare(text, f"Before that. {text} And after.").verbatim


def test_words_left_out_at_an_ellipsis_are_not_a_difference() -> None:
    match = compare("with talent that dense a team … moves faster than a team of 1,000", PASSAGE)
    assert match.verbatim and match.differences == ()
    # Without the ellipsis the same cut is a difference.
    assert not compare("with talent that dense a team moves faster than a team of 1,000", PASSAGE).verbatim
    assert compare("with talent that dense ... moves faster", PASSAGE).verbatim


def test_a_changed_number_or_an_added_negation_contradicts() -> None:
    assert compare("a team of 500 people moves faster than a team of 1,000", PASSAGE).contradicts
    assert compare("a team of a hundred people never moves faster than a team of 1,000", PASSAGE).contradicts
    assert not compare(PARAPHRASE, PASSAGE).contradicts


def test_coverage_finds_a_reordered_quotes_words_in_any_order() -> None:
    def even(_term: str) -> float:
        return 1.0

    reordered = "a team of 1,000 is slower than a team of 100 people with talent that dense"
    held = coverage(reordered, PASSAGE, even)
    assert held.share >= 0.8 and held.gap <= 1 and not held.contradicts
    assert "slower" in " ".join(held.missing)
    changed = coverage("a team of 1,000 is slower than a team of 500 people with talent that dense", PASSAGE, even)
    assert changed.contradicts
    spliced = coverage("with talent that dense we should never have built the bridge across the river", PASSAGE, even)
    assert spliced.gap >= 3 and spliced.share < 0.6
