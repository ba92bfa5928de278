"""At DEBUG, a slash command's response_url (which lets anyone reply as the app) never reaches the log."""

from __future__ import annotations

import io
import logging

from bot.logs import setup_logging
from tests.adapters.slack.conftest import Web

# Shaped like Slack's own: https://hooks.slack.com/commands/{team}/{id}/{secret}
SECRET = "Zq8xNw3KpL0sVb7TyR2mQe5D"
RESPONSE = f"commands/T0001/1234567890/{SECRET}"


class _Raw(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + " " + " ".join(map(str, vars(record).values())))


async def test_response_url_secrets_are_redacted_at_debug(web: Web) -> None:
    out = io.StringIO()
    raw = _Raw()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("DEBUG", "json", stream=out)
    root.addHandler(raw)
    try:
        assert await web.command("talent density", response=RESPONSE) == 200
        [reply] = await web.slack.wait_responses()
        assert reply["text"] or reply["blocks"]
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    logged = out.getvalue()
    assert any(SECRET in line for line in raw.lines), "the exchange should have logged the response_url at DEBUG"
    assert SECRET not in logged
