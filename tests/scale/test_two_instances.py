"""Two web instances as the platform runs them: `saidbot serve` subprocesses on two loopback ports,
sharing one PostgreSQL database (DATABASE_URL), one fake Slack (SLACK_API_URL) and one fake Discord
(DISCORD_API_URL, delivering signed interactions to either instance's endpoint), each with its own
note index. Slack is in multi-workspace mode: workspaces install through the OAuth flow, and
retries, installs and the rate limit land on either instance. Discord runs over HTTP: its commands
are registered once with `saidbot discord-register`, and clicks land on either instance.

The two processes start once for the module (a few seconds); each test uses its own channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from aiohttp import ClientError, ClientSession

from tests.adapters.discord.support import button, followups, is_ephemeral, text_of
from tests.adapters.slack.conftest import NOTE_SCALING, mention
from tests.fakes.discord_server import CHANNEL_MESSAGE, FakeDiscord
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlack, Workspace
from tests.support.net import free_port
from tests.support.postgres import fresh_database
from tests.support.processes import stop_process
from tests.support.slack_install import deliver, install, team_event, wait_uninstalled

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENT_ID = "3333.4444"
CLIENT_SECRET = "scale-client-secret"
LIMIT = 3
HOME = Workspace(team="TSCALE1", token="xoxb-scale-home-0001", bot_user="USCALEBOT1", bot_id="BSCALE1")
GUEST = Workspace(team="TSCALE2", token="xoxb-scale-guest-0002", bot_user="USCALEBOT2", bot_id="BSCALE2")
QUESTION = "what did Dario Amodei say about the scaling hypothesis?"
QUOTE = "The scaling hypothesis keeps holding up"


@dataclass
class Cluster:
    a: str
    b: str
    slack: FakeSlack
    database_url: str
    discord: FakeDiscord

    def endpoint(self, url: str) -> str:
        return f"{url}/discord/interactions"

    def posts(self, channel: str, method: str = "chat.postMessage") -> list[dict[str, object]]:
        return [body for body in self.slack.of(method) if body.get("channel") == channel]

    def tokens(self, channel: str) -> list[str | None]:
        return [c.token for c in self.slack.calls if c.method == "chat.postMessage" and c.body.get("channel") == channel]


async def _ready(url: str, proc: asyncio.subprocess.Process) -> None:
    async with ClientSession() as session:
        for _ in range(600):
            if proc.returncode is not None:
                raise AssertionError(f"{url} exited with {proc.returncode}")
            with contextlib.suppress(ClientError, OSError):
                async with session.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url}/healthz never turned 200")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    root = tmp_path_factory.mktemp("scale")
    notes = root / "notes"
    notes.mkdir()
    (notes / "scaling.md").write_text(NOTE_SCALING, encoding="utf-8")
    slack = FakeSlack(installs={"code-home": HOME, "code-guest": GUEST}, client_id=CLIENT_ID,
                      client_secret=CLIENT_SECRET)
    await slack.start()
    discord = FakeDiscord()
    await discord.start()
    database = contextlib.asynccontextmanager(fresh_database)()
    database_url = await database.__aenter__()
    procs: list[asyncio.subprocess.Process] = []
    try:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
        base.pop("DATABASE_URL", None)
        base.update({
            "DISCORD_PUBLIC_KEY": discord.public_key_hex, "DISCORD_APPLICATION_ID": str(discord.app_id),
            "DISCORD_API_URL": discord.api_base, "DISCORD_TOKEN": discord.token,
            "DISCORD_GUILD_ID": str(discord.guild_id), "SAIDBOT_LOG_FORMAT": "json",
        })
        # HTTP mode: the commands are registered over REST once, as an admin would before scaling out.
        register = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "saidbot", "discord-register", cwd=root,
            env={**base, "SAIDBOT_DB": str(root / "register.db")},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(register.communicate(), 60)
        assert register.returncode == 0, (out, err)
        urls = []
        for name in ("a", "b"):
            port = free_port()
            env = dict(base)
            env.update({
                "PORT": str(port), "SAIDBOT_HOST": "127.0.0.1", "SAIDBOT_NOTES": str(notes),
                # Each instance builds its own index; what they share is the database.
                "SAIDBOT_DB": str(root / f"{name}.db"), "DATABASE_URL": database_url,
                "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
                "SAIDBOT_RATE_LIMIT_PER_MINUTE": str(LIMIT), "SAIDBOT_LOG_FORMAT": "json",
            })
            (root / name).mkdir()
            procs.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "saidbot", "serve", cwd=root / name, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        await asyncio.gather(*(_ready(url, proc) for url, proc in zip(urls, procs, strict=True)))
        cluster = Cluster(urls[0], urls[1], slack, database_url, discord)
        status, page = await install(cluster.a, cluster.b, "code-home")
        assert status == 200, page
        yield cluster
    finally:
        stopped = [await stop_process(proc) for proc in procs]
        await database.__aexit__(None, None, None)
        await slack.close()
        await discord.close()
    for result in stopped:
        result.assert_clean()
        assert CLIENT_SECRET not in result.stderr.decode() and HOME.token not in result.stderr.decode()


async def test_an_event_on_a_and_its_retry_on_b_get_exactly_one_reply(cluster: Cluster) -> None:
    body = team_event(HOME.team, mention(QUESTION, channel="CRETRY", ts="1700000500.000100"), "EvScaleRetry",
                      HOME.bot_user)
    statuses = await asyncio.gather(deliver(cluster.a, body), deliver(cluster.b, body, retry=1))
    assert statuses == [200, 200]
    await cluster.slack.wait_for("chat.postMessage", timeout=10)
    # A later retry, to A this time, changes nothing either.
    assert await deliver(cluster.a, body, retry=2) == 200
    await asyncio.sleep(0.5)
    [post] = cluster.posts("CRETRY")
    assert QUOTE in str(post["blocks"]) and cluster.tokens("CRETRY") == [HOME.token]


async def test_an_install_started_on_a_and_finished_on_b_answers_that_workspace_until_it_uninstalls(
    cluster: Cluster,
) -> None:
    status, page = await install(cluster.a, cluster.b, "code-guest")
    assert status == 200, page
    assert [e["code"] for e in cluster.slack.of("oauth.v2.access")][-1] == "code-guest"
    ask = mention(QUESTION, channel="CGUEST", ts="1700000600.000100")
    assert await deliver(cluster.a, team_event(GUEST.team, ask, "EvGuest1", GUEST.bot_user)) == 200
    for _ in range(200):
        if cluster.posts("CGUEST"):
            break
        await asyncio.sleep(0.05)
    assert cluster.tokens("CGUEST") == [GUEST.token]

    gone = {"type": "app_uninstalled", "event_ts": "1700000700.000100"}
    assert await deliver(cluster.b, team_event(GUEST.team, gone, "EvGuestGone", GUEST.bot_user)) == 200
    await wait_uninstalled(cluster.database_url, CLIENT_ID, GUEST.team)
    again = mention(QUESTION, channel="CGUEST", ts="1700000800.000100")
    assert await deliver(cluster.a, team_event(GUEST.team, again, "EvGuest2", GUEST.bot_user)) == 200
    # The home workspace, still installed, is answered meanwhile: the guest's event was handled by then.
    home = mention(QUESTION, channel="CHOME", ts="1700000801.000100")
    assert await deliver(cluster.a, team_event(HOME.team, home, "EvHome2", HOME.bot_user)) == 200
    for _ in range(200):
        if cluster.posts("CHOME"):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert cluster.tokens("CGUEST") == [GUEST.token]
    assert GUEST.token not in [c.token for c in cluster.slack.calls if c.body.get("channel") == "CGUEST"][1:]


async def test_the_rate_limit_holds_across_both_instances(cluster: Cluster) -> None:
    for n in range(LIMIT + 2):
        ask = mention(QUESTION, user="UFLOOD", channel="CFLOOD", ts=f"1700000900.00010{n}")
        assert await deliver((cluster.a, cluster.b)[n % 2], team_event(HOME.team, ask, f"EvFlood{n}",
                                                                       HOME.bot_user)) == 200
    for _ in range(200):
        if len(cluster.posts("CFLOOD")) + len(cluster.posts("CFLOOD", "chat.postEphemeral")) >= LIMIT + 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert len(cluster.posts("CFLOOD")) == LIMIT
    notes = cluster.posts("CFLOOD", "chat.postEphemeral")
    assert len(notes) == 2 and all(n["user"] == "UFLOOD" for n in notes)


async def test_discord_over_http_answers_on_either_instance_and_refuses_forgeries(cluster: Cluster) -> None:
    ping = b'{"type": 1, "id": "1", "application_id": "1", "token": "t", "version": 1}'
    async with ClientSession() as session:
        async with session.post(cluster.endpoint(cluster.a), data=ping,
                                headers=cluster.discord.signed_headers(ping)) as resp:
            assert (resp.status, await resp.json()) == (200, {"type": 1})
        forged = dict(cluster.discord.signed_headers(ping))
        async with session.post(cluster.endpoint(cluster.b), data=ping.replace(b'"1"', b'"2"', 1),
                                headers=forged) as resp:
            assert resp.status == 401
    it = await cluster.discord.answered(
        await cluster.discord.slash("ask", question=QUESTION, via=cluster.endpoint(cluster.b))
    )
    assert QUOTE in text_of(cluster.discord.reply_message(it))


async def test_a_discord_share_clicked_on_both_instances_is_one_post(cluster: Cluster) -> None:
    fake = cluster.discord
    it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True, via=cluster.endpoint(cluster.a)))
    private = fake.reply_message(it)
    assert it.callback_type == CHANNEL_MESSAGE and is_ephemeral(private)
    share = button(private, "share")["custom_id"]
    clicks = await asyncio.gather(fake.click(private, share, via=cluster.endpoint(cluster.a)),
                                  fake.click(private, share, via=cluster.endpoint(cluster.b)))
    for click in clicks:
        await fake.answered(click)
    posts = [m for click in clicks for m in followups(fake, click) if not is_ephemeral(m)]
    assert len(posts) == 1 and QUOTE in text_of(posts[0])
