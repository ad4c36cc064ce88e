"""Demo content for a fresh site: past and upcoming episodes, a PTG, two waiting proposals.

Everything here is invented for the demo: people, organisations, stories and addresses (the
video links point at YouTube and LinkedIn so the recording embed has something to show, the
rest at example.org). No user accounts are made; moderators are created with the CLI.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from openinfra_live.episodes import search
from openinfra_live.episodes.guests import Guest
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.episodes.slugs import episode_slug
from openinfra_live.extensions import db
from openinfra_live.proposals.models import Proposal, ProposalGuest
from openinfra_live.ptg.models import FORMAT_VIRTUAL, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.teamlist import team_name_key
from openinfra_live.sanitize import clean_html
from openinfra_live.tokens import new_token


@dataclass(frozen=True)
class DemoEpisode:
    title: str
    description: str
    guests: tuple[Guest, ...]
    video_id: str = ""
    linkedin_post: str = ""
    recap_slug: str = ""


PAST_EPISODES = (
    # Newest first: the first one aired a week before the next scheduled episode.
    DemoEpisode(
        "Upgrades Without the All-Nighter",
        "<p>Three operators compare how they moved their clouds two releases ahead while "
        "tenants kept working: canary cells, database migrations rehearsed on copies of "
        "production, and the rollback plans they were glad they never used.</p>",
        (
            Guest("Maren Okafor", "Northwind Cloud"),
            Guest("Tomasz Wierzbicki", "Harbor Data"),
            Guest("Aiyana Brooks", "Fjordline Hosting"),
        ),
        video_id="dEmOuPgRd01",
        linkedin_post="7000000000000000101",
        recap_slug="upgrades-without-the-all-nighter",
    ),
    DemoEpisode(
        "Two Hundred Edge Sites on a Shoestring",
        "<p>A regional utility runs a small cloud in every substation. Its platform team "
        "explains how they keep two hundred sites patched with one pager rotation, and what "
        "they would design differently today.</p>",
        (Guest("Priya Raman", "Lakeshore Energy"), Guest("Jonas Feld", "Lakeshore Energy")),
        video_id="dEmOEdgeS02",
        linkedin_post="7000000000000000102",
        recap_slug="two-hundred-edge-sites",
    ),
    DemoEpisode(
        "Confidential Containers: What Works Today",
        "<p>Hardware-backed isolation moved from slideware to production pilots. Maintainers "
        "walk through the current state, demo an attested workload live, and answer the "
        "questions the chat sends in.</p>",
        (
            Guest("Lin Zhao", "Keystone Labs"),
            Guest("Rafael Duarte", "Sable Systems"),
            Guest("Hannah Meyer"),
        ),
        video_id="dEmOCoCo003",
        linkedin_post="7000000000000000103",
        recap_slug="confidential-containers-today",
    ),
    DemoEpisode(
        "Your First Patch: Mentors and Newcomers on Onboarding",
        "<p>Newcomers who landed their first change this cycle sit down with the mentors who "
        "reviewed it. What made the difference, what nearly made them quit, and how "
        "<em>you</em> can help the next group.</p>",
        (
            Guest("Sofia Lindqvist", "Mentoring programme"),
            Guest("Kwame Asante"),
            Guest("Elif Demir"),
        ),
        video_id="dEmOFrstP04",
        linkedin_post="7000000000000000104",
        recap_slug="your-first-patch",
    ),
    DemoEpisode(
        "Bare Metal Provisioning at Scale",
        "<p>From racking to a running workload in under an hour: a research lab shows the "
        "pipeline that enrols thousands of servers a year, and the firmware surprises it "
        "learned to expect.</p>",
        (Guest("Dr. Amara Nwosu", "Meridian Research Computing"), Guest("Ben Carter", "Ironside")),
        video_id="dEmOBrMtl05",
        linkedin_post="7000000000000000105",
        recap_slug="bare-metal-at-scale",
    ),
    DemoEpisode(
        "Measuring What Your Cloud Uses: Cost and Carbon",
        "<p>Energy use is the next capacity metric. Panelists show the dashboards they built "
        "from hypervisor counters and discuss how to turn numbers into scheduling decisions. "
        'Slides are on <a href="https://example.org/carbon-slides">the event page</a>.</p>',
        (
            Guest("Noor Haddad", "Greenfield Compute"),
            Guest("Mateus Oliveira", "Cloudbridge"),
            Guest("Ines Vidal"),
        ),
        video_id="dEmOCarbn06",
        linkedin_post="7000000000000000106",
        recap_slug="cost-and-carbon",
    ),
)

UPCOMING_EPISODES = (
    DemoEpisode(
        "Ask the Release Team Anything",
        "<p>The people who cut the release answer your questions live: freezes, "
        "deprecations, and what lands next cycle. Bring questions, or post them ahead of the "
        "show.</p>",
        (Guest("Grace Mbeki", "Release team"), Guest("Oskar Nyberg", "Release team")),
    ),
    DemoEpisode(
        "Debugging Virtual Networks in Production",
        "<p>Packets vanish; tenants open tickets. Two network engineers trace real incidents "
        "step by step, from the symptom to the flow rule that caused it.</p>",
        (Guest("Yusuf Kaya", "Polar Networks"), Guest("Chiara Romano", "Datacenter Sud")),
    ),
    DemoEpisode(
        "Community Spotlight: Local User Groups",
        "<p>Organisers of user groups on four continents share how they find speakers, keep "
        "meetups going, and bring new operators into the community.</p>",
        (
            Guest("Aditi Kulkarni", "Pune user group"),
            Guest("Diego Herrera", "Bogotá user group"),
            Guest("Mia Schulz", "Berlin user group"),
        ),
    ),
)

DEMO_TEAMS = (
    # name, kind, hours wanted, expected attendees, runs onboarding
    ("Nova", "project_team", 12, 25, True),
    ("Neutron", "project_team", 10, 20, False),
    ("Ironic", "project_team", 8, 15, True),
    ("Kata Containers", "project_team", 6, 12, False),
    ("Zuul", "project_team", 4, 8, False),
    ("Large Scale SIG", "sig", 4, 18, False),
    ("Newcomer Mentoring SIG", "sig", 2, 10, True),
    ("Energy Efficiency Working Group", "working_group", 3, 9, False),
)

DEMO_ROOMS = (("Aurora", 60), ("Borealis", 40), ("Cirrus", 25))

# Day of the event (0 = first), room, team, start hour UTC, hours.
DEMO_SESSIONS = (
    (0, "Aurora", "Nova", 13, 3),
    (0, "Aurora", "Neutron", 16, 2),
    (0, "Borealis", "Ironic", 14, 2),
    (0, "Cirrus", "Newcomer Mentoring SIG", 15, 1),
    (1, "Aurora", "Nova", 13, 3),
    (1, "Borealis", "Kata Containers", 14, 2),
    (1, "Cirrus", "Large Scale SIG", 16, 2),
    (2, "Borealis", "Energy Efficiency Working Group", 14, 2),
)

DEMO_PROPOSALS = (
    {
        "title": "Running a Cloud for a University on Two Engineers",
        "description": "<p>We run research computing for 30,000 students with a team of two. "
        "We would like to share our automation and what we decided not to run.</p>",
        "submitter_name": "Leila Haddad",
        "submitter_email": "leila.haddad@example.org",
        "organization": "Vale University",
        "links": "https://example.org/vale-cloud-talk",
        "guests": (
            Guest("Leila Haddad", "Vale University"),
            Guest("Peter Novak", "Vale University"),
        ),
        "age": timedelta(days=6),
    },
    {
        "title": "Storage Migrations Without Downtime",
        "description": "<p>A panel on moving petabytes between storage backends while "
        "volumes stay attached: tooling, checksums and the communication plan.</p>",
        "submitter_name": "Marco Bianchi",
        "submitter_email": "marco@example.org",
        "organization": "Tessera Storage",
        "links": "",
        "guests": (Guest("Marco Bianchi", "Tessera Storage"),),
        "age": timedelta(days=2),
    },
)


@dataclass
class DemoContent:
    """What ``load_demo`` created, for the command to print."""

    episodes: list[Episode] = field(default_factory=list)
    event: PtgEvent | None = None
    teams: int = 0
    rooms: int = 0
    sessions: int = 0
    proposals: list[tuple[Proposal, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"episode: {episode.slug}" for episode in self.episodes]
        if self.event is not None:
            lines.append(
                f"PTG event: {self.event.slug} ({self.teams} teams, {self.rooms} rooms, "
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
        return lines


def has_content() -> bool:
    """Whether any episode, proposal or PTG event exists (user accounts do not count)."""
    return any(
        db.session.scalar(db.select(model.id).limit(1)) is not None
        for model in (Episode, Proposal, PtgEvent)
    )


def next_slot(now: datetime) -> datetime:
    """The first default slot (Thursday 14:00 UTC unless configured) strictly after ``now``."""
    config = current_app.config
    slot_time = time(config["DEFAULT_SLOT_HOUR"], config["DEFAULT_SLOT_MINUTE"], tzinfo=UTC)
    now = now.astimezone(UTC)
    days_ahead = (config["DEFAULT_SLOT_WEEKDAY"] - now.weekday()) % 7
    candidate = datetime.combine(now.date() + timedelta(days=days_ahead), slot_time)
    if candidate <= now:
        candidate += timedelta(days=7)
    return candidate


def ptg_first_day(now: datetime) -> date:
    """The demo PTG's first day: the Monday about eight weeks after ``now``."""
    today = now.astimezone(UTC).date()
    return today + timedelta(days=56 - today.weekday())


def _episode(demo: DemoEpisode, starts_at: datetime, minutes: int) -> Episode:
    links = []
    if demo.video_id:
        links.append(("youtube", f"https://www.youtube.com/watch?v={demo.video_id}"))
    if demo.linkedin_post:
        links.append(
            (
                "linkedin",
                f"https://www.linkedin.com/feed/update/urn:li:ugcPost:{demo.linkedin_post}/",
            )
        )
    episode = Episode(
        slug=episode_slug(demo.title, starts_at),
        title=demo.title,
        description=clean_html(demo.description),
        starts_at=starts_at,
        duration_minutes=minutes,
        hidden=False,
        recap_url=(
            f"https://superuser.example.org/articles/{demo.recap_slug}/"
            if demo.recap_slug
            else None
        ),
        links=[EpisodeLink(position=i, platform=p, url=u) for i, (p, u) in enumerate(links)],
        guests=[
            EpisodeGuest(position=i, name=g.name, affiliation=g.affiliation)
            for i, g in enumerate(demo.guests)
        ],
    )
    search.refresh(episode)
    return episode


def _ptg_event(now: datetime, content: DemoContent) -> PtgEvent:
    monday = ptg_first_day(now)
    event = PtgEvent(
        slug=f"{monday:%B-%Y}".lower(),
        name=f"Project Teams Gathering, {monday:%B %Y}",
        starts_on=monday,
        ends_on=monday + timedelta(days=4),
        format=FORMAT_VIRTUAL,
        location="Online",
        registration_open=True,
        description=clean_html(
            "<p>Five days of team meetings, online and free. Teams book two- to four-hour "
            "blocks in the time zones that suit their contributors.</p>"
        ),
    )
    teams = {}
    for name, kind, hours, attendees, onboarding in DEMO_TEAMS:
        local_part = team_name_key(name)
        teams[name] = PtgTeam(
            name=name,
            name_key=team_name_key(name),
            kind=kind,
            status="approved",
            contact_name=f"{name} organisers",
            contact_email=f"{local_part}@example.org",
            expected_attendees=attendees,
            hours_wanted=hours,
            runs_onboarding=onboarding,
            etherpad_url=f"https://etherpad.example.org/p/{event.slug}-{local_part}",
        )
    rooms = {
        name: Room(name=name, capacity=capacity, video_url=f"https://meet.example.org/{name}")
        for name, capacity in DEMO_ROOMS
    }
    event.teams = list(teams.values())
    event.rooms = list(rooms.values())
    db.session.add(event)
    db.session.flush()  # sessions refer to the event by id
    for day, room, team, hour, hours in DEMO_SESSIONS:
        start = datetime.combine(monday + timedelta(days=day), time(hour, tzinfo=UTC))
        db.session.add(
            PtgSession(
                event_id=event.id,
                team=teams[team],
                room=rooms[room],
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
            )
        )
    content.event = event
    content.teams, content.rooms, content.sessions = len(teams), len(rooms), len(DEMO_SESSIONS)
    return event


def _proposal(spec: dict, now: datetime, content: DemoContent) -> None:
    token, token_hash = new_token()
    created = now - spec["age"]
    month = (now + timedelta(days=45)).astimezone(UTC)
    proposal = Proposal(
        title=spec["title"],
        description=clean_html(spec["description"]),
        submitter_name=spec["submitter_name"],
        submitter_email=spec["submitter_email"],
        organization=spec["organization"],
        preferred_month=f"{month:%Y-%m}",
        links=spec["links"],
        status="submitted",
        token_hash=token_hash,
        created_at=created,
        updated_at=created,
        guests=[
            ProposalGuest(position=i, name=g.name, affiliation=g.affiliation)
            for i, g in enumerate(spec["guests"])
        ],
    )
    db.session.add(proposal)
    content.proposals.append((proposal, token))


def load_demo(now: datetime) -> DemoContent:
    """Add the demo content around ``now``; flushes, the caller commits.

    Side effects: inserts the demo episodes (with their search text, ``search.refresh``), a
    PTG event with its teams, rooms and sessions, and the waiting proposals.
    """
    content = DemoContent()
    minutes = current_app.config["DEFAULT_EPISODE_MINUTES"]
    first_upcoming = next_slot(now)
    for weeks, demo in enumerate(PAST_EPISODES, start=1):
        content.episodes.append(_episode(demo, first_upcoming - timedelta(weeks=weeks), minutes))
    for weeks, demo in enumerate(UPCOMING_EPISODES):
        content.episodes.append(_episode(demo, first_upcoming + timedelta(weeks=weeks), minutes))
    db.session.add_all(content.episodes)
    _ptg_event(now, content)
    for spec in DEMO_PROPOSALS:
        _proposal(spec, now, content)
    db.session.flush()
    return content
