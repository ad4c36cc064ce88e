"""Every field of every form of the site, drawn by the one ``field`` macro: the "(required)"
marker exactly when the field is required, said to assistive technology too; and the error
summary telling each error once, after its field's name."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField

import openinfra_live
from openinfra_live.proposals.forms import ProposeForm
from openinfra_live.ptg.forms import SessionForm

# Fields a person never fills in: the spam trap and the form's own token.
UNSEEN = {"website", "nonce", "csrf_token"}


def _form_classes() -> Iterator[type[FlaskForm]]:
    for info in pkgutil.walk_packages(openinfra_live.__path__, "openinfra_live."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                yield cls


def _fields(form) -> Iterator[Field]:
    for f in form:
        if isinstance(f, FieldList):
            for row in f:
                yield from _fields(row.form) if isinstance(row, FormField) else [row]
        elif isinstance(f, FormField):
            yield from _fields(f.form)
        elif not isinstance(f, HiddenField) and f.short_name not in UNSEEN:
            yield f


def _build(cls: type[FlaskForm]):
    """The form, or None when it needs more than a request to be built (an event...)."""
    try:
        return cls(meta={"csrf": False})
    except TypeError:
        return None


def _macros(app):
    return app.jinja_env.get_template("_macros/forms.html").module


def test_every_field_carries_the_marker_exactly_when_it_is_required(app):
    seen = 0
    with app.test_request_context("/"):
        macros = _macros(app)
        for cls in _form_classes():
            form = _build(cls)
            if form is None:
                continue
            for f in _fields(form):
                if f.type == "RadioField":  # drawn option by option in a fieldset, not here
                    continue
                html = str(macros.field(f))
                label = f"{cls.__name__}.{f.name}"
                assert html.count("(required)") == (1 if f.flags.required else 0), label
                control = re.search(r"<(input|select|textarea)\b[^>]*>", html)
                assert control, (label, html)
                control = control.group(0)
                says_required = " required" in control or 'aria-required="true"' in control
                assert says_required == bool(f.flags.required), (label, control)
                seen += 1
    assert seen > 40  # the walk found the site's forms


def test_a_select_that_always_holds_a_value_is_marked_and_announced_required(app):
    with app.test_request_context("/"):
        form = SessionForm(meta={"csrf": False})
        html = str(_macros(app).field(form.team_id))
    assert html.count("(required)") == 1
    assert 'aria-required="true"' in html and " required" not in html.split("<select", 1)[1]


def test_a_field_refused_by_a_rule_of_its_form_can_say_it_is_required(app):
    with app.test_request_context("/"):
        form = ProposeForm(meta={"csrf": False})
        html = str(_macros(app).field(form.organization, required=True))
        plain = str(_macros(app).field(form.organization))
    assert html.count("(required)") == 1 and 'aria-required="true"' in html
    assert "(required)" not in plain and "aria-required" not in plain


def test_the_error_summary_tells_each_error_once_after_its_field_s_name(app):
    with app.test_request_context("/", method="POST", data={}):
        form = ProposeForm(meta={"csrf": False})
        assert not form.validate()
        form.form_errors.append("The proposal was not saved.")
        summary = str(_macros(app).error_summary(form))
        beside = str(_macros(app).field(form.title))
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    texts = [re.sub(r"<[^>]+>", "", item).strip() for item in items]
    assert len(texts) == len(set(texts))
    assert texts.count("The proposal was not saved.") == 1
    title_error = form.title.errors[0]
    assert f"{form.title.label.text}: {title_error}" in texts
    assert f'href="#{form.title.id}"' in summary
    # Beside the field, the message stands once.
    assert beside.count(title_error) == 1
