"""Scoring is pure: the same hits and plan give the same ranking, and attribution stays honest."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from bot import weights as w
from bot.models import Episode
from bot.plan import Plan, plan_tokens
from bot.scoring import attribution, host_questions, resolve_notes, score_hits
from bot.store import Hit
from bot.store.fts import Unit

EPISODE = Episode(id=1, show="Example Podcast", number=7, speakers=["Hannah Host", "Dario Amodei"])
TALENT: tuple[Unit, ...] = ((("talent",),), (("densiti",),))


def _hit(id_: int, text: str, *, speaker: str | None = None, kind: str = "quote", start: float | None = 10.0,
         verified: bool = True, bm25: float = -1.0, lang: str = "en", source_format: str = "note") -> Hit:
    terms = " ".join(text.lower().replace("density", "densiti").split())
    return Hit(id=id_, bm25=bm25, text=text, terms=terms, lang=lang, kind=kind, start=start, end=None,
               speaker=speaker, speaker_verified=verified, passage_key=None, heading=None, source_path="n.md",
               source_format=source_format, group_key="g", episode_id=1, episode=EPISODE)


def _plan(speaker: str | None = None, **changes: object) -> Plan:
    plan = Plan(topic="talent density", speaker=speaker, language="en", alternatives=(TALENT,),
                idf={u: 1.0 for u in TALENT}, doc_freq={u: 1 for u in TALENT},
                speaker_forms=("amodei", "dario") if speaker else (), tokens=plan_tokens((TALENT,)),
                interview_shows=frozenset({"example podcast"}))
    return replace(plan, **changes)  # type: ignore[arg-type]


def test_a_plan_cannot_be_changed_once_built() -> None:
    with pytest.raises(FrozenInstanceError):
        _plan().topic = "other"  # type: ignore[misc]


def test_someone_elses_words_are_never_shown_as_the_asked_speakers() -> None:
    host = _hit(1, "talent density matters", speaker="Hannah Host")
    assert attribution(host, _plan("Dario Amodei")) == ("Hannah Host", True, 0.0)
    assert score_hits([host], _plan("Dario Amodei")) == []


def test_unlabelled_interview_words_are_the_guests_but_unverified_and_questions_are_the_hosts() -> None:
    answer = _hit(1, "Talent density beats talent mass.")
    question = _hit(2, "Why does talent density matter?")
    plan = _plan("Dario Amodei")
    assert attribution(answer, plan)[:2] == ("Dario Amodei", False)
    assert attribution(question, plan)[0] is None
    ranked = score_hits([question, answer], plan)
    assert [r.hit.id for r in ranked] == [1, 2]  # the answer before the host's question


def test_a_note_about_the_speaker_counts_but_never_as_their_words() -> None:
    note = _hit(1, "Amodei explained talent density", kind="note")
    shown, verified, weight = attribution(note, _plan("Dario Amodei"))
    assert shown is None and not verified and 0 < weight < 1
    # A moment of an episode they were a guest on counts, named or not; the episode's blurb that does not name
    # them (the host's biography) is not about them.
    moment = _hit(2, "the host asks about talent density", kind="note", start=30.0)
    blurb = _hit(3, "The host is a research scientist known for talent density", kind="note", start=None)
    assert attribution(moment, _plan("Dario Amodei"))[2] > 0
    assert attribution(blurb, _plan("Dario Amodei"))[2] == 0.0
    assert attribution(replace(blurb, text="Amodei and the host on talent density"), _plan("Dario Amodei"))[2] > 0


def test_scoring_is_deterministic_and_prefers_verbatim_words() -> None:
    quote = _hit(1, "talent density wins", speaker="Dario Amodei", source_format="transcript")
    note = _hit(2, "talent density wins", kind="note")
    plan = _plan()
    first, again = score_hits([note, quote], plan), score_hits([quote, note], plan)
    assert first == again and first[0].hit.id == 1


def test_a_topic_word_missing_from_a_passage_can_rule_it_out() -> None:
    assert score_hits([_hit(1, "nothing about it at all")], _plan()) == []


def test_a_timestamped_note_resolves_to_the_verbatim_words_playing_then() -> None:
    note = _hit(1, "Amodei on talent density", kind="note", start=100.0)
    quote = _hit(9, "Talent density beats talent mass.", speaker="Dario Amodei", start=95.0)
    plan = _plan("Dario Amodei")
    ranked = score_hits([note], plan)
    resolved = resolve_notes(ranked, {(1, 100.0): quote}, plan)
    assert [r.hit.id for r in resolved] == [9] and resolved[0].score > ranked[0].score
    far = replace(quote, start=-200.0)
    assert [r.hit.id for r in resolve_notes(ranked, {(1, 100.0): far}, plan)] == [1]


def test_a_note_at_the_hosts_question_resolves_to_the_guests_answer_after_it() -> None:
    """The note's time marks the host's question that opens the topic; asked about the guest, the answer is shown."""
    note = _hit(1, "Amodei on talent density", kind="note", start=100.0)
    question = _hit(8, "Why does talent density matter so much?", start=98.0)
    answer = _hit(9, "It beats talent mass every time.", start=130.0)
    plan = _plan("Dario Amodei")
    ranked = score_hits([note], plan)
    quotes = {(1, 100.0): question}
    assert host_questions(quotes, plan) == [(1, 98.0)]
    resolved = resolve_notes(ranked, quotes, plan, {(1, 98.0): answer})
    assert [r.hit.id for r in resolved] == [9] and resolved[0].attributed_to == "Dario Amodei"
    # Nobody asked for: the question is still the host's turn, and the answer after it is what the note is about.
    assert host_questions(quotes, _plan()) == [(1, 98.0)]
    anyone = resolve_notes(score_hits([note], _plan()), quotes, _plan(), {(1, 98.0): answer})
    assert [(r.hit.id, r.attributed_to) for r in anyone] == [(9, None)]
    # An answer further from the note than a resolved passage may be is not the note's.
    late = replace(answer, start=100.0 + 181)
    assert [r.hit.id for r in resolve_notes(ranked, quotes, plan, {(1, 98.0): late})] == [8]


def test_unlabelled_words_of_an_interview_with_two_guests_are_nobodys() -> None:
    panel = Episode(id=1, show="Example Podcast", speakers=["Hannah Host", "Dario Amodei", "Chris Olah"])
    answer = replace(_hit(1, "Talent density beats talent mass."), episode=panel)
    plan = _plan("Dario Amodei", hosts=frozenset({"Hannah Host"}))
    shown, verified, weight = attribution(answer, plan)
    assert shown is None and not verified and 0 < weight < 1
    # One guest beside the host: the unlabelled answer is theirs, unverified, whether or not the host is known.
    solo = replace(answer, episode=panel.model_copy(update={"speakers": ["Hannah Host", "Dario Amodei"]}))
    assert attribution(solo, plan)[:2] == ("Dario Amodei", False)
    assert attribution(solo, _plan("Dario Amodei"))[:2] == ("Dario Amodei", False)
    # No host known and three people: still more than one guest.
    assert attribution(answer, _plan("Dario Amodei"))[0] is None


def test_a_note_without_a_time_ranks_below_a_passage_that_links_to_the_moment() -> None:
    untimed = _hit(1, "talent density wins", kind="note", start=None)
    timed = _hit(2, "talent density wins", kind="note", start=40.0)
    ranked = score_hits([untimed, timed], _plan())
    assert [r.hit.id for r in ranked] == [2, 1]


def test_with_nobody_asked_an_unlabelled_question_of_an_interview_ranks_below_the_answer() -> None:
    """The host asks "is talent density overrated?" and a labelled guest answers: the answer first, even
    though the question holds the topic as well; a commentator's rhetorical question is their own words."""
    question = _hit(1, "Lots of talk about talent density lately. Is talent density overrated?", bm25=-2.0)
    answer = _hit(2, "I don't think talent density is overrated.", speaker="Dario Amodei", bm25=-1.0)
    assert [r.hit.id for r in score_hits([question, answer], _plan())] == [2, 1]
    monologue = replace(question, episode=EPISODE.model_copy(update={"show": "Example Commentary"}))
    assert attribution(monologue, _plan())[2] == attribution(replace(question, text="talent density."), _plan())[2]


def test_a_term_of_several_words_matches_only_where_its_words_stand_together() -> None:
    """ベーシックインカム is "basic income": a passage saying "basically" in one sentence and "income" in
    another is not about it; "basic income", or a stop word between ("country of geniuses"), is."""
    term: Unit = (("ベー", "ーシ", "シッ", "ック", "クイ", "イン", "ンカ", "カム"), ("basic", "incom"))
    alt = (term,)
    plan = _plan(alternatives=(alt,), idf={term: 1.0}, doc_freq={term: 1}, tokens=plan_tokens((alt,)))
    scattered = replace(_hit(1, "x"), terms="we basic agre on that and incom is anoth matter")
    together = replace(_hit(2, "x"), terms="a basic incom for everyon")
    assert [r.hit.id for r in score_hits([scattered, together], plan)] == [2]
    gap: Unit = (("countri", "genius"),)
    plan = _plan(alternatives=((gap,),), idf={gap: 1.0}, doc_freq={gap: 1}, tokens=plan_tokens(((gap,),)))
    near = replace(_hit(3, "x"), terms="a countri of genius in a datacent")
    far = replace(_hit(4, "x"), terms="the countri has mani smart peopl and one genius")
    assert [r.hit.id for r in score_hits([near, far], plan)] == [3]
    # In any order: "research on interpretability" is interpretability research.
    run: Unit = (("interpret", "research"),)
    plan = _plan(alternatives=((run,),), idf={run: 1.0}, doc_freq={run: 1}, tokens=plan_tokens(((run,),)))
    turned = replace(_hit(5, "x"), terms="more research on interpret would help")
    apart = replace(_hit(6, "x"), terms="interpret is hard and so we do less of it than other research")
    assert [r.hit.id for r in score_hits([turned, apart], plan)] == [5]


def test_a_japanese_question_is_not_answered_without_its_most_telling_word_and_little_else() -> None:
    """電池のエネルギー密度 (battery energy density): a passage on talent density holds only "density", the
    least telling of the three, and is not about it; an English question keeps a passage holding two of its
    words without the rarest (there the rarest word is often the asker's own paraphrase)."""
    battery, energy, density = (("電池",), ("batteri",)), (("energi",),), (("densiti",),)
    alt = (battery, energy, density)
    idf = {battery: 6.0, energy: 3.0, density: 2.0}
    plan = _plan(alternatives=(alt,), idf=idf, doc_freq={u: 1 for u in alt}, tokens=plan_tokens((alt,)),
                 language="ja")
    talent = replace(_hit(1, "x"), terms="talent densiti win")
    both = replace(_hit(2, "x"), terms="energi densiti of talent")
    battery_only = replace(_hit(3, "x"), terms="a batteri of test")
    assert [r.hit.id for r in score_hits([talent, both, battery_only], plan)] == [3, 2]
    rarer = {**idf, battery: 12.0}
    assert score_hits([both], replace(plan, idf=rarer)) == []
    assert [r.hit.id for r in score_hits([both], replace(plan, idf=rarer, language="en"))] == [2]
    # A person's or show's name is not the telling word: passages name speakers by their labels.
    show: Unit = (("ture",),)
    named = (show, energy, density)
    plan = replace(plan, alternatives=(named,), idf={show: 9.0, energy: 3.0, density: 2.0},
                   tokens=plan_tokens((named,)), people=frozenset({show}))
    assert [r.hit.id for r in score_hits([both], plan)] == [2]
    # Nor is a word no passage holds (見立て, "take"): it is the unseen-words rule's to judge.
    take: Unit = (("見立",),)
    unheld = (take, energy, density)
    plan = replace(plan, alternatives=(unheld,), idf={take: 9.0, energy: 3.0, density: 2.0},
                   doc_freq={take: 0, energy: 1, density: 1}, tokens=plan_tokens((unheld,)), people=frozenset())
    assert [r.hit.id for r in score_hits([both], plan)] == [2]


def test_a_topic_about_somebodys_thing_needs_a_passage_that_names_them() -> None:
    """"Sam Altman's essay": a passage on an essay that names nobody is about somebody else's; one naming
    him, his own words, or one from an episode whose title names him is about his."""
    person: Unit = (("altman",), ("sam",), ("sam", "altman"))
    plan = _plan(named_person=("Sam Altman", person))
    other = _hit(1, "talent density in the essay")
    naming = _hit(2, "Altman wrote about talent density")
    his = _hit(3, "talent density matters", speaker="Sam Altman")
    titled = replace(_hit(4, "talent density, again"), episode=EPISODE.model_copy(update={"title": "Sam Altman's essay"}))
    assert sorted(r.hit.id for r in score_hits([other, naming, his, titled], plan)) == [2, 3, 4]


def test_the_topics_one_rare_word_outranks_two_everyday_ones_repeated() -> None:
    # "worries that betting big could bankrupt the company": a passage repeating "big" and "company" matches
    # more often, but the one holding "bankrupt" is the answer.
    topic: tuple[Unit, ...] = ((("big",),), (("compani",),), (("bankrupt",),), (("worri",),))
    idf = {topic[0]: 3.0, topic[1]: 2.0, topic[2]: 5.0, topic[3]: 4.5}
    plan = _plan(alternatives=(topic,), idf=idf, doc_freq={u: 1 for u in topic}, tokens=plan_tokens((topic,)))
    hub = _hit(1, "big compani big compani big compani", bm25=-2.0)
    answer = _hit(2, "we could go bankrupt", bm25=-1.8)
    ranked = score_hits([hub, answer], plan)
    assert [r.hit.id for r in ranked] == [2, 1]


def test_with_nobody_asked_a_labelled_hosts_question_ranks_below_the_answer() -> None:
    question = _hit(1, "You said talent density beats talent mass, so can you explain that?", speaker="Hannah Host",
                    bm25=-2.0)
    answer = _hit(2, "I don't think talent density is overrated.", speaker="Dario Amodei", bm25=-1.0)
    plan = _plan(hosts=frozenset({"Hannah Host"}))
    assert [r.hit.id for r in score_hits([question, answer], plan)] == [2, 1]
    # Asked for by name, the host's question is his own words; a guest's question is not a host's turn.
    assert attribution(question, _plan("Hannah Host", hosts=frozenset({"Hannah Host"})))[2] == w.ASKED_SPEAKER
    assert attribution(replace(question, speaker="Dario Amodei"), plan)[2] == w.ANY_SPEAKER


def test_a_topic_mostly_unknown_to_the_store_is_not_answered_by_one_shared_word() -> None:
    """"baking sourdough bread from scratch": the store holds "bake" and "scratch" but neither "sourdough"
    nor "bread"; a passage on building models from scratch shares one word with it, which is not enough."""
    topic: tuple[Unit, ...] = ((("bake",),), (("sourdough",),), (("bread",),), (("scratch",),))
    idf = {topic[0]: 5.0, topic[1]: 7.0, topic[2]: 7.0, topic[3]: 4.5}
    doc_freq = {topic[0]: 1, topic[1]: 0, topic[2]: 0, topic[3]: 5}
    plan = _plan(alternatives=(topic,), idf=idf, doc_freq=doc_freq, tokens=plan_tokens((topic,)))
    one_word = _hit(1, "implement the models from scratch")
    two_words = _hit(2, "I bake everything from scratch")
    assert [r.hit.id for r in score_hits([one_word, two_words], plan)] == [2]
    # Japanese questions reach English passages through translations a passage may simply not use.
    baking = _hit(3, "we bake")
    assert score_hits([baking], plan) == []
    assert [r.hit.id for r in score_hits([baking], replace(plan, language="ja"))] == [3]


def test_a_topic_the_store_holds_whole_is_not_answered_by_one_everyday_word_of_it() -> None:
    """"Raschka on a country of geniuses in a data center": Dario's passages hold the phrase; Raschka's
    passage on data is not about it. Holding the topic's most telling word still counts."""
    topic: tuple[Unit, ...] = ((("countri",),), (("genius",),), (("data",),), (("center",),))
    idf = {topic[0]: 2.8, topic[1]: 3.0, topic[2]: 2.5, topic[3]: 2.9}
    plan = _plan(alternatives=(topic,), idf=idf, doc_freq={u: 30 for u in topic}, tokens=plan_tokens((topic,)))
    data = _hit(1, "data quality matters enormously")
    geniuses = _hit(2, "a genius will matter")
    assert [r.hit.id for r in score_hits([data, geniuses], replace(plan, whole_held=True))] == [2]
    assert {r.hit.id for r in score_hits([data, geniuses], plan)} == {1, 2}


def test_one_everyday_word_of_an_english_topic_is_not_its_answer_when_its_telling_words_are_missing() -> None:
    """"Chris Olah on convolutional networks for image recognition": the store holds "image" and "recognition"
    once each; his passage on networks holds neither and is not about it. A word nearly as telling as the
    topic's most telling one still answers."""
    topic: tuple[Unit, ...] = ((("convolut",),), (("network",),), (("imag",),), (("recognit",),))
    idf = {topic[0]: 6.9, topic[1]: 4.1, topic[2]: 5.8, topic[3]: 5.8}
    doc_freq = {topic[0]: 0, topic[1]: 8, topic[2]: 1, topic[3]: 1}
    plan = _plan(alternatives=(topic,), idf=idf, doc_freq=doc_freq, tokens=plan_tokens((topic,)))
    networks = replace(_hit(1, "x"), terms="network are shadow of a larger network")
    images = replace(_hit(2, "x"), terms="an imag of the world")
    assert [r.hit.id for r in score_hits([networks, images], plan)] == [2]
    # Nearly as telling (over 0.8 of the most telling word's weight, here "convolutional", which no passage
    # holds): still an answer.
    close = replace(plan, idf={**idf, topic[1]: 5.6})
    assert [r.hit.id for r in score_hits([networks], close)] == [1]
    # Below that, no answer, even when the lone word is nearly as telling as every word the store holds.
    stored_only = replace(plan, idf={**idf, topic[1]: 5.0, topic[2]: 5.1, topic[3]: 5.1})
    assert [r.hit.id for r in score_hits([networks], stored_only)] == []
    # A person's name counts neither way: "Olah" is found by the label, not by the words.
    named = replace(plan, idf={**idf, topic[0]: 3.0}, doc_freq={**doc_freq, topic[0]: 20},
                    people=frozenset({topic[2], topic[3]}))
    assert [r.hit.id for r in score_hits([networks], named)] == [1]


def test_a_question_asking_how_likely_prefers_the_passage_with_a_figure() -> None:
    sure = _hit(1, "talent density, I'm at 90% on that")
    vague = _hit(2, "talent density, we would know it", bm25=-1.2)
    assert [r.hit.id for r in score_hits([sure, vague], _plan())] == [2, 1]
    assert [r.hit.id for r in score_hits([sure, vague], _plan(answer_kinds=frozenset({"likelihood"})))] == [1, 2]
