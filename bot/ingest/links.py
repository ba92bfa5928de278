"""Links inside notes: YouTube ids, transcript URLs, and markdown link clean-up for display."""

from __future__ import annotations

import re
from typing import Final

_YT_ID: Final = r"[A-Za-z0-9_-]{11}"
# Every run of repeated characters below stops at the character that could start the next match
# (`&`, `/`, `[`, `(`, `<`, `*`), so each scan ends where the next begins: linear on any line. A class
# that did not (`[^\]]*` after `[`) made a long line of `[[[[…` quadratic.
_YT_RE: Final = re.compile(
    rf"(?:youtube\.com/(?:watch\?(?:[^\s)\]&/]*&)*v=|embed/|shorts/|live/|vi(?:_webp)?/)|youtu\.be/)({_YT_ID})"
    r"(?![A-Za-z0-9_-])"
)
_URL_RE: Final = re.compile(r"https?://[^\s)\]>\"'”」]+")
_MD_LINK_RE: Final = re.compile(r"!?\[([^\[\]]*)\]\(([^()\s]*)(?:\s+\"[^\"]*\")?\)")
_TRANSCRIPT_HINT: Final = re.compile(r"transcript", re.IGNORECASE)


def youtube_id(text: str) -> str | None:
    """The video id of a YouTube URL, or the text itself when it is a bare 11-character id."""
    text = text.strip()
    if re.fullmatch(_YT_ID, text):
        return text
    match = _YT_RE.search(text)
    return match.group(1) if match else None


def youtube_ids(text: str) -> list[str]:
    return [m.group(1) for m in _YT_RE.finditer(text)]


def urls(text: str) -> list[str]:
    return [u.rstrip(".,;:") for u in _URL_RE.findall(text)]


def transcript_urls(text: str) -> list[str]:
    return [normalize_url(u) for u in urls(text) if _TRANSCRIPT_HINT.search(u) and not youtube_id(u)]


def normalize_url(url: str) -> str:
    """One spelling per page, so a note's `…/transcript/` and a quote file's `…/transcript` agree."""
    url = url.strip().rstrip("/")
    url = re.sub(r"^http://", "https://", url)
    return re.sub(r"^https://www\.", "https://", url)


_EMPTY_PARENS: Final = re.compile(r"\(\s*\)")
_STRONG: Final = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS: Final = re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])")
_CODE: Final = re.compile(r"`([^`]*)`")
_TAG: Final = re.compile(r"<[^<>]+>")
_BLANKS: Final = re.compile(r"[ \t]+")
_SPACE_BEFORE_PUNCT: Final = re.compile(r"\s+([,.;:!?])")
_MARKUP_CHAR: Final = re.compile(r"[\[\]()*_`<]")
# A nested list joined into its item ("Talent density: - A central theme … AI. - He outlines …"): a
# marker after a label's colon or a sentence's end starts an item, shown as a bullet. A dash inside a
# sentence ("static - once trained") has no such end before it and stays.
_LIST_MARKER: Final = re.compile(r"(?<=[.!?:：。])\s+[-*+]\s+(?=[^\s\d])")


def plain_text(markdown: str) -> str:
    """Markdown inline syntax removed: links keep their label, images and empty links vanish; the
    items of a list joined into one line are kept apart by bullets."""
    text = markdown
    # Most transcript lines hold no markup, no run of blanks and no space before punctuation; the
    # substitutions only run where they can change something (ingest speed).
    if _MARKUP_CHAR.search(text):
        text = _MD_LINK_RE.sub(lambda m: m.group(1) if not m.group(0).startswith("!") else "", text)
        text = _EMPTY_PARENS.sub("", text)
        text = _STRONG.sub(r"\2", text)
        text = _EMPHASIS.sub(r"\1", text)
        text = _CODE.sub(r"\1", text)
        text = _TAG.sub("", text)
    if "  " in text or "\t" in text:
        text = _BLANKS.sub(" ", text)
    if "-" in text or "*" in text or "+" in text:
        text = _LIST_MARKER.sub(" • ", text)
    # Printable text has no whitespace but the plain space (str.isprintable), so the pairs are all \s+ can match.
    if not text.isprintable() or " ," in text or " ." in text or " ;" in text or " :" in text or " !" in text or (
        " ?" in text
    ):
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text.strip()
