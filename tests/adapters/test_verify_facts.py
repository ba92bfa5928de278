"""A verification shows the same facts on Discord, Slack and the console: the verdict, the quote, each
passage's speaker, episode, time, link and match, the words that differ, the translated label, and for
not found what the store covers; asked as /verify (or `saidbot verify`) and as a question alike."""

from __future__ import annotations

import pytest

from adapters.console import format_verification
from adapters.discord.format import render_verification
from adapters.slack.format import verification_message
from bot.models import Answer, QuoteDifference, Verification, VerifiedCitation
from bot.present import present_verification, verification_answer_view
from tests.adapters.test_same_facts import RENDERERS, URL, _discord_text, _slack_text


def _cited(**fields: object) -> VerifiedCitation:
    base: dict[str, object] = {
        "text": "A hundred excellent people will beat a thousand average ones.", "speaker": "Dario Amodei",
        "episode": "Example Podcast #7", "show": "Example Podcast", "start_seconds": 605, "timestamp": "00:10:05",
        "url": URL, "source": "talk.txt", "kind": "quote", "language": "en", "match": 0.97, "verbatim": True,
    }
    return VerifiedCitation(**(base | fields))


def _found(lang: str = "en", **fields: object) -> Verification:
    base: dict[str, object] = {"verdict": "verbatim", "quote": "a hundred excellent people beat <@U1> & co",
                               "speaker": "Dario Amodei", "language": lang, "attributed": True,
                               "citations": [_cited()]}
    return Verification(**(base | fields))


PARAPHRASE = [QuoteDifference(quoted="brilliant", stored="excellent"), QuoteDifference(quoted="", stored="will")]
VERIFICATIONS = {
    "verbatim": _found(),
    "verbatim, ja": _found("ja"),
    "verbatim, unlabelled": _found(attributed=False, citations=[
        _cited(speaker=None, speaker_verified=False, people=["Hannah Host", "Dario Amodei"]),
    ]),
    "close": _found(verdict="close", attributed=False, citations=[
        _cited(match=0.78, verbatim=False, differences=PARAPHRASE), _cited(match=0.64, verbatim=False,
                                                                            timestamp="00:12:00", start_seconds=720),
    ]),
    "close, ja": _found("ja", verdict="close", citations=[_cited(match=0.78, verbatim=False, differences=PARAPHRASE)]),
    "other speaker": _found(verdict="other_speaker", attributed=False, citations=[_cited(speaker="Hannah Host")]),
    "translated": _found("ja", verdict="close", translated=True, quote="百人の優秀な人材",
                         citations=[_cited(match=1.0, verbatim=False, translated=True)]),
    "unknown speaker": _found(verdict="other_speaker", speaker=None, unknown_speaker="Elon Musk"),
    "not found": _found(verdict="not_found", citations=[],
                        coverage="The store holds 4 passages of Dario Amodei's own words, from 1 episode: Talent."),
    "not found, ja": _found("ja", verdict="not_found", citations=[], coverage="記録にある発言は4箇所です。"),
    "empty quote": _found(verdict="not_found", citations=[], quote="", message="Give me the words to look for."),
}


def _facts(found: Verification) -> list[str]:
    view = present_verification(found)
    facts = [view.header, *(line for line in (view.message, view.translated_label) if line)]
    for citation in view.citations:
        facts += [citation.who, *citation.badge_texts, citation.episode, citation.timestamp or "", citation.url or "",
                  *citation.notes]
    return facts


def _held(found: Verification) -> Answer:
    return Answer(question=found.quote, speaker=found.speaker, topic=found.quote, language=found.language,
                  verification=found)


def _discord(found: Verification) -> str:
    reply = render_verification(found, found.language)
    return _discord_text(_held(found)) if reply else ""


DIRECT = {
    "console": lambda found: format_verification(found),
    "discord": _discord,
    "slack": lambda found: _slack_text(_held(found)),
}


@pytest.mark.parametrize("kind", list(VERIFICATIONS))
@pytest.mark.parametrize("platform", list(RENDERERS))
def test_every_fact_is_shown_asked_as_a_question(kind: str, platform: str) -> None:
    found = VERIFICATIONS[kind]
    shown = RENDERERS[platform](_held(found))
    for fact in _facts(found):
        assert fact in shown, f"{platform} leaves out {fact!r} for {kind}:\n{shown}"


@pytest.mark.parametrize("kind", list(VERIFICATIONS))
@pytest.mark.parametrize("platform", list(DIRECT))
def test_every_fact_is_shown_from_the_verify_commands(kind: str, platform: str) -> None:
    found = VERIFICATIONS[kind]
    shown = DIRECT[platform](found)
    for fact in _facts(found):
        assert fact in shown, f"{platform} leaves out {fact!r} for {kind}:\n{shown}"


def test_the_differences_and_match_read_the_same_everywhere() -> None:
    found = VERIFICATIONS["close"]
    notes = present_verification(found).citations[0].notes
    assert notes == ("78% match", "quoted: “brilliant” — said: “excellent”", "said but not quoted: “will”")
    japanese = present_verification(VERIFICATIONS["close, ja"]).citations[0].notes
    assert japanese[1] == "引用: 「brilliant」 — 発言: 「excellent」"


def test_a_translated_match_shows_no_percentage() -> None:
    view = present_verification(VERIFICATIONS["translated"])
    assert view.citations[0].notes == ("翻訳による照合: 言い回しは確認できません",)
    assert "%" not in format_verification(VERIFICATIONS["translated"])


def test_the_quote_is_escaped_on_every_platform() -> None:
    found = VERIFICATIONS["verbatim"]
    slack = verification_message(found)
    assert "<@U1>" not in str(slack.blocks) and "&lt;@U1&gt;" in str(slack.blocks)
    discord = render_verification(found, "en")
    assert "<@\u200bU1>" in discord.content
    assert verification_answer_view(present_verification(found)).question_line == (
        "Quote: “a hundred excellent people beat <@U1> & co”"
    )
