"""Answers as Block Kit: the presenter's text, escaped, laid out within Slack's limits.

What an answer says (header, who-labels, badges, page label, status and help texts) is decided
by `bot.present`; this module only escapes it and lays it out. Every piece of text that did not
come from this module goes through `escape`, so `<`, `>` and `&` can never form `<!channel>`,
`<@U…>`, `<!subteam^…>` or a link. The only `<…>` in our output are the timestamp links built by
`link`. Text is cut *before* it is escaped, so a cut never splits an entity such as `&amp;`, and
every cut is measured on the escaped length Slack will count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

from bot import i18n
from bot.models import Verification
from bot.present import AnswerView, CitationView, present_verification, verification_answer_view
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
MAX_QUESTION: Final = 500
MAX_URL: Final = 1000

SHARE_ACTION: Final = "saidbot_share"

# A link target may not contain what would end it early (`|`, `>`) or open another tag (`<`).
_SAFE_URL: Final = re.compile(r"^https?://[^\s<>|]+$")


@dataclass(frozen=True)
class Message:
    """What one post carries: the plain `text` for notifications, and the blocks to draw."""

    text: str
    blocks: list[Block]


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


def citation_line(citation: CitationView) -> str:
    """`*who* · episode · <url|hh:mm:ss>`, escaped, with the only link this adapter makes."""
    parts = [f"*{fit(citation.date_label, MAX_NAME)}*"] if citation.date_label else []
    parts.append(f"*{fit(citation.who, MAX_NAME)}*")
    if citation.episode:
        parts.append(fit(citation.episode, MAX_NAME))
    if citation.timestamp:
        parts.append(link(citation.url, citation.timestamp))
    elif citation.url:
        parts.append(link(citation.url, "link"))
    return " · ".join(parts)


def citation_blocks(citation: CitationView) -> list[Block]:
    """The line and the quote in one section, then the citation's badges as a context line."""
    line = citation_line(citation)
    # Room for the line, its newline and one `>` per quoted line, so the section never overflows.
    room = MAX_SECTION - len(line) - 2 - citation.text.count("\n")
    quote = fit(citation.text, min(MAX_QUOTE, room))
    quoted = "\n".join(f">{part}" for part in quote.split("\n"))
    blocks = [_section(f"{line}\n{quoted}")]
    if citation.badge_texts:
        blocks.append(_context(escape(" · ".join(citation.badge_texts))))
    if citation.notes:
        # A verification's match and the words that differ, one line each.
        blocks.append(_context("\n".join(fit(note, MAX_QUOTE) for note in citation.notes)))
    return blocks


def fallback_text(view: AnswerView) -> str:
    """The plain `text` Slack shows in notifications and where blocks cannot be drawn (mrkdwn too)."""
    if not view.found or view.header is None:
        return fit(view.message or "", MAX_TEXT)
    text = fit(view.header, MAX_TEXT)
    lines = [
        escape(f"{c.who[:MAX_NAME]}{f' ({c.timestamp})' if c.timestamp else ''}: "
               f"{cut_at_sentence(c.text, MAX_FALLBACK_QUOTE)}")
        for c in view.citations
    ]
    if view.remaining_text:
        lines.append(escape(view.remaining_text))
    for line in lines:
        if len(text) + 1 + len(line) > MAX_TEXT:
            break
        text = f"{text}\n{line}"
    return text


def answer_blocks(view: AnswerView, *, show_question: bool = False, shared_by: str | None = None,
                  actions: list[Block] | None = None) -> list[Block]:
    """The whole answer as at most MAX_BLOCKS blocks; citations that do not fit are left out whole.

    `show_question` is for replies that do not sit under the question (/ask, shared answers).
    """
    blocks: list[Block] = []
    if shared_by:
        blocks.append(_context(fit(i18n.t("shared_by", view.language, user=shared_by[:MAX_NAME]), MAX_SECTION)))
    if show_question and view.question_line:
        blocks.append(_context(fit(view.question_line, MAX_QUESTION)))
    if not view.found or view.header is None:
        blocks.append(_section(fit(view.message or "", MAX_SECTION)))
        return blocks
    blocks.append(_section(f"*{fit(view.header, MAX_SECTION - 2)}*"))
    if view.page:
        blocks.append(_context(escape(view.page)))
    trailing: list[Block] = []
    if view.remaining_text:
        trailing.append(_context(fit(view.remaining_text, MAX_SECTION)))
    trailing.extend(actions or [])
    room = MAX_BLOCKS - len(blocks) - len(trailing)
    for citation in view.citations:
        more = citation_blocks(citation)
        if len(more) > room:
            break
        blocks.extend(more)
        room -= len(more)
    return (blocks + trailing)[:MAX_BLOCKS]


def message(view: AnswerView, *, show_question: bool = False, shared_by: str | None = None,
            actions: list[Block] | None = None) -> Message:
    return Message(fallback_text(view),
                   answer_blocks(view, show_question=show_question, shared_by=shared_by, actions=actions))


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


def verification_message(found: Verification, lang: str | None = None) -> Message:
    """A verification as one post: the verdict, the quote, each passage with its match and the differing
    words; for not found, the verdict and what the store covers."""
    return message(verification_answer_view(present_verification(found, lang)), show_question=True)
