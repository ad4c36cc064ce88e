"""An episode's share card: the show, the title, when (UTC) and who."""

from openinfra_live.cards import Card, listing
from openinfra_live.episodes.models import Episode
from openinfra_live.timezones import human_utc
from openinfra_live.urls import site_domain

SHOW = "OpenInfra Live"


def episode_card(episode: Episode) -> Card:
    """What the card of ``episode`` says."""
    names = [guest.name for guest in episode.guests if guest.name.strip()]
    details = [human_utc(episode.starts_at)]
    if names:
        details.append("With " + listing(names))
    return Card(SHOW, episode.title, tuple(details), site_domain())
