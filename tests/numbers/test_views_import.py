"""Views: ``flask import-views`` and the admins' upload on YouTube Studio's export (with bad
rows), malformed files changing nothing, the same file twice, and the moderators' edit form."""

import io
from pathlib import Path

import pytest

from openinfra_live.auth.models import ROLE_ADMIN
from openinfra_live.caching import version
from openinfra_live.episodes.audience import ViewsFileError, read_view_counts
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.conftest import csrf_token_from, post_form
from tests.proposals.builders import guest_rows

EXPORT = Path(__file__).resolve().parent.parent / "fixtures" / "youtube-studio-views.csv"
SUMMARY = "3 episodes updated, 0 unchanged; 1 row matched no episode, 3 rows skipped"
AGAIN = "0 episodes updated, 3 unchanged; 1 row matched no episode, 3 rows skipped"


def views_of(app) -> dict[str, int | None]:
    with app.app_context():
        found = {e.title: e.views for e in db.session.scalars(db.select(Episode))}
        db.session.remove()
    return found


def token(app) -> str | None:
    with app.app_context():
        stamp = version.read().token
        db.session.remove()
    return stamp


def test_the_export_is_read_with_its_bad_rows_reported():
    found = read_view_counts(EXPORT.read_text(encoding="utf-8"))
    assert [(row.video_id, row.views) for row in found.counts] == [
        ("BBBBBBBBBBB", 3250),
        ("AAAAAAAAAAA", 1200),
        ("ZZZZZZZZZZZ", 11000),
        ("HHHHHHHHHHH", 362),
    ]
    assert found.skipped == [
        "line 2: the total of every video, skipped",
        "line 6: no number is not a number of views, skipped",
        "line 8: “n/a” is not a number of views, skipped",
    ]


def test_youtube_addresses_in_a_url_column_name_their_video():
    text = (
        "URL,Views\n"
        "https://www.youtube.com/watch?v=AAAAAAAAAAA&t=5,1 234\n"
        "https://youtu.be/BBBBBBBBBBB,7\n"
        "https://www.youtube.com/live/CCCCCCCCCCC?si=x,8\n"
        "https://www.youtube.com/embed/DDDDDDDDDDD,9\n"
        "https://example.org/video,10\n"
    )
    found = read_view_counts(text)
    assert [(row.video_id, row.views) for row in found.counts] == [
        ("AAAAAAAAAAA", 1234),
        ("BBBBBBBBBBB", 7),
        ("CCCCCCCCCCC", 8),
        ("DDDDDDDDDDD", 9),
    ]
    assert found.skipped == ["line 6: “https://example.org/video” is not a YouTube video, skipped"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Title,Views\nSomething,12\n", "No column names the videos"),
        ("Content,Watch time\nAAAAAAAAAAA,12\n", "No column is named “Views”"),
        ("", "No column names the videos"),
        ("Content,Views\nAAAAAAAAAAA,\x0012\n", "not a text file"),
        ("---\ntitle: not a table\n", "No column names the videos"),
    ],
)
def test_a_file_that_is_no_table_of_views_is_refused(text, reason):
    with pytest.raises(ViewsFileError, match=reason):
        read_view_counts(text)


def test_import_views_prints_each_row_and_a_summary(app, known, runner):
    result = runner.invoke(args=["import-views", str(EXPORT)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "line 3: “Ann again, with Cy”, 3,250 views (was 3,000)" in lines
    assert "line 4: “Ann and Bob”, 1,200 views (was 1,000)" in lines
    assert "line 5: no episode links to video ZZZZZZZZZZZ" in lines
    assert "line 8: “n/a” is not a number of views, skipped" in lines
    assert lines[-1] == SUMMARY
    views = views_of(app)
    assert (views["Ann again, with Cy"], views["Ann and Bob"], views["Hidden"]) == (3250, 1200, 362)
    assert views["New year"] == 500  # no row names it: left as it was


def test_importing_the_same_file_again_changes_nothing(app, known, runner):
    assert runner.invoke(args=["import-views", str(EXPORT)]).exit_code == 0
    before = token(app)
    result = runner.invoke(args=["import-views", str(EXPORT)])
    assert result.output.splitlines()[-1] == AGAIN
    assert token(app) == before


def test_a_newer_file_replaces_the_counts(app, known, runner, tmp_path):
    assert runner.invoke(args=["import-views", str(EXPORT)]).exit_code == 0
    newer = tmp_path / "newer.csv"
    newer.write_text('Content,Video title,Views\nAAAAAAAAAAA,Ann and Bob,"2,001"\n')
    before = token(app)
    result = runner.invoke(args=["import-views", str(newer)])
    assert result.exit_code == 0, result.output
    assert views_of(app)["Ann and Bob"] == 2001
    assert token(app) != before


@pytest.mark.parametrize(
    "content",
    [
        b"Content,Views\nAAAAAAAAAAA,\xff\xfe5\n",
        b"Video title,Views\nAnn and Bob,5\n",
        b"\x89PNG\r\n",
    ],
)
def test_a_malformed_file_is_refused_and_changes_nothing(app, known, runner, tmp_path, content):
    path = tmp_path / "views.csv"
    path.write_bytes(content)
    before, views = token(app), views_of(app)
    result = runner.invoke(args=["import-views", str(path)])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output or "not UTF-8" in result.output
    assert (token(app), views_of(app)) == (before, views)


@pytest.fixture
def admin(client, login_as):
    return login_as(client, email="admin@example.org", role=ROLE_ADMIN)


def _upload(client, content: bytes, name: str = "Table data.csv"):
    token_ = csrf_token_from(client.get("/moderation/imports/").get_data(as_text=True))
    data = {"csrf_token": token_, "views_file": (io.BytesIO(content), name)}
    return client.post("/moderation/imports/views", data=data, content_type="multipart/form-data")


def test_an_admin_imports_the_export_from_the_browser_with_the_same_report(
    app, known, client, admin
):
    response = _upload(client, EXPORT.read_bytes())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SUMMARY in page
    assert "line 5: no episode links to video ZZZZZZZZZZZ" in page
    assert views_of(app)["Ann and Bob"] == 1200
    before = token(app)
    again = _upload(client, EXPORT.read_bytes()).get_data(as_text=True)
    assert AGAIN in again
    assert token(app) == before


def test_a_malformed_upload_is_refused_with_the_reason_and_changes_nothing(
    app, known, client, admin
):
    before = views_of(app)
    response = _upload(client, b"Video title,Views\nAnn and Bob,5\n")
    assert response.status_code == 422
    assert "No column names the videos" in response.get_data(as_text=True)
    response = _upload(client, b"Content,Views\nAAAAAAAAAAA,\xff\n")
    assert response.status_code == 422
    assert "not UTF-8" in response.get_data(as_text=True)
    assert views_of(app) == before


def test_a_moderator_cannot_upload_views(app, known, client, login_as):
    login_as(client)
    token_ = csrf_token_from(client.get("/moderation/").get_data(as_text=True))
    data = {"csrf_token": token_, "views_file": (io.BytesIO(EXPORT.read_bytes()), "v.csv")}
    response = client.post(
        "/moderation/imports/views", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 403
    assert views_of(app)["Ann and Bob"] == 1000


def _edit(client, episode_id: int, **audience):
    """Post the edit form of "Ann and Bob" as stored, with ``audience`` typed."""
    stored = {
        "title": "Ann and Bob",
        "starts_at": "2024-01-11T14:00",
        "duration_minutes": "60",
        "description": "<p>Operators share what they run.</p>",
        **guest_rows(("Ann Smith", "ACME"), ("Bob", "Globex")),
        "links-0-platform": "youtube",
        "links-0-url": "https://www.youtube.com/watch?v=AAAAAAAAAAA",
    }
    return post_form(client, f"/moderation/episodes/{episode_id}/edit", {**stored, **audience})


def test_a_moderator_enters_views_and_peak_live_viewers_on_the_edit_page(
    app, known, client, login_as
):
    login_as(client)
    page = client.get(f"/moderation/episodes/{known['e1']}/edit").get_data(as_text=True)
    assert 'name="views"' in page and 'value="1000"' in page
    assert 'name="peak_live_viewers"' in page
    response = _edit(client, known["e1"], views="12,500", peak_live_viewers="230")
    assert response.status_code == 303
    with app.app_context():
        episode = db.session.get(Episode, known["e1"])
        assert (episode.views, episode.peak_live_viewers) == (12500, 230)
        assert episode.views_updated_at is not None


@pytest.mark.parametrize("typed", ["-3", "many", "1.5"])
def test_a_count_that_is_no_whole_number_is_refused_clearly(app, known, client, login_as, typed):
    login_as(client)
    response = _edit(client, known["e1"], views=typed)
    assert response.status_code == 422
    assert "Give a whole number, 0 or more" in response.get_data(as_text=True)
    assert views_of(app)["Ann and Bob"] == 1000


def test_emptying_the_views_makes_them_unknown(app, known, client, login_as):
    login_as(client)
    assert _edit(client, known["e1"], views="").status_code == 303
    assert views_of(app)["Ann and Bob"] is None
