"""/reload: Manage Server or a configured admin id may re-read the notes; anyone else is refused."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import CoreSettings, DiscordSettings, Settings
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, open_service, run_discord, running
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


async def test_reload_reports_the_index_size_not_what_was_re_read(bot: FakeDiscord) -> None:
    # Nothing changed: the re-read count is 0, the index still holds every segment.
    it = await bot.answered(await bot.slash("reload", user_id=ADMIN_ID))
    content = bot.reply_message(it)["content"]
    assert content.startswith("Notes reloaded: added 0, changed 0, removed 0, skipped 2, failed 0 in ")
    size = re.search(r"The index now holds (\d+) segments\.$", content)
    assert size is not None and int(size.group(1)) > 0, content
    assert "0 segments" not in content


async def test_reload_without_a_notes_folder_says_there_is_nothing_to_reload(
    fake: FakeDiscord, tmp_path: Path, notes_dir: Path
) -> None:
    # A database managed by hand (`saidbot ingest`), no SAIDBOT_NOTES: nothing for /reload to re-read.
    settings = Settings(
        core=CoreSettings(_env_file=None, notes=None, db=tmp_path / "hand" / "said.db"),
        discord=DiscordSettings(_env_file=None, token=fake.token, guild_id=fake.guild_id, admin_ids=[ADMIN_ID]),
    )
    service = await open_service(settings)
    try:
        held = (await service.ingest([notes_dir])).segments
        assert held > 0
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("reload", user_id=ADMIN_ID))
            content = fake.reply_message(it)["content"]
            ja = await fake.answered(await fake.slash("reload", user_id=ADMIN_ID, locale="ja"))
            ja_content = fake.reply_message(ja)["content"]
        assert_clean(fake)
    finally:
        await service.close()
    assert "Notes reloaded" not in content
    assert content == (f"There is nothing to reload: no notes folder is configured (set SAIDBOT_NOTES). "
                       f"The index holds {held} segments.")
    assert ja_content.startswith("再読み込みするものがありません") and f"{held} セグメント" in ja_content
