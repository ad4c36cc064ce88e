"""The site speaks English, Simplified Chinese and Brazilian Portuguese: every word a visitor
reads is marked for translation, and each catalog translates every marked word.

A word nobody marked stays English on a Chinese page, and a marked word missing from a catalog
does too; neither shows in the English tests. So the catalogs are read as gettext reads them,
the sources are extracted as ``make extract`` extracts them, and the templates and the Python
code are searched for words left out. Each check has self-tests on small samples, so that a
check that could never fail does not pass for a clean site.
"""

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.i18n_checks import ROOT, by_place, python_findings, template_findings

LANGUAGES = ("zh_Hans_CN", "pt_BR")  # besides English, the source (openinfra_live/i18n.py)
CATALOGS = ROOT / "openinfra_live" / "translations"
# The command line's output is for operators and stays English (babel.cfg says so too).
CLI_MODULES = {"commands.py", "maintenance.py", "demo.py"}
# Words in the Python code shaped like messages that no visitor reads, by file and text; each
# group says why. Anything else a person may read is marked.
NAIVE = "naive datetimes are ambiguous; pass an aware UTC datetime"
NOT_FOR_VISITORS = {
    # A programming error (ValueError): the visitor gets the 500 page, never this text.
    ("openinfra_live/database.py", NAIVE),
    ("openinfra_live/episodes/editing.py", NAIVE),
    # A wrong setting, refused when the site starts: for operators.
    ("openinfra_live/ratelimit_storage.py", "no file in the rate-limit storage URI {uri!r}"),
    # Raised by services only the command line reaches (auth/commands.py): for operators.
    ("openinfra_live/auth/services.py", "There is no account for {normalize_email(email)}."),
    ("openinfra_live/auth/services.py", "An account for {address} exists already."),
    # The English that tests compare with (LOGIN_FAILED); the flash says it through gettext.
    ("openinfra_live/auth/views.py", "Email or password is incorrect."),
    # Stored with a history entry as a marker: the history macro compares the message with
    # these (SAID_ALREADY in templates/_macros/history.html) and then does not show it.
    ("openinfra_live/ptg/registrations.py", "Registration received."),
    ("openinfra_live/ptg/registrations.py", "Withdrawn."),
    # Each language's name written in itself, for the language chooser: never translated.
    ("openinfra_live/i18n.py", "English"),
    ("openinfra_live/i18n.py", "Português (Brasil)"),
    # A setting's value (the session cookie's SameSite), not a word.
    ("openinfra_live/config.py", "Lax"),
    # The JSON API's errors are for programs, as English as the API's field names.
    ("openinfra_live/episodes/views.py", "page must be a positive whole number"),
    ("openinfra_live/episodes/views.py", "there is no such page"),
}

# --- catalogs ---------------------------------------------------------------------------------

KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["lazy_gettext", "lazy_ngettext:1,2", "_l"])}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def tags(text: str) -> Counter:
    return Counter(slash + name.lower() for slash, name in TAG.findall(text))


def catalog_problems(catalog: Catalog, name: str = "messages.po") -> list[str]:
    """Every message a visitor would read in English, or with a wrong placeholder or tag.

    An empty ``msgstr`` (or plural form) shows the English; a fuzzy entry is a guess gettext
    does not use; a placeholder the English lacks breaks the formatting (``KeyError``) and a
    dropped one loses its value; a changed tag breaks the page's markup.
    """
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        kinds = ["fuzzy"] if message.fuzzy else []
        kinds += [] if all(forms) else ["untranslated"]
        for index, form in enumerate(forms):
            # The first form may follow the singular; a language of one form uses it for all.
            english = ids[-1:] if index or len(forms) == 1 else ids
            if form and placeholders(form) not in [placeholders(text) for text in english]:
                kinds.append(f"placeholders {sorted(placeholders(form))}")
            if form and tags(form) not in [tags(text) for text in english]:
                kinds.append(f"tags {sorted(tags(form).elements())}")
        problems += [f'{name}:{message.lineno}: {kind}: "{ids[0]}"' for kind in kinds]
    return problems


def source_messages(root: Path = ROOT) -> dict[tuple[str, str | None], str]:
    """The messages of the sources, as ``make extract`` is meant to read them (``babel.cfg``'s
    method map and options, the Makefile's keywords), with the first place each is used.

    Every folder is read: pybabel's command skips folders whose names start with ``_``
    (``templates/_macros``, ``templates/_partials``) unless it is given ``--ignore-dirs``.
    """
    with open(root / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    tops = {pattern.split("/")[0] for pattern, _ in method_map}

    def wanted(folder: str) -> bool:
        parts = Path(folder).relative_to(root).parts
        return parts[0] in tops and not any(p.startswith(".") or p == "__pycache__" for p in parts)

    found: dict[tuple[str, str | None], str] = {}
    extracted = extract_from_dir(root, method_map, options_map, KEYWORDS, directory_filter=wanted)
    for filename, line, message, _comments, context in extracted:
        singular = message[0] if isinstance(message, tuple) else message
        found.setdefault((singular, context), f"{filename}:{line}")
    return found


def missing_messages(catalog: Catalog, sources: dict[tuple[str, str | None], str]) -> list[str]:
    """The source messages the catalog lacks: shown in English until it holds them."""
    held = {(m.id[0] if isinstance(m.id, tuple) else m.id, m.context) for m in catalog}
    missing = [f'{where}: "{key[0]}"' for key, where in sources.items() if key not in held]
    return sorted(missing, key=by_place)


def read_catalog(language: str) -> Catalog:
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        pytest.fail(
            f"{path.relative_to(ROOT)} does not exist: make it with `make update-translations` "
            "(after `pybabel init` for a new language) and translate every message",
            pytrace=False,
        )
    with path.open("rb") as file:
        return read_po(file, locale=language)


def report(findings: list[str], what: str) -> str:
    return f"{len(findings)} {what}:\n" + "\n".join(findings)


@pytest.fixture(scope="module")
def sources() -> dict[tuple[str, str | None], str]:
    return source_messages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_catalog_is_translated(language):
    problems = catalog_problems(read_catalog(language), f"{language}/messages.po")
    assert not problems, report(problems, f"{language} messages read wrong or in English")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_every_message_of_the_sources(language, sources):
    missing = missing_messages(read_catalog(language), sources)
    assert not missing, report(missing, f"messages missing from {language} (update the catalogs)")


# --- no unmarked words ------------------------------------------------------------------------


def test_templates_mark_every_word():
    findings = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            findings += template_findings(str(path.relative_to(ROOT)), path.read_text())
    assert not findings, report(findings, "unmarked words in templates")


def test_python_code_marks_every_word():
    paths = sorted((ROOT / "openinfra_live").rglob("*.py"))
    code = {str(path.relative_to(ROOT)): path.read_text() for path in paths}
    read = {name for name in code if Path(name).name not in CLI_MODULES}
    findings = [
        finding
        for finding in python_findings(code, read)
        if (finding.split(":")[0], finding.split(': "', 1)[1][:-1]) not in NOT_FOR_VISITORS
    ]
    assert not findings, report(findings, "unmarked words in openinfra_live")


# --- self-tests: each check fails where it must -----------------------------------------------

UNMARKED_TEMPLATES = [
    "<p>Hello</p>",
    '<img src="a.png" alt="Our logo">',
    '<input type="submit" value="Save">',
    '<meta name="description" content="The weekly show">',
    '<td data-label="Public page">{{ x }}</td>',
    '{{ forms.field(form.title, hint="Up to 100 characters") }}',
    '{{ "Yes" if done else "No" }}',
    "{% set heading = 'Coming up' %}{{ heading }}",
    "<p>{{ n }} {{ thing }}{{ 's' if n != 1 }}</p>",
]
MARKED_TEMPLATES = [
    '<p>{{ _("Hello") }}</p>',
    '{% trans %}Hello <a href="x">there</a>{% endtrans %}',
    "{% trans count=n %}{{ count }} episode{% pluralize %}{{ count }} episodes{% endtrans %}",
    "<img src=\"a.png\" alt=\"{{ _('Our logo') }}\"><a href=\"{{ url_for('x', q='A b') }}\">",
    '<p class="{{ \'is-active\' if on }}">{{ d.strftime("%A %-d %B") }} · OpenInfra Live · PTG</p>',
    '{% if state == "Changes requested" %}<script>alert("Not for people")</script>{% endif %}',
    "<p><code>episodes</code> &middot; UTC &amp; YouTube</p>",
    '{% set SAID = ("Withdrawn.",) %}{% if entry.message in SAID %}{{ entry.message }}{% endif %}',
]


@pytest.mark.parametrize("source", UNMARKED_TEMPLATES)
def test_the_template_check_finds_an_unmarked_word(source):
    assert template_findings("t.html", source)


@pytest.mark.parametrize("source", MARKED_TEMPLATES)
def test_the_template_check_passes_marked_words(source):
    assert template_findings("t.html", source) == []


def test_the_template_check_reports_the_line_of_the_words():
    source = '<div>\n{{ x }}\n<p title="A\ntip">\n  Hello</p></div>\n{{ f(hint="Two words") }}'
    assert template_findings("t.html", source) == [
        't.html:3: "A tip"',
        't.html:5: "Hello"',
        't.html:6: "Two words"',
    ]


def test_the_template_check_reads_mails_line_by_line():
    source = (
        "{% trans %}Hello {{ name }},{% endtrans %}\n\nYour idea {{ title }}\n-- \nOpenInfra Live"
    )
    assert template_findings("m.txt", source) == ['m.txt:3: "Your idea"']


UNMARKED_PYTHON = [
    'flash("Saved.")',
    'flash(f"Sent to {address}.")',
    'title = StringField("Title")',
    'email = EmailField(validators=[DataRequired(message="Enter an address.")])',
    'size = SelectField(choices=[("s", "Small"), ("l", "Large")])',
    'raise ValueError("too long")',
    'workflow.queue(to, "Your idea", "mail/idea.txt")',
    'abort(404, description="Nothing here")',
    'flash(gettext(f"Sent to {address}."))',
    'NOTE = "Your proposal is withdrawn."',
    'LABELS = {"submitted": "Waiting for review", State.DONE: "Done"}',
]
MARKED_PYTHON = [
    'flash(gettext("Saved."))',
    'title = StringField(lazy_gettext("Title"))',
    'flash(gettext("Sent to %(address)s.", address=address), "success")',
    'raise BadQuery("page")',
    'LABELS = {"submitted": lazy_gettext("Waiting for review")}',
    'log.info("Mail sent to someone else.")',
    'def f():\n    """Say what this does."""',
    'rows = db.execute("SELECT value FROM counters WHERE key = ?")',
]


@pytest.mark.parametrize("source", UNMARKED_PYTHON)
def test_the_python_check_finds_an_unmarked_word(source):
    assert python_findings({"m.py": source})


@pytest.mark.parametrize("source", MARKED_PYTHON)
def test_the_python_check_passes_marked_words(source):
    assert python_findings({"m.py": "class BadQuery(Exception): pass\n" + source}) == []


def test_the_python_check_finds_choice_labels_of_another_module():
    code = {"a.py": 'KINDS = {"sig": "Special interest group"}', "b.py": "f = F(choices=KINDS)"}
    assert python_findings(code, {"b.py"}) == ['a.py:1: "Special interest group"']


HEADER = 'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
GOOD_PO = (
    HEADER + 'msgid "Hello %(name)s"\nmsgstr "Olá %(name)s"\n\n'
    'msgid "<a href=\\"%(url)s\\">See</a>"\nmsgstr "<a href=\\"%(url)s\\">Veja</a>"\n\n'
    'msgid "One episode"\nmsgid_plural "%(num)d episodes"\n'
    'msgstr[0] "Um episódio"\nmsgstr[1] "%(num)d episódios"\n'
)
BAD_PO = [
    ("untranslated", GOOD_PO.replace('"Olá %(name)s"', '""')),
    ("fuzzy", GOOD_PO.replace('msgid "Hello', '#, fuzzy\nmsgid "Hello')),
    ("placeholders []", GOOD_PO.replace('"Olá %(name)s"', '"Olá"')),
    ("placeholders ['nome']", GOOD_PO.replace('"Olá %(name)s"', '"Olá %(nome)s"')),
    ("untranslated", GOOD_PO + 'msgid "Use {name}"\nmsgstr ""\n'),
    ("tags ['a']", GOOD_PO.replace('">Veja</a>', '">Veja')),
    ("untranslated", GOOD_PO.replace('msgstr[1] "%(num)d episódios"', 'msgstr[1] ""')),
    ("placeholders []", GOOD_PO.replace('"%(num)d episódios"', '"episódios"')),
]


def po(text: str) -> Catalog:
    return read_po(io.BytesIO(text.encode()), locale="pt_BR")


def test_the_catalog_check_passes_a_complete_catalog():
    assert catalog_problems(po(GOOD_PO)) == []


@pytest.mark.parametrize(("problem", "text"), BAD_PO)
def test_the_catalog_check_finds_what_gettext_would_get_wrong(problem, text):
    assert [f for f in catalog_problems(po(text)) if f": {problem}: " in f]


def test_a_message_missing_from_the_catalog_is_found():
    sources = {("Hello %(name)s", None): "a.py:1", ("New words", None): "b.html:2"}
    assert missing_messages(po(GOOD_PO), sources) == ['b.html:2: "New words"']


def test_extraction_reads_every_folder_and_the_lazy_keywords(tmp_path):
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text())
    (tmp_path / "templates" / "_macros").mkdir(parents=True)
    (tmp_path / "templates" / "_macros" / "m.html").write_text('{{ _("In a macro") }}')
    (tmp_path / "openinfra_live" / "forms").mkdir(parents=True)
    (tmp_path / "openinfra_live" / "forms" / "f.py").write_text(
        'A = lazy_gettext("Lazy")\nB = _l("Short")\nC = lazy_ngettext("%(num)d a", "%(num)d as", 2)'
    )
    assert set(source_messages(tmp_path)) == {
        ("In a macro", None),
        ("Lazy", None),
        ("Short", None),
        ("%(num)d a", None),
    }
