"""Structured logging: one line per event, JSON when not on a terminal, and no secrets."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, Final

_STANDARD: Final = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Tokens that look like Slack or Discord credentials never reach a log line, whatever logged them.
_SECRET_PATTERNS: Final = [
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{6,}"),
    re.compile(r"xapp-[A-Za-z0-9-]{6,}"),
    re.compile(r"[MNO][A-Za-z\d_-]{22,30}\.[A-Za-z\d_-]{5,8}\.[A-Za-z\d_-]{25,45}"),
    re.compile(r"(?i)(authorization|token|secret|password)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)"),
]
# Secrets inside URLs, which libraries log at DEBUG with every request: the path part before the secret
# stays (it says what the request was), the secret goes. "/" may be URL-encoded as %2F in form bodies.
_SLASH: Final = r"(?:/|%2[Ff])"
_URL_SECRET_PATTERNS: Final = [
    # Discord interaction responses and follow-ups: /interactions/{id}/{token}/callback, /webhooks/{app}/{token}
    re.compile(rf"({_SLASH}(?:interactions|webhooks){_SLASH}\d+{_SLASH})([A-Za-z0-9_.\-]{{8,}})"),
    # Slack response_url: https://hooks.slack.com/{commands|actions|…}/{team}/{id}/{secret}
    re.compile(
        rf"({_SLASH}(?:commands|actions|services|triggers|workflows){_SLASH}[A-Z0-9]+{_SLASH}\d+{_SLASH})"
        r"([A-Za-z0-9]{8,})"
    ),
]
# A response_url by name (form bodies, payloads), whatever its host: it lets anyone reply as the app.
_RESPONSE_URL: Final = re.compile(r"(?i)(response_url)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}&]+)")
_extra_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Values (tokens from the configuration) to blank out of every log line."""
    if value and len(value) >= 6:
        _extra_secrets.add(value)


def redact(text: str) -> str:
    for secret in _extra_secrets:
        text = text.replace(secret, "[redacted]")
    for pattern in _URL_SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}[redacted]", text)
    text = _RESPONSE_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        payload.update(_extras(record))
        if record.exc_info:
            payload["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(payload, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{stamp} {record.levelname.lower():7} {record.name}: {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def setup_logging(level: str = "INFO", fmt: str = "auto", stream: Any = None) -> None:
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # discord.py and aiohttp are chatty at INFO about things the operator does not act on.
    for noisy in ("discord.gateway", "discord.client", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
