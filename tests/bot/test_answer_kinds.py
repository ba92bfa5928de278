"""A question that says what its answer looks like, and the passages that give such an answer."""

from __future__ import annotations

from bot.answer_kinds import asked_kinds, gives_kind


def test_a_question_asking_how_likely_and_a_passage_putting_a_number_on_it() -> None:
    for question in ("how confident is Dario that we get there?", "what are the odds of AGI by 2030",
                     "AGIが10年以内に実現する確率は？", "ダリオはどのくらい確信している？"):
        assert asked_kinds(question) == {"likelihood"}, question
    likely = frozenset({"likelihood"})
    assert gives_kind(likely, "I'm at 90% on that") and gives_kind(likely, "９０％だと思う")
    assert gives_kind(likely, "maybe 1 in 10") and not gives_kind(likely, "we grew from 300 to 800 people")


def test_a_question_asking_how_something_began_and_a_passage_telling_it() -> None:
    for question in ("How did Claude Code come about?", "how did Claude Code get started inside Anthropic",
                     "how was the company founded and started", "Claude Codeってどうやって生まれたの？"):
        assert "origin" in asked_kinds(question), question
    origin = frozenset({"origin"})
    assert gives_kind(origin, "Internally people created something called Claude CLI")
    assert gives_kind(origin, "もともと社内ツールだった")
    assert not gives_kind(origin, "Claude Code is a category leader")


def test_a_question_asking_how_much_of_something_and_a_passage_giving_a_share() -> None:
    for question in ("how much of his time does Dario spend on management", "how much of his week goes to hiring",
                     "what share of the code does Claude write", "自分の時間のどれくらいをマネジメントに使っている？"):
        assert asked_kinds(question) == {"share"}, question
    share = frozenset({"share"})
    assert gives_kind(share, "I probably spend a third, maybe 40%, of my time on management")
    assert gives_kind(share, "半分くらいはコードを書いている") and gives_kind(share, "3分の1ほど")
    assert not gives_kind(share, "we grew from 300 to 800 people")
    # "how much do AI tools speed us up" asks how much, not how much of something.
    assert asked_kinds("how much do AI coding tools speed up Anthropic's work?") == frozenset()


def test_most_questions_ask_for_no_kind_and_no_passage_gets_a_bonus_then() -> None:
    assert asked_kinds("what did Dario say about talent density?") == frozenset()
    assert asked_kinds("what did Dario say about confidence intervals") == frozenset()
    assert not gives_kind(frozenset(), "I'm at 90% on that")
