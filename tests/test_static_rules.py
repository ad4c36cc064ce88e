"""Local static rules over the package's syntax tree (run offline, like the template audit).

- ``redirect(...)`` whose target is taken straight from the request (open redirect);
- ``Markup(...)`` of anything from the request;
- ``render_template_string`` at all;
- ``debug=True`` passed to ``run``.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "openinfra_live"


def _mentions_request(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "request" for n in ast.walk(node))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def findings_in(source: str, filename: str = "<test>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "redirect" and node.args and _mentions_request(node.args[0]):
            found.append(f"{filename}:{node.lineno}: redirect to a request value")
        if name == "Markup" and any(_mentions_request(arg) for arg in node.args):
            found.append(f"{filename}:{node.lineno}: Markup of a request value")
        if name == "render_template_string":
            found.append(f"{filename}:{node.lineno}: render_template_string")
        for keyword in node.keywords:
            if keyword.arg == "debug" and getattr(keyword.value, "value", None) is True:
                found.append(f"{filename}:{node.lineno}: debug=True")
    return found


def test_package_passes_the_local_static_rules():
    findings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        findings += findings_in(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    assert findings == []


def test_rules_catch_what_they_are_for():
    source = (
        "redirect(request.args.get('next'))\n"
        "Markup(request.form['x'])\n"
        "render_template_string('{{ x }}')\n"
        "app.run(debug=True)\n"
        "redirect(url_for('episodes.index'))\n"
    )
    assert len(findings_in(source)) == 4
