"""Block Kit limits, escaping, the presenter's labels laid out, Slack input parsing and the retry
memory, as plain functions."""

from __future__ import annotations

import json

import pytest

from adapters.slack import format as fmt
from adapters.slack.parse import question_text
from bot.models import Answer, AnswerStatus, Citation
from bot.present import AnswerView, CitationView, present_answer, present_citation

SENTENCE = "Compute & data <b> keep scaling, said the R&D lead. "


def _citation(text: str, **extra: object) -> Citation:
    fields: dict[str, object] = {
        "text": text, "speaker": "Dario Amodei", "episode": "Long Interview #452", "start_seconds": 5917,
        "timestamp": "01:38:37", "url": "https://www.youtube.com/watch?v=ScAlInG0452&t=5914s",
        "source": "notes/scaling.md", "kind": "quote", "language": "en",
    }
    fields.update(extra)
    return Citation.model_validate(fields)


def _answer(citations: list[Citation], **extra: object) -> Answer:
    fields: dict[str, object] = {"question": "q", "speaker": "Dario Amodei", "topic": "scaling", "language": "en",
                                 "citations": citations, "total": len(citations)}
    fields.update(extra)
    return Answer.model_validate(fields)


def _view(answer: Answer, question: str | None = None) -> AnswerView:
    return present_answer(answer, question=question)


def _cited(citation: Citation) -> CitationView:
    return present_citation(citation, 1, "en")


def _texts(blocks: list[fmt.Block]) -> list[str]:
    out = []
    for block in blocks:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(element["text"] for element in block["elements"])
    return out


def test_escape_covers_slacks_three_characters() -> None:
    assert fmt.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert fmt.unescape(fmt.escape("&lt; <x> & &amp;")) == "&lt; <x> & &amp;"


def test_fit_cuts_at_a_sentence_and_never_inside_an_entity() -> None:
    text = SENTENCE * 200
    for limit in (120, 333, 1000, 2999):
        out = fmt.fit(text, limit)
        assert 0 < len(out) <= limit
        assert out.endswith("lead. …")
        assert fmt.unescape(out).removesuffix(" …") in text
    # Shorter than one sentence: cut between words, still counting the escaped length.
    assert fmt.fit(text, 40) == "Compute &amp; data &lt;b&gt; keep …"
    assert fmt.fit("&" * 10, 12) == "&amp; …"
    assert fmt.fit("short & sweet", 100) == "short &amp; sweet"


def test_many_long_citations_stay_within_slack_limits() -> None:
    answer = _answer([_citation(SENTENCE * 300) for _ in range(60)], total=80)
    actions = [fmt.share_button("scaling", "en")]
    blocks = fmt.answer_blocks(_view(answer, "scaling " * 500), show_question=True, shared_by="x" * 500,
                               actions=actions)
    assert len(blocks) <= fmt.MAX_BLOCKS
    assert blocks[-1]["type"] == "actions" and blocks[-2]["type"] == "context"  # "N more found" kept
    for text in _texts(blocks):
        assert 0 < len(text) <= fmt.MAX_SECTION
    quotes = [t for t in _texts(blocks) if "\n>" in t]
    assert quotes and all(q.endswith("lead. …") for q in quotes)
    assert len(fmt.fallback_text(_view(answer))) <= fmt.MAX_TEXT


def test_a_quote_with_many_lines_and_entities_still_fits_one_section() -> None:
    citation = _citation("\n".join(["<&>" * 40] * 400))
    section, badges = fmt.citation_blocks(_cited(citation))
    assert len(section["text"]["text"]) <= fmt.MAX_SECTION
    assert badges["elements"][0]["text"] == "verbatim transcript"


def test_links_are_only_built_from_plain_http_urls() -> None:
    assert fmt.link("https://youtu.be/x?t=1", "00:00:01") == "<https://youtu.be/x?t=1|00:00:01>"
    for bad in ("https://x|<!channel>", "javascript:alert(1)", "https://x y", "<!here>", None):
        assert "<" not in fmt.link(bad, "00:00:01")
    line = fmt.citation_line(_cited(_citation("t", url="https://x>|<!channel", speaker="<@U1>", episode="<!here>")))
    assert "<" not in line


def test_statuses_render_their_message_and_never_an_empty_section() -> None:
    blocks = fmt.answer_blocks(_view(_answer([], status=AnswerStatus.NOT_FOUND, message="<!here> nothing")))
    assert _texts(blocks) == ["&lt;!here&gt; nothing"]
    empty = fmt.answer_blocks(_view(_answer([], status=AnswerStatus.EMPTY, message=None)))
    assert _texts(empty)[0].startswith("Ask me what someone said")
    # A page past the last citation (the notes changed under a Share button) says so.
    past = fmt.answer_blocks(_view(_answer([], total=3, offset=3)))
    assert _texts(past) == ["That's everything I found."]


def test_share_value_fits_and_round_trips() -> None:
    question = '"<!channel>" & \\ ' * 300
    value = fmt.share_value(question, "ja")
    assert len(value) <= fmt.MAX_BUTTON_VALUE and "<" not in value
    carried = fmt.read_share_value(value)
    assert carried is not None and question.startswith(carried[0]) and carried[1] == "ja"
    assert fmt.read_share_value(fmt.share_value("<&>", "en")) == ("<&>", "en")
    for junk in (None, "", "[]", '{"q": 1}', '{"q": " "}', "{"):
        assert fmt.read_share_value(junk) is None


@pytest.mark.parametrize(("typed", "question"), [
    ("<@UBOT> what did Amodei say about scaling?", "what did Amodei say about scaling?"),
    ("<@UBOT|saidbot> <@UOTHER|erin> on trust", "erin on trust"),
    ("<@UOTHER> on trust", "on trust"),
    ("<@UBOT>: talent density", "talent density"),
    ("<@UBOT>、タレント密度", "タレント密度"),
    ("<!channel> <!here|here> <!everyone> talent", "talent"),
    ("<!subteam^S1|@team> says <#C1|general> <#C2>", "team says #general"),
    ("see <https://example.com|this> and <https://x.test>", "see this and https://x.test"),
    ("R&amp;D &lt;3 &amp;lt;", "R&D <3 &lt;"),
    ("  spaced\u00a0 out  ", "spaced out"),
])
def test_slack_markup_becomes_plain_words(typed: str, question: str) -> None:
    assert question_text(typed, bot_user_id="UBOT") == question


def test_button_and_blocks_are_json() -> None:
    blocks = fmt.answer_blocks(_view(_answer([_citation("Fine.")])), actions=[fmt.share_button("q", "en")])
    assert json.loads(json.dumps(blocks)) == blocks


def test_a_page_shows_its_label_with_the_header_and_what_is_left() -> None:
    answer = _answer([_citation(f"Point {n}.") for n in range(3)], total=7, offset=3)
    blocks = fmt.answer_blocks(_view(answer))
    texts = _texts(blocks)
    assert texts[:2] == ["*What Dario Amodei said about “scaling”*", "4–6 of 7"]
    assert texts[-1] == "1 more found."
    assert fmt.fallback_text(_view(answer)).endswith("\n1 more found.")


@pytest.mark.parametrize(("extra", "who", "badges"), [
    ({}, "*Dario Amodei*", "verbatim transcript"),
    ({"speaker_verified": False}, "*Dario Amodei*", "verbatim transcript · speaker not labelled in the transcript"),
    ({"speaker": None, "speaker_verified": False}, "*Unknown speaker*",
     "verbatim transcript · speaker not labelled in the transcript"),
    ({"kind": "note"}, "*Dario Amodei*", "from a note"),
    ({"kind": "note", "speaker": None}, "*Note summary*", "from a note"),
])
def test_each_kind_of_citation_is_labelled_as_the_presenter_says(
    extra: dict[str, object], who: str, badges: str
) -> None:
    section, context = fmt.citation_blocks(_cited(_citation("Words.", **extra)))
    assert section["text"]["text"].startswith(f"{who} · Long Interview #452 · <https://")
    assert context["elements"][0]["text"] == badges
