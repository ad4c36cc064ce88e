"""The history's "what changed", in words: guests as names, times as dates, no stored forms.

A resubmission stores ``{field: [before, after]}`` as the services compare them (guests as
``[name, affiliation]`` lists, links one a line, descriptions as cleaned HTML); moderators read
them through :func:`readable`.
"""

from datetime import datetime
from typing import Any, NamedTuple

from flask_babel import lazy_gettext

from openinfra_live import sanitize
from openinfra_live.timezones import human_utc

FIELD_LABELS = {
    "title": lazy_gettext("Title"),
    "description": lazy_gettext("Description"),
    "organization": lazy_gettext("Organization"),
    "preferred_month": lazy_gettext("Preferred month"),
    "links": lazy_gettext("Links"),
    "guests": lazy_gettext("Guests"),
    "tags": lazy_gettext("Tags"),
    "claimed_by": lazy_gettext("Held by"),
    "episode": lazy_gettext("Episode"),
    "segment": lazy_gettext("Segment"),
    "starts_at": lazy_gettext("Start"),
}
# Kept for the moderators' tools, meaningless to a reader.
HIDDEN_FIELDS = frozenset({"episode_id", "segment_id"})
NOTHING = lazy_gettext("(none)")


class Change(NamedTuple):
    label: str
    before: str | None
    after: str


def guest_names(guests: Any) -> str:
    """``[["Ada Lovelace", "Example Corp"], ["Grace Hopper", ""]]`` as
    ``Ada Lovelace (Example Corp), Grace Hopper``."""
    names = []
    for guest in guests or []:
        parts = [guest] if isinstance(guest, str) else list(guest)
        name, affiliation = (parts + ["", ""])[:2]
        if name:
            names.append(f"{name} ({affiliation})" if affiliation else name)
    return ", ".join(names)


def _words(name: str, value: Any) -> str:
    if name == "guests":
        text = guest_names(value)
    elif name == "description":
        text = sanitize.to_plain_text(value)
    elif name == "starts_at" and value:
        try:
            text = human_utc(datetime.fromisoformat(value))
        except (TypeError, ValueError):
            text = str(value)
    elif isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value if item)
    elif value is None:
        text = ""
    else:
        text = "; ".join(line.strip() for line in str(value).splitlines() if line.strip())
    return text or str(NOTHING)


def readable(changes: dict | None) -> list[Change]:
    """Each change as a label and its before and after in words (``before`` is None when the
    entry records a value only)."""
    rows = []
    for name, change in (changes or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        label = str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))
        # History stores every change as [before, after]; anything else is one value.
        if isinstance(change, list | tuple) and len(change) == 2:
            rows.append(Change(label, _words(name, change[0]), _words(name, change[1])))
        else:
            rows.append(Change(label, None, _words(name, change)))
    return rows
