"""A fresh database with realistic content: episodes of the show and a PTG with its schedule.

Everything is derived from a seeded random generator, so two runs measure the same data. Rows go
in with bulk inserts through the application's own tables, after the application's migrations.
"""

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine, text

from openinfra_live.episodes import search
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.episodes.slugs import episode_slug
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.questions.models import Question

SEARCH_WORD = "kubernetes"
# A word no generated episode contains: the search a typo makes, which reads every episode to
# find that nothing matches (a common word stops at the count's cap).
UNMATCHED_WORD = "mainframe"
FUTURE_EPISODES = 6
HIDDEN_EVERY = 50  # one episode in fifty is hidden, as withdrawn or test entries are

TOPICS = [
    "OpenStack",
    "Kata Containers",
    "StarlingX",
    "Zuul",
    "Airship",
    "Kubernetes",
    "Ceph",
    "Magma",
    "OpenInfra Edge",
    "Large Scale SIG",
    "Neutron",
    "Nova",
    "Ironic",
    "Cinder",
    "Octavia",
    "Manila",
    "Keystone",
    "Horizon",
    "Kolla",
    "OpenStack-Ansible",
]
PHRASES = [
    "Lessons from Running It in Production",
    "What Is New in the Latest Release",
    "Upgrades Without Downtime",
    "Scaling to Thousands of Nodes",
    "Security Hardening in Practice",
    "A Conversation with the Project Leaders",
    "Contributing Upstream for the First Time",
    "Edge Deployments at Telecom Scale",
    "Bare Metal Provisioning Demystified",
    "Cost, Capacity and Spare Resources",
    "Observability for Open Infrastructure",
    "Hybrid Cloud Migration Stories",
    "Digital Sovereignty and Open Source",
    "Operators Ask the Developers Anything",
    "Community Updates from the PTG",
]
SENTENCES = [
    "Operators from several public clouds share how they run {topic} today.",
    "The {topic} community gives an update on the roadmap and answers questions live.",
    "We look at the design choices behind {topic} and what they mean for day-two operations.",
    "Contributors explain how to get started and where help is most needed.",
    "A panel compares approaches to upgrades, monitoring and capacity planning.",
    "Bring your questions: the last part of the show is open to the audience.",
    "Users running Kubernetes on top of open infrastructure describe their setup.",
    "The hosts demo new features and discuss the feedback from the last release cycle.",
]
FIRST_NAMES = [
    "Ildiko",
    "Kendall",
    "Thierry",
    "Jonathan",
    "Allison",
    "Amy",
    "Belmiro",
    "Arnaud",
    "Mohammed",
    "Jim",
    "Jimmy",
    "Julia",
    "Ghanshyam",
    "Sylvain",
    "Rico",
    "Dmitriy",
    "Carlos",
    "Lance",
    "Brian",
    "Helena",
    "Victoria",
    "Archana",
    "Kurt",
    "Linda",
]
LAST_NAMES = [
    "Vancsa",
    "Nelson",
    "Carrez",
    "Bryce",
    "Price",
    "Marrich",
    "Moreira",
    "Morin",
    "Naser",
    "Blair",
    "McArthur",
    "Kreger",
    "Mann",
    "Bauza",
    "Lin",
    "Rabotyagov",
    "da Silva",
    "Bragstad",
    "Rosmaita",
    "Spiegel",
    "Martinez de la Cruz",
    "Kumari",
    "Garloff",
    "Siwe",
]
COMPANIES = [
    "CERN",
    "OVHcloud",
    "Vexxhost",
    "Red Hat",
    "Canonical",
    "Ericsson",
    "Wind River",
    "Ant Group",
    "City Network",
    "T-Systems",
    "Binero",
    "Cleura",
    "OpenInfra Foundation",
    "",
]
PTG_TEAMS = [
    ("Barbican", "project_team"),
    ("Blazar", "project_team"),
    ("Cinder", "project_team"),
    ("CloudKitty", "project_team"),
    ("Cyborg", "project_team"),
    ("Designate", "project_team"),
    ("Glance", "project_team"),
    ("Heat", "project_team"),
    ("Horizon", "project_team"),
    ("Ironic", "project_team"),
    ("Kata Containers", "project_team"),
    ("Keystone", "project_team"),
    ("Kolla", "project_team"),
    ("Kuryr", "project_team"),
    ("Magma", "project_team"),
    ("Magnum", "project_team"),
    ("Manila", "project_team"),
    ("Masakari", "project_team"),
    ("Mistral", "project_team"),
    ("Neutron", "project_team"),
    ("Nova/Placement", "project_team"),
    ("Octavia", "project_team"),
    ("OpenStack-Ansible", "project_team"),
    ("OpenStack Charms", "project_team"),
    ("OpenStack Helm", "project_team"),
    ("OpenStackSDK", "project_team"),
    ("Oslo", "project_team"),
    ("Puppet OpenStack", "project_team"),
    ("QA", "project_team"),
    ("Release Management", "project_team"),
    ("Sahara", "project_team"),
    ("Skyline", "project_team"),
    ("StarlingX", "project_team"),
    ("Swift", "project_team"),
    ("Tacker", "project_team"),
    ("Technical Committee", "project_team"),
    ("TripleO", "project_team"),
    ("Trove", "project_team"),
    ("Venus", "project_team"),
    ("Watcher", "project_team"),
    ("Zun", "project_team"),
    ("Zuul", "project_team"),
    ("First Contact SIG", "sig"),
    ("Large Scale SIG", "sig"),
    ("Scientific SIG", "sig"),
    ("Interop WG", "working_group"),
    ("D&I WG", "working_group"),
    ("Environmental Sustainability Working Group", "working_group"),
    ("OpenInfra Edge Computing Group", "working_group"),
    ("Computing Force Network (CFN) Working Group", "other"),
]
ROOMS = ["Austin", "Bexar", "Cactus", "Diablo", "Essex", "Folsom", "Grizzly", "Havana"]
# Blocks of each room and day, in UTC hours: 2 to 4 hours, as teams ask for.
DAY_BLOCKS = [(13, 15), (15, 17), (17, 21)]


@dataclass
class Dataset:
    """What the generator put in the database, for building the URLs to measure."""

    episodes: int
    visible_episodes: int
    episode_slug: str
    # The next episode: its page carries the question form and lists approved questions.
    next_episode_slug: str
    event_slug: str
    search_word: str
    unmatched_word: str
    teams: int
    sessions: int


def thursdays(count: int, now: datetime) -> list[datetime]:
    """``count`` weekly Thursday 14:00 UTC starts, the last few after ``now``, oldest first."""
    days_ahead = (3 - now.weekday()) % 7 or 7
    next_show = datetime.combine(now.date() + timedelta(days=days_ahead), time(14, 0), UTC)
    last = next_show + timedelta(weeks=FUTURE_EPISODES - 1)
    return [last - timedelta(weeks=count - 1 - i) for i in range(count)]


def _title(rng: random.Random) -> str:
    return f"{rng.choice(TOPICS)}: {rng.choice(PHRASES)}"


def _raw_description(rng: random.Random, topic: str, number: int) -> str:
    """About 300 characters of the little HTML the content file holds."""
    parts = []
    while sum(len(p) for p in parts) < 190:
        parts.append(rng.choice(SENTENCES).format(topic=topic))
    body = " ".join(parts)
    return (
        f"<p>{body} <em>Episode {number}.</em> "
        f'Read more on <a href="https://superuser.openinfra.dev/articles/{number}">Superuser</a>.</p>'
    )


def _cleaned(raw: str) -> str:
    """What ``sanitize.clean_html`` makes of the generated HTML: links get their ``rel``."""
    return raw.replace('">Superuser', '" rel="nofollow noopener noreferrer">Superuser')


def _guests(rng: random.Random) -> list[tuple[str, str]]:
    guests = []
    for _ in range(rng.randint(1, 5)):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if all(name != existing for existing, _ in guests):
            guests.append((name, rng.choice(COMPANIES)))
    return guests


def _links(rng: random.Random, number: int) -> list[tuple[str, str]]:
    video = f"{number:011d}"[-11:].replace("0", "a")
    links = [
        ("youtube", f"https://www.youtube.com/watch?v={video}"),
        ("linkedin", f"https://www.linkedin.com/feed/update/urn:li:ugcPost:68{number:014d}/"),
    ]
    if rng.random() < 0.6:
        links.append(
            ("facebook", f"https://www.facebook.com/104139126308032/posts/4{number:012d}/")
        )
    return links


@dataclass
class EpisodeSpec:
    """One generated episode, before it becomes rows or a content-file entry."""

    number: int
    title: str
    starts_at: datetime
    raw_description: str
    hidden: bool
    guests: list[tuple[str, str]]
    links: list[tuple[str, str]]
    recap_url: str | None


def episode_specs(count: int, now: datetime, seed: int = 7) -> Iterator[EpisodeSpec]:
    """The generated episodes, oldest first; past ones have recordings, future ones none."""
    rng = random.Random(seed)
    for number, starts_at in enumerate(thursdays(count, now), start=1):
        title = _title(rng)
        topic = title.split(":")[0]
        past = starts_at < now
        yield EpisodeSpec(
            number=number,
            title=title,
            starts_at=starts_at,
            raw_description=_raw_description(rng, topic, number),
            hidden=number % HIDDEN_EVERY == 0,
            guests=_guests(rng),
            links=_links(rng, number) if past else [],
            recap_url=(
                f"https://superuser.openinfra.dev/articles/recap-{number}/"
                if past and rng.random() < 0.4
                else None
            ),
        )


def _insert_episodes(count: int, now: datetime) -> tuple[int, str, str]:
    episodes, guests, links = [], [], []
    for spec in episode_specs(count, now):
        episodes.append(
            {
                "id": spec.number,
                "slug": episode_slug(spec.title, spec.starts_at),
                "title": spec.title,
                "description": _cleaned(spec.raw_description),
                "starts_at": spec.starts_at,
                "duration_minutes": 60,
                "hidden": spec.hidden,
                "sequence": 0,
                "recap_url": spec.recap_url,
                # Aired episodes have a count of views, as after `flask import-views`.
                "views": 200 + (spec.number * 7919) % 5000 if spec.starts_at < now else None,
                "created_at": now,
                "updated_at": now,
            }
        )
        for position, (name, affiliation) in enumerate(spec.guests):
            guests.append(
                {
                    "episode_id": spec.number,
                    "position": position,
                    "name": name,
                    "affiliation": affiliation,
                }
            )
        for position, (platform, url) in enumerate(spec.links):
            links.append(
                {"episode_id": spec.number, "position": position, "platform": platform, "url": url}
            )
    for table, rows in (
        (Episode.__table__, episodes),
        (EpisodeGuest.__table__, guests),
        (EpisodeLink.__table__, links),
    ):
        for start in range(0, len(rows), 5000):
            db.session.execute(table.insert(), rows[start : start + 5000])
    # Bulk inserts bypass the services that write each episode's search text.
    search.refresh_all()
    # A visible past episode from the middle of the archive: neither first nor last page.
    past_visible = [e for e in episodes if not e["hidden"] and e["starts_at"] < now]
    middle = past_visible[len(past_visible) // 2] if past_visible else episodes[0]
    visible = sum(1 for e in episodes if not e["hidden"])
    upcoming = [e for e in episodes if not e["hidden"] and e["starts_at"] > now]
    next_one = min(upcoming, key=lambda e: e["starts_at"]) if upcoming else middle
    _insert_questions(next_one["id"], now)
    return visible, middle["slug"], next_one["slug"]


# The next episode takes questions and lists the approved ones, as the show's hosts choose.
APPROVED_QUESTIONS = 25


def _insert_questions(episode_id: int, now: datetime) -> None:
    db.session.execute(
        Episode.__table__.update()
        .where(Episode.__table__.c.id == episode_id)
        .values(show_questions=True)
    )
    rows = [
        {
            "episode_id": episode_id,
            "text": f"Question {n} from the audience: how does this work at scale?",
            "asker_name": f"Viewer {n}" if n % 3 else "",
            "asker_email": "",
            "status": "answered" if n < 5 else "approved",
            "position": n,
            "created_at": now - timedelta(hours=n),
            "updated_at": now,
        }
        for n in range(APPROVED_QUESTIONS)
    ]
    db.session.execute(Question.__table__.insert(), rows)


def _event_slug(starts_on: date) -> str:
    return f"{starts_on:%B}-{starts_on.year}".lower()


def _insert_ptg(now: datetime) -> tuple[str, int, int]:
    """The next PTG (about a month ahead, Monday to Friday) with 50 approved teams and a schedule;
    and the previous one, smaller, so the site has a past event to link to."""
    rng = random.Random(11)
    monday = now.date() + timedelta(days=28 - now.weekday())
    previous = monday - timedelta(weeks=26)
    events = [
        (previous, len(PTG_TEAMS) // 5, "Previous gathering."),
        (monday, len(PTG_TEAMS), "The next Project Teams Gathering."),
    ]
    slug = ""
    teams_total = sessions_total = 0
    for starts_on, team_count, blurb in events:
        event = PtgEvent(
            slug=_event_slug(starts_on),
            name=f"Project Teams Gathering {starts_on:%B %Y}",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=4),
            format="virtual",
            location="",
            registration_open=starts_on == monday,
            description=f"<p>{blurb} Teams meet by video in the rooms below.</p>",
        )
        db.session.add(event)
        db.session.flush()
        rooms = [
            Room(event_id=event.id, name=name, capacity=rng.choice([20, 40, 80]), video_url="")
            for name in ROOMS
        ]
        db.session.add_all(rooms)
        teams = []
        for name, kind in PTG_TEAMS[:team_count]:
            teams.append(
                PtgTeam(
                    event_id=event.id,
                    name=name,
                    name_key=name.lower().replace(" ", ""),
                    kind=kind,
                    status="approved",
                    contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    contact_email=f"ptl-{len(teams)}@example.org",
                    expected_attendees=rng.randint(4, 40),
                    hours_wanted=rng.choice([4, 8, 12]),
                    preferred_days=[(starts_on + timedelta(days=d)).isoformat() for d in (0, 1)],
                    time_windows=["13-17"],
                    etherpad_url=f"https://etherpad.opendev.org/p/{event.slug}-{len(teams)}",
                    created_at=now,
                    updated_at=now,
                )
            )
        db.session.add_all(teams)
        db.session.flush()
        # Fill every room's blocks, Monday to Friday, going round the teams.
        position = 0
        sessions = []
        for day in range(5):
            for start_hour, end_hour in DAY_BLOCKS:
                for room in rooms:
                    team = teams[position % len(teams)]
                    position += 1
                    day_date = starts_on + timedelta(days=day)
                    sessions.append(
                        PtgSession(
                            event_id=event.id,
                            team_id=team.id,
                            room_id=room.id,
                            starts_at=datetime.combine(day_date, time(start_hour), UTC),
                            ends_at=datetime.combine(day_date, time(end_hour), UTC),
                        )
                    )
        db.session.add_all(sessions)
        teams_total, sessions_total, slug = len(teams), len(sessions), event.slug
    return slug, teams_total, sessions_total


def _reset_postgres_sequences() -> None:
    """Rows were inserted with explicit ids: move the sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("episodes",):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )


def _settle(engine: Engine) -> None:
    """Leave the database as one that has lived a while. On PostgreSQL: vacuumed, with fresh
    statistics for the planner (autovacuum does both after a bulk insert), so that counts can
    read an index alone instead of every row. SQLite is left without statistics, as a site
    runs it: nothing runs ``ANALYZE`` there on its own."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        # VACUUM cannot run inside a transaction.
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def migrate(app: Flask) -> None:
    """Create the schema with the application's migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def generate(app: Flask, episodes: int, now: datetime | None = None) -> Dataset:
    """Migrate the app's (empty) database and fill it; returns what the URLs need."""
    now = now or datetime.now(UTC)
    migrate(app)
    with app.app_context():
        visible, slug, next_slug = _insert_episodes(episodes, now)
        event_slug, teams, sessions = _insert_ptg(now)
        _reset_postgres_sequences()
        db.session.commit()
        _settle(db.engine)
    return Dataset(
        episodes=episodes,
        visible_episodes=visible,
        episode_slug=slug,
        next_episode_slug=next_slug,
        event_slug=event_slug,
        search_word=SEARCH_WORD,
        unmatched_word=UNMATCHED_WORD,
        teams=teams,
        sessions=sessions,
    )


def _speakers(guests: list[tuple[str, str]]) -> str:
    return ", ".join(
        f"{name} ({affiliation})" if affiliation else name for name, affiliation in guests
    )


def write_content_file(path: Path, count: int, now: datetime | None = None) -> None:
    """The same episodes in the show's content-file format (Markdown with YAML front matter).

    Strings are written as JSON strings, which YAML reads as double-quoted scalars.
    """
    now = now or datetime.now(UTC)
    lines = ["---", "templateKey: openinfra-live", "episodes:"]
    for spec in reversed(list(episode_specs(count, now))):
        lines.append(f"  - hidden: {'true' if spec.hidden else 'false'}")
        lines.append(f"    date: {spec.starts_at:%Y-%m-%dT%H:%M:%S.000Z}")
        lines.append(f"    episodeTitle: {json.dumps(spec.title)}")
        lines.append(f"    episodeDescription: {json.dumps(spec.raw_description)}")
        lines.append(f"    episodeSpeakers: {json.dumps(_speakers(spec.guests))}")
        for platform, url in spec.links:
            lines.append(f"    {platform}Link: {url}")
        if spec.recap_url:
            lines.append(f"    superuserRecap: {spec.recap_url}")
    lines += ["---", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
