"""Multi-workspace mode in one process: the install flow through the fake Slack (oauth.v2.access),
each workspace answered with its own token, app_uninstalled removing it; on a real SQLite state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import SECRET, Web, mention, start_web
from tests.fakes.slack_api import FakeSlack, Workspace
from tests.support.slack_install import deliver, install, team_event, wait_uninstalled

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret-abcdef"
OTHER = Workspace(team="T2", token="xoxb-t2-token-0001", bot_user="UBOT2", bot_id="BBOT2")
THIRD = Workspace(team="T3", token="xoxb-t3-token-0003", bot_user="UBOT3", bot_id="BBOT3")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(installs={"code-t2": OTHER, "code-t3": THIRD}, client_id=CLIENT_ID,
                     client_secret=CLIENT_SECRET)
    await fake.start()
    yield fake
    await fake.close()


def multi_settings(settings: Settings, slack: FakeSlack, **extra: object) -> Settings:
    return settings.updated(slack={"client_id": CLIENT_ID, "client_secret": SecretStr(CLIENT_SECRET),
                                   "signing_secret": SecretStr(SECRET), "api_url": slack.api_url, **extra})


@pytest.fixture
async def web(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[Web]:
    started = await start_web(loaded, multi_settings(settings, slack), slack)
    yield started
    await started.server.close()


async def test_each_installed_workspace_is_answered_with_its_own_token_until_it_uninstalls(
    web: Web, slack: FakeSlack, settings: Settings
) -> None:
    state_file = settings.core.state_db_path
    for code in ("code-t2", "code-t3"):
        status, page = await install(web.url, web.url, code)
        assert status == 200, page
    exchanges = slack.of("oauth.v2.access")
    assert [e["code"] for e in exchanges] == ["code-t2", "code-t3"]

    ask = mention("scaling", ts="1700000100.000100")
    assert await deliver(web.url, team_event("T2", {**ask, "text": "<@UBOT2> scaling"}, "EvT2a", "UBOT2")) == 200
    [post] = await slack.wait_for("chat.postMessage")
    assert slack.tokens_of("chat.postMessage") == [OTHER.token]
    assert "scaling" in str(post["text"]).lower() or post["blocks"]
    ask3 = mention("scaling", ts="1700000101.000100")
    assert await deliver(web.url, team_event("T3", ask3, "EvT3a", "UBOT3")) == 200
    await slack.wait_for("chat.postMessage", 2)
    assert slack.tokens_of("chat.postMessage") == [OTHER.token, THIRD.token]

    gone = {"type": "app_uninstalled", "event_ts": "1700000200.000100"}
    assert await deliver(web.url, team_event("T2", gone, "EvT2gone", "UBOT2")) == 200
    await wait_uninstalled(f"sqlite:///{state_file}", CLIENT_ID, "T2")
    again = mention("scaling", ts="1700000300.000100")
    assert await deliver(web.url, team_event("T2", again, "EvT2b", "UBOT2")) == 200
    # T3 still installed: its answer shows the uninstalled T2's event was handled (or dropped) by now.
    assert await deliver(web.url, team_event("T3", mention("scaling", ts="1700000301.0001"), "EvT3b",
                                             "UBOT3")) == 200
    await slack.wait_for("chat.postMessage", 3)
    await asyncio.sleep(0.2)
    assert slack.tokens_of("chat.postMessage") == [OTHER.token, THIRD.token, THIRD.token]
    assert OTHER.token not in slack.tokens_of("users.info")[1:]


async def test_an_unknown_code_or_a_forged_state_installs_nothing(web: Web, slack: FakeSlack) -> None:
    status, page = await install(web.url, web.url, "code-nobody-issued")
    assert "invalid_code" in page or status >= 400, (status, page)
    async with ClientSession() as browser, browser.get(
            f"{web.url}/slack/oauth_redirect", params={"code": "code-t2", "state": "forged"},
            headers={"Cookie": "slack-app-oauth-state=forged"}) as resp:
        assert resp.status >= 400
    assert [e["code"] for e in slack.of("oauth.v2.access")] == ["code-nobody-issued"]
    assert await deliver(web.url, team_event("T2", mention("scaling"), "EvT2", "UBOT2")) == 200
    await asyncio.sleep(0.2)
    assert slack.of("chat.postMessage") == []


async def test_tokens_revoked_removes_that_workspaces_bot(web: Web, slack: FakeSlack, settings: Settings) -> None:
    status, page = await install(web.url, web.url, "code-t3")
    assert status == 200, page
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [THIRD.bot_user]},
               "event_ts": "1700000400.000100"}
    assert await deliver(web.url, team_event("T3", revoked, "EvT3revoked", "UBOT3")) == 200
    await wait_uninstalled(f"sqlite:///{settings.core.state_db_path}", CLIENT_ID, "T3")
    assert await deliver(web.url, team_event("T3", mention("scaling"), "EvT3c", "UBOT3")) == 200
    await asyncio.sleep(0.2)
    assert slack.of("chat.postMessage") == []
