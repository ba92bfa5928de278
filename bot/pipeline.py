"""The question pipeline, top to bottom: parse → plan → retrieve → score → resolve notes → dedupe →
prefer language → cite.

Each stage is a function of its own module; this one only calls them in order and turns the early
exits (help, warming up, an unknown speaker, an empty topic, nothing found) into answers. A question
that names only a speaker takes a shorter path (`about_speaker`): a sample of their own passages,
what they talk about most, and a page of those passages. What the
stages need to know about the store between ingests comes in as `Knowledge`, built once per ingest
by the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from bot import i18n
from bot import weights as w
from bot.answer_kinds import asked_kinds
from bot.citations import redact_answer, to_citation
from bot.claims import attach_checks, stored_verdicts, transcript_first
from bot.dedupe import DEDUPE_WINDOW, dedupe, prefer_language, translation_keys
from bot.dense import rerank
from bot.embedding import Embedder
from bot.models import Answer, AnswerStatus, Episode, ParsedQuestion
from bot.names import name_units, name_words, unseen_names
from bot.plan import DocFreqs, Plan, plan_tokens, unit_idf, unit_weights
from bot.present import help_text, is_help_request
from bot.query import MAX_QUESTION_CHARS, clean_question, parse_question
from bot.retrieval import retrieve
from bot.scoring import (
    Ranked,
    host_questions,
    note_moments,
    resolve_notes,
    score_hits,
    speaker_passages,
    within_scope,
)
from bot.shows import Scope, ShowDirectory
from bot.speakers import SpeakerDirectory, is_placeholder
from bot.spelling import respelt
from bot.store import Store
from bot.store.fts import Unit, match_all
from bot.suggest import nearest_topics
from bot.text import LATIN_WORD, detect_language, normalize, tokens
from bot.timeline import TIMELINE_PAGE, per_episode, read_timeline, year_span
from bot.topics import (
    AliasTable,
    cjk_compounds,
    one_term,
    person_alternatives,
    speaker_topics,
    telling_terms,
    topic_alternatives,
    topic_units,
)

MAX_LIMIT = 25
# A name in at most this share of the store's passages must be in a passage for it to answer.
REQUIRED_NAME_SHARE: Final = 0.03
# A question naming only a speaker is answered from a sample of their passages this large.
ABOUT_SAMPLE: Final = 1000
# FTS5 lists no rows without a MATCH: function words are indexed, and one of these is in nearly every
# passage of each language, so matching any of them (with the speaker filter) samples a speaker's passages.
_ANY_PASSAGE: Final = " OR ".join(
    f'"{t}"' for t in ("the", "and", "to", "of", "a", "i", "is", "that", "it", "we", "you", "in", "so",
                       "ます", "です", "した", "ない", "いる", "こと", "する", "って", "ある", "よう")
)


@dataclass(frozen=True)
class Knowledge:
    """What answering needs to know about the store, worked out once per ingest rather than per question."""

    speakers: SpeakerDirectory
    shows: ShowDirectory
    aliases: AliasTable
    speaker_ids: Mapping[str, int]
    episodes: Sequence[Episode]
    # Every show's hosts: a host is in every episode of their show.
    hosts: frozenset[str]
    # Lower-cased names of shows whose unlabelled transcripts are interviews.
    interview_shows: frozenset[str]
    # Each speaker's episodes outside commentary shows (where their unlabelled words may be theirs).
    featuring: Mapping[str, tuple[int, ...]]
    segments: int
    topics: Sequence[tuple[str, str]] = field(default=())
    # Configured tokens (Settings.secrets()): blanked from every answer, whatever the notes hold.
    secrets: Sequence[str] = field(default=())
    # The optional dense embedder (bot/dense.py): re-ranks the candidates by meaning when set.
    embedder: Embedder | None = None

    def known_speakers(self) -> list[str]:
        """The people one can ask about (not the unnamed voices of a diarized transcript)."""
        return sorted(name for name in self.speaker_ids if not is_placeholder(name))


@dataclass(frozen=True)
class Question:
    text: str
    speaker: str | None = None
    lang: str | None = None
    limit: int = 3
    offset: int = 0
    # Asked as a timeline (Discord /timeline): `text` is the topic, however it is worded.
    timeline: bool = False


# Questions are cut to this many characters before they are read (query.MAX_QUESTION_CHARS keeps 500 of
# them once cleaned): cleaning 100 KB cost 0.67 s of CPU before the cut. The margin is for whitespace
# and chat markup that cleaning removes.
RAW_QUESTION_CHARS = 4 * MAX_QUESTION_CHARS


async def answer(question: Question, knowledge: Knowledge, store: Store, doc_freqs: DocFreqs, *, ready: bool) -> Answer:
    return redact_answer(await _answer(question, knowledge, store, doc_freqs, ready=ready), knowledge.secrets)


async def _answer(
    question: Question, knowledge: Knowledge, store: Store, doc_freqs: DocFreqs, *, ready: bool
) -> Answer:
    # 1. parse (cut first)
    raw = question.text[:RAW_QUESTION_CHARS]
    lang = i18n.normalize_lang(question.lang) if question.lang else None
    timeline = _timeline_question(raw, question, knowledge, lang)
    if timeline is not None:
        parsed = timeline
    else:
        parsed = parse_question(raw, knowledge.speakers, lang=lang, speaker=question.speaker, shows=knowledge.shows)
    language = lang or parsed.language
    base = Answer(question=parsed.text, speaker=parsed.speaker, topic=parsed.topic, language=language,
                  offset=question.offset, show=parsed.show if parsed.show_is_subject else None)
    if is_help_request(parsed.text):
        return base.model_copy(update={"status": AnswerStatus.HELP, "message": help_text(language)})
    if not ready:
        return base.model_copy(update={"status": AnswerStatus.WARMING_UP, "message": i18n.t("warming_up", language)})
    if parsed.unknown_speaker and not parsed.speaker:
        return _unknown_speaker(base, parsed, knowledge, language)
    if timeline is not None:
        return await _timeline(base, parsed, language, knowledge, store, doc_freqs, question)
    if parsed.speaker and not parsed.topic and not parsed.show_is_subject:
        return await about_speaker(base, parsed.speaker, knowledge, store, doc_freqs, question)

    # 2. plan
    plan = await make_plan(parsed, language, knowledge, doc_freqs, limit=question.limit, offset=question.offset)
    plan = await respelt(plan, store, doc_freqs, knowledge.segments)
    if not plan.alternatives:
        return await _no_topic(base, parsed, language, knowledge, store, doc_freqs, question)
    unseen = await unseen_names(plan.names, plan.doc_freq, store)
    if unseen:
        return _not_found(base, parsed, knowledge, language, unseen=unseen)
    # Two stored words written as one term that no passage holds together are a term the store lacks:
    # "time travel" is not answered by travelling the world, 都市の人口密度 not by talent density.
    apart = [pair for pair in plan.terms_of_two if not await store.holds_together(pair, gap=w.RUN_GAP_TOKENS)]
    if apart:
        plan = replace(plan, apart=frozenset(option for pair in apart for unit in pair for option in unit))
    if plan.unseen_share() >= w.UNSEEN_TOPIC_SHARE:
        # Most of what was asked about is in words no passage holds: what the rest matches is not it.
        return _not_found(base, parsed, knowledge, language)

    # 3. retrieve
    if len(plan.alternatives[0]) > 2:
        # Whether some passage, anyone's, holds the whole topic as asked (one query, stopping at the first).
        held = await store.search(match_all(plan.alternatives[:1]), limit=1, exact=False)
        plan = replace(plan, whole_held=bool(held))
    hits = await retrieve(store, plan)
    # 4. score (and, with an embedder, by meaning too)
    scored = score_hits(hits, plan)
    if parsed.show_is_subject:
        scored = within_scope(scored, plan)
    if knowledge.embedder is not None:
        scored = await rerank(scored, parsed.topic, knowledge.embedder, store)
    # 5. resolve notes to the transcript playing at their time
    resolved = await _resolve(scored, store, plan)
    # 6. one entry per passage (the transcript's own words for a moment a note quotes too)
    ranked, total = dedupe(transcript_first(resolved, await stored_verdicts(store, resolved[:DEDUPE_WINDOW])),
                           language)
    if not ranked:
        return _not_found(base, parsed, knowledge, language)
    # 7. the page, each entry in the asker's language where a translation has it
    page = ranked[plan.offset : plan.offset + plan.limit]
    page = prefer_language(page, await store.translations(translation_keys(page, language), language), language)
    # 8. cite
    citations = [to_citation(item, plan.tokens) for item in page]
    citations = knowledge.shows.label_commentary(citations, [r.hit for r in page], parsed.topic, knowledge.speakers)
    citations = await attach_checks(store, page, citations)
    return base.model_copy(update={"citations": citations, "total": total})


async def _resolve(scored: list[Ranked], store: Store, plan: Plan) -> list[Ranked]:
    quotes = await store.quotes_at(note_moments(scored))
    return resolve_notes(scored, quotes, plan, await store.quotes_after(host_questions(quotes, plan)))


async def make_plan(
    parsed: ParsedQuestion, language: str, knowledge: Knowledge, doc_freqs: DocFreqs, *, limit: int, offset: int
) -> Plan:
    """Everything the later stages need, complete: they read the plan and never change it."""
    speaker = parsed.speaker
    alternatives = topic_alternatives(parsed.topic, knowledge.aliases)
    alternatives += person_alternatives(parsed.topic, parsed.speaker, knowledge.speakers, knowledge.aliases)
    names = _topic_names(parsed, knowledge)
    doc_freq, idf = await unit_weights([*alternatives, [unit for _, unit in names]], doc_freqs, knowledge.segments)
    # A name few passages hold says what the question is about: a passage without it is not an answer.
    required = frozenset(
        unit for _, unit in names if 0 < doc_freq[unit] <= REQUIRED_NAME_SHARE * knowledge.segments
    )
    people = _people_units(parsed.topic, knowledge)
    scope = None
    if parsed.show is not None or parsed.episode_number is not None:
        wanted = Scope(show=parsed.show, number=parsed.episode_number)
        scope = frozenset(e.id for e in knowledge.episodes if e.id is not None and knowledge.shows.holds(wanted, e))
    return Plan(
        topic=parsed.topic, speaker=speaker, language=language, alternatives=alternatives, idf=idf, doc_freq=doc_freq,
        speaker_forms=knowledge.speakers.forms_of(speaker) if speaker else (),
        speaker_id=knowledge.speaker_ids.get(speaker) if speaker else None,
        speaker_episodes=knowledge.featuring.get(speaker, ()) if speaker else (),
        speaker_is_host=speaker in knowledge.hosts, hosts=knowledge.hosts, interview_shows=knowledge.interview_shows,
        scope=scope,
        offset=max(0, offset), limit=max(1, min(limit, MAX_LIMIT)), tokens=plan_tokens(alternatives),
        names=tuple(names), required=required, people=people,
        named_person=_named_person(parsed.topic, speaker, knowledge.speakers),
        terms_of_two=_terms_of_two(parsed.topic, knowledge.aliases, alternatives, doc_freq, people),
        answer_kinds=asked_kinds(parsed.text),
    )


# Terms of two words looked up in the store for a topic (one query each).
_TERMS_CHECKED: Final = 2


def _terms_of_two(
    topic: str, aliases: AliasTable, alternatives: Sequence[Sequence[Unit]], doc_freq: Mapping[Unit, int],
    people: frozenset[Unit],
) -> tuple[tuple[Unit, Unit], ...]:
    """Two stored words the topic writes as one term: the whole topic ("time travel", 人口密度), or a
    Japanese compound inside a longer one (都市の人口密度). A word no passage holds is the unseen-words
    rule's, and a person's or show's name is found by a label, not by its words."""
    if not alternatives:
        return ()
    whole = one_term(topic, alternatives[0])
    pairs = [whole] if whole is not None else cjk_compounds(topic, aliases) if len(alternatives[0]) > 2 else []
    kept = [pair for pair in pairs if all(doc_freq.get(u, 0) > 0 and u not in people for u in pair)]
    return tuple(kept[:_TERMS_CHECKED])


def _named_person(topic: str, asked: str | None, speakers: SpeakerDirectory) -> tuple[str, Unit] | None:
    """The person whose thing the topic is ("Sam Altman's essay", "サム・アルトマンのエッセイ"), other than the
    one asked, with every way passages write them. A person named otherwise ("since his last Dwarkesh
    interview", "when Dwarkesh called diffusion a cope") is who else was there, not what the passage is about."""
    found = speakers.find(topic)
    if found is None or found[0] == asked:
        return None
    folded = normalize(topic).lower()
    # (A Latin name's match takes its 's with it.)
    if not (re.search(r"['’]s$", folded[found[1] : found[2]]) or re.match(r"(?:['’]s\b|の)", folded[found[2] :])):
        return None
    options = dict.fromkeys(spelling for form in speakers.forms_of(found[0]) if (spelling := tuple(tokens(form))))
    return (found[0], tuple(options)) if options else None


async def _no_topic(
    base: Answer, parsed: ParsedQuestion, language: str, knowledge: Knowledge, store: Store, doc_freqs: DocFreqs,
    question: Question,
) -> Answer:
    """A question whose topic held no word to search for."""
    if parsed.speaker and not parsed.show_is_subject:
        # Nothing but framing is left of the topic (レックスの番組のダリオの話): a question about the person.
        return await about_speaker(base, parsed.speaker, knowledge, store, doc_freqs, question)
    return base.model_copy(update={"status": AnswerStatus.EMPTY, "message": i18n.t("empty_question", language)})


async def about_speaker(
    base: Answer, speaker: str, knowledge: Knowledge, store: Store, doc_freqs: DocFreqs, question: Question
) -> Answer:
    """A question that is only a name ("Amanda Askell", "アモデイ"): what they talk about most, from
    the headings and telling words of their own passages, and a few of those passages."""
    language = base.language
    speaker_id = knowledge.speaker_ids.get(speaker)
    found = await store.search(_ANY_PASSAGE, limit=ABOUT_SAMPLE, speaker_ids=[speaker_id], exact=False) if (
        speaker_id is not None
    ) else []
    own = [hit for hit in await store.hits(found) if hit.speaker == speaker]
    if not own:
        return base.model_copy(update={
            "status": AnswerStatus.NOT_FOUND, "message": i18n.t("no_passages_of", language, speaker=speaker),
        })
    forms = knowledge.speakers.forms_of(speaker)
    freq = await doc_freqs.of(telling_terms(own, forms))
    idf = {t: unit_idf(n, knowledge.segments) for t, n in freq.items()}
    topics = speaker_topics(own, forms, language, idf)
    ranked, total = dedupe(speaker_passages(own, speaker, language, topics), language)
    offset, limit = max(0, question.offset), max(1, min(question.limit, MAX_LIMIT))
    page = ranked[offset : offset + limit]
    page = prefer_language(page, await store.translations(translation_keys(page, language), language), language)
    shown = frozenset(t for topic in topics for t in tokens(topic))
    citations = await attach_checks(store, page, [to_citation(item, shown) for item in page])
    return base.model_copy(update={"citations": citations, "total": total, "about_speaker": True, "topics": topics})


def _unknown_speaker(base: Answer, parsed: ParsedQuestion, knowledge: Knowledge, language: str) -> Answer:
    known = knowledge.known_speakers()
    return base.model_copy(update={
        "status": AnswerStatus.UNKNOWN_SPEAKER,
        "speaker": None,
        "known_speakers": known,
        "message": i18n.t(
            "unknown_speaker", language, name=parsed.unknown_speaker, speakers=i18n.join_list(known[:12], language)
        ),
    })


def _people_units(topic: str, knowledge: Knowledge) -> frozenset[Unit]:
    """The units of the topic's words that are part of a person's or a show's name.

    Japanese writes a name straight against the words around it (ダリオの子供時代), so names are also
    looked for inside the text, not only word by word.
    """
    words = [
        word for word in LATIN_WORD.findall(topic)
        if any(
            knowledge.speakers.names_word(form) or knowledge.shows.names_word(form)
            # A possessive typed without its apostrophe, as chat does ("darios essay").
            for form in (word, *([word[:-1]] if len(word) > 3 and word[-1] in "sS" else []))
        )
    ]
    rest = normalize(topic).lower()
    for _ in range(_NAMES_IN_A_TOPIC):
        found = knowledge.speakers.find(rest)
        if found is None:
            break
        name, start, end = found
        # As written, and as the person alternatives write it ("Dario Amodei", "Dario", "Amodei").
        words.extend([rest[start:end], *knowledge.speakers.forms_of(name)])
        rest = f"{rest[:start]} {rest[end:]}"
    return frozenset(unit for word in words for unit in topic_units(word, knowledge.aliases))


# More people than this named in one topic are not looked for.
_NAMES_IN_A_TOPIC: Final = 3


def _topic_names(parsed: ParsedQuestion, knowledge: Knowledge) -> list[tuple[str, Unit]]:
    """The names the topic asks about, with their units; not people or shows the directories know."""
    words = [
        word for word in name_words(parsed.topic, parsed.text, knowledge.aliases)
        if not knowledge.speakers.names_word(word) and not knowledge.shows.names_word(word)
    ]
    return name_units(words, knowledge.aliases)


def _not_found(
    base: Answer, parsed: ParsedQuestion, knowledge: Knowledge, language: str, *, unseen: Sequence[str] = ()
) -> Answer:
    suggestions = nearest_topics(parsed.topic, list(knowledge.topics), language)
    if parsed.speaker:
        message = i18n.t("not_found_speaker", language, speaker=parsed.speaker, topic=parsed.topic)
    else:
        message = i18n.t("not_found", language, topic=parsed.topic)
    if unseen:
        quoted = [f"“{name}”" if language != "ja" else f"「{name}」" for name in unseen]
        message += " " + i18n.t("never_mentioned", language, names=i18n.join_list(quoted, language))
    if suggestions:
        message += " " + i18n.t("nearest_topics", language, topics=i18n.join_list(suggestions, language))
    return base.model_copy(update={"status": AnswerStatus.NOT_FOUND, "message": message, "suggestions": suggestions})


def _timeline_question(
    raw: str, question: Question, knowledge: Knowledge, lang: str | None
) -> ParsedQuestion | None:
    """A timeline question read as who and what, or None when the question asks for no timeline."""
    text = clean_question(raw)
    asked = read_timeline(text)
    if asked is None and not question.timeline:
        return None
    topic = asked.topic if asked is not None else text
    named = asked.speaker if asked is not None else None
    if named is not None and not question.speaker:
        found = knowledge.speakers.find(named)
        # "Dario's", "アモデイ" and "Dario Amodei" are one person; a name nobody knows is reported as asked,
        # unless the words before "on" need not be a name ("energy prices on Discord over time").
        resolved = knowledge.speakers.resolve(named) or (found[0] if found else None)
        if resolved is None and asked is not None and asked.loose:
            topic, named = f"{named} {topic}", None
        else:
            named = resolved or named
    who = question.speaker or named
    language = lang or detect_language(text)
    parsed = parse_question(topic, knowledge.speakers, lang=language if language in ("en", "ja") else None,
                            speaker=who, shows=knowledge.shows)
    return parsed.model_copy(update={"text": text})


async def _timeline(
    base: Answer, parsed: ParsedQuestion, language: str, knowledge: Knowledge, store: Store, doc_freqs: DocFreqs,
    question: Question,
) -> Answer:
    """The best passage per episode for the speaker and topic, oldest episode first: the same
    retrieval, scoring, note resolution and de-duplication as any answer, then one entry per episode."""
    base = base.model_copy(update={"timeline": True})
    if not parsed.topic:
        return base.model_copy(update={"status": AnswerStatus.EMPTY, "message": i18n.t("empty_question", language)})
    plan = await make_plan(parsed, language, knowledge, doc_freqs, limit=MAX_LIMIT, offset=0)
    if not plan.alternatives:
        return await _no_topic(base, parsed, language, knowledge, store, doc_freqs, question)
    scored = score_hits(await retrieve(store, plan), plan)
    if knowledge.embedder is not None:
        scored = await rerank(scored, parsed.topic, knowledge.embedder, store)
    resolved = await _resolve(scored, store, plan)
    ranked, _ = dedupe(transcript_first(resolved, await stored_verdicts(store, resolved[:DEDUPE_WINDOW])), language)
    entries = per_episode(ranked, parsed.speaker)
    if not entries:
        return _not_found(base, parsed, knowledge, language)
    offset, limit = max(0, question.offset), max(TIMELINE_PAGE, min(question.limit, MAX_LIMIT))
    page = entries[offset : offset + limit]
    page = prefer_language(page, await store.translations(translation_keys(page, language), language), language)
    citations = [
        to_citation(item, plan.tokens).model_copy(update={"date": item.hit.episode.date if item.hit.episode else None})
        for item in page
    ]
    citations = knowledge.shows.label_commentary(citations, [r.hit for r in page], parsed.topic, knowledge.speakers)
    citations = await attach_checks(store, page, citations)
    return base.model_copy(update={"citations": citations, "total": len(entries), "years": year_span(entries)})
