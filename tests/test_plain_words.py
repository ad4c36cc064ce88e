"""Nothing a person reads about a proposal or a PTG registration shows an internal word.

Every reachable state of both workflows is built through the services (so the histories and
mails are the real ones), then every page that shows them is read as a person reads it: the
visible text and the attributes read aloud or shown on hover. No state or action name from the
workflows' declarations, no ``None``/``True``/``False``, no Python repr, no plural for one thing.
"""

import re
import secrets
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from openinfra_live import clock, workflow
from openinfra_live.auth.models import User
from openinfra_live.episodes import specials
from openinfra_live.extensions import db
from openinfra_live.proposals import claims, scheduling, services
from openinfra_live.proposals.states import PROPOSALS
from openinfra_live.ptg import registrations
from openinfra_live.ptg.rules import RegistrationData
from openinfra_live.ptg.states import REGISTRATIONS
from openinfra_live.questions.states import QUESTIONS
from tests.conftest import make_moderator
from tests.ptg.builders import at, make_event, make_room, make_session, make_team

READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
SKIPPED_ELEMENTS = ("script", "style", "template")
ALL_STATES = [*PROPOSALS.states, "waiting", "all"]


def internal_names() -> set[str]:
    """The workflows' own words that no person should read: every declared state and action
    whose name is not also an English word (``changes_requested``, ``cancel_episode``...)."""
    names = set()
    for flow in (PROPOSALS, REGISTRATIONS, QUESTIONS):
        names |= {member.value for member in (*flow.states, *flow.actions)}
        names |= set(flow.groups)
    return {name for name in names if "_" in name}


REPRS = ("['", '["', "{'", '{"', "<openinfra_live", "datetime.", "Decimal(", "object at 0x")
WORDS = re.compile(r"\b(None|True|False|null|nan)\b")
# "1 sessions", "session(s)", "Teams: 1": a plural for one thing.
PLURALS = (
    re.compile(r"(?<![\d.,:])\b1 (?!of\b)[a-z]+s\b"),
    re.compile(r"\w\(s\)"),
    re.compile(r"\b[A-Z][a-z ]*[a-rt-z]s: 1\b"),
)


class ReadText(HTMLParser):
    """What a person reads: the text outside scripts, the read attributes, and each ``<dl>``'s
    labels with how many values they name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.details: list[tuple[str, list[str]]] = []
        self.in_term = self.in_value = False

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(f" {value} ")
        if tag == "dt":
            self.in_term, self.in_value = True, False
            self.details.append(("", []))
        elif tag == "dd" and self.details:
            self.in_term, self.in_value = False, True
            self.details[-1][1].append("")
        elif tag in ("p", "li", "br", "td", "th", "div", "h1", "h2", "h3", "option", "dl"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS:
            self.skipping -= 1
        if tag == "dt":
            self.in_term = False
        elif tag in ("dd", "dl"):
            self.in_value = False
        self.parts.append(" " if tag in ("span", "a", "strong", "em", "time") else "\n")

    def handle_data(self, data):
        if self.skipping:
            return
        self.parts.append(data)
        if self.in_term:
            term, values = self.details[-1]
            self.details[-1] = (term + data, values)
        elif self.in_value:
            self.details[-1][1][-1] += data

    @property
    def text(self) -> str:
        return re.sub(r"[ \t]+", " ", "".join(self.parts))


def _plural_word(label: str) -> bool:
    words = label.strip().split()
    if not words:
        return False
    last = words[-1].lower()
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "news", "series"))


def _one_thing(value: str) -> bool:
    """A short value naming one thing: not a list, not a sentence, not "Not given"."""
    if "," in value or value.startswith(("Not ", "No ")) or value.endswith("."):
        return False
    return len(value.split()) <= 8


def problems_in(text: str, details: list[tuple[str, list[str]]] = ()) -> list[str]:
    """Every internal word, repr or plural-for-one in ``text`` (addresses left out: a token in
    a link may hold any letters)."""
    text = re.sub(r"https?://\S+", "<link>", unescape(text))
    found = [f"internal name {name!r}" for name in sorted(internal_names()) if name in text]
    found += [f"the word {word!r}" for word in sorted(set(WORDS.findall(text)))]
    found += [f"a repr {repr_!r}" for repr_ in REPRS if repr_ in text]
    for pattern in PLURALS:
        found += [f"a plural for one thing: {m.group(0)!r}" for m in pattern.finditer(text)]
    for term, values in details:
        values = [" ".join(v.split()) for v in values]
        one = len(values) == 1 and _one_thing(values[0])
        if _plural_word(term) and one and (not values[0].isdigit() or values[0] == "1"):
            found.append(f"a plural label for one thing: {term.strip()!r}: {values[0]!r}")
    return found


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {'; '.join(problems)}" for where, problems in found.items())


def read(html: str) -> ReadText:
    parser = ReadText()
    parser.feed(html)
    parser.close()
    return parser


# --- every state of both workflows -----------------------------------------------------------


def _content(title: str, **fields) -> services.ProposalContent:
    fields.setdefault("guests", [("Ada Lovelace", "Analytical Engines")])
    fields.setdefault("links", ["https://example.org/talk"])
    return services.ProposalContent(
        title=title,
        description="<p>Storage stories from operators running Ceph with OpenStack.</p>",
        organization="Example Cloud",
        preferred_month="2031-01",
        **fields,
    )


def _submit(title: str):
    submission = services.submit_proposal(
        _content(title),
        submitter_name="Sam Submitter",
        submitter_email="sam@example.org",
        nonce=secrets.token_urlsafe(24),
    )
    return submission.proposal, submission.token


def _schedule(proposal, moderator, weeks: int):
    scheduling.schedule_proposal(
        proposal,
        moderator,
        starts_at=(clock.now() + timedelta(weeks=weeks)).replace(second=0, microsecond=0),
        title=f"{proposal.title}, live",
        description="",
        guests=[("Ada Lovelace", "Analytical Engines")],
    )


def _schedule_in_special(proposal, moderator, weeks: int):
    start = (clock.now() + timedelta(weeks=weeks)).replace(second=0, microsecond=0)
    special = specials.create_special(title=f"Days for {proposal.title}", starts_at=start)
    scheduling.schedule_proposal(
        proposal,
        moderator,
        starts_at=start + timedelta(hours=2),
        title=f"{proposal.title}, a segment",
        description="",
        guests=[("Ada Lovelace", "Analytical Engines")],
        special=special,
    )


def build_proposals() -> dict[str, tuple[int, str]]:
    """A proposal in every state the workflow reaches, and by every path: ``{case: (id,
    token)}``. Ana has a display name; the other moderator has none."""
    ana = make_moderator("ana@example.org", display_name="Ana")
    nameless = make_moderator("nameless@example.org", display_name="")
    built = {}

    def case(name, *steps):
        proposal, token = _submit(f"Idea {name}")
        for step in steps:
            step(proposal)
            workflow.commit()
        workflow.commit()
        built[name] = (proposal.id, token)

    def asked(p):
        services.request_changes(p, ana, "Please add a second guest.")

    def resent(p):
        services.resubmit_proposal(
            p,
            _content(p.title, guests=[("Ada Lovelace", ""), ("Grace Hopper", "Navy")]),
            message="Added Grace.",
        )

    case("submitted")
    case("changes requested", asked)
    case("resubmitted", asked, resent)
    case("approved", lambda p: services.approve_proposal(p, nameless, "A good idea."))
    case("declined", lambda p: services.decline_proposal(p, ana, "Not this season."))
    case(
        "reopened",
        lambda p: services.decline_proposal(p, ana),
        lambda p: services.reopen_proposal(p, nameless, "We read it again."),
    )
    case("withdrawn", lambda p: services.withdraw_proposal(p))
    case(
        "withdrawn after approval",
        lambda p: services.approve_proposal(p, ana),
        lambda p: services.withdraw_proposal(p),
    )
    case(
        "scheduled",
        lambda p: services.approve_proposal(p, ana),
        lambda p: _schedule(p, ana, 2),
    )
    case(
        "episode cancelled",
        lambda p: services.approve_proposal(p, ana),
        lambda p: _schedule(p, nameless, 3),
        lambda p: scheduling.delete_episode(p.episode, ana, "The guest cannot come."),
    )
    case(
        "scheduled in a special",
        lambda p: services.approve_proposal(p, ana),
        lambda p: _schedule_in_special(p, ana, 5),
    )
    case(
        "segment cancelled",
        lambda p: services.approve_proposal(p, ana),
        lambda p: _schedule_in_special(p, nameless, 7),
        lambda p: scheduling.delete_segment(p.segment, ana, "The room is gone."),
    )
    case(
        "worked on by moderators",
        lambda p: services.add_note(p, ana, "Ask around for a second guest."),
        lambda p: claims.claim_proposal(p, ana),
        lambda p: claims.claim_proposal(p, ana, release=True),
        lambda p: claims.assign_proposal(p, ana, nameless, note="Yours."),
        lambda p: services.set_tags(p, ana, ["storage"]),
        asked,
    )
    return built


def build_registrations() -> tuple[str, dict[str, tuple[int, str]]]:
    """A registration in every state, by every path: ``(event slug, {case: (id, token)})``."""
    ana = db.session.scalar(db.select(User).filter_by(email="ana@example.org"))
    event = make_event(registration_open=True)
    room = make_room(event, "Cactus")
    slug = event.slug
    built = {}

    def case(name, *steps, attendees=12):
        data = RegistrationData(
            name=f"Team {name}",
            kind="sig",
            contact_name="Team Lead",
            contact_email="lead@example.org",
            hours_wanted=1,
            preferred_days=["2030-03-18"],
            time_windows=["emea"],
            expected_attendees=attendees,
        )
        team, token = registrations.register_team(event, data, secrets.token_urlsafe(24))
        workflow.commit()
        for step in steps:
            step(team)
            workflow.commit()
        built[name] = (team.id, token)

    def approve(team):
        registrations.approve_team(team, actor=ana, message="Welcome aboard!")

    # Imported from a team list: a name only, and no history.
    imported = make_team(event, "Imported SIG", kind="", contact_name="", contact_email="")
    built["imported"] = (imported.id, None)
    case("pending", attendees=None)
    case("approved", approve)
    case("approved with a session", approve, lambda t: make_session(t, room, at(18, 7), at(18, 8)))
    case("declined", lambda t: registrations.decline_team(t, actor=None, message="No room."))
    case("withdrawn", approve, lambda t: registrations.withdraw_team(t, actor=None))
    case(
        "removed",
        approve,
        lambda t: make_session(t, room, at(19, 7), at(19, 8)),
        lambda t: registrations.remove_team(t, actor=ana, message="A duplicate registration."),
    )
    return slug, built


@pytest.fixture
def every_state(app, monkeypatch):
    """Both workflows in every state, and every mail their changes sent."""
    sent = []
    monkeypatch.setattr(
        "openinfra_live.mail.send",
        lambda to, subject, template, body="", **ctx: sent.append((template, subject, body)),
    )
    with app.app_context():
        proposals = build_proposals()
        slug, teams = build_registrations()
        db.session.remove()
    return {"proposals": proposals, "event": slug, "teams": teams, "mails": sent}


def pages_of(every_state) -> list[tuple[str, bool]]:
    """``(address, signed in)`` of every page that shows these proposals and registrations."""
    pages = []
    for proposal_id, token in every_state["proposals"].values():
        pages += [(f"/proposals/{token}", False), (f"/moderation/proposals/{proposal_id}", True)]
    slug = every_state["event"]
    for team_id, token in every_state["teams"].values():
        pages.append((f"/moderation/ptg/{slug}/registrations/{team_id}", True))
        if token:
            pages.append((f"/ptg/registrations/{token}", False))
    pages += [(f"/moderation/?state={state}", True) for state in ALL_STATES]
    pages += [("/moderation/audit", True), (f"/moderation/ptg/{slug}/", True)]
    pages += [("/moderation/ptg/", True), (f"/ptg/{slug}/", False)]
    # What became of the proposals, counted on the numbers pages, reads in words too.
    pages += [("/numbers/", False), (f"/numbers/{clock.now().year}/", False)]
    return pages


def withdraw_pages_of(every_state) -> list[str]:
    """The confirmation step of every withdrawal still possible."""
    pages = []
    for _, token in every_state["proposals"].values():
        pages.append(f"/proposals/{token}/withdraw")
    for _, token in every_state["teams"].values():
        if token:
            pages.append(f"/ptg/registrations/{token}/withdraw")
    return pages


def test_the_checks_catch_what_they_look_for():
    """The reader finds each kind of internal word, so a clean page means something."""
    html = (
        '<p title="changes_requested">State: None</p><p>[&#39;a&#39;]</p>'
        "<p>1 sessions, session(s), Teams: 1</p><dl><dt>Guests</dt><dd>Ada</dd></dl>"
        "<script>None</script>"
    )
    page = read(html)
    found = problems_in(page.text, page.details)
    assert len(found) == 7, found
    clean = read("<p>1 session of 1, 2 sessions</p><dl><dt>Guests</dt><dd>A</dd><dd>B</dd></dl>")
    assert problems_in(clean.text, clean.details) == []


def test_no_page_of_either_workflow_shows_an_internal_word(app, every_state, login_as):
    """Every page that shows a proposal or a registration, in every state, reads in words."""
    visitor = app.test_client()
    moderator = app.test_client()
    login_as(moderator, "ana@example.org")
    found = {}
    for address, signed_in in pages_of(every_state):
        response = (moderator if signed_in else visitor).get(address)
        assert response.status_code == 200, (address, response.status_code)
        page = read(response.get_data(as_text=True))
        problems = problems_in(page.text, page.details)
        if problems:
            found[address] = problems
    assert not found, report(found)


def test_every_withdrawal_is_confirmed_on_a_page_that_reads_in_words(app, every_state):
    """Withdrawing asks first, on a page of its own that says it is final; a final proposal
    or registration sends the visitor back to its status page instead."""
    visitor = app.test_client()
    found = {}
    for address in withdraw_pages_of(every_state):
        response = visitor.get(address)
        if response.status_code == 303:
            assert response.headers["Location"] == address.removesuffix("/withdraw")
            continue
        assert response.status_code == 200, (address, response.status_code)
        html = response.get_data(as_text=True)
        assert "cannot be reopened" in html or "cannot be undone" in html, address
        assert 'class="button-danger"' in html
        page = read(html)
        problems = problems_in(page.text, page.details)
        if problems:
            found[address] = problems
    assert not found, report(found)


def test_no_mail_about_either_workflow_shows_an_internal_word(every_state):
    """The mails those changes sent read in words too."""
    assert len(every_state["mails"]) >= 20
    found = {}
    for template, subject, body in every_state["mails"]:
        problems = problems_in(f"{subject}\n{body}")
        if problems:
            found.setdefault(template, []).extend(problems)
    assert not found, report(found)


def _visible(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return " ".join(read(response.get_data(as_text=True)).text.split())


def test_histories_read_as_sentences_that_say_who_did_what(app, every_state, login_as):
    """The submitter is "You"; a moderator is named by display name, else "A moderator" or
    "The organisers", never by address; moderation pages name everyone."""
    visitor, moderator = app.test_client(), app.test_client()
    login_as(moderator, "ana@example.org")
    proposals, teams, slug = every_state["proposals"], every_state["teams"], every_state["event"]
    owner_pages = {
        name: _visible(visitor, f"/proposals/{token}") for name, (_, token) in proposals.items()
    }
    owner_pages |= {
        f"team {name}": _visible(visitor, f"/ptg/registrations/{token}")
        for name, (_, token) in teams.items()
        if token
    }
    expected = {
        "changes requested": ["You sent the proposal.", "Ana asked for changes."],
        "resubmitted": ["Ana asked for changes.", "You sent an edited proposal."],
        "approved": ["A moderator approved the proposal."],
        "declined": ["Ana declined the proposal."],
        "reopened": ["A moderator reopened the proposal: it waits for review again."],
        "withdrawn": ["You withdrew the proposal."],
        "scheduled": ["Ana scheduled the episode."],
        "episode cancelled": ["Ana took the episode off the programme"],
        "scheduled in a special": ["Ana scheduled it as a segment of a special."],
        "segment cancelled": ["Ana took the segment off the programme", "The room is gone."],
        "team pending": ["You registered the team."],
        "team approved": ["Ana approved the registration.", "Welcome aboard!"],
        "team declined": ["The organisers declined the registration.", "No room."],
        "team withdrawn": ["You withdrew the registration."],
        "team removed": ["Ana removed the registration from the event."],
    }
    for name, sentences in expected.items():
        for sentence in sentences:
            assert sentence in owner_pages[name], (name, sentence, owner_pages[name])
    for name, text in owner_pages.items():
        assert "@example.org" not in text.replace("lead@example.org", ""), name
        assert "Registration received." not in text and "Withdrawn." not in text, name

    by_moderators = {
        "approved": ["Sam Submitter sent the proposal.", "nameless@example.org approved"],
        "worked on by moderators": [
            "Ana added a note.",
            "Ana claimed the proposal.",
            "Ana released the proposal.",
            "Ana assigned the proposal to nameless@example.org.",
            "Ana changed the tags.",
        ],
    }
    for name, sentences in by_moderators.items():
        text = _visible(moderator, f"/moderation/proposals/{proposals[name][0]}")
        for sentence in sentences:
            assert sentence in text, (name, sentence, text)
    team_id = teams["withdrawn"][0]
    text = _visible(moderator, f"/moderation/ptg/{slug}/registrations/{team_id}")
    assert "Team Lead registered the team." in text
    assert "Ana approved the registration." in text
    assert "Team Lead withdrew the registration." in text


def test_the_moderators_message_comes_first_and_edit_is_offered_only_with_its_form(
    app, every_state
):
    """Their latest word is above any form; a page without the edit form never says "edit"."""
    visitor = app.test_client()
    for name, (_, token) in every_state["proposals"].items():
        html = visitor.get(f"/proposals/{token}").get_data(as_text=True)
        editable = f'action="/proposals/{token}/edit"' in html
        assert editable == (name in ("changes requested", "worked on by moderators")), name
        if not editable:
            assert not re.search(r"\bedit\b", read(html).text, re.IGNORECASE), name
    _, token = every_state["proposals"]["changes requested"]
    html = visitor.get(f"/proposals/{token}").get_data(as_text=True)
    message = html.index("Please add a second guest.")
    assert message < html.index("<form") and message < html.index('id="state-heading"')
    _, token = every_state["teams"]["declined"]
    html = visitor.get(f"/ptg/registrations/{token}").get_data(as_text=True)
    assert html.index("No room.") < html.index('id="details-title"')
