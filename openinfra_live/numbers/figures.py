"""The figures of the numbers pages, computed by the database: a fixed number of statements,
whatever the number of episodes.

The same rules as the public pages: an episode counts once it has started (``now``) and only
while visible; years are UTC years (an episode at 23:30 UTC on 31 December belongs to that
year). A special's hours are those of its segments, its guests those of its segments too.
Proposals count in the year they were received; the days from proposal to air, and the guests,
in the year the episode aired.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    distinct,
    exists,
    extract,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)

from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeSegment, SegmentSpeaker
from openinfra_live.extensions import db
from openinfra_live.numbers.tallies import OUTCOMES, EventTeams, Figures, Proposals, Watched
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.proposals.states import ProposalState as S
from openinfra_live.ptg.models import TEAM_KINDS, PtgEvent, PtgTeam
from openinfra_live.questions.models import Question
from openinfra_live.questions.states import QuestionState

_OUTCOME_OF = {S.SCHEDULED: "scheduled", S.APPROVED: "approved", S.SUBMITTED: "open"}
_OUTCOME_OF |= {S.CHANGES_REQUESTED: "open", S.DECLINED: "declined", S.WITHDRAWN: "withdrawn"}
# Reached approval, whatever came next: approved, scheduled, or withdrawn after approval.
_APPROVED_OR_LATER = (S.APPROVED.value, S.SCHEDULED.value)


def _year(column: Any) -> ColumnElement:
    return cast(extract("year", column), Integer)


def _month(column: Any) -> ColumnElement:
    return cast(extract("month", column), Integer)


def _within(column: Any, year: int | None, as_date: bool = False) -> ColumnElement:
    """``column`` falls in ``year`` (UTC); always true for every year."""
    if year is None:
        return true()
    first, after = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    if as_date:
        return and_(column >= first.date(), column < after.date())
    return and_(column >= first, column < after)


def _aired(now: datetime, year: int | None) -> ColumnElement:
    """Visible and started by ``now``, in ``year``: what the public pages call past or live."""
    return and_(
        Episode.hidden == false(), Episode.starts_at <= now, _within(Episode.starts_at, year)
    )


def _key(column: Any) -> ColumnElement:
    """A name folded as names are compared: lower case, spaces removed."""
    return func.lower(func.replace(column, " ", ""))


def _content_minutes() -> ColumnElement:
    """An episode's length; a special's, the sum of its segments (not the gaps between them)."""
    segments = select(func.sum(EpisodeSegment.duration_minutes))
    segments = segments.where(EpisodeSegment.episode_id == Episode.id).scalar_subquery()
    return func.coalesce(segments, Episode.duration_minutes)


def _guests(now: datetime, year: int | None):
    """Every appearance of a guest in an aired episode: its start, the name and affiliation
    folded; a special's segment speakers are its guests."""
    columns = (Episode.starts_at.label("starts_at"),)
    of_episodes = select(*columns, _key(EpisodeGuest.name).label("who"))
    of_episodes = of_episodes.add_columns(_key(EpisodeGuest.affiliation).label("org"))
    of_episodes = of_episodes.join(Episode, EpisodeGuest.episode_id == Episode.id)
    of_segments = select(*columns, _key(SegmentSpeaker.name), _key(SegmentSpeaker.affiliation))
    of_segments = of_segments.join(EpisodeSegment, SegmentSpeaker.segment_id == EpisodeSegment.id)
    of_segments = of_segments.join(Episode, EpisodeSegment.episode_id == Episode.id)
    aired = _aired(now, year)
    return union_all(of_episodes.where(aired), of_segments.where(aired)).subquery("appearances")


def _organisation(org: Any) -> ColumnElement:
    return case((org == "", None), else_=org)


def guest_counts(now: datetime, year: int | None, by_year: bool) -> dict[int | None, tuple]:
    """Distinct guests and organisations: of ``year``, of every year, or by year."""
    appearances = _guests(now, year)
    counts = (
        func.count(distinct(appearances.c.who)),
        func.count(distinct(_organisation(appearances.c.org))),
    )
    if not by_year:
        guests, organisations = db.session.execute(select(*counts)).one()
        return {year: (guests, organisations)}
    bucket = _year(appearances.c.starts_at)
    rows = db.session.execute(select(bucket, *counts).group_by(bucket))
    return {row[0]: (row[1], row[2]) for row in rows}


def first_time_guests(now: datetime, year: int | None) -> dict[int, int]:
    """Guests by the year of their first aired episode (only ``year`` when given)."""
    appearances = _guests(now, None)
    first = select(appearances.c.who, func.min(appearances.c.starts_at).label("first"))
    first = first.group_by(appearances.c.who).subquery("firsts")
    bucket = _year(first.c.first)
    query = select(bucket, func.count()).where(_within(first.c.first, year)).group_by(bucket)
    return {found: count for found, count in db.session.execute(query)}


def episodes_aired(now: datetime, year: int | None) -> list[tuple[int, int, int]]:
    """(month, or year for every year; episodes; minutes of content) of the aired episodes."""
    bucket = _month(Episode.starts_at) if year is not None else _year(Episode.starts_at)
    query = select(bucket, func.count(), func.sum(_content_minutes())).where(_aired(now, year))
    return [tuple(row) for row in db.session.execute(query.group_by(bucket).order_by(bucket))]


def views_rows(now: datetime, year: int | None) -> list[Any]:
    """A year's episodes with views, by date; for every year, (year, views) of each."""
    counted = and_(_aired(now, year), Episode.views.is_not(None))
    if year is None:
        return list(
            db.session.execute(select(_year(Episode.starts_at), Episode.views).where(counted))
        )
    columns = (Episode.starts_at, Episode.slug, Episode.title, Episode.views)
    return [
        Watched(*row)
        for row in db.session.execute(select(*columns).where(counted).order_by(Episode.starts_at))
    ]


def live_viewers(now: datetime, year: int | None) -> dict[int, list[int]]:
    """The peak of live viewers of each aired episode that has one, by the year aired."""
    counted = and_(_aired(now, year), Episode.peak_live_viewers.is_not(None))
    rows = select(_year(Episode.starts_at), Episode.peak_live_viewers).where(counted)
    found: dict[int, list[int]] = {}
    for aired_in, peak in db.session.execute(rows):
        found.setdefault(aired_in, []).append(peak)
    return found


def most_watched_by_year(now: datetime) -> dict[int, Watched]:
    """The aired episode with the most views of each year (the earlier of a tie)."""
    bucket = _year(Episode.starts_at)
    order = (Episode.views.desc(), Episode.starts_at)
    rank = func.row_number().over(partition_by=bucket, order_by=order).label("rank")
    columns = (Episode.starts_at, Episode.slug, Episode.title, Episode.views)
    ranked = select(bucket.label("year"), *columns, rank)
    ranked = ranked.where(_aired(now, None), Episode.views.is_not(None)).subquery("ranked")
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1))
    return {row[0]: Watched(_aware(row[1]), *row[2:5]) for row in rows}


def proposal_outcomes(year: int | None) -> dict[int, Proposals]:
    """The proposals received, by year (only ``year`` when given), by what became of them."""
    history = (
        ProposalHistory.proposal_id == Proposal.id,
        ProposalHistory.to_status == S.APPROVED.value,
    )
    reached = or_(Proposal.status.in_(_APPROVED_OR_LATER), exists().where(*history))
    reached = case((reached, 1), else_=0)
    bucket = _year(Proposal.created_at)
    query = select(bucket, Proposal.status, reached, func.count()).where(
        _within(Proposal.created_at, year)
    )
    found: dict[int, Proposals] = {}
    for received_in, status, approved, count in db.session.execute(
        query.group_by(bucket, Proposal.status, reached)
    ):
        proposals = found.setdefault(received_in, Proposals())
        outcome = _OUTCOME_OF.get(status, "open")
        proposals.outcomes[outcome] += count
        proposals.approved += count if approved else 0
    return found


def days_to_air(now: datetime, year: int | None) -> dict[int, list[float]]:
    """Days from each proposal to the air of its episode (or segment), by the year aired."""
    aired = _aired(now, year)
    episodes = select(Episode.starts_at, Episode.starts_at.label("air"), Proposal.created_at)
    episodes = episodes.join(Proposal, Episode.proposal_id == Proposal.id).where(aired)
    segments = select(Episode.starts_at, EpisodeSegment.starts_at, Proposal.created_at)
    segments = segments.join(Episode, EpisodeSegment.episode_id == Episode.id)
    segments = segments.join(Proposal, EpisodeSegment.proposal_id == Proposal.id).where(aired)
    found: dict[int, list[float]] = {}
    for starts_at, air, proposed in db.session.execute(union_all(episodes, segments)):
        starts_at, air, proposed = (_aware(moment) for moment in (starts_at, air, proposed))
        found.setdefault(starts_at.year, []).append(
            max(0.0, (air - proposed).total_seconds() / 86400)
        )
    return found


def _aware(moment: datetime) -> datetime:
    # A union's columns lose their type on SQLite: its moments come back as naive UTC.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audience_questions(now: datetime, year: int | None) -> dict[int, tuple[int, int]]:
    """Questions sent to the aired episodes, and those answered on air, by the year aired."""
    bucket = _year(Episode.starts_at)
    answered = func.count().filter(Question.status == QuestionState.ANSWERED.value)
    query = select(bucket, func.count(), answered).join(Episode, Question.episode_id == Episode.id)
    query = query.where(_aired(now, year)).group_by(bucket)
    return {row[0]: (row[1], row[2]) for row in db.session.execute(query)}


def ptg_teams(year: int | None) -> list[EventTeams]:
    """The PTG events starting in ``year`` (or all), by date, with their approved teams by kind."""
    approved = and_(PtgTeam.event_id == PtgEvent.id, PtgTeam.status == "approved")
    event = (PtgEvent.id, PtgEvent.slug, PtgEvent.name, PtgEvent.starts_on)
    query = select(*event, PtgTeam.kind, func.count(PtgTeam.id)).outerjoin(PtgTeam, approved)
    query = query.where(_within(PtgEvent.starts_on, year, as_date=True))
    query = query.group_by(*event, PtgTeam.kind).order_by(PtgEvent.starts_on, PtgEvent.id)
    events: dict[int, EventTeams] = {}
    for pk, slug, name, starts_on, kind, count in db.session.execute(query):
        found = events.setdefault(
            pk, EventTeams(slug, name, starts_on, dict.fromkeys(TEAM_KINDS, 0))
        )
        if kind is not None:
            found.kinds[kind if kind in TEAM_KINDS else "other"] += count
    return list(events.values())


def year_figures(year: int, now: datetime) -> Figures:
    """Every figure of ``year``, in nine statements."""
    figures = Figures(year=year, so_far=year == now.year)
    for month, episodes, minutes in episodes_aired(now, year):
        figures.aired[month] = episodes
        figures.episodes += episodes
        figures.minutes += minutes or 0
    figures.guests, figures.organisations = guest_counts(now, year, by_year=False)[year]
    figures.first_time_guests = first_time_guests(now, year).get(year, 0)
    figures.watched = views_rows(now, year)
    figures.views = [point.views for point in figures.watched]
    figures.most_watched = max(figures.watched, key=lambda p: p.views, default=None)
    figures.peaks = live_viewers(now, year).get(year, [])
    figures.proposals = proposal_outcomes(year).get(year, Proposals())
    figures.proposals.days_to_air = days_to_air(now, year).get(year, [])
    asked = audience_questions(now, year).get(year, (0, 0))
    figures.questions_asked, figures.questions_answered = asked
    figures.ptg = ptg_teams(year)
    return figures


def every_year(now: datetime) -> tuple[Figures, list[Figures]]:
    """The figures of every year together, and of each year with data (latest first), in
    eleven statements."""
    total = Figures(year=None)
    years: dict[int, Figures] = {}

    def of(year: int) -> Figures:
        return years.setdefault(year, Figures(year=year, so_far=year == now.year))

    for year, episodes, minutes in episodes_aired(now, None):
        of(year).episodes, of(year).minutes = episodes, minutes or 0
        total.aired[year] = episodes
    for year, (guests, organisations) in guest_counts(now, None, by_year=True).items():
        of(year).guests, of(year).organisations = guests, organisations
    for year, count in first_time_guests(now, None).items():
        of(year).first_time_guests = count
    for year, views in views_rows(now, None):
        of(year).views.append(views)
    for year, peaks in live_viewers(now, None).items():
        of(year).peaks = peaks
    for year, proposals in proposal_outcomes(None).items():
        of(year).proposals = proposals
    for year, days in days_to_air(now, None).items():
        of(year).proposals.days_to_air = days
    for year, (asked, answered) in audience_questions(now, None).items():
        of(year).questions_asked, of(year).questions_answered = asked, answered
    for event in ptg_teams(None):
        of(event.starts_on.year).ptg.append(event)
    total.guests, total.organisations = guest_counts(now, None, by_year=False)[None]
    for year, watched in most_watched_by_year(now).items():
        of(year).most_watched = watched
    watched = [y.most_watched for y in years.values() if y.most_watched is not None]
    total.most_watched = max(
        watched, key=lambda w: (w.views, -w.starts_at.timestamp()), default=None
    )
    _add_up(total, years.values())
    return total, [years[year] for year in sorted(years, reverse=True)]


def _add_up(total: Figures, years: Iterable[Figures]) -> None:
    for figures in years:
        total.episodes += figures.episodes
        total.minutes += figures.minutes
        total.first_time_guests += figures.first_time_guests
        total.questions_asked += figures.questions_asked
        total.questions_answered += figures.questions_answered
        total.views += figures.views
        total.peaks += figures.peaks
        total.ptg += figures.ptg
        total.proposals.approved += figures.proposals.approved
        total.proposals.days_to_air += figures.proposals.days_to_air
        outcomes = total.proposals.outcomes
        total.proposals.outcomes = {
            k: outcomes[k] + figures.proposals.outcomes[k] for k in OUTCOMES
        }
    total.ptg.sort(key=lambda event: event.starts_on)
