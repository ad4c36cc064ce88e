"""The package stays small and plain: the limits ARCHITECTURE.md states, checked on its source.

- no module over ``MAX_FILE_LINES`` lines, and the whole package under ``MAX_PACKAGE_LINES``;
- at most ``MAX_EVENT_HOOKS`` SQLAlchemy event hooks, each registered by a call inside an
  ``init_app`` (never a ``@event.listens_for`` decorator, which registers at import time).
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "openinfra_live"
MAX_FILE_LINES = 400
# 9,000 held the features of December 2026 (8,906 lines); the moderators workspace (accounts,
# outbox, scheduling, PTG editing) adds features, so the budget grows with them, not silently:
# 12,000 held it and the time-zone places (11,997); share cards (+335) and specials with their
# segments (+760) came to 13,097; a proposal scheduled as a segment of a special (+196) to 13,293;
# audience questions (+921: their package, the moderators' pages, the shared-page form token)
# to 14,214; the show and the PTG in numbers (figures, charts, CSV) with episodes' views and
# their import (+1,126), the audience questions counted among the numbers (+66), and charts drawn
# in a process of their own with their address naming their figures (+72) to 15,478; live
# viewers among the numbers (+23) to 15,501; the site in three languages (+1,256: the language
# module and chooser, and every message people read marked, whole sentences with named values
# in place of phrases joined in code) to 16,757, with the audit log's translated action labels
# and links carrying the language (+83) to 16,840.
MAX_PACKAGE_LINES = 16_900
MAX_EVENT_HOOKS = 5


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


def event_hooks(source: str) -> list[tuple[int, str]]:
    """Every SQLAlchemy hook in ``source``: (line, the function that registers it or a reason)."""
    hooks: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in child.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Attribute) and target.attr == "listens_for":
                        hooks.append((child.lineno, "@listens_for at import time"))
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                func = child.func
                if isinstance(func, ast.Attribute) and func.attr == "listen":
                    owner = func.value
                    if isinstance(owner, ast.Name) and owner.id == "event":
                        hooks.append((child.lineno, function or "module level"))
            visit(child, function)

    visit(ast.parse(source), "")
    return hooks


def test_no_module_is_over_the_line_limit():
    too_long = {
        str(path.relative_to(PACKAGE.parent)): _line_count(path)
        for path in _modules()
        if _line_count(path) > MAX_FILE_LINES
    }
    assert too_long == {}


def test_the_package_is_under_its_line_budget():
    assert sum(_line_count(path) for path in _modules()) <= MAX_PACKAGE_LINES


def test_event_hooks_are_few_and_registered_in_init_app():
    hooks = {
        f"{path.relative_to(PACKAGE.parent)}:{line}": where
        for path in _modules()
        for line, where in event_hooks(path.read_text())
    }
    assert len(hooks) <= MAX_EVENT_HOOKS, hooks
    assert {where for where in hooks.values()} <= {"init_app"}, hooks


# Run in a fresh interpreter: hooks are registered once per process, so this process may hold
# them already. Every ``event.listen`` made while the app is built is recorded.
_COUNT_HOOKS = """
import json, sys
from sqlalchemy import event
registered = []
listen = event.listen
def recording_listen(target, identifier, fn, *args, **kwargs):
    registered.append((getattr(target, "__name__", str(target)), identifier, fn.__module__))
    return listen(target, identifier, fn, *args, **kwargs)
event.listen = recording_listen
from openinfra_live import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
json.dump([hook for hook in registered if hook[2].startswith("openinfra_live")], sys.stdout)
"""


def test_building_apps_registers_at_most_five_hooks_once():
    result = subprocess.run(
        [sys.executable, "-c", _COUNT_HOOKS],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        timeout=120,
    )
    hooks = json.loads(result.stdout)
    assert 0 < len(hooks) <= MAX_EVENT_HOOKS, hooks
    # Two apps, one registration each: a second app adds nothing.
    assert len(hooks) == len({tuple(hook) for hook in hooks}), hooks


def test_hook_finder_sees_decorators_and_module_level_calls():
    source = (
        "from sqlalchemy import event\n"
        "@event.listens_for(Session, 'after_flush')\n"
        "def marked(session, context): ...\n"
        "event.listen(Engine, 'connect', marked)\n"
        "def init_app(app):\n"
        "    event.listen(Session, 'before_commit', marked)\n"
    )
    assert event_hooks(source) == [
        (3, "@listens_for at import time"),
        (4, "module level"),
        (6, "init_app"),
    ]
