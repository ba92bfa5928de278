"""Platform-neutral data shapes: what the store holds and what an answer carries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, computed_field, model_validator

from bot.deeplinks import deep_link, url_seeks
from bot.deeplinks import video_url as _video_url

SegmentKind = Literal["quote", "note"]


class Episode(BaseModel):
    """One recording: a podcast episode or a video."""

    id: int | None = None
    show: str | None = None
    number: int | None = None
    title: str | None = None
    date: str | None = None
    video_id: str | None = None
    transcript_url: str | None = None
    speakers: list[str] = Field(default_factory=list)
    # The episode's audio file (a feed's enclosure): where a reader hears the words when there is no video.
    audio_url: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def video_url(self) -> str | None:
        return _video_url(self.video_id)

    def link_at(self, seconds: float | None) -> str | None:
        """Where a reader hears the words said at `seconds`: the video at that second, or the transcript page."""
        return deep_link(self.video_id, self.transcript_url, seconds, audio_url=self.audio_url)

    @property
    def is_recording(self) -> bool:
        """A real episode or video, worth listing: a title, a show and number, or a video. A quote
        collection's page (a bare article URL, no video) is a source, not an episode."""
        return bool(self.title or (self.show and self.number is not None) or self.video_id)

    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.show and self.number is not None:
            return f"{self.show} #{self.number}"
        if self.show:
            return self.show
        if self.transcript_url:
            return self.transcript_url.split("://", 1)[-1]
        if self.video_id:
            return f"YouTube {self.video_id}"
        return "unknown episode"


class Speaker(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    # Descriptions that name only this person ("the Vercel founder"): who is asked, never a name to find in text.
    roles: list[str] = Field(default_factory=list)


class Segment(BaseModel):
    """A searchable unit: a verbatim quote or a note's statement."""

    speaker: str | None = None
    # False when the speaker is inferred (e.g. from the episode's metadata) rather than labelled.
    speaker_verified: bool = True
    start: float | None = None
    end: float | None = None
    text: str
    lang: str
    kind: SegmentKind
    # Segments that say the same thing (a passage in a note and its translation) share a key.
    passage_key: str | None = None
    heading: str | None = None


class ParsedQuestion(BaseModel):
    text: str
    speaker: str | None = None
    # The speaker as the user wrote it, when it did not match anyone the store knows.
    unknown_speaker: str | None = None
    topic: str
    language: str
    # A show or numbered episode the question is about ("…on the Lex Fridman podcast", "episode 452").
    show: str | None = None
    episode_number: int | None = None
    # The show is who speaks ("what did the Turing Post critic say about Amodei?"): only its episodes answer.
    show_is_subject: bool = False


class AnswerStatus(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    UNKNOWN_SPEAKER = "unknown_speaker"
    EMPTY = "empty_question"
    WARMING_UP = "warming_up"
    HELP = "help"


class Citation(BaseModel):
    text: str
    speaker: str | None
    speaker_verified: bool = True
    episode: str
    show: str | None = None
    start_seconds: int | None
    end_seconds: int | None = None
    timestamp: str | None
    url: str | None
    # Whether `url` opens at `start_seconds` (a video) or only at a page's top (a transcript, an article).
    # Set by `bot.citations`; when a citation is built without it, read from the link itself.
    link_seeks: bool = False
    video_id: str | None = None
    transcript_url: str | None = None
    source: str
    kind: SegmentKind
    language: str
    score: float = 0.0
    # Unlabelled words of a commentary show about this person: what the show says of them, not theirs.
    commentary_on: str | None = None
    # The episode's date as stored ("2024-11-11"); set on timeline entries, None when undated.
    date: str | None = None
    # A note's quotation checked against the episode's transcript (bot/claims.py): "matches", "differs",
    # "translation" (another language: wording not comparable) or "unchecked"; None for anything else.
    note_check: Literal["matches", "differs", "translation", "unchecked"] | None = None
    # The transcript's own words the note was checked against, and when they start.
    transcript_text: str | None = None
    transcript_timestamp: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _seeks_from_url(cls, data: object) -> object:
        if isinstance(data, dict) and "link_seeks" not in data:
            url = data.get("url")
            return {**data, "link_seeks": url_seeks(url if isinstance(url, str) else None)}
        return data


class Answer(BaseModel):
    question: str
    speaker: str | None
    topic: str
    language: str
    status: AnswerStatus = AnswerStatus.OK
    # A friendly sentence in the asker's language for every status but OK.
    message: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    # Citations that rank after these ones; adapters offer them as "more".
    total: int = 0
    offset: int = 0
    suggestions: list[str] = Field(default_factory=list)
    known_speakers: list[str] = Field(default_factory=list)
    # The show whose own passages answer ("what did the Turing Post critic say about Amodei?").
    show: str | None = None
    # A question that only names a speaker: what they talk about most (stored headings and words of
    # their passages) and, as citations, some of those passages.
    about_speaker: bool = False
    topics: list[str] = Field(default_factory=list)
    # A timeline ("how has Dario's view on X changed?"): one citation per episode, oldest first, undated
    # last; `total` counts episodes and `years` spans the dated ones.
    timeline: bool = False
    years: tuple[int, int] | None = None
    # A question asking whether someone said a quote ("did Dario say '…'?"): the verification answers it.
    verification: Verification | None = None

    def public_json(self) -> dict[str, object]:
        """The documented `--json` shape (extra keys allowed)."""
        return self.model_dump(mode="json")


class IngestProblem(BaseModel):
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


class SourceReport(BaseModel):
    """How one remote source went in an ingest run."""

    url: str
    # "added"/"changed": documents written; "unchanged": a 304 or the same content; "failed": `reason` says why,
    # and what the source gave before keeps serving.
    status: Literal["added", "changed", "unchanged", "failed"]
    documents: int = 0
    segments: int = 0
    reason: str | None = None


class IngestReport(BaseModel):
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    failed: int = 0
    ignored: int = 0
    segments: int = 0
    seconds: float = 0.0
    problems: list[IngestProblem] = Field(default_factory=list)
    # One entry per remote source (URL) of the run, in the order they were requested.
    sources: list[SourceReport] = Field(default_factory=list)
    # Note quotations in the store checked against their episode's transcript (bot/claims.py): how many
    # could be compared word for word, how many the transcript contradicts, how many are translations.
    notes_checked: int = 0
    notes_contradicted: int = 0
    notes_translated: int = 0


class ReloadResult(BaseModel):
    """What a reload did and how large the index is afterwards."""

    # None when no notes folder is configured: there was nothing to re-read.
    report: IngestReport | None
    # Segments the index holds after the reload (not only the ones re-read).
    index_segments: int


class ExportedSegment(BaseModel):
    """A stored segment as evaluation and benchmark baselines see it."""

    id: int
    text: str
    start_seconds: int | None
    video_id: str | None
    transcript_url: str | None
    episode: str | None
    speaker: str | None
    lang: str
    kind: str
    source: str


class StoreStats(BaseModel):
    segments: int
    sources: int
    notes: int
    transcripts: int
    episodes: list[Episode]
    speakers: list[str]
    last_ingest: datetime | None
    languages: list[str]
    # Sources ingested from outside the configured notes root (kept by every refresh; 0 without a root).
    outside_root: int = 0


class AddSourceResult(BaseModel):
    """What adding a remote source from chat did."""

    url: str
    # "added": fetched, ingested and remembered; "known": already added (fetched again now);
    # "failed": `reason` says why (nothing remembered); "unavailable": this deployment keeps no chat sources.
    status: Literal["added", "known", "failed", "unavailable"]
    reason: str | None = None
    # What the source holds in the index now (documents: the page, or a feed's episodes).
    documents: int = 0
    segments: int = 0


class RemoteSource(BaseModel):
    """A remote source as `saidbot sources` lists it: where it is listed, who added it, how it was fetched."""

    url: str
    # The sources.txt files that list it, and "chat" when an admin added it.
    listed_in: list[str] = Field(default_factory=list)
    added_by: str | None = None
    added_at: datetime | None = None
    status: str | None = None  # "ok" / "failed"; None: never fetched into this database
    reason: str | None = None
    last_fetched: str | None = None
    last_ok: str | None = None
    etag: bool = False
    last_modified: bool = False
    documents: int = 0
    segments: int = 0


# ----------------------------------------------------------------- quote verification

Verdict = Literal["verbatim", "close", "other_speaker", "not_found"]


class QuoteDifference(BaseModel):
    """Words that differ: what the quote says and what the passage says ("" = missing or extra words)."""

    quoted: str
    stored: str


class VerifiedCitation(Citation):
    """A citation of a passage checked against a quote: the `ask` citation plus how closely it matches."""

    # 0..1, how closely the quote is contained in the passage (for a translated match: the share of
    # the quote's translatable words the passage holds).
    match: float = 0.0
    verbatim: bool = False
    differences: list[QuoteDifference] = Field(default_factory=list)
    # Matched in another language than the quote's: the wording cannot be verified.
    translated: bool = False
    # For a passage the transcript labels with nobody: the people the recording's metadata names, one
    # of whom said it (a hint, never an attribution).
    people: list[str] = Field(default_factory=list)


class Coverage(BaseModel):
    """What the store holds for a speaker (or for everyone, with `speaker` None)."""

    speaker: str | None
    passages: int
    episodes: list[str] = Field(default_factory=list)


class Verification(BaseModel):
    """Whether a quote is in the store, and whose words it is."""

    verdict: Verdict
    quote: str
    speaker: str | None
    language: str
    citations: list[VerifiedCitation] = Field(default_factory=list)
    # Matched through the translation tables (a Japanese quote against English transcripts): the
    # passage says nearly that, but its wording cannot be checked.
    translated: bool = False
    # For a verbatim verdict: whether the passage is labelled as the asked speaker's (an unlabelled
    # transcript holds the words but does not say who said them).
    attributed: bool = False
    # The speaker as asked, when it matched nobody the store knows.
    unknown_speaker: str | None = None
    # What the store covers for that speaker, as a sentence in `language` (for not_found) and as data.
    coverage: str | None = None
    covered: Coverage | None = None
    # A sentence instead of a verdict: an empty quote, the index still being built.
    message: str | None = None

    def public_json(self) -> dict[str, object]:
        """The documented `saidbot verify --json` shape: verdict, quote, speaker, citations (extra keys allowed)."""
        return self.model_dump(mode="json")


Answer.model_rebuild()
