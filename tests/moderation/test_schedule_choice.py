"""The schedule page: slots however full the calendar, the preferred month's slots, and one
explicit choice of start (a typed time is honoured or refused, never replaced by a slot)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from openinfra_live.episodes import search, slots
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.conftest import post_form
from tests.moderation.test_schedule import NEXT_THURSDAY, form_data, schedule_url, state_of
from tests.proposals.builders import freeze_clock, fresh, make_proposal
from tests.proposals.conftest import NOW

WEEKS_TAKEN = 130


@pytest.fixture
def frozen_now(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


def fill_thursdays(weeks: int, first: datetime = NEXT_THURSDAY) -> None:
    """Book the default slot of ``weeks`` Thursdays in a row (one bulk insert)."""
    rows = []
    for week in range(weeks):
        start = first + timedelta(weeks=week)
        rows.append(
            {
                "slug": f"booked-{week}",
                "title": f"Booked {week}",
                "description": "",
                "search_text": search.search_text_of(f"Booked {week}", "", []),
                "starts_at": start,
                "duration_minutes": 60,
                "hidden": False,
                "sequence": 0,
            }
        )
    db.session.execute(insert(Episode), rows)
    db.session.commit()


@pytest.fixture
def approved(app, frozen_now):
    with app.app_context():
        proposal, _ = make_proposal(
            "approved",
            title="Kata Containers in production",
            guests=[("Ada Lovelace", "Analytical Engines"), ("Alan Turing", "")],
            preferred_month="2031-07",
        )
        return proposal.id


def offered(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="slot"[^>]*value="([^"]+)"', html)


# --- free slots, however full the calendar ------------------------------------------------


def test_free_slots_are_found_after_more_than_two_years_of_taken_weeks(app_ctx, frozen_now):
    fill_thursdays(WEEKS_TAKEN)
    first_free = NEXT_THURSDAY + timedelta(weeks=WEEKS_TAKEN)
    assert slots.next_free_slots(3) == [first_free + timedelta(weeks=n) for n in range(3)]


def test_a_gap_deep_in_a_full_calendar_is_offered_first(app_ctx, frozen_now):
    fill_thursdays(WEEKS_TAKEN)
    gap = NEXT_THURSDAY + timedelta(weeks=117)
    db.session.execute(db.delete(Episode).where(Episode.starts_at == gap))
    db.session.commit()
    assert slots.next_free_slots(1) == [gap]


def test_free_slots_in_a_month_are_its_free_default_slots_from_now_on(app_ctx, frozen_now):
    fill_thursdays(1, datetime(2031, 7, 10, 14, 0, tzinfo=UTC))
    assert slots.free_slots_in_month("2031-07") == [
        datetime(2031, 7, 3, 14, 0, tzinfo=UTC),
        datetime(2031, 7, 17, 14, 0, tzinfo=UTC),
        datetime(2031, 7, 24, 14, 0, tzinfo=UTC),
        datetime(2031, 7, 31, 14, 0, tzinfo=UTC),
    ]
    # May 2031 (now is Thursday 15 May, 15:00): only what is still to come.
    assert slots.free_slots_in_month("2031-05") == [
        datetime(2031, 5, 22, 14, 0, tzinfo=UTC),
        datetime(2031, 5, 29, 14, 0, tzinfo=UTC),
    ]
    assert slots.free_slots_in_month("2031-04") == []
    assert slots.free_slots_in_month("") == []
    assert slots.free_slots_in_month("2031-13") == []


def test_the_page_offers_slots_with_more_than_two_years_taken(app, client, login_as, approved):
    login_as(client)
    with app.app_context():
        fill_thursdays(WEEKS_TAKEN)
    html = client.get(schedule_url(approved)).get_data(as_text=True)
    first_free = NEXT_THURSDAY + timedelta(weeks=WEEKS_TAKEN)
    values = offered(html)
    assert first_free.strftime("%Y-%m-%dT%H:%M") in values
    assert values[-1] == "custom"
    assert len(values) >= 6  # five free slots and "another time"


def test_the_page_offers_the_preferred_months_free_slots_and_the_next_ones(
    app, client, login_as, approved
):
    login_as(client)
    with app.app_context():
        fill_thursdays(1, datetime(2031, 7, 10, 14, 0, tzinfo=UTC))
    html = client.get(schedule_url(approved)).get_data(as_text=True)
    assert "The submitter would like <strong>July 2031</strong>" in html
    values = offered(html)
    for day in (3, 17, 24, 31):
        assert f"2031-07-{day:02d}T14:00" in values
    assert "2031-07-10T14:00" not in values  # taken
    assert "2031-05-22T14:00" in values  # the next free one
    assert "Thu 3 Jul 2031, 14:00 UTC (in the preferred month)" in html
    assert "Thu 22 May 2031, 14:00 UTC (in the preferred month)" not in html


def test_a_preferred_month_with_every_slot_taken_says_so(app, client, login_as, approved):
    login_as(client)
    with app.app_context():
        fill_thursdays(5, datetime(2031, 7, 3, 14, 0, tzinfo=UTC))
    html = client.get(schedule_url(approved)).get_data(as_text=True)
    assert "It has no free default slot left" in html
    assert not [value for value in offered(html) if value.startswith("2031-07")]


# --- one explicit choice --------------------------------------------------------------------


def test_a_typed_time_with_no_slot_picked_is_the_time_scheduled(app, client, login_as, approved):
    login_as(client)
    response = post_form(
        client, schedule_url(approved), form_data(slot=None, custom_start="2031-06-03T16:30")
    )
    assert response.status_code == 303
    with app.app_context():
        assert fresh(approved).episode.starts_at == datetime(2031, 6, 3, 16, 30, tzinfo=UTC)


def test_a_typed_time_with_another_time_chosen_is_the_time_scheduled(
    app, client, login_as, approved
):
    login_as(client)
    data = form_data(slot="custom", custom_start="2031-07-09 09:15")
    assert post_form(client, schedule_url(approved), data).status_code == 303
    with app.app_context():
        assert fresh(approved).episode.starts_at == datetime(2031, 7, 9, 9, 15, tzinfo=UTC)


def test_a_typed_time_is_never_replaced_by_a_slot_also_picked(app, client, login_as, approved):
    login_as(client)
    before = state_of(app, approved)
    data = form_data(custom_start="2031-06-03T16:30")  # the slot of 22 May is picked too
    response = post_form(client, schedule_url(approved), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "You picked Thu 22 May 2031, 14:00 UTC but typed Tue 3 Jun 2031" in html
    assert state_of(app, approved) == before
    # What was typed is kept in the form.
    assert 'value="2031-06-03T16:30"' in html


def test_a_typed_time_equal_to_the_slot_picked_is_no_conflict(app, client, login_as, approved):
    login_as(client)
    data = form_data(custom_start="2031-05-22T14:00")
    assert post_form(client, schedule_url(approved), data).status_code == 303
    with app.app_context():
        assert fresh(approved).episode.starts_at == NEXT_THURSDAY


@pytest.mark.parametrize(
    ("typed", "status", "said"),
    [
        ("2031-05-15T14:00", 422, "is in the past"),
        ("2031-05-22T14:30", 409, "That slot is taken"),
        ("next tuesday", 422, "is not a date and time"),
        ("2031-02-30T14:00", 422, "is not a date and time"),
        ("9999-01-01T14:00", 422, "is not a date and time"),
        ("", 422, "Pick one of the free slots, or choose “Another time” and type the start."),
    ],
)
def test_another_time_is_honoured_or_refused_with_a_clear_error(
    app, client, login_as, approved, typed, status, said
):
    login_as(client)
    with app.app_context():
        fill_thursdays(1)
    before = state_of(app, approved)
    data = form_data(slot="custom", custom_start=typed)
    if not typed:
        data["slot"] = None
    response = post_form(client, schedule_url(approved), data)
    assert response.status_code == status
    assert said in response.get_data(as_text=True)
    assert state_of(app, approved) == before


def test_another_time_chosen_without_a_time_is_refused(app, client, login_as, approved):
    login_as(client)
    before = state_of(app, approved)
    response = post_form(client, schedule_url(approved), form_data(slot="custom"))
    assert response.status_code == 422
    assert "choose “Another time” and type the start" in response.get_data(as_text=True)
    assert state_of(app, approved) == before


def test_the_slots_and_the_typed_time_follow_the_moderators_chosen_zone(
    app, client, login_as, approved
):
    login_as(client)
    client.set_cookie("tz", "Asia/Shanghai", domain="live.test")
    html = client.get(schedule_url(approved)).get_data(as_text=True)
    # Each slot in UTC, then in the chosen zone, as the pages write them.
    assert "Thu 22 May 2031, 14:00 UTC · 22:00 in Shanghai (Thu 22 May)" in html
    assert "Not in your zone, Shanghai (UTC+08:00 today)." in html
    client.delete_cookie("tz", domain="live.test")
    html = client.get(schedule_url(approved)).get_data(as_text=True)
    assert ">Thu 22 May 2031, 14:00 UTC</label>" in html
    assert "in Shanghai" not in html
