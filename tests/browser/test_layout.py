"""Every page at a phone's and a laptop's width: screenshots to look at, nothing wider than the
screen (no container scrolls sideways: wide tables become stacked rows on a phone) and no word
cut in two; then the forms' required markers and errors."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.site_pages import (
    PAGE_IDS,
    PAGES,
    moderator_context,
    open_context,
    visit,
)
from tests.browser.support import assert_no_horizontal_overflow, assert_no_split_words, screenshot

WIDTHS = [360, 1280]


@pytest.fixture(scope="module")
def contexts(chromium, demo_site) -> Iterator[dict[tuple[int, bool], BrowserContext]]:
    """A visitor's and a moderator's browser at each width, keyed by (width, moderator)."""
    opened = {}
    for width in WIDTHS:
        opened[width, False] = open_context(chromium, width=width)
        opened[width, True] = moderator_context(chromium, demo_site, width=width)
    yield opened
    for context in opened.values():
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("target", PAGES, ids=PAGE_IDS)
def test_page_fits_the_screen_and_is_captured(contexts, demo_site, target, width):
    page = contexts[width, target.moderator].new_page()
    try:
        visit(page, demo_site, target)
        path = screenshot(page, f"{target.name}-{width}")
        assert path.stat().st_size > 5_000
        assert_no_horizontal_overflow(page, f"{target.name} at {width}px")
        assert_no_split_words(page, f"{target.name} at {width}px")
    finally:
        page.close()


def test_the_checks_name_what_sticks_out_even_in_a_scrolling_container_and_split_words(
    contexts, demo_site
):
    page = contexts[360, False].new_page()
    try:
        visit(page, demo_site, PAGES[PAGE_IDS.index("home")])
        assert_no_horizontal_overflow(page, "home")
        # A container that scrolls sideways hides the overflow from the page, not from the
        # person reading it on a phone: it is reported too.
        page.evaluate(
            """() => {
              const scroller = document.createElement("div");
              scroller.style.overflowX = "auto";
              scroller.innerHTML = "<table><tr><td id='wide-cell'>x</td></tr></table>";
              scroller.querySelector("td").style.minWidth = "900px";
              document.querySelector("main").append(scroller);
            }"""
        )
        with pytest.raises(AssertionError, match="td#wide-cell"):
            assert_no_horizontal_overflow(page, "home with a wide table that scrolls")
        page.evaluate("() => document.querySelector('#wide-cell').closest('div').remove()")
        page.evaluate(
            """() => {
              const wide = document.createElement("p");
              wide.id = "too-wide";
              wide.style.width = "600px";
              document.querySelector("main").append(wide);
            }"""
        )
        with pytest.raises(AssertionError, match="p#too-wide"):
            assert_no_horizontal_overflow(page, "home with a wide paragraph")
        assert_no_split_words(page, "home")
        page.evaluate(
            """() => {
              const narrow = document.createElement("p");
              narrow.style.width = "3rem";
              narrow.style.wordBreak = "break-all";
              narrow.textContent = "Deactivate moderator@example.org";
              document.querySelector("main").append(narrow);
            }"""
        )
        with pytest.raises(AssertionError, match="“Deactivate” in p") as split:
            assert_no_split_words(page, "home with a word broken letter by letter")
        # The address may break anywhere: only the word is reported.
        assert "“moderator”" not in str(split.value)
    finally:
        page.close()


# Forms: the "(required)" marker and the errors, as a person reads them.
_FORM_PROBLEMS = """(sentEmpty) => {
  const problems = [];
  const text = el => el.textContent.replace(/\\s+/g, " ").trim();
  const nameOf = field => {
    const title = field.matches("fieldset") ? field.querySelector("legend")
      : field.querySelector("label");
    return title ? text(title).replace(/\\s*\\(required\\)$/, "") : "";
  };
  for (const marker of document.querySelectorAll("main .required")) {
    if (!marker.closest(".field")) {
      problems.push("a marker outside a field: " + text(marker.parentElement));
    }
  }
  for (const field of document.querySelectorAll("main .field")) {
    const name = nameOf(field);
    const markers = Array.from(field.querySelectorAll(".required"))
      .filter(m => m.closest(".field") === field);
    const control = field.querySelector("input:not([type=hidden]), select, textarea");
    const required = field.matches("fieldset") ? markers.length > 0
      : Boolean(control && (control.required
                            || control.getAttribute("aria-required") === "true"));
    if (markers.length > 1) { problems.push(name + ": " + markers.length + " markers"); }
    if (required && !markers.length) { problems.push(name + ": required, no marker"); }
    if (!required && markers.length) { problems.push(name + ": marked, not required"); }
    if (!sentEmpty) { continue; }
    // Sent empty, a field is refused exactly when it is marked required (a select or a box
    // left as the page drew it holds a value, so only empty ones count).
    const empty = field.matches("fieldset") ? !field.querySelector("input:checked")
      : control && (control.type === "checkbox" ? !control.checked : control.value === "");
    const refused = field.classList.contains("field-error");
    const formRefused = field.closest("form")?.querySelector(".field-error");
    if (refused && !markers.length) { problems.push(name + ": refused empty, not marked"); }
    if (empty && markers.length && !refused && formRefused) {
      problems.push(name + ": marked required, accepted empty");
    }
  }
  // Each error beside its field once, and once in the summary, after the field's name.
  const summaryItems = Array.from(document.querySelectorAll("main .error-summary li"));
  const besides = Array.from(document.querySelectorAll("main .error"));
  for (const error of besides) {
    const message = text(error);
    const field = error.closest(".field, fieldset");
    const name = field ? nameOf(field) : "";
    const same = besides.filter(
      other => text(other) === message && other.closest(".field, fieldset") === field);
    if (same.length > 1) { problems.push("“" + message + "” twice beside " + name); }
    // The summary's item for this error: its link leads into the field (or its group).
    const items = summaryItems.filter(li => {
      const link = li.querySelector("a[href^='#']");
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      return text(li).endsWith(message) && target && field
        && (field.contains(target) || target.contains(field));
    });
    if (items.length !== 1) {
      problems.push("“" + message + "” of " + name + ": " + items.length + " in the summary");
      continue;
    }
    const summary = text(items[0]);
    if (field.matches(".field") && summary !== name + ": " + message) {
      problems.push("the summary's “" + summary + "” does not name its field " + name);
    }
  }
  for (const li of summaryItems) {
    const copies = summaryItems.filter(other => text(other) === text(li)).length;
    if (copies > 1) { problems.push("“" + text(li) + "” " + copies + " times in the summary"); }
  }
  return problems;
}"""

FORM_PAGES = [target for target in PAGES if target.submit is not None]


def _sent_as_loaded(target) -> bool:
    """Sent with nothing typed (``site_pages._submit``): what is refused is what is required."""
    return target.submit.__qualname__.startswith("_submit.")


@pytest.mark.parametrize("target", FORM_PAGES, ids=[target.name for target in FORM_PAGES])
def test_required_fields_are_marked_once_and_each_error_is_told_once(contexts, demo_site, target):
    page = contexts[1280, target.moderator].new_page()
    try:
        visit(page, demo_site, target)
        problems = page.evaluate(_FORM_PROBLEMS, _sent_as_loaded(target))
        assert not problems, f"{target.name}:\n" + "\n".join(problems)
    finally:
        page.close()


def test_form_pages_cover_the_site_s_forms():
    """The check above sees the forms of every page: at least these were sent empty."""
    empty = {target.name for target in FORM_PAGES if _sent_as_loaded(target)}
    assert {
        "propose-errors",
        "ptg-register-errors",
        "login-errors",
        "moderation-accounts-errors",
    } <= empty


_DETAILS_PLACES = """() => {
  const list = document.createElement("dl");
  list.className = "details";
  list.innerHTML = "<dt>Organisation</dt><dd>Vale University</dd>"
    + "<dt>Links</dt><dd><a href='https://example.org/a/very/long/address/that/goes/on'>"
    + "https://example.org/a/very/long/address/that/goes/on/and/on/and/on/for/ever</a></dd>";
  document.querySelector("main").append(list);
  const [dt, dd] = [list.querySelector("dt"), list.querySelector("dd")];
  const a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
  return {sameLine: Math.abs(a.top - b.top) < 2 && b.left > a.right, below: b.top >= a.bottom};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_detail_lists_are_two_columns_on_wide_screens_and_stacked_on_phones(
    contexts, demo_site, width
):
    page = contexts[width, False].new_page()
    try:
        visit(page, demo_site, PAGES[PAGE_IDS.index("home")])
        places = page.evaluate(_DETAILS_PLACES)
        if width >= 1280:
            assert places["sameLine"], places
        else:
            assert places["below"] and not places["sameLine"], places
        assert_no_horizontal_overflow(page, f"a detail list at {width}px")
    finally:
        page.close()
