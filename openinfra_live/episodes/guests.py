"""Guests of an episode written as one line of text, as the content file has them.

The content file keeps an episode's speakers in one free-text field, written by hand:

- ``Belmiro Moreira (CERN), Arnaud Morin (OVH). Mohammed Naser (Vexxhost), and Joshua Slater``
- ``Jim Blair, Mohammed Naser, and Jimmy McArthur``
- ``Canonical, OVH, T-Systems, Whitestack`` (organisations rather than people)

Guests are separated by commas, semicolons, a full stop after a closing parenthesis, or a final
"and"/"&"; separators inside parentheses belong to the affiliation. An affiliation is the text
in parentheses after a name. An entry without parentheses is a guest with no affiliation, which
is also how organisations that appear as guests are kept (the organisation is the guest's name),
so they display as written. ``format_speakers`` writes the list back so that parsing gives the
same guests again.
"""

import re
from collections.abc import Iterable
from typing import NamedTuple

MAX_NAME = 200
# Control characters count as spaces: NUL and friends have no place in a name.
_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_NAME_AND_AFFILIATION = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<affiliation>.*)\)$")
_LEADING_CONJUNCTION = re.compile(r"^(?:and|&)\s+", re.IGNORECASE)
_INNER_CONJUNCTION = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


class Guest(NamedTuple):
    name: str
    affiliation: str = ""


def _split_outside_parentheses(text: str) -> list[str]:
    """Split at , ; and at a full stop that follows a closing parenthesis, ignoring (…)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    previous = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (char in ",;" or (char == "." and previous == ")")):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        if not char.isspace():
            previous = char
    parts.append("".join(current))
    return parts


def _split_conjunctions(part: str) -> list[str]:
    """``A and B`` → ``A``, ``B``, unless the "and" is inside parentheses."""
    pieces: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(part):
        char = part[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and char.isspace():
            match = _INNER_CONJUNCTION.match(part, position)
            if match:
                pieces.append(part[start:position])
                start = position = match.end()
                continue
        position += 1
    pieces.append(part[start:])
    return pieces


def _guest_from(entry: str) -> Guest | None:
    entry = _LEADING_CONJUNCTION.sub("", entry.strip()).strip().rstrip(".").strip()
    if not entry:
        return None
    match = _NAME_AND_AFFILIATION.match(entry)
    if match and match.group("name"):
        name, affiliation = match.group("name").strip(), match.group("affiliation").strip()
    else:
        name, affiliation = entry, ""
    return Guest(name[:MAX_NAME], affiliation[:MAX_NAME])


def parse_speakers(value: object) -> list[Guest]:
    """The guests named in an ``episodeSpeakers`` value (a string, a list, or nothing)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        guests: list[Guest] = []
        for item in value:
            if isinstance(item, dict):
                guest = _guest_from(str(item.get("name") or ""))
                if guest:
                    affiliation = str(item.get("affiliation") or "").strip()[:MAX_NAME]
                    guests.append(Guest(guest.name, affiliation or guest.affiliation))
            else:
                guests.extend(parse_speakers(item))
        return guests
    text = _WHITESPACE.sub(" ", str(value)).strip()
    guests = []
    for part in _split_outside_parentheses(text):
        for piece in _split_conjunctions(part.strip()):
            guest = _guest_from(piece)
            if guest:
                guests.append(guest)
    return guests


def format_speakers(guests: Iterable[tuple[str, str]]) -> str:
    """The guests as one ``episodeSpeakers`` line: ``Name (Affiliation), Name, …``."""
    return ", ".join(
        f"{name} ({affiliation})" if affiliation else name for name, affiliation in guests
    )
