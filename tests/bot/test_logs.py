"""Log lines never carry secrets."""

from __future__ import annotations

from bot.logs import redact, register_secret


def test_logs_never_carry_secrets() -> None:
    register_secret("s3cr3t-value-xyz")
    line = redact('{"token": "abc123", "note": "s3cr3t-value-xyz", "x": "xoxb-123456-abcdef"}')
    assert "s3cr3t-value-xyz" not in line and "abc123" not in line and "xoxb-123456" not in line
