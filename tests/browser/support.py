"""What the browser tests share: signing in, keyboard moves, axe-core, overflow, artifacts."""

import json
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import ARTIFACTS, axe_script
from tests.conftest import MODERATOR_PASSWORD

MODERATOR_EMAIL = "mod@example.org"
BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = ARTIFACTS / "screenshots"
PAGE_SOURCES = ARTIFACTS / "html"


@cache
def _axe_source() -> str:
    return axe_script()


# A focus indicator: an outline of 2px or more whose colour stands out 3:1 against what is
# behind it (WCAG 1.4.11; the ring is drawn outside the element, over its parent's
# background), or a box shadow. Returned with a short description of the element.
_FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  // Date and month inputs have a calendar button of the browser's own as a Tab stop; the
  // page cannot style it (Chromium draws its ring), and the input no longer matches :focus.
  if (/^(date|month|week|time|datetime-local)$/.test(el.type) && !el.matches(":focus")) {
    return null;
  }
  const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let behind = [255, 255, 255];
  for (let p = el.parentElement; p; p = p.parentElement) {
    const bg = rgb(getComputedStyle(p).backgroundColor);
    if (bg.length >= 3 && (bg.length === 3 || bg[3] > 0)) { behind = bg.slice(0, 3); break; }
  }
  const style = getComputedStyle(el);
  const ring = rgb(style.outlineColor).slice(0, 3);
  const [hi, lo] = [luminance(ring), luminance(behind)].sort((a, b) => b - a);
  const contrast = (hi + 0.05) / (lo + 0.05);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
    && contrast >= 3;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "")
    + (el.textContent.trim() ? " “" + el.textContent.trim().slice(0, 40) + "”" : "")
    + " (ring " + style.outlineStyle + " " + style.outlineWidth + ", contrast "
    + contrast.toFixed(2) + ")";
  return {name: name, visible: Boolean(outline || shadow)};
}"""


def focus_state(page: Page) -> dict | None:
    """Whether the focused element shows its focus, and a description of it."""
    return page.evaluate(_FOCUS_STATE)


def tab_to(page: Page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab until the focused element matches ``selector``; every stop must show focus."""
    key = "Shift+Tab" if backwards else "Tab"
    invisible = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = focus_state(page)
        if state and not state["visible"]:
            invisible.append(state["name"])
        if page.evaluate("s => Boolean(document.activeElement?.matches(s))", selector):
            assert not invisible, f"focus is not visible on: {invisible}"
            return
    raise AssertionError(f"{limit} presses of {key} never reached {selector!r} on {page.url}")


def type_into(page: Page, selector: str, text: str) -> None:
    """Tab to a field and type into it, as a keyboard user does."""
    tab_to(page, selector)
    page.keyboard.type(text)


def press_and_wait(page: Page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page: Page, base_url: str, email: str = MODERATOR_EMAIL) -> None:
    """Sign a moderator in through the form, with the keyboard, and land on the queue."""
    page.goto(base_url + "/login")
    type_into(page, "#email", email)
    type_into(page, "#password", MODERATOR_PASSWORD)
    tab_to(page, "form.login-form button[type=submit]")
    press_and_wait(page)
    assert page.url.endswith("/moderation/"), page.url


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now.

    The page's context must have been opened with ``bypass_csp=True``: axe is injected as an
    inline script, which the site's Content-Security-Policy blocks otherwise.
    """
    page.add_script_tag(content=_axe_source())
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, why: n.failureSummary}))
          }));
        }"""
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page: Page, label: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{label} ({page.url}):\n" + json.dumps(violations, indent=2)


# Elements sticking out on the right of the viewport, wherever they are: a container that
# scrolls sideways counts too (a phone's reader has to scroll it), so tables stack instead.
# Elements moved off to the left (the skip link, the honeypot) do not stick out.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const offenders = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) { continue; }
    const classes = typeof el.className === "string" ? el.className.trim() : "";
    offenders.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (classes ? "." + classes.split(/\\s+/).join(".") : "")
      + " right=" + Math.round(box.right) + " “" + el.textContent.trim().slice(0, 40) + "”");
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          offenders: offenders};
}"""


def assert_no_horizontal_overflow(page: Page, label: str) -> None:
    state = page.evaluate(_OVERFLOW)
    assert state["scrollWidth"] <= state["innerWidth"] and not state["offenders"], (
        f"{label} overflows at {state['innerWidth']}px (scrollWidth {state['scrollWidth']}):\n"
        + "\n".join(state["offenders"])
    )


# Words cut across two lines: an ordinary word must stay whole (no "break-all", no narrow
# table column breaking letters); an e-mail address, a web address or a file name may break.
_SPLIT_WORDS = """() => {
  const split = [];
  const root = document.querySelector("main");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(".visually-hidden, [aria-hidden=true], select, textarea")) {
      continue;
    }
    for (const match of node.data.matchAll(/\\p{L}{2,}/gu)) {
      const start = match.index, end = start + match[0].length;
      const before = node.data.slice(0, start).split(/\\s/).pop();
      const after = node.data.slice(end).split(/\\s/)[0];
      if (/[@\\/_]|\\.\\w/.test(before + match[0] + after)) { continue; }
      range.setStart(node, start);
      range.setEnd(node, end);
      const tops = new Set(Array.from(range.getClientRects())
        .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
      if (tops.size > 1) {
        split.push("“" + match[0] + "” in " + node.parentElement.tagName.toLowerCase()
          + " “" + node.parentElement.textContent.trim().slice(0, 50) + "”");
      }
    }
  }
  return split;
}"""


def assert_no_split_words(page: Page, label: str) -> None:
    split = page.evaluate(_SPLIT_WORDS)
    assert not split, f"{label}: words cut across lines:\n" + "\n".join(split)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def save_source(name: str, html: str) -> Path:
    """Keep the HTML the server sent, for the Nu checker and for people to read."""
    PAGE_SOURCES.mkdir(parents=True, exist_ok=True)
    path = PAGE_SOURCES / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


# How a failed form tells its errors: a summary above the form whose links lead to the
# fields, and every error message tied to its field with aria-describedby.
_ERROR_PROBLEMS = """() => {
  const problems = [];
  const summary = document.querySelector(".error-summary");
  const errors = Array.from(document.querySelectorAll("main .error[id]"));
  if (!summary) { problems.push("no error summary"); }
  if (!errors.length) { problems.push("no error message next to a field"); }
  if (summary) {
    // Above the failed form, or inside it before its first error.
    const firstError = document.querySelector("main form .error[id]");
    if (firstError && !(summary.compareDocumentPosition(firstError)
                        & Node.DOCUMENT_POSITION_FOLLOWING)) {
      problems.push("the error summary is not above the form");
    }
    if (summary.getAttribute("role") !== "alert" && !summary.hasAttribute("tabindex")) {
      problems.push("the error summary is neither an alert nor focusable");
    }
    for (const link of summary.querySelectorAll("a[href^='#']")) {
      if (!document.getElementById(link.getAttribute("href").slice(1))) {
        problems.push("summary link to a missing field: " + link.getAttribute("href"));
      }
    }
  }
  for (const error of errors) {
    const described = document.querySelectorAll("[aria-describedby~='" + error.id + "']");
    if (!described.length) { problems.push("error not tied to a field: #" + error.id); }
  }
  for (const field of document.querySelectorAll("[aria-invalid=true]")) {
    const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/);
    if (!ids.some(id => document.getElementById(id)?.classList.contains("error"))) {
      problems.push("invalid field without its error: #" + field.id);
    }
  }
  return problems;
}"""


def error_problems(page: Page) -> list[str]:
    """What is missing in the way the page announces its form's errors (empty when fine)."""
    return page.evaluate(_ERROR_PROBLEMS)
