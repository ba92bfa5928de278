"""The scale-out load benchmark still runs end to end, small: two real `saidbot serve` instances on one
fresh PostgreSQL database, a second of Slack mentions with retries to the other instance, and a
second of Discord `/ask` interactions with double Share clicks landing on both instances.

Besides keeping the instrument from rotting, this is the cross-instance check at its smallest:
every question answered exactly once, wherever its deliveries landed, and a double Share posted once.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from bench.scale import Config, Tally, _schedule, _summary, markdown, run
from tests.support.postgres import server_url


async def test_two_instances_answer_every_question_once() -> None:
    began = time.monotonic()
    # Retries and double clicks on every other question, so a small run certainly has some.
    result = await run(Config(rate=20, seconds=1, instances=2, retry_fraction=0.5, drain=10, server=server_url(),
                              retry_after=(0.2, 0.6), settle=0.5, restart_per_phase=False, round_trips=40))
    phases = {p["phase"]: p for p in result["phases"]}

    slack = phases["slack"]
    assert slack["questions"] == 20 and slack["retries"] > 0
    assert slack["deliveries"] == slack["questions"] + slack["retries"]
    assert slack["errors"] == 0, slack["statuses"]
    # Each retry went to the other instance; the claim in the shared database keeps it unanswered.
    assert slack["lost"] == 0 and slack["duplicates"] == 0
    assert slack["answers"] == slack["questions"]

    discord = phases["discord"]
    assert discord["questions"] == 20 and discord["errors"] == 0, discord["statuses"]
    assert discord["lost"] == 0 and discord["duplicates"] == 0
    assert discord["share_pairs"] > 0 and discord["share_posts"] == discord["share_pairs"]
    # The interaction claims and the button state went through the shared database.
    pg = discord["postgres_all_phases"]
    assert pg["commits"] >= slack["questions"] + discord["questions"]
    assert pg["statements_per_request"] >= 1
    assert discord["exit_codes"] == [0, 0]

    table = markdown(result)
    assert "| slack |" in table and "| discord |" in table
    assert time.monotonic() - began < 60


def test_retries_go_to_the_other_instance_one_to_three_seconds_later() -> None:
    plan = _schedule(rate=100, seconds=2, instances=2, retry_fraction=0.3, rng=random.Random(3))
    firsts = {logical: (at, target) for at, logical, target, retry in plan if not retry}
    retries = [(at, logical, target) for at, logical, target, retry in plan if retry]
    assert sorted(firsts) == list(range(200))
    # Open loop: first deliveries at fixed times, alternating instances, whatever the replies do.
    assert all(at == logical / 100 and target == logical % 2 for logical, (at, target) in firsts.items())
    assert 30 < len(retries) < 90
    for at, logical, target in retries:
        assert target != firsts[logical][1] and 1.0 <= at - firsts[logical][0] <= 3.0
    assert [p[0] for p in plan] == sorted(p[0] for p in plan)


def test_the_summary_counts_second_answers_and_silence() -> None:
    tally = Tally(acks_ms=[1.0, 2.0, 3.0], deliveries=3, first_sends=[0.0, 0.5])
    tally.statuses.update({200: 2, 500: 1})
    seen = Counter({0: 2})  # question 0 answered twice, question 1 never
    result = _summary("slack", tally, 2, seen, 1.0, 1.0, retries=1, extra={})
    assert (result["answered"], result["duplicates"], result["lost"], result["errors"]) == (1, 1, 1, 1)
    assert result["achieved_rate"] == 2.0
