"""Answers as Block Kit: escaped mrkdwn, links built here only, within Slack's limits.

Every piece of text that did not come from this module (note text, speaker and episode names,
the user's question, the core's messages) goes through `escape`, so `<`, `>` and `&` can never
form `<!channel>`, `<@U…>`, `<!subteam^…>` or a link. The only `<…>` in our output are the
timestamp links built by `link`. Text is cut *before* it is escaped, so a cut never splits an
entity such as `&amp;`, and every cut is measured on the escaped length Slack will count.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from bot import i18n
from bot.models import Answer, AnswerStatus, Citation
from bot.text import cut_at_sentence

Block = dict[str, Any]

MAX_BLOCKS: Final = 50
MAX_SECTION: Final = 3000  # characters in a section's (or a context element's) mrkdwn text
MAX_TEXT: Final = 3000  # the top-level `text` fallback; Slack allows more, notifications show less
MAX_BUTTON_VALUE: Final = 2000
# Readability rather than Slack's limit: three quotes of this size fit easily in one message.
MAX_QUOTE: Final = 1200
MAX_FALLBACK_QUOTE: Final = 300
MAX_NAME: Final = 150
MAX_TOPIC: Final = 200
MAX_QUESTION: Final = 500
MAX_URL: Final = 1000

SHARE_ACTION: Final = "saidbot_share"

# A link target may not contain what would end it early (`|`, `>`) or open another tag (`<`).
_SAFE_URL: Final = re.compile(r"^https?://[^\s<>|]+$")


def escape(text: str) -> str:
    """Slack's three control characters as entities; `&` first so entities are not escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """The inverse of `escape`; `&amp;` last so `&amp;lt;` comes back as the literal `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fit(text: str, limit: int) -> str:
    """`text` escaped, at most `limit` characters, cut after a whole sentence when it must be cut."""
    text = text.strip()
    out = escape(text)
    budget = limit
    while len(out) > limit and budget > 0:
        # Escaping lengthens text with many `&<>`: shrink the plain budget in proportion, and by
        # at least one character so the loop always ends.
        out = escape(cut_at_sentence(text, budget))
        budget = min(budget - 1, budget * limit // max(1, len(out)))
    return out if len(out) <= limit else ""


def link(url: str | None, label: str) -> str:
    """`<url|label>` for a plain http(s) URL; just the escaped label for anything else."""
    if url and len(url) <= MAX_URL and _SAFE_URL.match(url):
        return f"<{url}|{escape(label)}>"
    return escape(label)


def _section(text: str, fallback: str = "…") -> Block:
    # Slack rejects a section with empty text (invalid_blocks).
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION] or fallback}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION] or "…"}]}


def header(answer: Answer) -> str:
    """The answer's title, plain (unescaped): "What Dario Amodei said about “talent density”"."""
    topic = cut_at_sentence(answer.topic or answer.question, MAX_TOPIC)
    if answer.speaker:
        return i18n.t("answer_header", answer.language, speaker=answer.speaker[:MAX_NAME], topic=topic)
    return i18n.t("answer_header_any", answer.language, topic=topic)


def citation_line(citation: Citation, lang: str) -> str:
    """`*Speaker* · Episode · <url|hh:mm:ss>`, escaped, with the only link this adapter makes."""
    who = fit(citation.speaker or i18n.t("note_kind", lang), MAX_NAME)
    parts = [f"*{who}*"]
    if citation.episode:
        parts.append(fit(citation.episode, MAX_NAME))
    if citation.timestamp:
        parts.append(link(citation.url, citation.timestamp))
    elif citation.url:
        parts.append(link(citation.url, "link"))
    return " · ".join(parts)


def citation_blocks(citation: Citation, lang: str) -> list[Block]:
    line = citation_line(citation, lang)
    # Room for the line, its newline and one `>` per quoted line, so the section never overflows.
    room = MAX_SECTION - len(line) - 2 - citation.text.count("\n")
    quote = fit(citation.text, min(MAX_QUOTE, room))
    quoted = "\n".join(f">{part}" for part in quote.split("\n"))
    blocks = [_section(f"{line}\n{quoted}")]
    notes = []
    if citation.speaker and not citation.speaker_verified:
        notes.append(i18n.t("unverified_speaker", lang))
    if citation.kind == "note" and citation.speaker:
        notes.append(i18n.t("note_kind", lang))
    if notes:
        blocks.append(_context(escape(" · ".join(notes))))
    return blocks


def _status_message(answer: Answer) -> str:
    return answer.message or i18n.t("empty_question", answer.language)


def fallback_text(answer: Answer) -> str:
    """The plain `text` Slack shows in notifications and where blocks cannot be drawn (mrkdwn too)."""
    if answer.status is not AnswerStatus.OK:
        return fit(_status_message(answer), MAX_TEXT)
    text = fit(header(answer), MAX_TEXT)
    for citation in answer.citations:
        who = citation.speaker or i18n.t("note_kind", answer.language)
        stamp = f" ({citation.timestamp})" if citation.timestamp else ""
        quote = cut_at_sentence(citation.text, MAX_FALLBACK_QUOTE)
        line = escape(f"{who[:MAX_NAME]}{stamp}: {quote}")
        if len(text) + 1 + len(line) > MAX_TEXT:
            break
        text = f"{text}\n{line}"
    return text


def answer_blocks(answer: Answer, *, question: str | None = None, shared_by: str | None = None,
                  actions: list[Block] | None = None) -> list[Block]:
    """The whole answer as at most MAX_BLOCKS blocks; citations that do not fit are left out whole."""
    lang = answer.language
    blocks: list[Block] = []
    if shared_by:
        blocks.append(_context(fit(i18n.t("shared_by", lang, user=shared_by[:MAX_NAME]), MAX_SECTION)))
    if question:
        blocks.append(_context(fit(i18n.t("asked", lang, question=cut_at_sentence(question, MAX_QUESTION)),
                                   MAX_SECTION)))
    if answer.status is not AnswerStatus.OK:
        blocks.append(_section(fit(_status_message(answer), MAX_SECTION)))
        return blocks
    blocks.append(_section(f"*{fit(header(answer), MAX_SECTION - 2)}*"))
    trailing: list[Block] = []
    remaining = answer.total - answer.offset - len(answer.citations)
    if remaining > 0:
        trailing.append(_context(escape(i18n.t("more_results", lang, count=remaining))))
    trailing.extend(actions or [])
    room = MAX_BLOCKS - len(blocks) - len(trailing)
    for citation in answer.citations:
        more = citation_blocks(citation, lang)
        if len(more) > room:
            break
        blocks.extend(more)
        room -= len(more)
    return (blocks + trailing)[:MAX_BLOCKS]


def help_text(lang: str) -> str:
    return escape(i18n.t("help", lang))


def help_blocks(lang: str) -> list[Block]:
    return [_section(help_text(lang))]


def share_value(question: str, lang: str) -> str:
    """What the Share button carries: the question and language, at most Slack's 2000 characters.

    The question travels escaped too: a value is never shown, but then no payload we send holds
    a raw `<!channel>` for anything downstream to trip over.
    """
    budget = MAX_BUTTON_VALUE
    while True:
        # Escaping and JSON both lengthen a question, so cut the plain text and measure the result.
        value = json.dumps({"q": escape(question[:budget]), "l": lang}, ensure_ascii=False)
        if len(value) <= MAX_BUTTON_VALUE:
            return value
        budget -= len(value) - MAX_BUTTON_VALUE


def share_button(question: str, lang: str) -> Block:
    return {
        "type": "actions",
        "elements": [{
            "type": "button",
            "action_id": SHARE_ACTION,
            "text": {"type": "plain_text", "text": i18n.t("share_in_channel", lang)[:75]},
            "value": share_value(question, lang),
        }],
    }


def read_share_value(value: str | None) -> tuple[str, str] | None:
    """The question and language a Share button carries, or None when the value is not ours."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("q"), str) or not data["q"].strip():
        return None
    return unescape(data["q"]), i18n.normalize_lang(str(data.get("l") or "en"))
