"""The official PTG team list: team-name comparison and import of a published list (one name
a line; when some lines start with a bullet, only those, so prose pasted around a list is left
out)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgTeam, PtgTeamHistory
from openinfra_live.ptg.states import LABELS, LIVE, TeamStatus

MAX_TEAM_NAME = 200
BULLETS = "•◦▪‣·*-–—"
_BULLET_LINE = re.compile(rf"^\s*[{re.escape(BULLETS)}]\s+(?P<name>.*)$")
_KEY_IGNORED = re.compile(r"[\s\-_./]+")
_SIG = re.compile(r"\bSIG\b", re.IGNORECASE)
_WORKING_GROUP = re.compile(r"\bWG\b|\bworking\s+group\b", re.IGNORECASE)
# Control characters count as spaces: NUL and friends have no place in a name.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")


class UnknownEvent(Exception):
    """No PTG event has the given slug."""


def team_name_key(name: str) -> str:
    """The name as compared: case-folded, without whitespace or ``- _ . /`` separators.

    The published October 2022 list names one team both "OpenStack Helm" and "OpenStack-Helm";
    other punctuation stays significant ("D&I WG" is not "DI WG").
    """
    key = _KEY_IGNORED.sub("", name).casefold()
    # A name made only of separators still needs a key of its own.
    return key or _SPACES.sub("", name).casefold()


def guess_team_kind(name: str) -> str:
    """``sig`` for "… SIG", ``working_group`` for "… WG"/"Working Group", else a project team."""
    if _SIG.search(name):
        return "sig"
    if _WORKING_GROUP.search(name):
        return "working_group"
    return "project_team"


def parse_team_list(text: str) -> list[str]:
    """The team names of a list, in order, whitespace tidied, blanks left out."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    bulleted = [m.group("name") for line in lines if (m := _BULLET_LINE.match(line))]
    names = bulleted if bulleted else lines
    return [tidy for name in names if (tidy := _SPACES.sub(" ", name).strip())]


@dataclass
class TeamImportReport:
    """What an import of a team list did."""

    created: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return gettext(
            "%(created)d teams created, %(present)d already present, %(merged)d duplicate lines "
            "merged, %(skipped)d lines skipped",
            created=len(self.created),
            present=len(self.already_present),
            merged=len(self.merged),
            skipped=len(self.skipped),
        )


def find_event(slug: str) -> PtgEvent:
    """The event with ``slug``; UnknownEvent names the slugs that exist."""
    event = db.session.scalar(db.select(PtgEvent).filter_by(slug=slug))
    if event is None:
        known = list(db.session.scalars(db.select(PtgEvent.slug).order_by(PtgEvent.starts_on)))
        if known:
            hint = gettext("known events: %(slugs)s", slugs=", ".join(known))
        else:
            hint = gettext("there are no PTG events yet")
        raise UnknownEvent(gettext("no PTG event %(slug)s; %(hint)s", slug=repr(slug), hint=hint))
    return event


def import_team_names(
    event: PtgEvent, names: Iterable[str], progress: Callable[[str], None] | None = None
) -> TeamImportReport:
    """Add the names as approved teams of ``event``; flushes, the caller commits.

    A name whose key matches an earlier line or a pending or approved team of the event is
    merged into it, leaving that team as it is. Each created team gets an "imported" history
    entry.
    """
    say = progress or (lambda line: None)
    report = TeamImportReport()
    existing = db.session.scalars(
        db.select(PtgTeam).where(
            PtgTeam.event_id == event.id, PtgTeam.status.in_([s.value for s in LIVE])
        )
    )
    by_key: dict[str, PtgTeam] = {team.name_key: team for team in existing}
    from_file: set[str] = set()
    for name in names:
        if len(name) > MAX_TEAM_NAME:
            report.skipped.append(name)
            say(
                gettext(
                    "skipped: longer than %(max)d characters: %(name)s…",
                    max=MAX_TEAM_NAME,
                    name=name[:40],
                )
            )
            continue
        key = team_name_key(name)
        team = by_key.get(key)
        if team is not None and key in from_file:
            report.merged.append(name)
            say(gettext("merged: %(name)s → %(team)s", name=name, team=team.name))
            continue
        from_file.add(key)
        if team is not None:
            report.already_present.append(name)
            state = str(LABELS[TeamStatus(team.status)]).lower()
            say(gettext("already present: %(team)s (%(state)s)", team=team.name, state=state))
            continue
        team = PtgTeam(
            event=event,
            name=name,
            name_key=key,
            kind=guess_team_kind(name),
            status="approved",
        )
        team.history.append(
            PtgTeamHistory(
                action="import",
                from_status=None,
                to_status="approved",
                # A note for moderators, written in the language of whoever imports.
                message=gettext("Imported from the official team list."),
            )
        )
        db.session.add(team)
        by_key[key] = team
        report.created.append(name)
        say(gettext("created: %(name)s (%(kind)s)", name=name, kind=team.kind))
    db.session.flush()
    return report
