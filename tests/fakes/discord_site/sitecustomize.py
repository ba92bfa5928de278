"""Loaded only by test subprocesses (via PYTHONPATH): points discord.py at the fake Discord on loopback.

discord.py hard-codes Discord's hosts; the Procfile's worker is started as a real process in the tests,
so the redirect has to happen inside that process, before the bot connects.
"""

import os

_api = os.environ.get("SAIDBOT_TEST_DISCORD_API")
_gateway = os.environ.get("SAIDBOT_TEST_DISCORD_GATEWAY")
if _api and _gateway:
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = _api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(_gateway)
