"""The moderators' long lists (queue, episodes, audit log) page and search, and stay small."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from openinfra_live.audit import AuditEntry
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.moderation.audit import TARGET
from openinfra_live.proposals.models import Proposal

MANY = 1000
PAGE_BYTES = 50_000
START = datetime(2020, 1, 2, 14, 0, tzinfo=UTC)


def bulk_rows(app) -> None:
    """1,000 waiting proposals (one in ten from Kim), 1,000 episodes, 1,000 audit entries,
    inserted in bulk: the pages are what is measured, not the services."""
    proposals, episodes, entries = [], [], []
    for n in range(MANY):
        kim = n % 10 == 0
        proposals.append(
            {
                "title": f"Proposal {n:04d}: running {'Ceph' if n % 2 else 'Nova'} at scale "
                "with many operators and a long enough title",
                "description": "A description that the queue does not show.",
                "submitter_name": "Kim Proposer" if kim else f"Person {n}",
                "submitter_email": "kim@example.org" if kim else f"person{n}@example.org",
                "organization": "Example Cloud Operators Incorporated",
                "preferred_month": "",
                "links": "",
                "status": "approved" if n % 3 == 0 else "submitted",
                "token_hash": f"{n:064d}",
                "tags": "storage,operators",
                "created_at": START + timedelta(hours=n),
                "updated_at": START + timedelta(hours=n),
            }
        )
        episodes.append(
            {
                "slug": f"episode-{n}",
                "title": f"Episode {n:04d} about {'upgrades' if n % 4 == 0 else 'operators'} "
                "of open infrastructure in production",
                "description": "<p>Operators share what they run.</p>",
                "search_text": "",
                "starts_at": START + timedelta(weeks=n),
                "duration_minutes": 60,
                "hidden": False,
                "sequence": 0,
                "created_at": START,
                "updated_at": START,
            }
        )
        entries.append(
            {
                "created_at": START + timedelta(minutes=n),
                "actor_label": "kim@example.org" if kim else f"moderator{n % 7}@example.org",
                "action": "proposal.approve" if n % 2 else "login",
                "object_type": "proposal" if n % 2 else "",
                "object_id": str(n) if n % 2 else "",
                "ip": "192.0.2.10",
                "detail": {"message": "Looks good to me, scheduled for a Thursday soon."},
            }
        )
    with app.app_context():
        db.session.execute(insert(Proposal), proposals)
        db.session.execute(insert(Episode), episodes)
        db.session.execute(insert(AuditEntry), entries)
        db.session.commit()


@pytest.fixture
def crowded(app, client, login_as):
    bulk_rows(app)
    login_as(client)
    return client


LISTS = ["/moderation/", "/moderation/episodes/", "/moderation/audit"]


@pytest.mark.parametrize("url", LISTS)
def test_each_list_page_stays_small_with_a_thousand_rows_and_pages_on(crowded, url):
    first = crowded.get(url)
    assert first.status_code == 200
    assert len(first.get_data()) < PAGE_BYTES
    html = first.get_data(as_text=True)
    assert 'rel="next"' in html
    pages = int(html.split("Page 1 of ", 1)[1].split("<", 1)[0])
    assert pages >= 20

    separator = "&" if "?" in url else "?"
    last = crowded.get(f"{url}{separator}page={pages}")
    assert last.status_code == 200
    assert len(last.get_data()) < PAGE_BYTES
    assert 'rel="prev"' in last.get_data(as_text=True)
    assert crowded.get(f"{url}{separator}page={pages + 1}").status_code == 404


def test_the_queue_shows_the_oldest_first_and_every_waiting_proposal_across_pages(crowded):
    seen = []
    page = 1
    while True:
        html = crowded.get(f"/moderation/?page={page}").get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"Proposal (\d{4}):", html)]
        if 'rel="next"' not in html:
            break
        page += 1
    assert seen == list(range(MANY))


@pytest.mark.parametrize(
    ("url", "query", "expected"),
    [
        ("/moderation/", "kim@example", 100),  # by e-mail address
        ("/moderation/", "KIM PROPOSER", 100),  # by proposer, whatever the case
        ("/moderation/", "Proposal 012", 10),  # by title
        ("/moderation/episodes/", "upgrades", 250),
        ("/moderation/audit", "kim@example.org", 100),  # by actor
        ("/moderation/audit", "login", 500),  # by action
        ("/moderation/audit", "proposal #17", 1),  # by target
    ],
)
def test_a_search_filters_the_list_and_its_pages_keep_the_query(crowded, url, query, expected):
    first = crowded.get(url, query_string={"q": query})
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert f'value="{query}"' in html
    per_page = {"/moderation/": 50, "/moderation/episodes/": 25, "/moderation/audit": 50}[url]
    pages = -(-expected // per_page)
    if pages == 1:
        assert 'rel="next"' not in html
        assert html.count("<tr>") - 1 == expected
        return
    assert f"Page 1 of {pages}<" in html
    next_link = html.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "q=" in next_link and "page=2" in next_link
    second = crowded.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert f"Page 2 of {pages}<" in second
    assert f'value="{query}"' in second


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/moderation/", "No proposal matches “no such thing”"),
        ("/moderation/episodes/", "No episode has “no such thing” in its title."),
        ("/moderation/audit", "No entry matches “no such thing”."),
    ],
)
def test_a_search_that_finds_nothing_says_so(crowded, url, message):
    response = crowded.get(url, query_string={"q": "no such thing"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "<table" not in html


def test_the_queue_search_keeps_the_state_filter(crowded):
    html = crowded.get("/moderation/?state=approved&q=kim").get_data(as_text=True)
    assert '<input type="hidden" name="state" value="approved">' in html
    titles = [row for row in html.split("<tbody>", 1)[1].split("<tr>") if "Proposal" in row]
    # Kim's proposals are every tenth, approved ones every third: every thirtieth.
    assert len(titles) == len(range(0, MANY, 30))
    assert all("Approved" in row for row in titles)


def test_search_wildcards_are_taken_literally(crowded):
    html = crowded.get("/moderation/", query_string={"q": "%"}).get_data(as_text=True)
    assert "No proposal matches “%”" in html


def test_an_audit_target_is_read_as_the_log_shows_it():
    assert TARGET.match("proposal #17").group("type", "id") == ("proposal", "17")
    assert TARGET.match("ptg_team 4").group("type", "id") == ("ptg_team", "4")
    assert TARGET.match("login") is None
    assert TARGET.match("kim@example.org") is None
