"""The question pipeline, top to bottom: parse → plan → retrieve → score → resolve notes → dedupe →
prefer language → cite.

Each stage is a function of its own module; this one only calls them in order and turns the early
exits (help, warming up, an unknown speaker, an empty topic, nothing found) into answers. What the
stages need to know about the store between ingests comes in as `Knowledge`, built once per ingest
by the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot import i18n
from bot.citations import redact_answer, to_citation
from bot.dedupe import dedupe, prefer_language, translation_keys
from bot.models import Answer, AnswerStatus, Episode, ParsedQuestion
from bot.plan import DocFreqs, Plan, plan_tokens, unit_weights
from bot.present import help_text, is_help_request
from bot.query import MAX_QUESTION_CHARS, parse_question
from bot.retrieval import retrieve
from bot.scoring import note_moments, resolve_notes, score_hits
from bot.shows import Scope, ShowDirectory
from bot.speakers import SpeakerDirectory
from bot.store import Store
from bot.suggest import nearest_topics
from bot.topics import AliasTable, topic_alternatives

MAX_LIMIT = 25


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

    def known_speakers(self) -> list[str]:
        return sorted(self.speaker_ids)


@dataclass(frozen=True)
class Question:
    text: str
    speaker: str | None = None
    lang: str | None = None
    limit: int = 3
    offset: int = 0


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
    parsed = parse_question(raw, knowledge.speakers, lang=lang, speaker=question.speaker, shows=knowledge.shows)
    language = lang or parsed.language
    base = Answer(question=parsed.text, speaker=parsed.speaker, topic=parsed.topic, language=language,
                  offset=question.offset)
    if is_help_request(raw):
        return base.model_copy(update={"status": AnswerStatus.HELP, "message": help_text(language)})
    if not ready:
        return base.model_copy(update={"status": AnswerStatus.WARMING_UP, "message": i18n.t("warming_up", language)})
    if parsed.unknown_speaker and not parsed.speaker:
        return _unknown_speaker(base, parsed, knowledge, language)

    # 2. plan
    plan = await make_plan(parsed, language, knowledge, doc_freqs, limit=question.limit, offset=question.offset)
    if not plan.alternatives:
        return base.model_copy(update={"status": AnswerStatus.EMPTY, "message": i18n.t("empty_question", language)})

    # 3. retrieve
    hits = await retrieve(store, plan)
    # 4. score
    scored = score_hits(hits, plan)
    # 5. resolve notes to the transcript playing at their time
    resolved = resolve_notes(scored, await store.quotes_at(note_moments(scored)), plan)
    # 6. one entry per passage
    ranked, total = dedupe(resolved, language)
    if not ranked:
        return _not_found(base, parsed, knowledge, language)
    # 7. the page, each entry in the asker's language where a translation has it
    page = ranked[plan.offset : plan.offset + plan.limit]
    page = prefer_language(page, await store.translations(translation_keys(page, language), language), language)
    # 8. cite
    citations = [to_citation(item, plan.tokens) for item in page]
    return base.model_copy(update={"citations": citations, "total": total})


async def make_plan(
    parsed: ParsedQuestion, language: str, knowledge: Knowledge, doc_freqs: DocFreqs, *, limit: int, offset: int
) -> Plan:
    """Everything the later stages need, complete: they read the plan and never change it."""
    speaker = parsed.speaker
    alternatives = topic_alternatives(parsed.topic, knowledge.aliases)
    doc_freq, idf = await unit_weights(alternatives, doc_freqs, knowledge.segments)
    scope = None
    if parsed.show is not None or parsed.episode_number is not None:
        wanted = Scope(show=parsed.show, number=parsed.episode_number)
        scope = frozenset(e.id for e in knowledge.episodes if e.id is not None and knowledge.shows.holds(wanted, e))
    return Plan(
        topic=parsed.topic, speaker=speaker, language=language, alternatives=alternatives, idf=idf, doc_freq=doc_freq,
        speaker_forms=knowledge.speakers.forms_of(speaker) if speaker else (),
        speaker_id=knowledge.speaker_ids.get(speaker) if speaker else None,
        speaker_episodes=knowledge.featuring.get(speaker, ()) if speaker else (),
        speaker_is_host=speaker in knowledge.hosts, interview_shows=knowledge.interview_shows, scope=scope,
        offset=max(0, offset), limit=max(1, min(limit, MAX_LIMIT)), tokens=plan_tokens(alternatives),
    )


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


def _not_found(base: Answer, parsed: ParsedQuestion, knowledge: Knowledge, language: str) -> Answer:
    suggestions = nearest_topics(parsed.topic, list(knowledge.topics), language)
    if parsed.speaker:
        message = i18n.t("not_found_speaker", language, speaker=parsed.speaker, topic=parsed.topic)
    else:
        message = i18n.t("not_found", language, topic=parsed.topic)
    if suggestions:
        message += " " + i18n.t("nearest_topics", language, topics=i18n.join_list(suggestions, language))
    return base.model_copy(update={"status": AnswerStatus.NOT_FOUND, "message": message, "suggestions": suggestions})
