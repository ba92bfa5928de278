"""An episode's audio file: stored (schema 6), and linked with a media fragment that plays from the second."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.deeplinks import deep_link, link_seeks, url_seeks
from bot.store import Store
from bot.store.schema import _MIGRATIONS

MP3 = "https://cdn.garden.example/ep1.mp3"


def test_audio_fragment_rule() -> None:
    assert deep_link(None, None, 100.0, audio_url=MP3) == f"{MP3}#t=97"
    assert deep_link(None, None, 1.0, audio_url=f"{MP3}#t=50") == f"{MP3}#t=0"  # its own fragment replaced
    # A video wins; without a time the audio file opens at its start (and is not said to seek).
    assert deep_link("AbCdEfGhIjK", None, 100.0, audio_url=MP3) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=97s"
    assert deep_link(None, "https://garden.example/t", None, audio_url=MP3) == "https://garden.example/t"
    assert deep_link(None, None, None, audio_url=MP3) == MP3
    assert link_seeks(None, MP3) and not link_seeks(None, None)
    assert url_seeks(f"{MP3}#t=97") and url_seeks(f"{MP3}#t=97.5,120")
    assert not url_seeks(MP3) and not url_seeks("https://garden.example/page#top")


async def test_a_version_5_database_gains_the_column_and_keeps_its_episodes(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    with sqlite3.connect(path) as conn:
        for script in _MIGRATIONS[:5]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 5")
        conn.execute("INSERT INTO episodes(title, video_id) VALUES ('Old episode', 'AbCdEfGhIjK')")
    store = await Store.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT title, audio_url FROM episodes").fetchall() == [("Old episode", None)]
