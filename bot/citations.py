"""Turning a ranked hit into a citation: the words to show, who said them, and where to jump."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Final, TypeVar

from bot.deeplinks import deep_link, link_seeks
from bot.models import Answer, Citation, Verification
from bot.scoring import Ranked
from bot.text import cut_at_sentence, format_timestamp, joins_without_space, split_sentences, tokens

MAX_CITATION_CHARS: Final = 700
REDACTED: Final = "[redacted]"
# What is shown in chat and may carry stored text: an answer or a verification.
Shown = TypeVar("Shown", Answer, Verification)


# A piece that opens with closing punctuation continues the one before it: the sentence splitter
# may break "(e.g., 100 people)" after "e.g.", and the note wrote no space before the comma.
_CONTINUES: Final = (",", ";", ":", ")", "]", "}", "、", "，", "）", "」", "』")


def _join(sentences: list[str]) -> str:
    out = ""
    for sentence in sentences:
        glued = not out or joins_without_space(out, sentence) or sentence.startswith(_CONTINUES)
        out = out + sentence if glued else f"{out} {sentence}"
    return out


def excerpt(text: str, query_tokens: Set[str], *, drop_leading_questions: bool, limit: int = MAX_CITATION_CHARS) -> str:
    """The sentences around the match, cut at sentence boundaries, with ellipses where cut."""
    sentences = split_sentences(text)
    lead = 0
    if drop_leading_questions:
        # In an unlabelled transcript a paragraph can open with the host's question; the answer
        # follows the last question mark. Never present the question as the guest's words.
        asks = [i for i, s in enumerate(sentences) if s.rstrip("”\"'」)").endswith(("?", "？"))]
        if asks and asks[-1] < len(sentences) - 1:
            lead = asks[-1] + 1
            sentences = sentences[lead:]
    if not sentences:
        return text
    if len(_join(sentences)) <= limit:
        body = _join(sentences)
        return ("… " + body) if lead else body
    hits = [len(query_tokens & set(tokens(s))) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (hits[i], -i))
    start = best
    # Start a sentence early when it helps the match read in context and fits.
    if best > 0 and len(_join(sentences[best - 1 : best + 1])) <= limit:
        start = best - 1
    if hits[best] == 0:
        start = 0
    chosen = cut_at_sentence(_join(sentences[start:]), limit)
    return ("… " + chosen) if (start > 0 or lead) else chosen


def to_citation(item: Ranked, query_tokens: Set[str]) -> Citation:
    hit = item.hit
    episode = hit.episode
    video_id = episode.video_id if episode else None
    transcript_url = episode.transcript_url if episode else None
    audio_url = episode.audio_url if episode else None
    text = excerpt(hit.text, query_tokens, drop_leading_questions=not item.verified and item.attributed_to is not None)
    return Citation(
        text=text,
        speaker=item.attributed_to,
        speaker_verified=item.verified,
        episode=episode.display_title() if episode else (hit.heading or hit.source_path.rsplit("/", 1)[-1]),
        show=episode.show if episode else None,
        start_seconds=int(hit.start) if hit.start is not None else None,
        end_seconds=int(hit.end) if hit.end is not None else None,
        timestamp=format_timestamp(hit.start),
        url=deep_link(video_id, transcript_url, hit.start, audio_url=audio_url),
        link_seeks=link_seeks(video_id) or (link_seeks(None, audio_url) and hit.start is not None),
        video_id=video_id,
        transcript_url=transcript_url,
        source=hit.source_path,
        kind="quote" if hit.kind == "quote" else "note",
        language=hit.lang,
        score=round(item.score, 4),
    )


def redact_answer(answer: Shown, secrets: Sequence[str]) -> Shown:
    """The answer (or verification) with every configured secret blanked, wherever it appears (citations,
    suggestions, links).

    The last line of defence behind the ingest's refusal of links out of the notes folder and of
    credential files: a token that reached the index anyway is never posted to a channel.
    """
    if not secrets:
        return answer
    dumped = answer.model_dump_json()
    present = [s for s in secrets if s in dumped]
    if not present:
        return answer
    for secret in sorted(present, key=len, reverse=True):
        # Tokens are ASCII letters, digits, '-', '_' and '.', which JSON writes as they are.
        dumped = dumped.replace(secret, REDACTED)
    return type(answer).model_validate_json(dumped)
