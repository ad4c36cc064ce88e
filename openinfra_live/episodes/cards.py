"""An episode's share card: the show, the title, when (UTC) and who; a special's, its dates."""

from flask_babel import gettext

from openinfra_live.cards import Card, listing
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.specials import special_summary
from openinfra_live.templating import human_date
from openinfra_live.timezones import human_utc
from openinfra_live.urls import site_domain

SHOW = "OpenInfra Live"


def episode_card(episode: Episode) -> Card:
    """What the card of ``episode`` says."""
    people = [guest.name for guest in episode.guests]
    if episode.special and episode.segments:
        people += [speaker.name for segment in episode.segments for speaker in segment.speakers]
        first = human_date(episode.segments[0].starts_at)
        last = human_date(episode.segments[-1].starts_at)
        dates = first if first == last else gettext("%(start)s to %(end)s", start=first, end=last)
        details = [f"{dates} · {special_summary(episode)}"]
    else:
        details = [human_utc(episode.starts_at)]
    names = list(dict.fromkeys(name for name in people if name.strip()))
    if names:
        details.append(gettext("With %(names)s", names=listing(names)))
    return Card(SHOW, episode.title, tuple(details), site_domain())
