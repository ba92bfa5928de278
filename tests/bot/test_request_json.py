"""The one reading of a request body's JSON both chat endpoints use."""

from __future__ import annotations

import pytest

from bot.request_json import NotAnObject, json_object, nesting_depth


def test_an_object_is_read() -> None:
    assert json_object('{"type": 1, "data": {"options": [{"value": "タレント"}]}}', max_depth=8) == {
        "type": 1, "data": {"options": [{"value": "タレント"}]},
    }


@pytest.mark.parametrize(("text", "reason"), [
    ("[" * 100_000, "nested too deep"),
    ('{"a": ' * 40 + "1" + "}" * 40, "nested too deep"),
    ("{not json", "not JSON"),
    ("", "not JSON"),
    ("[1, 2]", "JSON list, not an object"),
    ('"a string"', "JSON str, not an object"),
])
def test_what_no_platform_sends_is_refused_by_name(text: str, reason: str) -> None:
    with pytest.raises(NotAnObject, match=reason):
        json_object(text, max_depth=32)


def test_depth_counts_brackets_in_one_pass() -> None:
    assert nesting_depth("{}") == 1 and nesting_depth('{"a": [1, {"b": 2}]}') == 3 and nesting_depth("x") == 0
