"""Reads: typed hits, and notes resolved to the transcript playing at their time in one query."""

from __future__ import annotations

from bot.service import SaidService
from bot.store.rows import HIT_COLUMNS, HitRow


def test_hit_columns_are_named_once() -> None:
    assert HIT_COLUMNS.count(",") + 1 == len(HitRow._fields)


async def test_quotes_at_many_moments_in_one_call(loaded: SaidService) -> None:
    store = loaded.store
    [episode] = [e for e in await store.episodes() if e.number == 7]
    assert episode.id is not None
    moments = [(episode.id, 604.0), (episode.id, 601.0), (episode.id, 5000.0), (episode.id, 10.0), (999, 600.0)]
    found = await store.quotes_at([*moments, moments[0]])
    # 604 s is within the 2 s slack of the quote at 00:10:05; 601 s is before it: the host's 00:09:50.
    assert found[(episode.id, 604.0)].start == 605 and found[(episode.id, 604.0)].speaker == "Dario Amodei"
    assert found[(episode.id, 601.0)].start == 590
    assert (found[(episode.id, 5000.0)].start or 0) >= 605
    assert (episode.id, 10.0) not in found and (999, 600.0) not in found
    assert all(hit.kind == "quote" and hit.episode_id == episode.id for hit in found.values())
    assert await store.quotes_at([]) == {}


async def test_quotes_after_is_the_next_passage_to_start(loaded: SaidService) -> None:
    store = loaded.store
    [episode] = [e for e in await store.episodes() if e.number == 7]
    assert episode.id is not None
    found = await store.quotes_after([(episode.id, 590.0), (episode.id, 5000.0), (999, 0.0)])
    # After the host's question at 00:09:50 comes the answer at 00:10:05.
    assert found[(episode.id, 590.0)].start == 605 and found[(episode.id, 590.0)].speaker == "Dario Amodei"
    assert (episode.id, 5000.0) not in found and (999, 0.0) not in found
    assert await store.quotes_after([]) == {}


async def test_holds_together_finds_words_close_in_any_order_and_only_close(loaded: SaidService) -> None:
    store = loaded.store
    talent, density, mass, trust = ((("talent",),), (("densiti",),), (("mass",),), (("trust",),))
    assert await store.holds_together((talent, density), gap=2)
    assert await store.holds_together((density, talent), gap=2)
    # "talent density beats talent mass": two tokens between "density" and "mass".
    assert await store.holds_together((density, mass), gap=2)
    assert not await store.holds_together((density, mass), gap=1)
    # In one passage, but sentences apart.
    assert not await store.holds_together((talent, trust), gap=2)
    # Any spelling of each, and a spelling that is a run of tokens (a Japanese word's bigrams).
    assert await store.holds_together(((("nonexistent",), ("talent",)), density), gap=2)
    assert await store.holds_together(((("タレ", "レン", "ント"),), (("密度",),)), gap=2)
    # Quotes in user text cannot break the query.
    assert not await store.holds_together(((('ta"lent',),), density), gap=2)
