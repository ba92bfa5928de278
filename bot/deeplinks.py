"""The one rule for links into a recording: the episode's video, opened at second N, else its audio
file with a media fragment (`…mp3#t=N`, which browsers play from that second).

Only a video or audio link can seek; a transcript or article page opens at its top whatever the time, so
a time is shown as a link's label only where `link_seeks` says the link goes there.
"""

from __future__ import annotations

import re
from typing import Final

YOUTUBE_WATCH: Final = "https://www.youtube.com/watch?v="
# A media fragment's start (W3C Media Fragments): `#t=90`, `#t=90.5`, `#t=90,120`.
_MEDIA_FRAGMENT: Final = re.compile(r"#t=\d+(?:\.\d+)?(?:,\d+(?:\.\d+)?)?$")
# The link opens a moment before the passage so the first word is not clipped.
LINK_LEAD_SECONDS: Final = 3


def video_url(video_id: str | None) -> str | None:
    """The episode's video page, or None when the episode has no video."""
    return f"{YOUTUBE_WATCH}{video_id}" if video_id else None


def deep_link(
    video_id: str | None, transcript_url: str | None, start: float | None, *, audio_url: str | None = None
) -> str | None:
    """Where to send a reader for words said at `start` seconds: the video at that second when there
    is one, else the audio file at that second, else the transcript page (which cannot seek), else nothing."""
    page = video_url(video_id)
    if page is None:
        if audio_url and start is not None:
            return f"{audio_url.split('#', 1)[0]}#t={max(0, int(start) - LINK_LEAD_SECONDS)}"
        return transcript_url or audio_url
    return f"{page}&t={max(0, int(start) - LINK_LEAD_SECONDS)}s" if start is not None else page


def link_seeks(video_id: str | None, audio_url: str | None = None) -> bool:
    """Whether the episode's link (from `deep_link`) opens at the passage's second: a video's or an audio file's."""
    return video_url(video_id) is not None or bool(audio_url)


def url_seeks(url: str | None) -> bool:
    """The same rule for a link already made: a video page or an audio file with a media fragment."""
    return url is not None and (url.startswith(YOUTUBE_WATCH) or _MEDIA_FRAGMENT.search(url) is not None)
