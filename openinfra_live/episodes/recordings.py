"""Where an episode can be watched or heard: platform names, YouTube video ids, the recording."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext, lazy_gettext

# Platform keys as stored in ``EpisodeLink.platform`` are compared case-insensitively; these are
# the names shown for the known ones, anything else is shown as stored.
PLATFORM_LABELS = {
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "twitter": "Twitter",
    "twitch": "Twitch",
    "spotify": "Spotify",
    "applepodcasts": "Apple Podcasts",
    "podcast": lazy_gettext("Podcast"),
}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com"}
_YOUTUBE_HOSTS |= {"www.youtube-nocookie.com", "music.youtube.com"}
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def platform_key(platform: str) -> str:
    """``"YouTube"``, ``"youtube"`` and ``"You Tube"`` are one platform: ``"youtube"``."""
    return _NON_ALNUM.sub("", platform).lower()


def platform_label(platform: str) -> str:
    """The platform's display name."""
    label = PLATFORM_LABELS.get(platform_key(platform))
    return str(label) if label is not None else platform.strip() or gettext("Link")


# The two forms nearly every stored link has, read without parsing the whole address; what
# these do not match goes through the parser, which gives the same answer for these forms.
_YOUTUBE_COMMON_FORMS = re.compile(
    r"https?://(?:(?:www\.|m\.)?youtube\.com/watch\?v=([A-Za-z0-9_-]{11})(?:&[^#]*)?"
    r"|youtu\.be/([A-Za-z0-9_-]{11})(?:\?[^#]*)?)"
)


def youtube_video_id(url: str) -> str | None:
    """The video id of a YouTube watch, short, live or embed address; None for anything else."""
    common = _YOUTUBE_COMMON_FORMS.fullmatch(url.strip())
    if common is not None:
        return common.group(1) or common.group(2)
    return _parsed_youtube_video_id(url)


def _parsed_youtube_video_id(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower()
    candidate = ""
    if host == "youtu.be":
        candidate = parts.path.lstrip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "live", "shorts", "v"}:
            candidate = segments[1]
    return candidate if _YOUTUBE_ID.match(candidate) else None


@dataclass(frozen=True)
class Recording:
    """An episode's YouTube recording: where to watch it and where the embedded player is."""

    video_id: str
    watch_url: str

    @property
    def embed_url(self) -> str:
        return f"https://www.youtube-nocookie.com/embed/{self.video_id}"


def recording_of(episode: Any) -> Recording | None:
    """The first YouTube link of the episode that names a video, if any."""
    for link in episode.links:
        if platform_key(link.platform) == "youtube":
            video_id = youtube_video_id(link.url)
            if video_id:
                return Recording(video_id=video_id, watch_url=link.url)
    return None
