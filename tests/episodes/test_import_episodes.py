"""``flask import-episodes``: the content file format, its vintages and its mess."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from openinfra_live import sanitize
from openinfra_live.episodes import importer
from openinfra_live.episodes.content_file import load_entries
from openinfra_live.episodes.importer import import_episodes
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from tests.statements import recorded_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE = FIXTURES / "openinfra-live-sample.md"
OTHER_VINTAGE = FIXTURES / "openinfra-live-2020.md"
MALFORMED = FIXTURES / "openinfra-live-malformed.yaml"


def run_import(runner, path: Path):
    return runner.invoke(args=["import-episodes", str(path)])


def episodes_by_title(app) -> dict[str, Episode]:
    with app.app_context():
        episodes = db.session.scalars(db.select(Episode)).all()
        for episode in episodes:
            db.session.expunge(episode)  # links and guests are loaded eagerly
        return {episode.title: episode for episode in episodes}


def summary_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_sample_file_creates_every_episode_with_its_fields(app, runner):
    result = run_import(runner, SAMPLE)

    assert result.exit_code == 0, result.output
    assert "5 entries: 5 created, 0 updated, 0 unchanged, 0 skipped" in summary_line(result)
    assert "created: 2022-03-10-keeping-clouds-current-the-follow-up" in result.output
    episodes = episodes_by_title(app)
    assert set(episodes) == {
        "Storage Backends Compared",  # surrounding whitespace stripped
        "Keeping Clouds Current: The Follow-up",
        "Hiring in Open Infrastructure",
        "Gating at Scale",
        "A Draft Nobody Should See",
    }
    follow_up = episodes["Keeping Clouds Current: The Follow-up"]
    assert follow_up.starts_at == datetime(2022, 3, 10, 14, 0, tzinfo=UTC)
    assert follow_up.duration_minutes == 60
    assert [(link.platform, link.url) for link in follow_up.links] == [
        ("facebook", "https://www.facebook.com/100000000000001/posts/2000000000000001/"),
        ("linkedin", "https://www.linkedin.com/feed/update/urn:li:ugcPost:1000000000000000002/"),
        ("youtube", "https://www.youtube.com/watch?v=bbbbbbbbbbb"),
    ]
    assert follow_up.recap_url == "https://superuser.example.org/articles/keeping-clouds-current/"
    assert [(g.name, g.affiliation) for g in follow_up.guests] == [
        ("Alice Arden", "Acme Cloud"),
        ("Bruno Brandt", "Beta Hosting"),
        ("Chen Cheng", "Gamma Labs"),
        ("Dana Dorsey", "Delta"),
        ("Emil Ekberg", "Epsilon"),
    ]
    # The protocol-relative link of the description became https and got its rel.
    assert 'href="https://www.youtube.com/watch?v=aaaaaaaaaaa"' in follow_up.description
    assert 'rel="nofollow noopener noreferrer"' in follow_up.description


def test_dates_are_kept_to_the_minute_and_midnight_means_the_default_slot(app, runner):
    run_import(runner, SAMPLE)
    episodes = episodes_by_title(app)

    # 14:00:35.869Z in the file: the show started at 14:00.
    assert episodes["Hiring in Open Infrastructure"].starts_at == datetime(
        2022, 3, 3, 14, 0, tzinfo=UTC
    )
    # 00:00:00.000Z in the file is a date without a time.
    assert episodes["Gating at Scale"].starts_at == datetime(2022, 2, 24, 14, 0, tzinfo=UTC)


def test_empty_and_null_fields_are_left_out_and_calendar_invites_ignored(app, runner):
    result = run_import(runner, SAMPLE)
    hiring = episodes_by_title(app)["Hiring in Open Infrastructure"]

    assert [link.platform for link in hiring.links] == ["youtube"]
    assert hiring.recap_url is None
    assert "skipped fields" not in summary_line(result)
    assert "calendarInvite" not in result.output


def test_company_lists_and_line_wrapped_names_become_guests(app, runner):
    run_import(runner, SAMPLE)
    episodes = episodes_by_title(app)

    hiring = episodes["Hiring in Open Infrastructure"]
    assert [(g.name, g.affiliation) for g in hiring.guests] == [
        ("Acme Cloud", ""),
        ("Beta Hosting", ""),
        ("T-Gamma", ""),
        ("Delta", ""),
    ]
    gating = episodes["Gating at Scale"]
    assert [g.name for g in gating.guests] == ["Fay Fischer", "Gus Grant", "Hana Hoshino"]


def test_hidden_episodes_are_imported_hidden(app, runner):
    run_import(runner, SAMPLE)
    episodes = episodes_by_title(app)

    assert episodes["A Draft Nobody Should See"].hidden is True
    assert episodes["Gating at Scale"].hidden is False


def test_importing_the_same_file_twice_changes_nothing(app, runner):
    run_import(runner, SAMPLE)
    before = {title: (e.id, e.slug, e.updated_at) for title, e in episodes_by_title(app).items()}

    result = run_import(runner, SAMPLE)

    assert result.exit_code == 0, result.output
    assert "5 entries: 0 created, 0 updated, 5 unchanged, 0 skipped" in summary_line(result)
    assert result.output.count("unchanged: ") == 5
    after = {title: (e.id, e.slug, e.updated_at) for title, e in episodes_by_title(app).items()}
    assert after == before


def test_a_changed_entry_is_updated_in_place(app, runner, tmp_path):
    run_import(runner, SAMPLE)
    before = episodes_by_title(app)["Gating at Scale"]
    changed = SAMPLE.read_text().replace(
        "Gating every change before it merges.", "Gating every change, <em>always</em>."
    )
    changed = changed.replace("Hana\n      Hoshino", "Hana Hoshino (Kappa)")
    path = tmp_path / "changed.md"
    path.write_text(changed)

    result = run_import(runner, path)

    assert "0 created, 1 updated, 4 unchanged" in summary_line(result)
    assert f"updated: {before.slug}" in result.output
    after = episodes_by_title(app)["Gating at Scale"]
    assert after.id == before.id and after.slug == before.slug
    assert after.description == "Gating every change, <em>always</em>."
    assert (after.guests[-1].name, after.guests[-1].affiliation) == ("Hana Hoshino", "Kappa")


def test_an_updated_description_is_cleaned_once_and_stamped(app, runner, tmp_path, monkeypatch):
    run_import(runner, SAMPLE)
    changed = tmp_path / "changed.md"
    changed.write_text(
        SAMPLE.read_text().replace(
            "Gating every change before it merges.", "Gating <b onclick=x()>every</b> change."
        )
    )
    cleaned = []
    real_clean = sanitize.clean_html
    monkeypatch.setattr(
        sanitize, "clean_html", lambda html: cleaned.append(html) or real_clean(html)
    )
    monkeypatch.setattr(importer, "clean_html", sanitize.clean_html)

    result = run_import(runner, changed)

    assert "1 updated" in summary_line(result)
    # The file's text is cleaned once.
    assert cleaned.count("Gating <b onclick=x()>every</b> change.") == 1
    assert "Gating <b>every</b> change." not in cleaned
    with app.app_context():
        episode = db.session.scalars(
            db.select(Episode).where(Episode.title == "Gating at Scale")
        ).one()
        assert episode.description == "Gating <b>every</b> change."


def test_other_vintage_links_block_scalars_and_unknown_fields(app, runner):
    result = run_import(runner, OTHER_VINTAGE)

    assert result.exit_code == 0, result.output
    assert "3 created" in summary_line(result)
    assert "skipped fields: foo ×2" in summary_line(result)
    episodes = episodes_by_title(app)

    podcasts = episodes["Podcasts Are Episodes Too"]
    assert podcasts.starts_at == datetime(2020, 11, 5, 14, 0, tzinfo=UTC)
    assert [(link.platform, link.url) for link in podcasts.links] == [
        ("youtube", "https://www.youtube.com/watch?v=ddddddddddd"),
        ("spotify", "https://open.spotify.com/episode/0000000000000000000000"),
    ]
    assert "<script" not in podcasts.description
    # The block scalar's blank line separates two paragraphs.
    assert podcasts.description.startswith(
        "<p>First paragraph of a block scalar.</p><p>Second paragraph"
    )

    folded = episodes["Folded Description"]
    assert folded.starts_at == datetime(2020, 10, 29, 13, 0, tzinfo=UTC)
    assert folded.description == "A folded block scalar joins these lines."
    # No youtubeLink: the embed gives it, in the place the embed had.
    assert [(link.platform, link.url) for link in folded.links] == [
        ("youtube", "https://www.youtube.com/watch?v=eeeeeeeeeee"),
        ("applepodcasts", "https://podcasts.example.org/show/1"),
    ]

    bare = episodes["No Description At All"]
    assert bare.description == ""
    assert bare.starts_at == datetime(2020, 10, 22, 14, 0, tzinfo=UTC)
    assert [(g.name, g.affiliation) for g in bare.guests] == [("Ida Ito", "Iota")]


def test_malformed_entries_are_reported_and_the_rest_imported(app, runner):
    result = run_import(runner, MALFORMED)

    assert result.exit_code == 0, result.output
    output = result.output
    assert "skipped: entry 3: no episodeTitle" in output
    assert "skipped: entry 4: no date" in output
    assert "skipped: entry 5: unreadable date 'next thursday'" in output
    assert "skipped: entry 6: not a mapping of fields" in output
    assert "skipped: entry 7: repeats 'Fine Episode'" in output
    assert "8 entries: 3 created, 0 updated, 0 unchanged, 5 skipped" in summary_line(result)
    assert "1 kept hidden because another visible episode starts at the same time" in output

    episodes = episodes_by_title(app)
    assert episodes["Fine Episode"].hidden is False
    assert episodes["Same Instant, Also Visible"].hidden is True
    links = episodes["Suspicious Links"]
    # javascript: and ftp: addresses are refused; a protocol-relative one becomes https.
    assert [(link.platform, link.url) for link in links.links] == [
        ("other", "https://videos.example.org/watch/1")
    ]
    assert links.recap_url is None
    assert "youtubeLink (not a web address) ×1" in summary_line(result)
    assert "superuserRecap (not a web address) ×1" in summary_line(result)


def test_impossible_dates_spoil_their_entry_only(app, runner, tmp_path):
    path = tmp_path / "dates.yaml"
    path.write_text(
        "episodes:\n"
        "  - {episodeTitle: February 30th, date: 2019-02-30T14:00:00Z}\n"
        "  - {episodeTitle: Year One, date: '0001-01-01T00:30:00+05:00'}\n"
        "  - {episodeTitle: YAML Spelling, date: 2019-06-27 09:00:00 -5}\n"
        "  - {episodeTitle: Offset, date: '2019-07-04T16:00:00+02:00'}\n"
        '  - {episodeTitle: "Nul\\0 in\\ttitle", date: 2019-07-11T14:00:00Z}\n'
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "skipped: entry 1: unreadable date '2019-02-30T14:00:00Z'" in result.output
    assert "skipped: entry 2: date out of range" in result.output
    episodes = episodes_by_title(app)
    assert episodes["YAML Spelling"].starts_at == datetime(2019, 6, 27, 14, 0, tzinfo=UTC)
    assert episodes["Offset"].starts_at == datetime(2019, 7, 4, 14, 0, tzinfo=UTC)
    assert "Nul in title" in episodes


def test_reimport_keeps_an_episode_hidden_for_its_clashing_start(app, runner):
    run_import(runner, MALFORMED)

    result = run_import(runner, MALFORMED)

    assert "0 created, 0 updated, 3 unchanged, 5 skipped" in summary_line(result)
    assert episodes_by_title(app)["Same Instant, Also Visible"].hidden is True


def test_a_visible_episode_already_at_that_start_wins(app, runner, tmp_path):
    with app.app_context():
        db.session.add(
            Episode(
                slug="2019-06-06-from-the-site",
                title="From the Site",
                starts_at=datetime(2019, 6, 6, 14, 0, tzinfo=UTC),
            )
        )
        db.session.commit()
    path = tmp_path / "one.yaml"
    path.write_text("episodes:\n  - episodeTitle: Imported\n    date: 2019-06-06T14:00:00Z\n")

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "(hidden: 2019-06-06-from-the-site starts at the same time)" in result.output
    episodes = episodes_by_title(app)
    assert episodes["Imported"].hidden is True
    assert episodes["From the Site"].hidden is False


def test_an_entry_hidden_by_the_file_frees_its_start_for_a_later_one(app, runner, tmp_path):
    first = tmp_path / "first.yaml"
    first.write_text("episodes:\n  - episodeTitle: Old\n    date: 2019-06-06T14:00:00Z\n")
    run_import(runner, first)
    second = tmp_path / "second.yaml"
    second.write_text(
        "episodes:\n"
        "  - episodeTitle: Old\n    date: 2019-06-06T14:00:00Z\n    hidden: true\n"
        "  - episodeTitle: New\n    date: 2019-06-06T14:00:00Z\n"
    )

    result = run_import(runner, second)

    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated" in summary_line(result)
    episodes = episodes_by_title(app)
    assert episodes["Old"].hidden is True
    assert episodes["New"].hidden is False


def test_slugs_of_same_day_same_title_episodes_get_a_suffix(app, runner, tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(
        "episodes:\n"
        "  - {episodeTitle: Office Hours, date: 2019-06-06T09:00:00Z}\n"
        "  - {episodeTitle: Office Hours, date: 2019-06-06T18:00:00Z}\n"
    )

    result = run_import(runner, path)

    assert "created: 2019-06-06-office-hours\n" in result.output
    assert "created: 2019-06-06-office-hours-2\n" in result.output


def test_a_deeply_nested_file_is_refused_or_skipped_without_a_crash(app, runner, tmp_path):
    path = tmp_path / "nested.md"
    path.write_text("episodes: " + "[" * 2000 + "]" * 2000 + "\n")

    result = run_import(runner, path)

    # LibYAML reads the nesting (the entry is then skipped); the pure-Python parser refuses it.
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "not valid YAML" in result.output or "skipped" in result.output
    assert episodes_by_title(app) == {}


def test_plain_yaml_with_an_episodes_key_is_accepted(app, runner, tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(
        "---\nepisodes:\n  - episodeTitle: Plain\n    date: 2023-01-05T14:00:00Z\n"
        "    hidden: false\n"
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert "created: 2023-01-05-plain" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("---\nepisodes: [unclosed\n---\n", "not valid YAML"),
        ("---\ntemplateKey: openinfra-live\n---\n# Just Markdown\n", "no 'episodes' list"),
        ("episodes: 12\n", "'episodes' is not a list"),
        ("just a sentence\n", "no 'episodes' list"),
        ("episodes:\n  - episodeTitle: !!int twelve\n", "not valid YAML"),
    ],
)
def test_a_file_that_cannot_be_read_fails_and_changes_nothing(
    app, runner, tmp_path, content, message
):
    path = tmp_path / "bad.md"
    path.write_text(content)

    result = run_import(runner, path)

    assert result.exit_code != 0
    assert message in result.output
    assert episodes_by_title(app) == {}


def test_a_file_that_is_not_utf8_is_refused(app, runner, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("episodes:\n  - episodeTitle: Caf\xe9\n".encode("latin-1"))

    result = run_import(runner, path)

    assert result.exit_code != 0
    assert "not UTF-8" in result.output


def test_the_service_runs_a_fixed_number_of_queries(app_ctx):
    entries = [
        {"episodeTitle": f"Episode {n}", "date": f"2015-01-{n:02d}T14:00:00Z"} for n in range(1, 29)
    ]
    with recorded_statements(db.engine) as statements:
        import_episodes(entries[:3])
        db.session.commit()
        few = len(statements)
        statements.clear()
        import_episodes(entries)
        db.session.commit()
        many = len(statements)
    # Loading the existing episodes and inserting in batches does not grow per entry: the
    # second import only adds one statement for each table loaded with the existing episodes
    # (links, guests, segments with their speakers).
    assert many <= few + 3, (few, many)


def test_load_entries_reads_front_matter_only(tmp_path):
    text = "---\nepisodes:\n  - episodeTitle: A\n---\n\n# Body\n\n---\nnot: yaml: here\n"

    assert load_entries(text) == [{"episodeTitle": "A"}]


def test_new_episodes_go_in_one_batch_whatever_fields_they_leave_empty(app_ctx):
    """Rows with and without a recap have the same columns: one INSERT for them all, not one
    each time they alternate (SQLAlchemy then joined each batch's RETURNING rows to those of
    all the batches before: a quadratic import)."""
    entries = [
        {
            "episodeTitle": f"Episode {n}",
            "date": f"2015-01-{n:02d}T14:00:00Z",
            **({"superuserRecap": f"https://superuser.example/recap-{n}"} if n % 2 else {}),
        }
        for n in range(1, 29)
    ]
    with recorded_statements(db.engine) as statements:
        import_episodes(entries)
        db.session.commit()
    episode_inserts = [s for s in statements if s.lstrip().startswith("INSERT INTO episodes ")]

    assert len(episode_inserts) == 1, episode_inserts
    recaps = db.session.scalars(db.select(Episode.recap_url).order_by(Episode.starts_at)).all()
    assert recaps[:3] == [
        "https://superuser.example/recap-1",
        None,
        "https://superuser.example/recap-3",
    ]
