"""One entry per passage, in the asker's language, without touching the store."""

from __future__ import annotations

from dataclasses import replace

from bot.dedupe import DEDUPE_WINDOW, dedupe, passage_identity, prefer_language, translation_keys
from bot.scoring import Ranked
from tests.bot.test_scoring import _hit


def _ranked(hit_id: int, score: float, *, lang: str = "en", key: str | None = None, start: float = 10.0,
            source: str = "n.md", text: str = "talent density wins") -> Ranked:
    hit = replace(_hit(hit_id, text, lang=lang, start=start), passage_key=key, source_path=source)
    return Ranked(hit, score, 1.0, "Dario Amodei", True)


def test_a_passage_and_its_translation_show_once_in_the_askers_language() -> None:
    english = _ranked(1, 0.9, key="p|x")
    japanese = _ranked(2, 0.8, lang="ja", key="p|x", source="n-ja.md", text="タレント密度")
    chosen, total = dedupe([english, japanese], "ja")
    assert [c.hit.id for c in chosen] == [2] and total == 1
    assert chosen[0].score == 0.9  # the group keeps its best score
    assert [c.hit.id for c in dedupe([english, japanese], "en")[0]] == [1]


def test_nearby_copies_from_different_files_are_one_passage_but_consecutive_turns_are_not() -> None:
    quote = _ranked(1, 0.9, source="quotes.md")
    note = _ranked(2, 0.8, source="note.md")
    note = replace(note, hit=replace(note.hit, kind="note"))
    assert len(dedupe([quote, note], "en")[0]) == 2  # a note and a quote from different files stay apart
    copy = _ranked(3, 0.7, source="other-quotes.md", start=15.0)
    assert [c.hit.id for c in dedupe([quote, copy], "en")[0]] == [1]
    next_turn = _ranked(4, 0.6, source="quotes.md", start=25.0, text="completely different words here")
    assert len(dedupe([quote, next_turn], "en")[0]) == 2


def test_the_input_is_left_as_it_was() -> None:
    items = [_ranked(1, 0.9, key="k"), _ranked(2, 0.95, lang="ja", key="k")]
    before = list(items)
    dedupe(items, "ja")
    assert items == before


def test_translations_are_swapped_in_for_the_page_only() -> None:
    page = [_ranked(1, 0.9, key="p|a"), _ranked(2, 0.8, lang="ja", key="p|b")]
    assert translation_keys(page, "ja") == ["p|a"]
    japanese = replace(page[0].hit, id=7, lang="ja")
    swapped = prefer_language(page, {"p|a": japanese}, "ja")
    assert [r.hit.id for r in swapped] == [7, 2] and swapped[0].score == 0.9


def test_translations_group_with_their_passage_across_the_whole_ranking() -> None:
    """Past DEDUPE_WINDOW a translation still joins its passage, and the total counts passages."""
    filler = [_ranked(100 + i, 0.9 - i / 1000, key=f"g|n|{100 + i}", start=1000.0 * (i + 1)) for i in range(DEDUPE_WINDOW)]
    english = _ranked(1, 0.95, key="/notes/en/talk|n|3")
    late_translation = _ranked(2, 0.1, lang="ja", key="/notes/ja/talk|n|3", source="ja/talk.md", start=9e6)
    late_copy = _ranked(3, 0.05, key="g|n|100", start=9e6)
    chosen, total = dedupe([english, *filler, late_translation, late_copy], "en")
    assert [c.hit.id for c in chosen].count(2) == 0 and 1 in [c.hit.id for c in chosen]
    assert total == len(chosen) == DEDUPE_WINDOW + 1
    japanese, _ = dedupe([english, *filler, late_translation], "ja")
    # In Japanese the translation represents the passage, at the English copy's rank.
    assert japanese[0].hit.id == 2 and japanese[0].score == 0.95


def test_only_language_folders_are_taken_out_of_a_note_key() -> None:
    assert passage_identity("/notes/en/talk|n|3") == passage_identity("/notes/ja-JP/talk|n|3")
    assert passage_identity("/notes/tp/talk|n|3") != passage_identity("/notes/iv/talk|n|3")
    assert passage_identity("e1|p|dario amodei|605|0") == "e1|p|dario amodei|605|0"
