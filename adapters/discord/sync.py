"""Registering the slash commands with Discord only when they changed.

Discord rate-limits command creation (about 200 a day per guild), so syncing on every start is
wasteful and can lock a frequently restarted bot out. We keep a hash of the last payload we sent,
per application and scope, in a small JSON file next to the database, and also check that Discord
still has commands of the same names (someone may have removed them).

Switching between global and guild registration would list every command twice in that guild, so a
sync also clears this application's commands of the same names from the other scope: the global ones
when guild-scoped, and the previous guild's (remembered in the state file) when global.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Literal

import discord
from discord import app_commands

log = logging.getLogger(__name__)

STATE_FILE_NAME = "discord-commands.json"
SyncOutcome = Literal["registered", "unchanged", "failed"]
# State key (after "{application_id}:") of the guild the commands were last registered in.
LAST_GUILD_KEY = "last_guild"


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half a file


async def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """Exactly what `tree.sync(guild=...)` would send (translations included)."""
    translator = tree.translator
    payload: list[dict[str, Any]] = []
    for command in tree.get_commands(guild=guild):
        if translator is not None:
            payload.append(await command.get_translated_payload(tree, translator))
        else:
            payload.append(command.to_dict(tree))
    return payload


def payload_hash(payload: list[dict[str, Any]]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    *,
    application_id: int,
    guild: discord.abc.Snowflake | None,
    state_file: Path,
) -> SyncOutcome:
    """Sync the commands for `guild` (None: global) unless Discord already has this exact set.

    Returns "registered", "unchanged" or "failed". A failed sync is logged, not raised: the bot can
    still answer with the commands Discord already has.
    """
    scope = f"guild:{guild.id}" if guild is not None else "global"
    state_key = f"{application_id}:{scope}"
    payload = await command_payload(tree, guild)
    digest = payload_hash(payload)
    state = await asyncio.to_thread(_read_state, state_file)
    if await _clear_other_scope(tree, application_id, guild, payload, state):
        await asyncio.to_thread(_write_state, state_file, state)

    if state.get(state_key) == digest and await _remote_names_match(tree, guild, payload):
        log.info("discord_commands_unchanged", extra={"scope": scope})
        return "unchanged"

    try:
        synced = await tree.sync(guild=guild)
    except discord.HTTPException as exc:
        log.error("discord_commands_sync_failed", extra={
            "scope": scope, "status": exc.status, "error": str(exc),
            "hint": "was the bot invited with the applications.commands scope?",
        })
        return "failed"
    log.info("discord_commands_registered", extra={"scope": scope, "count": len(synced)})
    state[state_key] = digest
    await asyncio.to_thread(_write_state, state_file, state)
    return "registered"


async def _clear_other_scope(
    tree: app_commands.CommandTree[Any], application_id: int, guild: discord.abc.Snowflake | None,
    payload: list[dict[str, Any]], state: dict[str, str],
) -> bool:
    """Remove our commands from the scope not in use (updating `state`); whether `state` changed."""
    last_key = f"{application_id}:{LAST_GUILD_KEY}"
    previous = state.get(last_key)
    if guild is not None:
        other: int | None = None  # global
    elif previous is not None and previous.isdigit():
        other = int(previous)
    else:
        return False  # global, and never guild-scoped: nothing can be listed twice
    http = tree.client.http
    ours = {str(p["name"]) for p in payload}
    try:
        if other is None:
            remote = await http.get_global_commands(application_id)
        else:
            remote = await http.get_guild_commands(application_id, other)
        kept = [c for c in remote if c.get("name") not in ours]
        if len(kept) < len(remote):
            if other is None:
                await http.bulk_upsert_global_commands(application_id, payload=kept)
            else:
                await http.bulk_upsert_guild_commands(application_id, other, payload=kept)
            log.info("discord_commands_cleared", extra={
                "scope": "global" if other is None else f"guild:{other}", "count": len(remote) - len(kept),
            })
    except discord.HTTPException as exc:
        # Not fatal: the commands still work, only listed twice; the next start tries again.
        log.warning("discord_commands_clear_failed", extra={"status": exc.status, "error": str(exc)})
        return False
    if guild is not None:
        if previous == str(guild.id):
            return False
        state[last_key] = str(guild.id)
    else:
        state.pop(last_key, None)
        state.pop(f"{application_id}:guild:{other}", None)
    return True


async def _remote_names_match(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None, payload: list[dict[str, Any]]
) -> bool:
    try:
        remote = await tree.fetch_commands(guild=guild)
    except discord.HTTPException as exc:
        # Cannot tell; trust the hash rather than spend a rate-limited sync.
        log.warning("discord_commands_fetch_failed", extra={"status": exc.status, "error": str(exc)})
        return True
    return {c.name for c in remote} == {str(p["name"]) for p in payload}
