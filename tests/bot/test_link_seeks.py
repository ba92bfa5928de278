"""A time labels a link only where the link can go there: a video seeks, a transcript or article page does not."""

from __future__ import annotations

from dataclasses import replace

from bot.citations import to_citation
from bot.deeplinks import link_seeks, url_seeks
from bot.models import Episode
from bot.present import present_citation
from bot.scoring import Ranked
from tests.bot.test_scoring import _hit

PAGE = "https://www.lennysnewsletter.com/p/how-to-hire"


def _cited(episode: Episode) -> Ranked:
    return Ranked(replace(_hit(1, "talent density wins", start=876.0), episode=episode), 1.0, 1.0, "Dario Amodei", True)


def test_a_video_link_seeks_and_shows_its_time() -> None:
    citation = to_citation(_cited(Episode(id=1, title="Talk", video_id="AbCdEfGhIjK", transcript_url=PAGE)), set())
    assert citation.link_seeks and citation.url == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=873s"
    assert present_citation(citation, 1, "en").timestamp == "00:14:36"


def test_a_transcript_page_does_not_seek_so_no_time_labels_it() -> None:
    citation = to_citation(_cited(Episode(id=1, transcript_url=PAGE)), set())
    assert not citation.link_seeks and citation.url == PAGE
    # The core still knows when it was said; the presenter does not promise the link goes there.
    assert citation.timestamp == "00:14:36" and citation.start_seconds == 876
    view = present_citation(citation, 1, "en")
    assert view.timestamp is None and view.url == PAGE


def test_the_rule_reads_the_same_from_a_link_already_made() -> None:
    assert link_seeks("AbCdEfGhIjK") and not link_seeks(None)
    assert url_seeks("https://www.youtube.com/watch?v=AbCdEfGhIjK&t=873s") and not url_seeks(PAGE)
    assert not url_seeks(None)
