"""What an answer shows, decided once for every adapter.

The presenter turns the core's results (an `Answer`, `StoreStats`, an `IngestReport`) into plain,
unescaped text pieces: the header, each citation's who-label and badges, the page label and what
is left, the status sentence, help, the ingest summary. Adapters only escape these for their
platform and lay them out (embeds, Block Kit, terminal lines), so the same answer shows the same
facts on Discord, Slack and the console.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from bot import i18n
from bot.models import (
    AddSourceResult,
    Answer,
    AnswerStatus,
    Citation,
    IngestReport,
    ReloadResult,
    SourceReport,
    Verification,
    VerifiedCitation,
)
from bot.text import cut_at_sentence

# A header quoting a whole pasted paragraph is unreadable; the question itself is shown separately.
TOPIC_MAX: Final = 200

# What a user types to ask how to use the bot (compared case-folded, surrounding punctuation removed).
_HELP_WORDS: Final = frozenset({"help", "?", "ヘルプ", "使い方", "つかいかた", "へるぷ", "usage", "how to use"})


def is_help_request(question: str) -> bool:
    """An empty message, or one that only asks for help ("help", "ヘルプ", "使い方", "help?")."""
    text = " ".join(question.split()).casefold()
    if not text:
        return True
    return text in _HELP_WORDS or text.rstrip("?？!！。.") in _HELP_WORDS


def help_text(lang: str) -> str:
    return i18n.t("help", lang)


class Badge(StrEnum):
    """Facts about a citation that every adapter shows beside it."""

    VERBATIM = "verbatim"  # the words are a transcript's, as recorded
    NOTE = "note"  # a note's summary or quotation, not checked against a recording
    UNLABELLED = "unlabelled"  # the transcript does not say who spoke; the speaker is inferred or unknown
    COMMENTARY = "commentary"  # a commentary show talking about someone: its words, not theirs
    # A note's quotation checked against the episode's transcript (bot/claims.py).
    TRANSCRIPT_MATCHES = "transcript_matches"  # the transcript holds those words
    TRANSCRIPT_DIFFERS = "transcript_differs"  # it does not: its own words are shown beside the note's
    NOTE_TRANSLATION = "note_translation"  # another language than the transcript: wording not checked
    NO_TRANSCRIPT = "no_transcript"  # no transcript of that moment to check against


_BADGE_TEXT: Final = {
    Badge.VERBATIM: "verbatim_kind",
    Badge.NOTE: "note_kind",
    Badge.UNLABELLED: "unverified_speaker",
    Badge.COMMENTARY: "commentary_on",
    Badge.TRANSCRIPT_MATCHES: "note_check_matches",
    Badge.TRANSCRIPT_DIFFERS: "note_check_differs",
    Badge.NOTE_TRANSLATION: "note_check_translation",
    Badge.NO_TRANSCRIPT: "note_check_unchecked",
}


def badge_text(badge: Badge, lang: str, citation: Citation | None = None) -> str:
    if badge is Badge.COMMENTARY:
        return i18n.t(_BADGE_TEXT[badge], lang, name=citation.commentary_on if citation else "")
    return i18n.t(_BADGE_TEXT[badge], lang)


@dataclass(frozen=True)
class CitationView:
    """One citation as shown: plain text, escaped by the adapter."""

    number: int  # position in the whole ranking, 1-based
    who: str
    badges: tuple[Badge, ...]
    badge_texts: tuple[str, ...]
    episode: str
    show: str | None
    # The time to label the link with; None where the link cannot go there (a transcript or article page).
    timestamp: str | None
    url: str | None
    text: str
    citation: Citation
    # A timeline entry's date: the episode's, or that it has none (those come last).
    date_label: str | None = None
    # "Transcript (01:38:37): …": the transcript's own words under a note quotation it contradicts or
    # that translates it.
    transcript_line: str | None = None
    # Lines shown under the quote: a verification's match, its differing words, the translated label.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerView:
    """An answer as shown. `header` and `citations` are empty for anything but a found answer."""

    status: AnswerStatus
    language: str
    # The sentence shown instead of citations (not found, unknown speaker, help, warming up, …).
    message: str | None
    header: str | None
    question_line: str | None
    citations: tuple[CitationView, ...]
    # "1–3 of 7", and how many citations rank after this page.
    page: str | None
    remaining: int
    remaining_text: str | None

    @property
    def found(self) -> bool:
        return self.status is AnswerStatus.OK and bool(self.citations)


def who_label(citation: Citation, lang: str) -> str:
    """Who said the words: the speaker, or plainly that nobody is known to have said them."""
    if citation.speaker:
        return citation.speaker
    if citation.kind == "note":
        return i18n.t("note_summary_label", lang)
    return i18n.t("unknown_speaker_label", lang)


def badges(citation: Citation) -> tuple[Badge, ...]:
    if citation.note_check is not None:
        return note_check_badges(citation)
    kind = Badge.NOTE if citation.kind == "note" else Badge.VERBATIM
    found: tuple[Badge, ...] = (kind,)
    if citation.kind == "quote" and (citation.speaker is None or not citation.speaker_verified):
        found += (Badge.UNLABELLED,)
    if citation.commentary_on and citation.speaker is None:
        found += (Badge.COMMENTARY,)
    return found


def present_citation(citation: Citation, number: int, lang: str) -> CitationView:
    found = badges(citation)
    # "00:14:36" beside a link promises the link plays from there; an article page cannot.
    timestamp = citation.timestamp if citation.link_seeks else None
    # The transcript's own words under a note's quotation are one of the lines every platform draws under a quote.
    line = transcript_line(citation, lang)
    return CitationView(
        number=number, who=who_label(citation, lang), badges=found,
        badge_texts=tuple(badge_text(b, lang, citation) for b in found), episode=citation.episode, show=citation.show,
        timestamp=timestamp, url=citation.url, text=citation.text, citation=citation,
        transcript_line=line, notes=(line,) if line else (),
    )


def header(answer: Answer, lang: str) -> str:
    """"What Dario Amodei said about “talent density”", or "On “talent density”" with no speaker."""
    if answer.timeline:
        return timeline_header(answer, lang)
    if answer.about_speaker and answer.speaker:
        if not answer.topics:
            return i18n.t("about_speaker_header_plain", lang, speaker=answer.speaker)
        topics = i18n.join_list(answer.topics, lang)
        return i18n.t("about_speaker_header", lang, speaker=answer.speaker, topics=cut_at_sentence(topics, TOPIC_MAX))
    topic = cut_at_sentence(answer.topic or answer.question, TOPIC_MAX)
    if answer.speaker:
        return i18n.t("answer_header", lang, speaker=answer.speaker, topic=topic)
    if answer.show:
        return i18n.t("answer_header_show", lang, show=answer.show, topic=topic)
    return i18n.t("answer_header_any", lang, topic=topic)


def status_text(answer: Answer, lang: str) -> str:
    """The sentence for an answer without citations; the core's own message when it wrote one."""
    if answer.message:
        return answer.message
    if answer.status is AnswerStatus.OK:
        # A page past the last citation: the notes changed, or someone paged too far.
        return i18n.t("no_more", lang)
    if answer.status is AnswerStatus.NOT_FOUND:
        return i18n.t("not_found", lang, topic=answer.topic or answer.question)
    if answer.status is AnswerStatus.UNKNOWN_SPEAKER:
        speakers = i18n.join_list(answer.known_speakers, lang)
        return i18n.t("unknown_speaker", lang, name=answer.speaker or "", speakers=speakers)
    if answer.status is AnswerStatus.HELP:
        return help_text(lang)
    return i18n.t(answer.status.value, lang)


def remaining(answer: Answer) -> int:
    return max(0, answer.total - answer.offset - len(answer.citations))


def has_more(answer: Answer) -> bool:
    return answer.status is AnswerStatus.OK and remaining(answer) > 0


def page_label(answer: Answer, lang: str) -> str:
    first = answer.offset + 1
    last = answer.offset + len(answer.citations)
    return i18n.t("page", lang, first=first, last=last, total=max(answer.total, last))


def present_answer(answer: Answer, *, question: str | None = None, lang: str | None = None) -> AnswerView:
    """Everything an adapter shows for `answer`. `question` is the user's text as typed, when the
    adapter has it (the core may have normalised `answer.question`)."""
    lang = i18n.normalize_lang(lang or answer.language)
    if answer.verification is not None:
        return verification_answer_view(present_verification(answer.verification, lang))
    asked = " ".join((question if question is not None else answer.question).split())
    question_line = i18n.t("asked", lang, question=asked) if asked else None
    if answer.status is not AnswerStatus.OK or not answer.citations:
        return AnswerView(
            status=answer.status, language=lang, message=status_text(answer, lang), header=None,
            question_line=question_line, citations=(), page=None, remaining=0, remaining_text=None,
        )
    left = remaining(answer)
    views = tuple(present_citation(c, n, lang) for n, c in enumerate(answer.citations, start=answer.offset + 1))
    if answer.timeline:
        views = tuple(replace(v, date_label=timeline_date(v.citation, lang)) for v in views)
    return AnswerView(
        status=answer.status, language=lang, message=None, header=header(answer, lang), question_line=question_line,
        citations=views,
        page=page_label(answer, lang), remaining=left,
        remaining_text=i18n.t("more_results", lang, count=left) if left else None,
    )


def ingest_summary(report: IngestReport, lang: str = "en") -> str:
    """"added 2, changed 0, …; 483 segments in 0.41s" in the asker's language."""
    summary = i18n.t(
        "ingest_summary", lang, added=report.added, changed=report.changed, removed=report.removed,
        skipped=report.skipped, failed=report.failed, segments=report.segments, seconds=f"{report.seconds:.2f}",
    )
    return summary + note_checks_summary(report, lang)


def note_checks_summary(report: IngestReport, lang: str) -> str:
    """"; note quotations: 3 checked against transcripts, 1 contradicted (saidbot doctor --notes)", or nothing."""
    if not (report.notes_checked or report.notes_translated):
        return ""
    return i18n.t("ingest_note_checks", lang, checked=report.notes_checked,
                  contradicted=report.notes_contradicted, translated=report.notes_translated)


def reload_summary(result: ReloadResult, lang: str) -> str:
    """What a chat admin sees after asking for a reload: what changed and the index's size afterwards
    (not the count re-read, which is 0 when nothing changed), or plainly that there is nothing to reload."""
    report = result.report
    if report is None:
        return i18n.t("reload_nothing", lang, segments=result.index_segments)
    counts = i18n.t(
        "reload_counts", lang, added=report.added, changed=report.changed, removed=report.removed,
        skipped=report.skipped, failed=report.failed, seconds=f"{report.seconds:.2f}",
    )
    done = i18n.t("reload_done", lang, summary=counts)
    return f"{done} {i18n.t('reload_index_size', lang, segments=result.index_segments)}"


def add_source_summary(result: AddSourceResult, lang: str) -> str:
    """What a chat admin sees after adding a source: what it holds now, or why it was not added."""
    if result.status == "unavailable":
        return i18n.t("source_unavailable", lang)
    if result.status == "failed":
        return i18n.t("source_failed", lang, url=result.url, reason=result.reason or "?")
    key = "source_added" if result.status == "added" else "source_known"
    return i18n.t(key, lang, url=result.url, documents=result.documents, segments=result.segments)


def source_line(source: SourceReport, lang: str = "en") -> str:
    """One remote source's line in an ingest's report."""
    if source.status == "failed":
        return i18n.t("source_line_failed", lang, url=source.url, reason=source.reason or "?")
    return i18n.t("source_line", lang, url=source.url, status=source.status, documents=source.documents,
                  segments=source.segments)


def timeline_header(answer: Answer, lang: str) -> str:
    """"How Dario Amodei's view on “scaling” changed — 3 episodes, 2023–2025"."""
    topic = cut_at_sentence(answer.topic or answer.question, TOPIC_MAX)
    count = max(answer.total, answer.offset + len(answer.citations))
    episodes = i18n.t("timeline_episode_one", lang) if count == 1 else i18n.t("timeline_episodes", lang, count=count)
    years = ""
    if answer.years is not None:
        first, last = answer.years
        years = (i18n.t("timeline_year", lang, year=first) if first == last
                 else i18n.t("timeline_years", lang, first=first, last=last))
    if answer.speaker:
        return i18n.t("timeline_header", lang, speaker=answer.speaker, topic=topic, episodes=episodes, years=years)
    return i18n.t("timeline_header_any", lang, topic=topic, episodes=episodes, years=years)


def timeline_date(citation: Citation, lang: str) -> str:
    """A timeline entry's date as stored, or that the episode has none."""
    return citation.date or i18n.t("timeline_undated", lang)


_NOTE_CHECK_BADGE: Final = {
    "matches": Badge.TRANSCRIPT_MATCHES,
    "differs": Badge.TRANSCRIPT_DIFFERS,
    "translation": Badge.NOTE_TRANSLATION,
    "unchecked": Badge.NO_TRANSCRIPT,
}


def note_check_badges(citation: Citation) -> tuple[Badge, ...]:
    """A note's quotation: from a note, and what the transcript says of it (never "verbatim transcript")."""
    found: tuple[Badge, ...] = (Badge.NOTE,)
    if citation.note_check is not None:
        found += (_NOTE_CHECK_BADGE[citation.note_check],)
    return found


def transcript_line(citation: Citation, lang: str) -> str | None:
    """The transcript's own words under a note quotation they contradict or that translates them."""
    if not citation.transcript_text:
        return None
    if citation.transcript_timestamp:
        return i18n.t("transcript_line_at", lang, time=citation.transcript_timestamp, text=citation.transcript_text)
    return i18n.t("transcript_line", lang, text=citation.transcript_text)


# ----------------------------------------------------------------- quote verification


@dataclass(frozen=True)
class VerificationView:
    """A verification as shown: the verdict's header, the quote, each passage with its match and the
    words that differ, the translated label, and for not-found what the store covers."""

    verdict: str
    language: str
    header: str
    quote_line: str | None
    # "translated: wording cannot be verified", for a match through the translation tables.
    translated_label: str | None
    # What the store covers (not found), or the sentence shown instead of a verdict (an empty quote).
    message: str | None
    citations: tuple[CitationView, ...]


def verification_header(found: Verification, lang: str) -> str:
    speaker = found.speaker or found.unknown_speaker
    if found.verdict == "verbatim":
        if found.citations and found.citations[0].kind == "note":
            # A note's quotation: someone's record of the words, not the recording's.
            return i18n.t("verify_verbatim_note", lang, speaker=found.citations[0].speaker or "")
        if found.attributed and found.citations and found.citations[0].speaker:
            return i18n.t("verify_verbatim", lang, speaker=found.citations[0].speaker)
        if found.citations and found.citations[0].speaker is None:
            return i18n.t("verify_verbatim_unlabelled", lang)
        return i18n.t("verify_verbatim_any", lang)
    if found.verdict == "other_speaker":
        return i18n.t("verify_other_speaker", lang, speaker=speaker or "")
    if found.verdict == "close":
        return i18n.t("verify_translated_header" if found.translated else "verify_close", lang)
    if speaker:
        return i18n.t("verify_not_found_speaker", lang, speaker=speaker)
    return i18n.t("verify_not_found", lang)


def difference_text(quoted: str, stored: str, lang: str) -> str:
    """"quoted: “X” — said: “Y”", or the words only one side has."""
    if not stored:
        return i18n.t("verify_not_said", lang, quoted=quoted)
    if not quoted:
        return i18n.t("verify_not_quoted", lang, stored=stored)
    return i18n.t("verify_difference", lang, quoted=quoted, stored=stored)


def verified_notes(citation: VerifiedCitation, lang: str, *, translated: bool) -> tuple[str, ...]:
    if translated or citation.translated:
        # A percentage would claim a comparison of wording that a translation cannot give.
        return (i18n.t("verify_translated", lang),)
    notes = [i18n.t("verify_match", lang, percent=int(citation.match * 100))]
    if citation.people:
        notes.append(i18n.t("verify_people", lang, people=i18n.join_list(citation.people, lang)))
    notes += [difference_text(d.quoted, d.stored, lang) for d in citation.differences]
    return tuple(notes)


def present_verification(found: Verification, lang: str | None = None) -> VerificationView:
    """Everything an adapter shows for a verification, in the asker's language."""
    lang = i18n.normalize_lang(lang or found.language)
    quote_line = i18n.t("verify_quote_line", lang, quote=found.quote) if found.quote else None
    if found.message:
        return VerificationView(found.verdict, lang, found.message, quote_line, None, None, ())
    message = found.coverage if found.verdict == "not_found" else None
    if found.unknown_speaker:
        unknown = i18n.t("verify_speaker_unknown", lang, name=found.unknown_speaker)
        message = f"{unknown} {message}" if message else unknown
    citations = tuple(
        replace(present_citation(c, n, lang), notes=verified_notes(c, lang, translated=found.translated))
        for n, c in enumerate(found.citations, start=1)
    )
    return VerificationView(
        verdict=found.verdict, language=lang, header=verification_header(found, lang), quote_line=quote_line,
        translated_label=i18n.t("verify_translated", lang) if found.translated else None, message=message,
        citations=citations,
    )


def verification_answer_view(view: VerificationView) -> AnswerView:
    """The verification in the answer's layout, so every adapter that draws answers draws it: the verdict
    as the header, the quote as the question line, the passages with their notes, and for not-found the
    verdict and the coverage as the status sentence."""
    if not view.citations:
        message = " ".join(part for part in (view.header, view.message) if part)
        return AnswerView(
            status=AnswerStatus.NOT_FOUND, language=view.language, message=message, header=None,
            question_line=view.quote_line, citations=(), page=None, remaining=0, remaining_text=None,
        )
    header_text = f"{view.header} ({view.translated_label})" if view.translated_label else view.header
    if view.message:
        # With passages found, the message is a remark on the asked speaker, which every platform's header shows.
        header_text = f"{header_text}. {view.message}" if view.language == "en" else f"{header_text}。{view.message}"
    total = len(view.citations)
    return AnswerView(
        status=AnswerStatus.OK, language=view.language, message=None, header=header_text,
        question_line=view.quote_line, citations=view.citations,
        page=i18n.t("page", view.language, first=1, last=total, total=total), remaining=0, remaining_text=None,
    )
