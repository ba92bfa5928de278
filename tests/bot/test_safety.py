"""Any user text is safe to search: no FTS5 syntax error, no exception, whatever is typed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Answer
from bot.service import SaidService

NASTY = [
    '"', "a AND", "*", "a:b", "NEAR(", "NEAR(a b", "OR", "AND OR NOT", "(", ")", "^", "-", "+", "'; DROP TABLE segments; --",
    "x" * 10_000, "\x00\x01\x02 control", "emoji 🤖🧠 talent", "{}[]", "\\", "terms:talent", "タレント*", "   ",
    'what did "Amodei" say about "talent', "col:*", "a NOT b", "\u202etalent\u202c", "<@&123> @everyone",
]


@pytest.mark.parametrize("text", NASTY)
async def test_nasty_inputs_answer_cleanly(loaded: SaidService, text: str) -> None:
    answer = await loaded.ask(text)
    assert isinstance(answer, Answer)
    assert answer.message is None or "Traceback" not in answer.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_any_text_is_safe(loaded: SaidService, text: str) -> None:
    answer = await loaded.ask(text)
    assert isinstance(answer, Answer)
    answer = await loaded.ask("talent", speaker=text[:50] or None)
    assert isinstance(answer, Answer)
