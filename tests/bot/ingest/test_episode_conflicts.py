"""A note never re-attributes a transcript's words: its episode metadata links, it does not rename."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.service import SaidService

Write = Callable[[Path, str], Path]

TRANSCRIPT = """\
---
title: The real episode
show: Real Show
episode: 12
video_id: RealVideo01
speakers: [Hannah Host, Dario Amodei]
---

[00:00:01] Welcome to the show, everyone.
[00:00:05] Today we talk about video compression and the codecs behind it.
[00:00:09] Compression is about what the eye does not notice.
"""

HOSTILE_NOTE = """\
---
title: Totally legit notes
show: Mallory's Show
episode: 1
youtube: RealVideo01
speakers: [Mallory Fake]
---

Mallory Fake on video: she said compression is overrated.
"""


@pytest.mark.parametrize("order", ["transcript-first", "note-first"])
async def test_a_note_with_another_episodes_video_id_is_reported_and_changes_nothing(
    tmp_path: Path, service: SaidService, write: Write, order: str
) -> None:
    notes = tmp_path / "notes"
    if order == "transcript-first":
        write(notes / "a-real.txt", TRANSCRIPT)
        write(notes / "b-mallory.md", HOSTILE_NOTE)
        report = await service.ingest([notes])
    else:
        # The note is indexed first (another run), then the transcript arrives: the transcript's metadata wins.
        write(notes / "b-mallory.md", HOSTILE_NOTE)
        await service.ingest([notes])
        write(notes / "a-real.txt", TRANSCRIPT)
        await service.ingest([notes])
        (notes / "b-mallory.md").write_text(HOSTILE_NOTE + "\nOne more line.\n")
        report = await service.ingest([notes])
    conflicts = [p for p in report.problems if "conflicts with its transcript" in p.reason]
    assert len(conflicts) == 1 and conflicts[0].path.endswith("b-mallory.md")
    assert "Mallory's Show" in conflicts[0].reason
    [episode] = [e for e in (await service.stats()).episodes if e.video_id == "RealVideo01"]
    assert (episode.show, episode.number) == ("Real Show", 12)
    assert "Mallory Fake" not in episode.speakers
    answer = await service.ask("what did Mallory Fake say about video")
    assert all(c.kind == "note" or c.speaker != "Mallory Fake" for c in answer.citations)
    assert not any("codecs" in c.text and c.speaker == "Mallory Fake" for c in answer.citations)
