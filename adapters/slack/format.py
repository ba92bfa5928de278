"""Answers as Block Kit: escaped mrkdwn, links built here only, within Slack's limits."""

from __future__ import annotations

import re
from typing import Any, Final

from bot import i18n
from bot.models import Answer, AnswerStatus, Citation
from bot.text import cut_at_sentence

MAX_BLOCKS: Final = 50
MAX_SECTION: Final = 3000
MAX_QUOTE: Final = 1200
_SAFE_URL: Final = re.compile(r"^https?://[^\s<>|]+$")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters; with them escaped no text can form <!channel> or <@U…>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack sends what a user typed with &, <, > escaped; the core wants the plain words."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def link(url: str | None, label: str) -> str:
    if url and _SAFE_URL.match(url):
        return f"<{url}|{escape(label)}>"
    return escape(label)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def header(answer: Answer) -> str:
    lang = answer.language
    if answer.speaker:
        return i18n.t("answer_header", lang, speaker=answer.speaker, topic=answer.topic)
    return i18n.t("answer_header_any", lang, topic=answer.topic)


def citation_line(citation: Citation, lang: str) -> str:
    who = escape(citation.speaker or i18n.t("note_kind", lang))
    parts = [f"*{who}*", escape(citation.episode)]
    if citation.timestamp:
        parts.append(link(citation.url, citation.timestamp))
    elif citation.url:
        parts.append(link(citation.url, "link"))
    return " · ".join(parts)


def citation_blocks(citation: Citation, lang: str) -> list[Block]:
    quote = cut_at_sentence(citation.text, MAX_QUOTE)
    quoted = "\n".join(f">{line}" for line in escape(quote).split("\n"))
    blocks = [_section(f"{citation_line(citation, lang)}\n{quoted}")]
    notes = []
    if citation.speaker and not citation.speaker_verified:
        notes.append(i18n.t("unverified_speaker", lang))
    if citation.kind == "note":
        notes.append(i18n.t("note_kind", lang))
    if notes:
        blocks.append(_context(escape(" · ".join(notes))))
    return blocks


def fallback_text(answer: Answer) -> str:
    """The plain `text` Slack shows in notifications and where blocks cannot be drawn."""
    if answer.status is not AnswerStatus.OK:
        return escape(answer.message or "")
    lines = [escape(header(answer))]
    for citation in answer.citations:
        stamp = f" {citation.timestamp}" if citation.timestamp else ""
        lines.append(f"{escape(citation.speaker or '')}{stamp}: {escape(cut_at_sentence(citation.text, 300))}")
    return "\n".join(lines)[:3900]


def answer_blocks(answer: Answer, *, asked_by: str | None = None, actions: list[Block] | None = None) -> list[Block]:
    lang = answer.language
    blocks: list[Block] = []
    if asked_by:
        blocks.append(_context(escape(i18n.t("shared_by", lang, user=asked_by))))
    if answer.status is not AnswerStatus.OK:
        blocks.append(_section(escape(answer.message or "")))
        return blocks
    blocks.append(_section(f"*{escape(header(answer))}*"))
    room = MAX_BLOCKS - len(blocks) - (2 if actions else 1)
    for citation in answer.citations:
        more = citation_blocks(citation, lang)
        if len(more) > room:
            break
        blocks.extend(more)
        room -= len(more)
    remaining = answer.total - answer.offset - len(answer.citations)
    if remaining > 0:
        blocks.append(_context(escape(i18n.t("more_results", lang, count=remaining))))
    if actions:
        blocks.extend(actions)
    return blocks[:MAX_BLOCKS]


def help_text(lang: str) -> str:
    return i18n.t("help", lang)
