"""The one rule for deep links, and passage keys scoped the same way for every format."""

from __future__ import annotations

from bot.deeplinks import deep_link, video_url
from bot.models import Episode
from bot.passages import note_statement, speaker_passage, within_episode, within_note_group


def test_a_link_opens_the_video_a_moment_before_the_words() -> None:
    assert deep_link("AbCdEfGhIjK", None, 602.9) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=599s"
    assert deep_link("AbCdEfGhIjK", None, 1) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=0s"
    assert deep_link("AbCdEfGhIjK", "https://x.test/t", None) == "https://www.youtube.com/watch?v=AbCdEfGhIjK"
    # A transcript page cannot seek: the page itself, whatever the time.
    assert deep_link(None, "https://x.test/t", 60) == "https://x.test/t"
    assert deep_link(None, None, 60) is None


def test_an_episode_derives_its_links_from_its_video() -> None:
    episode = Episode(video_id="AbCdEfGhIjK")
    assert episode.video_url == video_url("AbCdEfGhIjK") == "https://www.youtube.com/watch?v=AbCdEfGhIjK"
    assert episode.link_at(120) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=117s"
    assert Episode().video_url is None and episode.model_dump()["video_url"] == episode.video_url


def test_passage_keys_are_scoped_by_what_makes_them_unique() -> None:
    spoken = speaker_passage("Dario Amodei", 605, 1)
    assert within_episode(spoken, 4) == "e4|p|dario amodei|605|1"
    assert within_episode(spoken, None) == spoken
    statement = note_statement(3)
    assert within_note_group(statement, "/notes/talk") == "/notes/talk|n|3"
    # Each scope applies only to its own kind of key.
    assert within_note_group(spoken, "/notes/talk") == spoken
    assert within_episode(statement, 4) == statement
