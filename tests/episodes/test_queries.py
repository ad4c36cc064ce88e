"""Read-side rules that need no page: episode state, recordings, platforms, API fields."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import openinfra_live.models  # noqa: F401  (every mapper, so models can be built alone)
from openinfra_live.episodes.exporter import link_field
from openinfra_live.episodes.models import Episode, EpisodeLink
from openinfra_live.episodes.queries import EpisodeState, state_of
from openinfra_live.episodes.recordings import _parsed_youtube_video_id as parsed_video_id
from openinfra_live.episodes.recordings import platform_label, recording_of, youtube_video_id

STARTS = datetime(2024, 5, 9, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (timedelta(seconds=-1), EpisodeState.UPCOMING),
        (timedelta(0), EpisodeState.LIVE),
        (timedelta(minutes=89, seconds=59), EpisodeState.LIVE),
        (timedelta(minutes=90), EpisodeState.PAST),
    ],
)
def test_state_follows_the_start_and_the_duration(offset, state):
    episode = Episode(starts_at=STARTS, duration_minutes=90)

    assert state_of(episode, STARTS + offset) is state


@pytest.mark.parametrize(
    ("url", "video_id"),
    [
        ("https://www.youtube.com/watch?v=pHHCIGkpNzs", "pHHCIGkpNzs"),
        ("https://www.youtube.com/watch?feature=share&v=pHHCIGkpNzs", "pHHCIGkpNzs"),
        ("https://youtu.be/xfrvN9zkjs8?t=30", "xfrvN9zkjs8"),
        ("https://www.youtube.com/embed/xfrvN9zkjs8", "xfrvN9zkjs8"),
        ("https://www.youtube.com/live/xfrvN9zkjs8?si=x", "xfrvN9zkjs8"),
        ("https://youtube.com/live/pHHCIGkpNzs?si=x", "pHHCIGkpNzs"),
        ("https://www.youtube-nocookie.com/embed/pHHCIGkpNzs", "pHHCIGkpNzs"),
        ("https://notyoutube.com/embed/pHHCIGkpNzs", None),
        ("https://m.youtube.com/watch?v=pHHCIGkpNzs", "pHHCIGkpNzs"),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://www.youtube.com/watch?v=pHHCIGkpNzs%22onload%3D", None),
        ("https://evil.example/watch?v=pHHCIGkpNzs", None),
        ("javascript://www.youtube.com/watch?v=pHHCIGkpNzs", None),
        ("https://www.youtube.com/channel/UCabcdefghijk", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_youtube_video_ids_come_only_from_youtube_addresses(url, video_id):
    assert youtube_video_id(url) == video_id
    assert parsed_video_id(url) == video_id


_ADDRESS_PIECES = "aZ09_-?&#=/%. \tvV"
_ADDRESS_ENDINGS = ["?t=30", "&t=1", "&v=xfrvN9zkjs8", "#t=1", "/", "?", "&"]
_ADDRESS_ENDINGS += ["%22", " x", "\t", "x"]


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp", " https"]),
    host=st.sampled_from(
        ["youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "YouTu.be", "evil.example"]
        + ["youtube.com:443", "user@youtu.be", "music.youtube.com", "youtu.be.evil.example"]
    ),
    path=st.sampled_from(["/watch?v=", "/watch?x=1&v=", "/", "/embed/", "/watch/", ""]),
    video=st.one_of(
        st.sampled_from(["pHHCIGkpNzs", "xfrvN9zkjs8", "a-b_c-d_e-f"]),
        st.text(alphabet=_ADDRESS_PIECES, max_size=14),
    ),
    rest=st.lists(st.sampled_from(_ADDRESS_ENDINGS), max_size=3).map("".join),
)
@settings(max_examples=600)
def test_the_quick_reading_of_common_addresses_agrees_with_the_parser(
    scheme, host, path, video, rest
):
    url = f"{scheme}://{host}{path}{video}{rest}"
    assert youtube_video_id(url) == parsed_video_id(url)


def test_recording_is_the_first_youtube_link_with_a_video():
    episode = Episode(
        links=[
            EpisodeLink(platform="linkedin", url="https://www.linkedin.com/x"),
            EpisodeLink(platform="YouTube", url="https://www.youtube.com/@channel"),
            EpisodeLink(platform="youtube", url="https://youtu.be/xfrvN9zkjs8"),
        ]
    )

    recording = recording_of(episode)

    assert recording.embed_url == "https://www.youtube-nocookie.com/embed/xfrvN9zkjs8"
    assert recording.watch_url == "https://youtu.be/xfrvN9zkjs8"


@pytest.mark.parametrize(
    ("platform", "label", "field"),
    [
        ("youtube", "YouTube", "youtubeLink"),
        ("YouTube", "YouTube", "youtubeLink"),
        ("linkedin", "LinkedIn", "linkedinLink"),
        ("facebook", "Facebook", "facebookLink"),
        ("Mastodon", "Mastodon", "mastodonLink"),
        ("", "Link", "otherLink"),
    ],
)
def test_platform_labels_and_api_fields(platform, label, field):
    assert platform_label(platform) == label
    assert link_field(platform) == field
