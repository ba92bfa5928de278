"""Slack over HTTP: the Events API, slash commands and button clicks on one route of a web app.

The web process decides whether Slack is configured and calls `mount`; everything about how
Slack's requests are served (the route, the signature check, letting replies finish when the
server stops) lives here.

The signature is checked here, on the raw bytes and before anything parses the body: the
internet sends junk to any public URL, and neither a malformed timestamp nor a body that is not
JSON, not UTF-8 or nested ten thousand deep may cost more than a 401 and one short log line.
Only a signed body that reads as Slack's shape reaches Bolt.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from typing import Any, Final
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import create_slack_app, drain, prepare, slack_section
from adapters.slack.inflight import DRAIN_SECONDS
from bot.port import Core
from bot.request_json import NotAnObject, json_object
from bot.settings import CoreSettings, Settings, SlackSettings
from bot.shared_state import SharedState
from bot.state_db import open_shared_state

# Signed requests checked and dispatched through Bolt at once. Each is a millisecond or two of CPU on
# the one event loop; a hundred at once make every loop turn (and so every /healthz probe) wait for
# all of them, while a few at a time keep a turn short and still acknowledge hundreds a second.
DISPATCH_AT_ONCE: Final = 8
# How long a request body may take to arrive (adapters/web.py sets the same for every route's headers).
BODY_SECONDS: Final = 10.0

log = logging.getLogger(__name__)

EVENTS_PATH: Final = "/slack/events"
# Slack refuses requests older than five minutes; so do we (replays).
MAX_AGE_SECONDS: Final = 300
_TIMESTAMP: Final = re.compile(r"[0-9]{1,12}")
_SIGNATURE: Final = re.compile(r"v0=[0-9a-f]{64}")
# json.loads recurses per nesting level; Slack's payloads are a few levels deep.
MAX_DEPTH: Final = 64


class Unreadable(ValueError):
    """A signed body that is not one of Slack's shapes."""


def signed(secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float) -> bool:
    """Whether `body` carries a valid, fresh v0 signature; never raises, whatever the headers hold."""
    if timestamp is None or signature is None or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if not _SIGNATURE.fullmatch(signature) or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # The SDK's verifier decodes first; the HMAC itself is over bytes, so check those.
        digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"v0={digest}", signature)
    return SignatureVerifier(secret).is_valid(text, timestamp, signature)


def _object(text: str) -> dict[str, Any]:
    try:
        return json_object(text, max_depth=MAX_DEPTH)
    except NotAnObject as exc:
        raise Unreadable(str(exc)) from exc


# The fields Bolt reads without checking their type, and the type Slack always sends them as.
_OBJECT_FIELDS: Final = ("event", "user", "channel", "team", "container", "view", "message", "enterprise",
                         "authorizations")
_TEXT_FIELDS: Final = ("type", "event_id", "team_id", "api_app_id", "user_id", "channel_id", "command",
                       "enterprise_id", "trigger_id", "response_url", "callback_id", "action_ts")

_MAY_BE_NULL: Final = frozenset({"enterprise", "team", "authorizations", "message", "view", "container"})
# In the message events we answer, these are always text.
_EVENT_TEXT_FIELDS: Final = ("channel", "user", "text", "ts", "thread_ts", "subtype", "bot_id", "channel_type")


def _fields_ok(data: dict[str, Any]) -> None:
    """Raise `Unreadable` when a field Bolt relies on has a type Slack never sends."""
    for key in _OBJECT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        expected = list if key == "authorizations" else dict
        # Slack sends `null` for some of these (an enterprise, a team); Bolt reads the others blindly.
        if (value is not None or key not in _MAY_BE_NULL) and not isinstance(value, expected):
            raise Unreadable(f"{key} is a {type(value).__name__}")
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise Unreadable(f"{key} is a {type(value).__name__}")
    event = data.get("event")
    if isinstance(event, dict) and not isinstance(event.get("type"), str):
        raise Unreadable("event without a type")
    if isinstance(event, dict):
        for key in ("user", "channel", "team"):
            if key in event and not isinstance(event[key], str | dict):
                raise Unreadable(f"event.{key} is a {type(event[key]).__name__}")
    if isinstance(event, dict) and event["type"] in ("app_mention", "message"):
        for key in _EVENT_TEXT_FIELDS:
            value = event.get(key)
            if value is not None and not isinstance(value, str):
                raise Unreadable(f"event.{key} is a {type(value).__name__}")
    if isinstance(data.get("authorizations"), list) and not all(isinstance(a, dict) for a in data["authorizations"]):
        raise Unreadable("authorizations are not objects")
    actions = data.get("actions")
    if actions is not None and not (isinstance(actions, list) and actions and all(
            isinstance(a, dict) and isinstance(a.get("action_id", ""), str) for a in actions)):
        raise Unreadable("actions are not a list of actions")


def check_shape(body: bytes, content_type: str) -> str:
    """The body as text when it is a shape Bolt can read: a JSON object, or a form whose
    `payload` (if any) is a JSON object. Raises `Unreadable` otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable("not UTF-8") from exc
    if content_type == "application/json" or text.lstrip().startswith("{"):
        _fields_ok(_object(text))
        return text
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
    except ValueError as exc:
        raise Unreadable("not a form") from exc
    payloads = form.get("payload")
    if payloads is not None:
        if len(payloads) != 1:
            raise Unreadable("more than one payload")
        _fields_ok(_object(payloads[0]))
    elif "command" not in form and "ssl_check" not in form:
        raise Unreadable("neither a command nor a payload")
    return text


def mount(app: web.Application, core: Core, settings: Settings | SlackSettings, *,
          state: SharedState | None = None) -> AsyncApp:
    """Serve Slack on POST /slack/events of `app` (and, with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET,
    the install flow on GET /slack/install and /slack/oauth_redirect). Needs SLACK_SIGNING_SECRET and
    SLACK_BOT_TOKEN or the OAuth pair: without the secret, requests could not be verified, so
    mounting is refused.

    `state` is what the instances share (the web app's); without one the settings' own is opened
    and closed with `app`."""
    slack = slack_section(settings)
    if not slack.readiness.configured or slack.signing_secret is None:
        raise ValueError(f"Slack over HTTP needs {' and '.join(slack.readiness.missing)}; see docs/slack.md")
    secret = slack.signing_secret.get_secret_value()
    own = open_shared_state(settings.core if isinstance(settings, Settings) else CoreSettings()) \
        if state is None else None
    state = state if state is not None else own
    assert state is not None
    bolt = create_slack_app(core, settings, state=state)
    dispatching = asyncio.Semaphore(DISPATCH_AT_ONCE)

    async def slack_events(request: web.Request) -> web.Response:
        # aiohttp refuses a body over client_max_size with 413 before we get here; a body trickled in
        # slower than that holds a connection for nothing.
        try:
            async with asyncio.timeout(BODY_SECONDS):
                body = await request.read()
        except TimeoutError:
            log.info("slack_body_timeout", extra={"seconds": BODY_SECONDS})
            return web.json_response({"error": "request body too slow"}, status=408, headers={"Connection": "close"})
        async with dispatching:
            return await _dispatch(body, request)

    async def _dispatch(body: bytes, request: web.Request) -> web.Response:
        headers = request.headers
        if not signed(secret, body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature"),
                      time.time()):
            # The access log's line (status 401) is enough: the internet's junk is not news.
            log.debug("slack_unsigned_request", extra={"bytes": len(body)})
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = check_shape(body, request.content_type)
        except Unreadable as exc:
            log.warning("slack_unreadable_request", extra={"reason": str(exc), "bytes": len(body)})
            return web.json_response({"error": "unreadable body"}, status=400)
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=dict(headers))
        # Bolt checks the signature again, answers url_verification, acknowledges, and runs the
        # handler after the response is sent.
        try:
            return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        except Exception as exc:
            # Bolt choked on a signed shape we did not foresee: still one line and a 400, never a 500.
            log.warning("slack_unreadable_request", extra={"reason": type(exc).__name__, "bytes": len(body)})
            return web.json_response({"error": "unreadable body"}, status=400)

    async def finish_replies(_: web.Application) -> None:
        # Runs after the server stopped taking requests (aiohttp's cleanup comes after shutdown).
        await drain(bolt, DRAIN_SECONDS)

    app.router.add_post(EVENTS_PATH, slack_events)
    app.on_cleanup.append(finish_replies)
    if own is not None:
        # After the replies finished: they claim and count in it.
        close = own.close

        async def close_state(_: web.Application) -> None:
            await close()

        app.on_cleanup.append(close_state)
    if bolt.oauth_flow is not None:
        mount_install(app, bolt, slack)
    return bolt


def mount_install(app: web.Application, bolt: AsyncApp, slack: SlackSettings) -> None:
    """GET the install path (a fresh OAuth state in the shared database, then Slack's consent page)
    and the redirect path (the code exchanged for the workspace's token, on whichever instance)."""
    flow = bolt.oauth_flow
    assert flow is not None

    async def install(request: web.Request) -> web.Response:
        await prepare(bolt)
        return await to_aiohttp_response(await flow.handle_installation(_get_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        await prepare(bolt)
        return await to_aiohttp_response(await flow.handle_callback(_get_request(request)))

    async def tables(_: web.Application) -> None:
        await prepare(bolt)

    app.router.add_get(slack.install_path, install)
    app.router.add_get(slack.redirect_path, redirect)
    app.on_startup.append(tables)
    log.info("slack_install_mounted", extra={"install": slack.install_path, "redirect": slack.redirect_path})


def _get_request(request: web.Request) -> AsyncBoltRequest:
    # A browser's GET: the query and the cookie (the OAuth state's) are all Bolt reads.
    return AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
