"""Reading and writing the one-line ``episodeSpeakers`` field."""

import pytest

from openinfra_live.episodes.guests import Guest, format_speakers, parse_speakers

G = Guest

CASES = [
    ("", []),
    (None, []),
    ("   ", []),
    ("Ada Lovelace", [G("Ada Lovelace")]),
    (
        "Belmiro Moreira (CERN), Arnaud Morin (OVH). Mohammed Naser (Vexxhost), "
        "Imtiaz Chowdhury (Workday), and Joshua Slater (Blizzard)",
        [
            G("Belmiro Moreira", "CERN"),
            G("Arnaud Morin", "OVH"),
            G("Mohammed Naser", "Vexxhost"),
            G("Imtiaz Chowdhury", "Workday"),
            G("Joshua Slater", "Blizzard"),
        ],
    ),
    (
        "Jim Blair, Mohammed Naser, and Jimmy McArthur",
        [G("Jim Blair"), G("Mohammed Naser"), G("Jimmy McArthur")],
    ),
    (
        "Canonical, OVH, T-Systems, Whitestack",
        [G("Canonical"), G("OVH"), G("T-Systems"), G("Whitestack")],
    ),
    ("Kendall Waters, Ildiko\n      Vancsa", [G("Kendall Waters"), G("Ildiko Vancsa")]),
    ("Ada Lovelace and Alan Turing", [G("Ada Lovelace"), G("Alan Turing")]),
    ("Ada Lovelace & Alan Turing (NPL)", [G("Ada Lovelace"), G("Alan Turing", "NPL")]),
    ("Ada Lovelace; Alan Turing", [G("Ada Lovelace"), G("Alan Turing")]),
    # Separators inside parentheses belong to the affiliation.
    (
        "Mark Collier (COO, OpenInfra Foundation), Jane Roe (R and D)",
        [G("Mark Collier", "COO, OpenInfra Foundation"), G("Jane Roe", "R and D")],
    ),
    ("Dr. Amara Nwosu (Lab), Ben Carter.", [G("Dr. Amara Nwosu", "Lab"), G("Ben Carter")]),
    ("Anders Andersson, Sandy Anderson", [G("Anders Andersson"), G("Sandy Anderson")]),
    ("Ada Lovelace,, , Alan Turing,", [G("Ada Lovelace"), G("Alan Turing")]),
    ("Radosław Piliszek", [G("Radosław Piliszek")]),
    (["Ada Lovelace (NPL)", "Alan Turing"], [G("Ada Lovelace", "NPL"), G("Alan Turing")]),
    ([{"name": "Ada Lovelace", "affiliation": "NPL"}], [G("Ada Lovelace", "NPL")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_speakers_line_is_read_into_guests(text, expected):
    assert parse_speakers(text) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_written_speakers_read_back_as_the_same_guests(text, expected):
    assert parse_speakers(format_speakers(expected)) == expected


def test_guests_are_written_name_then_affiliation_in_parentheses():
    assert (
        format_speakers([G("Ada Lovelace", "NPL"), G("Alan Turing"), ("Grace Hopper", "Navy")])
        == "Ada Lovelace (NPL), Alan Turing, Grace Hopper (Navy)"
    )
