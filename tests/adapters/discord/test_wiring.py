"""How the adapter is put together: handlers get their dependencies from `create_client`, never from
the Discord client (no service locator), and the modules import each other without a cycle."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import discord
import pytest

import adapters.discord
from adapters.discord import serve
from bot.settings import Settings
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, create_client, running
from tests.adapters.discord.support import button, dario_core, timestamps
from tests.fakes.discord_server import UPDATE_MESSAGE, FakeDiscord

PACKAGE = Path(adapters.discord.__file__).resolve().parent


async def test_commands_and_clicks_never_reach_for_the_client(
    fake: FakeDiscord, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = dario_core()
    client = create_client(core, settings)
    for locator in ("core", "admin_ids", "view_timeout", "deps"):
        assert not hasattr(client, locator), locator
    reached: list[int] = []

    def forbidden(interaction: discord.Interaction[discord.Client]) -> discord.Client:
        reached.append(interaction.id)
        raise AttributeError("interaction.client is not where handlers find their dependencies")

    monkeypatch.setattr(discord.Interaction, "client", property(forbidden))
    async with running(fake, lambda: serve(client, settings)):
        it = await fake.answered(await fake.slash("ask", question="talent density", private=True))
        message = copy.deepcopy(fake.reply_message(it))
        assert timestamps(message) == ["01:38:37", "01:39:15", "01:40:02"]
        click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
        assert click.callback_type == UPDATE_MESSAGE
        assert timestamps(fake.messages[int(message["id"])]) == ["01:41:30", "01:42:10"]
        await fake.answered(await fake.click(message, button(message, "share")["custom_id"]))
        assert len(fake.channel_messages()) == 1
        reload = await fake.answered(await fake.slash("reload", user_id=ADMIN_ID))
        assert fake.reply_message(reload)["content"].startswith("Notes reloaded:")
        about = await fake.answered(await fake.slash("about"))
        assert fake.reply_message(about)["embeds"][0]["title"] == "What I know"
        choices = await fake.autocomplete("ask", "speaker", speaker="Da")
        await fake.wait_for(lambda: choices.choices is not None)
        assert choices.choices == [{"name": "Dario Amodei", "value": "Dario Amodei"}]
    assert reached == []
    assert core.calls == ["ask", "more", "reload", "stats", "speaker_names"]
    assert_clean(fake)


def _relative_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                names.add(module)
            elif module.startswith("adapters.discord."):
                names.add(module.removeprefix("adapters.discord."))
    return names


def test_only_the_package_entry_imports_the_client() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.name != "__init__.py":
            assert "client" not in _relative_imports(path), path.name


def test_no_type_level_cycles_or_locator_lookups() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "TYPE_CHECKING" not in names, path.name
        if path.name in {"commands.py", "views.py", "deps.py", "respond.py", "format.py"}:
            # Handlers and views get their dependencies passed in, not from `something.client`.
            reads = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "client"]
            assert reads == [], (path.name, reads)


def test_the_modules_import_in_one_direction() -> None:
    order = ["format", "respond", "views", "deps", "commands", "client"]
    for rank, name in enumerate(order):
        later = set(order[rank + 1 :])
        imported = _relative_imports(PACKAGE / f"{name}.py")
        assert not imported & later, (name, imported & later)
