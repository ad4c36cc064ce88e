"""Demo content for a fresh site, read from ``demo.yaml`` beside this module: past and upcoming
episodes around today (the next one with audience questions), a PTG about eight weeks ahead,
two waiting proposals, and, when the site
has no account yet, a demo moderator whose password is generated now and printed once."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from flask import current_app

from openinfra_live import tokens
from openinfra_live.auth.models import User
from openinfra_live.auth.services import create_moderator
from openinfra_live.episodes import search
from openinfra_live.episodes.editing import default_slot_on_or_after
from openinfra_live.episodes.guests import parse_speakers
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink, EpisodeSegment
from openinfra_live.episodes.slugs import episode_slug
from openinfra_live.episodes.specials import new_key, refresh_search
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal, ProposalGuest
from openinfra_live.proposals.notifications import STATUS_LINK
from openinfra_live.proposals.states import PROPOSALS
from openinfra_live.ptg.models import FORMAT_VIRTUAL, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.teamlist import team_name_key
from openinfra_live.questions.models import Question
from openinfra_live.questions.states import QUESTIONS
from openinfra_live.sanitize import clean_html
from openinfra_live.urls import site_url_for

CONTENT_FILE = Path(__file__).with_name("demo.yaml")
DEMO_MODERATOR_EMAIL = "moderator@example.org"


@dataclass
class DemoContent:
    """What ``load_demo`` created, for the command to print."""

    episodes: list[Episode] = field(default_factory=list)
    event: PtgEvent | None = None
    sessions: int = 0
    proposals: list[tuple[Proposal, str]] = field(default_factory=list)
    # The demo moderator's address and password, when one was made.
    moderator: tuple[str, str] | None = None

    def lines(self) -> list[str]:
        """One line per episode, the PTG and each proposal (with its status link), a total, then
        how to sign in as the demo moderator (its password appears here and nowhere else)."""
        lines = [f"episode: {episode.slug}" for episode in self.episodes]
        if self.event is not None:
            event = self.event
            lines.append(
                f"PTG event: {event.slug} ({len(event.teams)} teams, {len(event.rooms)} rooms, "
                f"{self.sessions} sessions)"
            )
        lines += [
            f"proposal: {proposal.title} (status page /proposals/{token})"
            for proposal, token in self.proposals
        ]
        lines.append(
            f"demo content loaded: {len(self.episodes)} episodes, 1 PTG event, "
            f"{len(self.proposals)} proposals"
        )
        if self.moderator is not None:
            email, password = self.moderator
            lines.append(
                f"demo moderator: sign in at {site_url_for('auth.login')} as {email} with the "
                f"password {password} (shown only this once; change it with "
                f"`flask --app openinfra_live set-password {email}`)"
            )
        return lines


def has_content() -> bool:
    """Whether any episode, proposal or PTG event exists (user accounts do not count)."""
    return any(
        db.session.scalar(db.select(model.id).limit(1)) is not None
        for model in (Episode, Proposal, PtgEvent)
    )


def ptg_first_day(now: datetime) -> date:
    """The demo PTG's first day: the Monday about eight weeks after ``now``."""
    today = now.astimezone(UTC).date()
    return today + timedelta(days=56 - today.weekday())


def _episode(spec: dict[str, Any], starts_at: datetime) -> Episode:
    links = []
    if spec.get("video_id"):
        links.append(("youtube", f"https://www.youtube.com/watch?v={spec['video_id']}"))
    if spec.get("linkedin_post"):
        post = spec["linkedin_post"]
        links.append(("linkedin", f"https://www.linkedin.com/feed/update/urn:li:ugcPost:{post}/"))
    recap = spec.get("recap_slug")
    episode = Episode(
        slug=episode_slug(spec["title"], starts_at),
        title=spec["title"],
        description=clean_html(spec["description"]),
        starts_at=starts_at,
        duration_minutes=current_app.config["DEFAULT_EPISODE_MINUTES"],
        hidden=False,
        recap_url=f"https://superuser.example.org/articles/{recap}/" if recap else None,
        links=[EpisodeLink(position=i, platform=p, url=u) for i, (p, u) in enumerate(links)],
        guests=[
            EpisodeGuest(position=i, name=g.name, affiliation=g.affiliation)
            for i, g in enumerate(parse_speakers(spec["speakers"]))
        ],
    )
    search.refresh(episode)
    _questions(episode, spec.get("questions", []), starts_at)
    return episode


def _questions(episode: Episode, specs: list[dict[str, Any]], starts_at: datetime) -> None:
    """Questions sent ahead of the show, in the states ``specs`` give; approved ones listed."""
    episode.show_questions = bool(specs)
    for position, spec in enumerate(specs, start=1):
        asked = starts_at - timedelta(days=2, hours=position)
        question = Question(
            episode=episode,
            text=spec["text"],
            asker_name=spec.get("name", ""),
            asker_email="",
            status=spec["state"],
            position=position,
            created_at=asked,
            updated_at=asked,
        )
        db.session.add(question)
        entry = QUESTIONS.record(question, "ask", to_status="submitted")
        entry.created_at = asked


def _special(spec: dict[str, Any], first_upcoming: datetime) -> Episode:
    """The two-day special: its first day is the Tuesday before the second upcoming episode."""
    day_one = (first_upcoming + timedelta(days=5)).replace(hour=0, minute=0)
    segments = []
    for item in spec["segments"]:
        hour, minute = (int(part) for part in item["start"].split(":"))
        start = day_one + timedelta(days=item["day"] - 1, hours=hour, minutes=minute)
        segment = EpisodeSegment(key=new_key(), title=item["title"], starts_at=start)
        segment.duration_minutes = item["minutes"]
        segment.speaker_pairs = [tuple(g) for g in parse_speakers(item["speakers"])]
        segments.append(segment)
    episode = _episode({**spec, "speakers": ""}, segments[0].starts_at)
    episode.special, episode.segments = True, segments
    episode.duration_minutes = int(
        (segments[-1].ends_at - segments[0].starts_at).total_seconds() // 60
    )
    refresh_search(episode)
    return episode


def _ptg_event(spec: dict[str, Any], now: datetime) -> PtgEvent:
    monday = ptg_first_day(now)
    event = PtgEvent(
        slug=f"{monday:%B-%Y}".lower(),
        name=f"Project Teams Gathering, {monday:%B %Y}",
        starts_on=monday,
        ends_on=monday + timedelta(days=4),
        format=FORMAT_VIRTUAL,
        location="Online",
        registration_open=True,
        description=clean_html(spec["description"]),
    )
    teams = {
        name: PtgTeam(
            name=name,
            name_key=team_name_key(name),
            kind=kind,
            status="approved",
            contact_name=f"{name} organisers",
            contact_email=f"{team_name_key(name)}@example.org",
            expected_attendees=attendees,
            hours_wanted=hours,
            runs_onboarding=onboarding,
            etherpad_url=f"https://etherpad.example.org/p/{event.slug}-{team_name_key(name)}",
        )
        for name, (kind, hours, attendees, onboarding) in spec["teams"].items()
    }
    rooms = {
        name: Room(name=name, capacity=capacity, video_url=f"https://meet.example.org/{name}")
        for name, capacity in spec["rooms"].items()
    }
    event.teams, event.rooms = list(teams.values()), list(rooms.values())
    db.session.add(event)
    db.session.flush()  # sessions refer to the event by id
    for day, room, team, hour, hours in spec["sessions"]:
        start = datetime.combine(monday + timedelta(days=day), time(hour, tzinfo=UTC))
        end = start + timedelta(hours=hours)
        db.session.add(
            PtgSession(
                event_id=event.id, team=teams[team], room=rooms[room], starts_at=start, ends_at=end
            )
        )
    return event


def _proposal(spec: dict[str, Any], now: datetime) -> tuple[Proposal, str]:
    # As a submission does: the token derives from a seed kept with the proposal, so the status
    # link in every later mail about it opens its page.
    seed = secrets.token_urlsafe(24)
    token = tokens.derive(STATUS_LINK, seed)
    created = now - timedelta(days=spec["days_ago"])
    proposal = Proposal(
        title=spec["title"],
        description=clean_html(spec["description"]),
        submitter_name=spec["submitter_name"],
        submitter_email=spec["submitter_email"],
        organization=spec["organization"],
        preferred_month=f"{(now + timedelta(days=45)).astimezone(UTC):%Y-%m}",
        links=spec["links"],
        status="submitted",
        token_hash=tokens.hash_token(token),
        submission_nonce=seed,
        created_at=created,
        updated_at=created,
        guests=[
            ProposalGuest(position=i, name=g.name, affiliation=g.affiliation)
            for i, g in enumerate(parse_speakers(spec["speakers"]))
        ],
    )
    # As a submission through the form records it, so its status page tells what happened.
    entry = PROPOSALS.record(proposal, "submit", to_status="submitted", public=True)
    entry.created_at = created
    return proposal, token


def _demo_moderator() -> tuple[str, str] | None:
    """A moderator with a password generated now, when the site has no account at all."""
    if db.session.scalar(db.select(User.id).limit(1)) is not None:
        return None
    password = secrets.token_urlsafe(15)
    create_moderator(DEMO_MODERATOR_EMAIL, password, display_name="Demo moderator")
    return DEMO_MODERATOR_EMAIL, password


def load_demo(now: datetime) -> DemoContent:
    """Add the demo content of ``demo.yaml`` around ``now``; flushes, the caller commits.

    Side effects: inserts the demo episodes (with their search text, ``search.refresh``), a
    PTG event with its teams, rooms and sessions, the waiting proposals, and a demo moderator
    (``auth.services.create_moderator``, with its audit entry) when there is no account yet.
    """
    spec = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    first_upcoming = default_slot_on_or_after(now + timedelta(microseconds=1))
    content = DemoContent()
    for weeks, episode in enumerate(spec["past_episodes"], start=1):
        content.episodes.append(_episode(episode, first_upcoming - timedelta(weeks=weeks)))
    for weeks, episode in enumerate(spec["upcoming_episodes"]):
        content.episodes.append(_episode(episode, first_upcoming + timedelta(weeks=weeks)))
    content.episodes.append(_special(spec["special"], first_upcoming))
    content.event = _ptg_event(spec["ptg"], now)
    content.sessions = len(spec["ptg"]["sessions"])
    content.proposals = [_proposal(proposal, now) for proposal in spec["proposals"]]
    db.session.add_all([*content.episodes, *(proposal for proposal, _ in content.proposals)])
    content.moderator = _demo_moderator()
    db.session.flush()
    return content
