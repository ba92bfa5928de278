"""/reload: Manage Server or a configured admin id may re-read the notes; anyone else is refused."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord.conftest import ADMIN_ID
from tests.adapters.discord.support import is_ephemeral
from tests.fakes.discord_server import DEFAULT_MEMBER_PERMISSIONS, MANAGE_GUILD, FakeDiscord

NEW_NOTE = """\
---
title: Scaling notes
lang: en
show: Example Show
episode: 3
youtube: AbCdEfGhIjK
speakers: [Dario Amodei]
---

**Dario Amodei (00:12:00):**
"Scaling laws have held across many orders of magnitude of compute."
"""

SCALING = "what did Amodei say about scaling laws?"


def _add_note(notes_dir: Path) -> None:
    (notes_dir / "scaling.md").write_text(NEW_NOTE, encoding="utf-8")


async def test_reload_by_a_server_manager(bot: FakeDiscord, notes_dir: Path) -> None:
    _add_note(notes_dir)
    (notes_dir / "talent-ja.md").unlink()

    it = await bot.answered(await bot.slash("reload", permissions=DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD))

    message = bot.reply_message(it)
    assert is_ephemeral(message)
    assert message["content"].startswith("Notes reloaded: added 1, changed 0, removed 1,")
    assert "failed 0" in message["content"]
    # The core now answers from the new note.
    ask = await bot.answered(await bot.slash("ask", question=SCALING))
    assert "Scaling laws have held" in str(bot.reply_message(ask)["embeds"])


async def test_reload_by_a_configured_admin_without_the_permission(bot: FakeDiscord, notes_dir: Path) -> None:
    _add_note(notes_dir)
    it = await bot.answered(await bot.slash("reload", user_id=ADMIN_ID))
    assert bot.reply_message(it)["content"].startswith("Notes reloaded: added 1,")


async def test_reload_reports_files_that_failed(bot: FakeDiscord, notes_dir: Path) -> None:
    (notes_dir / "broken.md").write_bytes(b"---\ntitle: [unclosed\n---\n\xff\xfe not text")
    it = await bot.answered(await bot.slash("reload", user_id=ADMIN_ID))
    content = bot.reply_message(it)["content"]
    assert "failed 1" in content and "broken.md" in content


async def test_reload_refused_for_other_members(bot: FakeDiscord, notes_dir: Path) -> None:
    _add_note(notes_dir)
    it = await bot.answered(await bot.slash("reload"))
    message = bot.reply_message(it)
    assert is_ephemeral(message) and message["content"] == "Sorry, only server managers can do that."
    # Nothing was re-read.
    ask = await bot.answered(await bot.slash("ask", question=SCALING))
    assert "Scaling laws have held" not in str(bot.reply_message(ask)["embeds"])


async def test_reload_refusal_in_japanese(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("reload", locale="ja"))
    assert "サーバー管理者のみ" in bot.reply_message(it)["content"]
