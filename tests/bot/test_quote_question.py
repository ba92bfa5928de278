"""Which questions ask whether someone said a quote, and which messages put a quote forward."""

from __future__ import annotations

import pytest

from bot.quote_question import QuoteQuestion, parse_quote_question, quote_in_message


@pytest.mark.parametrize(("text", "quote", "speaker"), [
    ("did Dario say 'this is one of these statements that's more true every month'?",
     "this is one of these statements that's more true every month", "Dario"),
    ('did Amodei really say "talent density beats scale"', "talent density beats scale", "Amodei"),
    ("<@U0123> did Dario Amodei actually say “a team of 100 beats 1,000”?", "a team of 100 beats 1,000",
     "Dario Amodei"),
    ("@saidbot hey, has Dario ever said ‘we slowed hiring’", "we slowed hiring", "Dario"),
    ("is it true that Amodei said \"compute is the bottleneck\"?", "compute is the bottleneck", "Amodei"),
    ("who said 'more true every month'?", "more true every month", None),
    ("did Dario say this: talent is everything", "talent is everything", "Dario"),
    ("本当に「タレント密度が大事」と言った？", "タレント密度が大事", None),
    ("アモデイは本当に「タレント密度が大事」と言いましたか？", "タレント密度が大事", "アモデイ"),
    ("「タレント密度が大事」と言ったのは誰？", "タレント密度が大事", None),
])
def test_questions_asking_whether_a_quote_was_said(text: str, quote: str, speaker: str | None) -> None:
    assert parse_quote_question(text) == QuoteQuestion(quote=quote, speaker=speaker)


@pytest.mark.parametrize("text", [
    "what did Dario say about talent density?",
    "did Dario say anything about scaling?",
    "Amodei on “talent density”",
    "アモデイはタレント密度について何と言った？",
    "did Dario say '…'?",
    # A quoted topic ("the prediction that …"), and the question is what was said about it.
    "「小さいチームが勝つ」という話について、アモデイは何と言っていた？",
    "「AIが全部書く」っていう予測、ダリオはどう言ってた？",
    "",
])
def test_other_questions_are_left_to_the_pipeline(text: str) -> None:
    assert parse_quote_question(text) is None


def test_a_pasted_message_puts_forward_its_quote() -> None:
    assert quote_in_message("Amodei said “the 100-person team beats the 1,000-person one”") == QuoteQuestion(
        quote="the 100-person team beats the 1,000-person one", speaker="Amodei"
    )
    assert quote_in_message('lol he called it a "country of geniuses in a datacenter" yesterday').quote == (
        "country of geniuses in a datacenter"
    )
    # A term in quotation marks is not the quote; the whole message is.
    assert quote_in_message('the "scaling" thing is more true every month') == QuoteQuestion(
        quote='the "scaling" thing is more true every month', speaker=None
    )
