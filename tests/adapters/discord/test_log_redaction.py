"""At DEBUG, libraries log every request URL; interaction and webhook tokens in them never reach the log."""

from __future__ import annotations

import io
import logging

from bot.logs import redact, setup_logging
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.discord.conftest import run_discord, running
from tests.fakes.discord_server import FakeDiscord


class _Raw(logging.Handler):
    """What the records said before redaction, to show the secret was there to hide."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_interaction_tokens_are_redacted_at_debug(
    fake: FakeDiscord, service: SaidService, settings: Settings
) -> None:
    out = io.StringIO()
    raw = _Raw()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("DEBUG", "json", stream=out)
    root.addHandler(raw)
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("ask", question="talent density"), timeout=10)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = out.getvalue()
    assert any(it.token in line for line in raw.lines), "the exchange should have logged its URL at DEBUG"
    assert it.token not in logged
    assert f"/interactions/{it.id}/[redacted]" in logged


def test_webhook_tokens_are_redacted_in_any_url_form() -> None:
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5.abc-DEF_ghi"
    for url in (f"https://discord.com/api/v10/webhooks/1234567890/{token}/messages/@original",
                f"PATCH /api/v10/webhooks/1234567890/{token}",
                f"url=https%3A%2F%2Fdiscord.com%2Fapi%2Fwebhooks%2F1234567890%2F{token}"):
        assert token not in redact(url) and "1234567890" in redact(url)
