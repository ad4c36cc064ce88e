"""Every action the code can write to the audit log has words in the table of
``moderation/audit.py``, which translators see; an action left out would show in English on
the Chinese and Portuguese pages.

The actions are found where they are made: the first argument of each ``audit.record(...)``
call in the package (a literal, or a name, ``if``/``else`` or f-string followed back to its
literals) and each workflow's transitions, named as ``Workflow.apply`` names them. A call whose
action cannot be followed back fails the test too, so a new one is never overlooked.
"""

import ast
import importlib
import itertools
from pathlib import Path

import pytest
from flask_babel import force_locale

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.moderation.audit import ACTION_LABELS, action_label
from openinfra_live.workflow import Workflow
from tests.i18n_checks import ROOT

PACKAGE = ROOT / "openinfra_live"
# Stands for the workflow's own call (``audit.record(name, ...)`` in ``Workflow.apply``): its
# names are found from the workflows' tables instead (``workflow_actions``).
WORKFLOW = "<each workflow's transitions>"


class Unresolved(Exception):
    """An action the scan cannot follow back to literals."""


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "record"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _action_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "action"), None)


class _Module:
    """One source file, with the function around each node."""

    def __init__(self, source: str, path: str) -> None:
        self.path = path
        self.tree = ast.parse(source)
        self.owner: dict[ast.AST, ast.FunctionDef | None] = {}
        self._own(self.tree, None)

    def _own(self, node: ast.AST, function) -> None:
        for child in ast.iter_child_nodes(node):
            self.owner[child] = function
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            self._own(child, inner)

    def where(self, node: ast.AST) -> str:
        return f"{self.path}:{node.lineno}"

    def resolve(self, expr: ast.expr, depth: int = 0) -> set[str]:
        """The strings ``expr`` can be, from literals in this file."""
        if depth > 8:
            raise Unresolved(self.where(expr))
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.resolve(expr.body, depth + 1) | self.resolve(expr.orelse, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for part in expr.values:
                if isinstance(part, ast.FormattedValue):
                    if part.conversion != -1 or part.format_spec is not None:
                        raise Unresolved(self.where(expr))
                    parts.append(sorted(self.resolve(part.value, depth + 1)))
                else:
                    parts.append(sorted(self.resolve(part, depth + 1)))
            return {"".join(chosen) for chosen in itertools.product(*parts)}
        if self._names_a_workflow_action(expr):
            return {WORKFLOW}
        if isinstance(expr, ast.Name):
            return self._resolve_name(expr, depth)
        raise Unresolved(self.where(expr))

    @staticmethod
    def _names_a_workflow_action(expr: ast.expr) -> bool:
        """``self.audit_action.format(action=..., to=...)``: how ``Workflow.apply`` names it."""
        return (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "format"
            and isinstance(expr.func.value, ast.Attribute)
            and expr.func.value.attr == "audit_action"
            and not expr.args
            and {k.arg for k in expr.keywords} <= {"action", "to"}
        )

    def _resolve_name(self, name: ast.Name, depth: int) -> set[str]:
        function = self.owner.get(name)
        scope = function if function is not None else self.tree
        values = [
            node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and self.owner.get(node) is function
            and any(
                isinstance(target, ast.Name) and target.id == name.id
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        ]
        if values:
            return set().union(*(self.resolve(value, depth + 1) for value in values))
        if function is not None:
            return self._resolve_parameter(function, name, depth)
        raise Unresolved(self.where(name))

    def _resolve_parameter(self, function, name: ast.Name, depth: int) -> set[str]:
        """A parameter: what every call of its function in this file passes."""
        positional = [a.arg for a in function.args.posonlyargs + function.args.args]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        if name.id not in positional + keyword_only:
            raise Unresolved(self.where(name))
        index = positional.index(name.id) if name.id in positional else None
        found: set[str] = set()
        calls = 0
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else None
            if callee != function.name:
                continue
            calls += 1
            passed = next((k.value for k in node.keywords if k.arg == name.id), None)
            if passed is None and index is not None and index < len(node.args):
                passed = node.args[index]
            if passed is None:
                raise Unresolved(self.where(node))
            found |= self.resolve(passed, depth + 1)
        if not calls:
            raise Unresolved(self.where(name))
        return found

    def recorded(self) -> tuple[dict[str, list[str]], list[str]]:
        """The actions this file records ({action: [places]}) and the calls it cannot follow."""
        actions: dict[str, list[str]] = {}
        unresolved: list[str] = []
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Call) and _is_audit_record(node)):
                continue
            argument = _action_argument(node)
            try:
                if argument is None:
                    raise Unresolved(self.where(node))
                for action in self.resolve(argument):
                    actions.setdefault(action, []).append(self.where(node))
            except Unresolved as error:
                unresolved.append(f"{self.where(node)} (cannot follow {error})")
        return actions, unresolved


def recorded_actions(files: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """Every action ``audit.record`` is called with in ``files`` ({path: source})."""
    actions: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path, source in files.items():
        found, lost = _Module(source, path).recorded()
        for action, places in found.items():
            actions.setdefault(action, []).extend(places)
        unresolved.extend(lost)
    return actions, unresolved


def package_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def workflows() -> dict[str, Workflow]:
    """Every ``NAME = Workflow(...)`` of the package, imported: {module.NAME: workflow}."""
    found = {}
    for path, source in package_sources().items():
        for node in ast.parse(source).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "Workflow"
            ):
                module = importlib.import_module(
                    Path(path).with_suffix("").as_posix().replace("/", ".")
                )
                for target in node.targets:
                    found[f"{module.__name__}.{target.id}"] = getattr(module, target.id)
    return found


def workflow_actions(workflow: Workflow) -> set[str]:
    """The audit actions of a workflow's transitions, named as ``Workflow.apply`` names them."""
    return {
        workflow.audit_action.format(action=action.value, to=target.value)
        for (_, action), target in workflow.transitions.items()
    }


def every_action() -> set[str]:
    actions, unresolved = recorded_actions(package_sources())
    assert not unresolved, "audit actions the scan cannot follow back:\n" + "\n".join(unresolved)
    assert WORKFLOW in actions, "Workflow.apply no longer names its action as this test does"
    found = set(actions) - {WORKFLOW}
    for workflow in workflows().values():
        found |= workflow_actions(workflow)
    return found


# --- the scan, on small samples --------------------------------------------------------------

SAMPLE = """
from openinfra_live import audit

def literal():
    audit.record("thing_done", obj)

def chosen(shown):
    audit.record("thing_shown" if shown else "thing_hidden", obj)

def claim(release=False):
    action = "release" if release else "claim"
    audit.record(f"thing.{action}", obj)

def _common(obj, what):
    audit.record(what, obj)

def add():
    _common(obj, "thing.add")

def remove():
    _common(obj, what="thing.remove")

def by_keyword():
    audit.record(action="thing_kw", object_type="thing")

class Flow:
    def apply(self):
        name = self.audit_action.format(action=action.value, to=target.value)
        audit.record(name, obj)

HISTORY.record(obj, "not_an_audit_action")
"""


def test_the_scan_follows_literals_names_parameters_and_f_strings():
    actions, unresolved = recorded_actions({"sample.py": SAMPLE})
    assert unresolved == []
    assert set(actions) == {
        "thing_done",
        "thing_shown",
        "thing_hidden",
        "thing.claim",
        "thing.release",
        "thing.add",
        "thing.remove",
        "thing_kw",
        WORKFLOW,
    }


@pytest.mark.parametrize(
    "source",
    [
        "audit.record(compute(), obj)",
        "def f(x):\n    audit.record(x.name, obj)",
        "def f(what):\n    audit.record(what, obj)\nf(some.attribute)",
        "audit.record(f'thing.{unknown}', obj)",
        "audit.record(object_type='thing')",
    ],
)
def test_the_scan_reports_an_action_it_cannot_follow(source):
    _, unresolved = recorded_actions({"sample.py": source})
    assert len(unresolved) == 1 and unresolved[0].startswith("sample.py:")


def test_the_workflows_transitions_are_named_as_the_engine_names_them():
    found = workflows()
    assert {name.rsplit(".", 1)[1] for name in found} >= {"PROPOSALS", "REGISTRATIONS", "QUESTIONS"}
    actions = set().union(*(workflow_actions(workflow) for workflow in found.values()))
    assert {"proposal.approve", "ptg_team_withdrawn", "question.merge"} <= actions


# --- the table --------------------------------------------------------------------------------


def test_every_action_the_code_records_has_words_in_the_table():
    actions = every_action()
    assert len(actions) > 50  # the scan found the package's calls
    missing = sorted(actions - set(ACTION_LABELS))
    assert not missing, (
        "add these audit actions to ACTION_LABELS in openinfra_live/moderation/audit.py "
        f"(and their translations to the catalogs): {missing}"
    )


def test_labels_are_distinct_and_an_old_action_is_spelled_out():
    labels = [str(label) for label in ACTION_LABELS.values()]
    assert len(set(labels)) == len(labels)
    assert action_label("ptg_team_registered") == "PTG team registered"
    assert action_label("proposal.approve") == "Proposal approved"
    # An action no longer recorded (an old row) is spelled out from its name.
    assert action_label("episode_hidden") == "Episode hidden"
    assert action_label("csrf.old_thing") == "CSRF old thing"


@pytest.mark.parametrize(("header", "language"), [("pt-BR", "pt_BR"), ("zh-CN", "zh_Hans_CN")])
def test_the_audit_log_names_actions_in_the_readers_language(
    app, client, login_as, header, language
):
    with app.app_context():
        audit.record("proposal.approve", object_type="proposal", object_id="3")
        audit.record("ptg_team_withdrawn", object_type="ptgteam", object_id="4")
        db.session.commit()
    login_as(client)
    html = client.get("/moderation/audit", headers={"Accept-Language": header}).get_data(
        as_text=True
    )
    with app.test_request_context(), force_locale(language):
        words = {
            action: action_label(action) for action in ("proposal.approve", "ptg_team_withdrawn")
        }
    rows = html.split("<tbody>", 1)[1]
    for action, translated in words.items():
        english = action_label(action)
        assert translated != english, f"{action} is not translated into {language} yet"
        assert f">{translated}</td>" in rows
        assert f">{translated}</option>" in html
        assert english not in rows
