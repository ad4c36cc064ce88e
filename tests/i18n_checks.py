"""The checks behind ``test_translations.py`` that find words a person reads but no
translator will see: unmarked text of the templates and of the Python code.

They take source text and return findings as ``path:line: "text"``, so that the tests run them
on the real files and on small samples alike: a check that could never fail shows in its
self-tests.
"""

import ast
import builtins
import re
from bisect import bisect_right
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[1]

# Names that stay as they are in every language: the site's and its foundation's brands, the
# event's acronym, services and file formats. Longest first, so that "OpenInfra Live" goes
# whole. Anything else with a letter is a word a translator must see.
KEPT_NAMES = (
    "OpenInfra Foundation|OpenInfra Live|OpenInfra|Live|PTG|UTC|YouTube|LinkedIn|WeChat|iCal"
    "|ics|API|CSV|RSS|Atom|SVG|PNG|Etherpad|Project Teams Gathering"
    "|Facebook|Twitter|Twitch|Spotify|Apple Podcasts"  # where recordings are
)
NOT_WORDS = re.compile(
    rf"\b(?:{KEPT_NAMES})\b"
    r"|%\(\w+\)[-#0 +]*\d*[a-z]|%-?[a-zA-Z]"  # gettext placeholders, strftime directives
    r"|&#?\w+;"  # entity leftovers
    r"|\b[a-z]+://\S*|\S+@\S+\.\w+"  # addresses: URLs, e-mail
)
LETTER = re.compile(r"[^\W\d_]")


def readable(text: str) -> bool:
    """Whether a person reads words here: a letter is left once the kept names are gone."""
    return bool(LETTER.search(NOT_WORDS.sub(" ", text)))


def looks_like_prose(text: str) -> bool:
    """A string constant in a template that reads as words rather than as an identifier."""
    shaped = re.search(r"[^\W\d_]\s+[^\W\d_]", text) or re.match(r"\s*[A-Z][a-z]", text)
    css_classes = re.fullmatch(r"[a-z0-9_ ]*-[a-z0-9_ -]*", text)
    return bool(shaped) and not css_classes and readable(text)


def plural_by_hand(one: str, many: str) -> bool:
    """``"s" if n != 1``, ``"day" if n == 1 else "days"``: plurals that need ``ngettext``."""
    return {one, many} == {"", "s"} or bool(one) and (many == one + "s" or one == many + "s")


def clean(text: str) -> str:
    """One line to show: whitespace folded, an expression's output as ``{{…}}``."""
    return " ".join(text.replace("\ue000", " {{…}} ").split())


def by_place(finding: str) -> tuple[str, int, str]:
    """Sorts ``path:line: "text"`` by file, then by line number."""
    path, line, text = finding.split(":", 2)
    return path, int(line) if line.isdigit() else 0, text


# --- templates --------------------------------------------------------------------------------

ENVIRONMENT = Environment(extensions=["jinja2.ext.i18n"])  # parsing only: filters are not needed
ENVIRONMENT.policies["ext.i18n.trimmed"] = True  # as the app's (i18n.init_app) and babel.cfg
TEMPLATE_GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}  # {% trans %} too
# Calls whose string arguments are names for machines: endpoints, asset paths, time formats.
MACHINE_CALLS = {"url_for", "asset_url", "strftime", "get_flashed_messages"}
# Filters whose arguments are words of the page; others (join, replace, selectattr) take
# separators and attribute names.
WORDY_FILTERS = {"default", "d"}
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
# Shown by the site's CSS (``content: attr(data-label)``) and script (the player's title).
READ_ATTRIBUTES |= {"data-label", "data-player-title"}
# Code, not words: scripts, styles, and names typed or read by machines (``<code>episodes</code>``,
# a key of the content file).
UNREAD_ELEMENTS = {"script", "style", "code", "kbd", "samp"}


class PageText(HTMLParser):
    """The text a person reads (not scripts or styles) and the attributes shown or read aloud,
    each with its position in the fed stream."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str]] = []
        self.unread = 0  # inside elements whose text is not words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.unread += tag in UNREAD_ELEMENTS
        values = dict(attrs)
        shown = [values.get(name) for name in READ_ATTRIBUTES]
        if tag == "meta" and values.get("name") == "description":
            shown.append(values.get("content"))
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            shown.append(values.get("value"))
        self.found += [(self.getpos(), value) for value in shown if value]

    def handle_endtag(self, tag: str) -> None:
        self.unread -= tag in UNREAD_ELEMENTS and self.unread > 0

    def handle_data(self, data: str) -> None:
        if not self.unread:
            line, column = self.getpos()
            lead = data[: len(data) - len(data.lstrip())]
            if "\n" in lead:  # where the words start
                line, column = line + lead.count("\n"), len(lead) - lead.rfind("\n") - 1
            self.found.append(((line, column), data))


def _text_findings(tree: nodes.Template, html: bool) -> list[tuple[int, str]]:
    """The unmarked words of the template's own text (``TemplateData``), with their lines.

    The text is fed to the HTML parser in order, an expression's output standing as ``\\ue000``,
    so that a tag split by ``{{ }}`` or ``{% if %}`` still parses; stream positions are mapped
    back to the template's lines through where each piece started.
    """
    pieces: list[tuple[int, str]] = []
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            data = child.data if isinstance(child, nodes.TemplateData) else "\ue000"
            pieces.append((child.lineno, data))
    if not html:
        return [
            (line + offset, text.strip())
            for line, data in pieces
            for offset, text in enumerate(data.split("\n"))
            if readable(text)
        ]
    parser, starts, lines, position = PageText(), [], [], (1, 0)
    for line, data in pieces:
        starts.append(position)
        lines.append(line)
        parser.feed(data)
        newlines = data.count("\n")
        column = len(data) - data.rfind("\n") - 1 if newlines else position[1] + len(data)
        position = (position[0] + newlines, column)
    parser.close()
    findings = []
    for (stream_line, column), text in parser.found:
        piece = bisect_right(starts, (stream_line, column)) - 1
        if readable(text.replace("\ue000", " ")):
            findings.append((lines[piece] + stream_line - starts[piece][0], clean(text)))
    return findings


def _string(node: nodes.Node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _callee(call: nodes.Call) -> str:
    return getattr(call.node, "name", None) or getattr(call.node, "attr", "")


def _lookup_names(tree: nodes.Template) -> set[str]:
    """Names a template only compares with: ``{% set SAID = ("Withdrawn.",) %}`` then
    ``entry.message in SAID`` holds stored values, not words to show."""
    compared = Counter(n.name for c in tree.find_all(nodes.Compare) for n in c.find_all(nodes.Name))
    loaded = Counter(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
    return {name for name, count in compared.items() if loaded[name] == count}


def _prose_constants(node: nodes.Node, lookups: set[str], machine: bool = False):
    """Unmarked string constants a person reads: output, macro arguments, ``{% set %}``."""
    if isinstance(node, nodes.Call) and _callee(node) in TEMPLATE_GETTEXT:
        return  # marked
    if isinstance(node, nodes.Compare | nodes.Getitem | nodes.Include):
        machine = True  # compared states, keys, template names
    if isinstance(node, nodes.Assign) and getattr(node.target, "name", None) in lookups:
        machine = True
    if _string(node) is not None and not machine and looks_like_prose(node.value):
        yield node.lineno, node.value
    strings = [_string(n) for n in getattr(node, "args", [])]
    if isinstance(node, nodes.CondExpr):
        strings = [_string(node.expr1), _string(node.expr2) if node.expr2 else ""]
    for one, many in zip(strings, strings[1:], strict=False):
        if None not in (one, many) and plural_by_hand(one, many) and not machine:
            yield node.lineno, f"plural by hand: {one!r} / {many!r}"
    for field in node.fields:
        value = getattr(node, field)
        for index, child in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(child, nodes.Node):
                yield from _prose_constants(child, lookups, machine or _machine(node, field, index))


def _machine(node: nodes.Node, field: str, index: int) -> bool:
    """Whether a child of ``node`` holds names for machines rather than words."""
    if isinstance(node, nodes.Filter | nodes.Test) and field != "node":
        return node.name not in WORDY_FILTERS
    if isinstance(node, nodes.Call):
        callee = _callee(node)
        return callee in MACHINE_CALLS or callee == "get" and field == "args" and index == 0
    if isinstance(node, nodes.Extends | nodes.Import | nodes.FromImport):
        return field == "template"
    return isinstance(node, nodes.Pair) and field == "key"


def template_findings(name: str, source: str) -> list[str]:
    """Unmarked words of one template (``.html`` parsed as HTML, ``.txt`` mails as text)."""
    try:
        tree = ENVIRONMENT.parse(source, name)
    except Exception as error:  # a template being edited may not parse: say so, don't crash
        return [f'{name}:{getattr(error, "lineno", 0)}: "does not parse: {error}"']
    found = _text_findings(tree, html=name.endswith(".html"))
    found += list(_prose_constants(tree, _lookup_names(tree)))
    return sorted({f'{name}:{line}: "{clean(text)}"' for line, text in found}, key=by_place)


# --- Python -----------------------------------------------------------------------------------

PYTHON_GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l"}
PYTHON_GETTEXT |= {"lazy_gettext", "lazy_ngettext", "lazy_pgettext"}
# Calls whose words are for operators and developers, never for visitors.
QUIET_CALLS = {"print", "echo", "secho", "warn", "debug", "info", "warning", "error", "exception"}
QUIET_OWNERS = {"log", "logger", "logging", "click", "_log", "warnings"}
# Where the message of each WTForms validator goes when it is given by position.
VALIDATOR_MESSAGE = {"DataRequired": 0, "InputRequired": 0, "Email": 0, "FileRequired": 0}
VALIDATOR_MESSAGE |= {"EqualTo": 1, "AnyOf": 1, "NoneOf": 1, "FileAllowed": 1}
VALIDATOR_MESSAGE |= {"Length": 2, "NumberRange": 2, "Regexp": 2, "URL": 2, "FileSize": 2}
MESSAGE_KEYWORDS = {"message", "invalid_choice_message"}
# Lower case without spaces: a name for machines even where a message could be (a parameter's
# name in ``BadQuery("page")``, a state, an endpoint, a path, a CSS class).
MACHINE_NAME = re.compile(r"[a-z0-9_./:#-]+")


def _name(node: ast.AST) -> str:
    """The last name of a callee: ``flash``, ``workflow.queue`` → ``queue``."""
    return getattr(node, "id", None) or getattr(node, "attr", "")


def _text(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _quiet(call: ast.Call) -> bool:
    """``log.info(...)``, ``current_app.logger.warning(...)``, ``click.echo(...)``, ``print``."""
    owner = _name(getattr(call.func, "value", None))
    return _name(call.func) == "print" or owner in QUIET_OWNERS and _name(call.func) in QUIET_CALLS


def literals(node: ast.AST | None) -> list[tuple[ast.AST, str, str]]:
    """The unmarked string pieces of an expression: ``(node, shown text, its own words)``.

    An f-string's words are its constant parts (not the names in braces); ``"%s" % x``,
    ``a + b``, ``x if c else y`` and ``"{}".format(x)`` are looked into; gettext calls are marked.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node, node.value, node.value)]
    if isinstance(node, ast.JoinedStr):
        own = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [(node, ast.unparse(node)[2:-1], own)]
    if isinstance(node, ast.BinOp):
        return literals(node.left) + literals(node.right)
    if isinstance(node, ast.IfExp):
        return literals(node.body) + literals(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [piece for value in node.values for piece in literals(value)]
    if isinstance(node, ast.Call) and _name(node.func) == "format":
        return literals(getattr(node.func, "value", None))
    return []


def _choice_labels(node: ast.AST, constants: dict[str, ast.AST]) -> list[ast.AST]:
    """The labels of a ``choices=`` value: second items of pairs, values of a dict; a constant
    named there (``choices=KINDS``, ``for k, v in KINDS.items()``) is looked up."""
    if isinstance(node, ast.ListComp | ast.GeneratorExp):
        node = node.generators[0].iter
    if isinstance(node, ast.Call) and _name(node.func) == "items":
        node = node.func.value
    if isinstance(node, ast.Name) and node.id in constants:
        node = constants[node.id]
    if isinstance(node, ast.Dict):
        return list(node.values)
    items = node.elts if isinstance(node, ast.List | ast.Tuple | ast.Set) else []
    return [item.elts[1] for item in items if isinstance(item, ast.Tuple) and len(item.elts) > 1]


def message_arguments(call: ast.Call, exceptions: set[str], constants: dict) -> list[ast.AST]:
    """The arguments of a call that a person reads (flash messages, labels, form errors...)."""
    name, args = _name(call.func), call.args
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    found = [keywords[k] for k in MESSAGE_KEYWORDS if k in keywords]
    found += _choice_labels(keywords["choices"], constants) if "choices" in keywords else []
    if name == "flash" or name.endswith("Field"):
        found += args[:1] + [keywords.get("label"), keywords.get("description")]
    if name in VALIDATOR_MESSAGE:
        found += args[VALIDATOR_MESSAGE[name] :][:1]
    if name in exceptions:
        found += args
    if name == "queue":  # workflow.queue(to, subject, template)
        found += args[1:2] + [keywords.get("subject")]
    if name == "abort":
        found += args[1:] + [keywords.get("description")]
    if name == "SelectChoice":  # a choice built outside choices=
        found += args[1:2]
    if name in ("render_template", "page"):  # words handed to a template (page: moderation's)
        found += list(keywords.values())
    return [node for node in found if node is not None]


def sentence(text: str) -> bool:
    """A capital, at least three words, a full stop (or ? or !): prose wherever it is. SQL
    (``SELECT … WHERE key = ?``) has the shape but is no sentence."""
    text = text.strip()
    shaped = text[:1].isupper() and len(text.split()) >= 3 and text[-1:] in ".?!"
    return shaped and not re.match(r"(SELECT|INSERT|UPDATE|DELETE|WITH)\b", text)


class UnmarkedWords(ast.NodeVisitor):
    """Collects the unmarked words of one module: by context, and sentences anywhere."""

    def __init__(self, path: str, exceptions: set[str], constants: dict) -> None:
        self.path, self.exceptions, self.constants = path, exceptions, constants
        self.found: set[str] = set()
        self.seen: set[int] = set()

    def report(self, node: ast.AST, shown: str, own: str, rule: bool = True) -> None:
        if id(node) not in self.seen and rule and readable(own):
            self.seen.add(id(node))
            path = getattr(node, "home", self.path)
            self.found.add(f'{path}:{node.lineno}: "{clean(shown)}"')

    def visit_Expr(self, node: ast.Expr) -> None:
        if not isinstance(node.value, ast.Constant):  # a bare string is a docstring
            self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if not any(getattr(target, "attr", "") == "__doc__" for target in node.targets):
            self.generic_visit(node)  # ``page.__doc__ = "..."`` is a docstring too

    def visit_Call(self, node: ast.Call) -> None:
        if _name(node.func) in PYTHON_GETTEXT:
            for built in node.args[:1]:  # pybabel reads only a literal: f"…" is never extracted
                if isinstance(built, ast.JoinedStr | ast.BinOp):
                    self.report(built, f"built message: {ast.unparse(built)}", "built")
            return
        if _quiet(node):
            return  # for operators and developers
        for argument in message_arguments(node, self.exceptions, self.constants):
            for piece in literals(argument):
                self.report(*piece, rule=not MACHINE_NAME.fullmatch(piece[2]))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.report(node, node.value, node.value, sentence(node.value))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for piece in literals(node):
            self.report(*piece, rule=sentence(piece[1]))


def exception_names(trees: list[ast.Module]) -> set[str]:
    """The project's exceptions (raised to become form errors and flashes) and ValueError."""
    known = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)}
    known = {n for n in known if issubclass(getattr(builtins, n), BaseException)}
    found, classes = set(), [n for t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if {_name(b) for b in c.bases} & (known | found)}
        if more <= found:
            return found | {"ValueError", "ValidationError"}
        found |= more


def python_findings(sources: dict[str, str], scanned: set[str] | None = None) -> list[str]:
    """Unmarked words of Python modules (``{path: source}``); only ``scanned`` ones are read for
    words, all of them for exceptions and the constants that ``choices=`` names."""
    trees, found, scanned = {}, set(), set(sources) if scanned is None else scanned
    for path, source in sources.items():
        try:
            trees[path] = ast.parse(source, path)
        except SyntaxError as error:
            found.add(f'{path}:{error.lineno}: "does not parse: {error.msg}"')
    exceptions = exception_names(list(trees.values()))
    constants = {}  # module-level NAMES, each node marked with the module it is found in
    for path, tree in trees.items():
        for statement in (s for s in tree.body if isinstance(s, ast.Assign | ast.AnnAssign)):
            targets = getattr(statement, "targets", [getattr(statement, "target", None)])
            names = [getattr(t, "id", "") for t in targets if statement.value]
            for name in filter(str.isupper, names):
                constants[name] = statement.value
                for node in ast.walk(statement.value):
                    node.home = path
                # A table of labels (states, subjects, kinds): its capitalised values are shown.
                for value in getattr(statement.value, "values", []) if path in scanned else []:
                    if re.match(r"[A-Z][a-z]", _text(value)) and readable(_text(value)):
                        found.add(f'{path}:{value.lineno}: "{clean(_text(value))}"')
    for path, tree in trees.items():
        if path in scanned:
            visitor = UnmarkedWords(path, exceptions, constants)
            visitor.visit(tree)
            found |= visitor.found
    return sorted(found, key=by_place)
