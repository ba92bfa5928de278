"""Turning core results into Discord messages that fit Discord's limits.

Nothing here decides *what* to say: `bot.present` does (the header, who said it, the badges, the
page label, the status sentence). This module only escapes and lays out: one embed per citation,
text cut to the documented limits, user text escaped so it never pings or breaks markdown, note
text neutralized so it never pings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import discord

from bot import i18n
from bot.models import Answer, ReloadResult, StoreStats, Verification
from bot.present import CitationView, present_answer, reload_summary

# Discord's documented message limits.
CONTENT_MAX: Final = 2000
DESCRIPTION_MAX: Final = 4096
FIELD_VALUE_MAX: Final = 1024
TITLE_MAX: Final = 256
AUTHOR_MAX: Final = 256
FOOTER_MAX: Final = 2048
EMBEDS_TOTAL_MAX: Final = 6000
EMBEDS_PER_MESSAGE: Final = 10

# A quote longer than this is a wall of text in a chat; the link takes the reader to the rest.
QUOTE_MAX: Final = 1000
QUOTE_MIN: Final = 200
# Our own cap for the footer (show name and notes), far below Discord's 2048.
FOOTER_CAP: Final = 256

EMBED_COLOUR: Final = discord.Colour(0xD97757)

# A sentence ends at . ! ? (followed by a space) or at Japanese full stops, optionally followed by
# closing quotes or brackets.
_SENTENCE_END = re.compile(r"(?:[.!?…]+[\"'”’)\]]*(?=\s)|[。！？]+[」』”）]*)")


@dataclass
class Reply:
    """What one Discord message shows."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)


def escape_user_text(text: str) -> str:
    """User-supplied text echoed back: no mentions (`@everyone`, `<@&id>`, `<@id>`), no markdown.

    Every `@` gets an invisible zero-width space after it, which is broader than
    `discord.utils.escape_mentions` (that one only knows well-formed ids) and reads the same.
    """
    return discord.utils.escape_markdown(text).replace("@", "@\u200b")


def neutralize(text: str) -> str:
    """Text from the notes keeps its markdown but must not mention anyone."""
    return discord.utils.escape_mentions(text)


def cut(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters, at a sentence end when one is near the limit,
    else at a word boundary; a cut is marked with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    room = limit - 2  # space for " …"
    best = max((m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1) if m.end() <= room), default=0)
    # Accept a sentence end only if it keeps most of the allowed length; otherwise a word boundary
    # loses less text.
    if best >= room * 0.5:
        return text[:best].rstrip() + " …"
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= (limit - 1) * 0.5:
        head = head[:space]
    return head.rstrip() + "…"


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"https?://", url):
        return None
    # Parentheses and spaces would end a markdown link early.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_line(view: CitationView) -> str:
    url = _safe_url(view.url)
    if view.timestamp and url:
        return f"▶ [{view.timestamp}]({url})"
    if view.timestamp:
        return f"⏱ {view.timestamp}"
    return url or ""


def _footer(view: CitationView) -> str:
    """The show, then the presenter's badges ("verbatim transcript", "from a note", …)."""
    parts = [neutralize(view.show)] if view.show else []
    parts += [neutralize(text) for text in view.badge_texts]
    return " · ".join(parts)


def _citation_embed(view: CitationView, quote_budget: int) -> discord.Embed:
    link = _link_line(view)
    quote = cut(neutralize(_one_line(view.text)), max(quote_budget, 1))
    # A verification's match and differing words quote the asker's text: escaped like it.
    notes = "".join(f"\n{cut(escape_user_text(note), FIELD_VALUE_MAX)}" for note in view.notes)
    description = f"> {quote}" + (f"\n{notes}" if notes else "") + (f"\n\n{link}" if link else "")
    if view.date_label:
        description = f"**{cut(neutralize(view.date_label), TITLE_MAX)}**\n{description}"
    embed = discord.Embed(
        title=cut(neutralize(view.episode), TITLE_MAX) or None,
        url=_safe_url(view.url),
        description=description,
        colour=EMBED_COLOUR,
    )
    embed.set_author(name=cut(neutralize(view.who), AUTHOR_MAX))
    footer = _footer(view)
    if footer:
        embed.set_footer(text=cut(footer, FOOTER_CAP))
    return embed


def citation_embeds(citations: Sequence[CitationView]) -> list[discord.Embed]:
    """One embed per citation, all of them together within Discord's per-message limits."""
    shown = list(citations[:EMBEDS_PER_MESSAGE])
    skeletons: list[discord.Embed] = []
    per_quote = 0
    while shown:
        # Lay out with 1-character quotes first to learn what the quotes may use of the total.
        skeletons = [_citation_embed(c, 1) for c in shown]
        fixed = sum(len(e) for e in skeletons) - len(shown)
        per_quote = (EMBEDS_TOTAL_MAX - fixed) // len(shown)
        # Only absurdly long titles get here; fewer readable quotes beat many stubs.
        if per_quote >= QUOTE_MIN or len(shown) == 1:
            break
        shown = shown[:-1]
    budgets = []
    for skeleton in skeletons:
        room_in_description = DESCRIPTION_MAX - len(skeleton.description or "") + 1
        budgets.append(min(QUOTE_MAX, per_quote, room_in_description))
    return [_citation_embed(c, b) for c, b in zip(shown, budgets, strict=True)]


def render_answer(
    answer: Answer, lang: str, *, question: str | None = None, shared_by: str | None = None
) -> Reply:
    """The answer as one message, as `bot.present` decides it. `question` is the user's text as
    typed (the core may have normalized `answer.question`).

    The presenter's texts may quote the user's words, so each is escaped whole; `shared_by` is a
    mention that `allowed_mentions=none` keeps from pinging.
    """
    view = present_answer(answer, question=question, lang=lang)
    lines = [i18n.t("shared_by", view.language, user=shared_by)] if shared_by is not None else []
    if not view.found:
        lines.append(escape_user_text(view.message or ""))
        return Reply(content=cut("\n".join(lines), CONTENT_MAX))
    lines.append(f"**{escape_user_text(view.header or '')}** · {view.page}")
    if view.question_line:
        lines.append(escape_user_text(view.question_line))
    return Reply(content=cut("\n".join(lines), CONTENT_MAX), embeds=citation_embeds(view.citations))


def render_about(stats: StoreStats, lang: str) -> Reply:
    embed = discord.Embed(title=i18n.t("about_title", lang), colour=EMBED_COLOUR)
    speakers = i18n.join_list([neutralize(s) for s in stats.speakers], lang) or i18n.t("none_yet", lang)
    embed.add_field(name=i18n.t("about_speakers", lang), value=cut(speakers, FIELD_VALUE_MAX), inline=False)
    embed.add_field(name=i18n.t("about_episodes", lang), value=str(sum(1 for e in stats.episodes if e.is_recording)))
    notes = i18n.t(
        "about_notes_value", lang, notes=stats.notes, transcripts=stats.transcripts, segments=stats.segments
    )
    embed.add_field(name=i18n.t("about_notes", lang), value=cut(notes, FIELD_VALUE_MAX))
    if stats.outside_root:
        # Sources a notes-root refresh keeps although they are not in the folder (`saidbot ingest` elsewhere).
        outside = i18n.t("about_outside_root_value", lang, count=stats.outside_root)
        embed.add_field(name=i18n.t("about_outside_root", lang), value=cut(outside, FIELD_VALUE_MAX))
    if stats.last_ingest is not None:
        # Discord renders <t:…> in each reader's own time zone and language.
        stamp = int(stats.last_ingest.timestamp())
        last = f"<t:{stamp}:f> (<t:{stamp}:R>)"
    else:
        last = i18n.t("never", lang)
    embed.add_field(name=i18n.t("about_last_ingest", lang), value=last)
    return Reply(embeds=[embed])


def render_episodes(stats: StoreStats, lang: str) -> Reply:
    # Quote collections and article pages are sources of quotes, not episodes one could watch or hear.
    episodes = [episode for episode in stats.episodes if episode.is_recording]
    embed = discord.Embed(title=i18n.t("episodes_title", lang, count=len(episodes)), colour=EMBED_COLOUR)
    if not episodes:
        embed.description = i18n.t("none_yet", lang)
        return Reply(embeds=[embed])
    lines: list[str] = []
    used = 0
    reserve = len(i18n.t("and_more", lang, count=len(episodes))) + 1
    for n, episode in enumerate(episodes):
        title = cut(discord.utils.escape_markdown(neutralize(episode.display_title())), 200)
        url = _safe_url(episode.video_url)
        line = f"• [{title}]({url})" if url else f"• **{title}**"
        details = [neutralize(part) for part in (episode.show, episode.date) if part]
        if details and episode.show != episode.display_title():
            line += " — " + " · ".join(details)
        remaining = len(episodes) - n - 1
        if used + len(line) + 1 > DESCRIPTION_MAX - (reserve if remaining else 0):
            lines.append(i18n.t("and_more", lang, count=len(episodes) - n))
            break
        lines.append(line)
        used += len(line) + 1
    embed.description = "\n".join(lines)
    return Reply(embeds=[embed])


def render_reload(result: ReloadResult, lang: str) -> Reply:
    text = reload_summary(result, lang)
    report = result.report
    if report is not None and report.problems:
        text += "\n" + i18n.t("reload_problems", lang, count=len(report.problems))
        for problem in report.problems:
            line = "\n• " + escape_user_text(str(problem))
            if len(text) + len(line) > CONTENT_MAX - 2:
                text += "\n…"
                break
            text += line
    return Reply(content=cut(text, CONTENT_MAX))


def render_verification(found: Verification, lang: str) -> Reply:
    """A verification as one message: the verdict and the quote, one embed per passage with its match
    and the differing words; for not found, the verdict and what the store covers."""
    holder = Answer(question=found.quote, speaker=found.speaker, topic=found.quote, language=lang, verification=found)
    return render_answer(holder, lang)
