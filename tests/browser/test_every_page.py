"""Checks that hold on every page: WCAG 2.2 AA with axe, and a layout that fits a phone.

docs/design.md budgets: no serious or critical axe violations on any page; touch targets of at
least 44 px; no horizontal scrolling at 360 px wide.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .steps import script
from .tour import WALKS

AXE = Axe()
BLOCKING = ("serious", "critical")
TARGET_PX = 44

# Every interactive element that is shown must be a big enough target and stay on screen.
# Exceptions, as WCAG 2.5.8 allows: a link inside a sentence of running text; and a checkbox
# inside its label.check, because the whole label is the target (it is measured itself).
PHONE_LAYOUT_PROBLEMS = script("phone-layout-problems")


def describe(violation):
    nodes = "\n".join(
        f"    {', '.join(map(str, node['target']))}: {node['html']}\n"
        f"      {node.get('failureSummary', '').replace(chr(10), ' ')}"
        for node in violation["nodes"]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def axe_violations(page) -> list[dict]:
    """axe's findings on the page as it is now. axe is put into a document once: the app's
    links are boosted, so most steps of a walk swap the body and keep the document, and
    parsing axe again for each check was a third of these walks' time."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.axe_script)
    return page.evaluate("() => axe.run({ resultTypes: ['violations'] })")["violations"]


# Each walk is walked once, and each page on it checked both ways: a second walk for the layout
# cost as much again as the first.
@pytest.mark.parametrize("walk", WALKS, ids=lambda walk: walk.__name__)
def test_every_page_passes_axe_and_fits_a_phone_with_big_enough_targets(page, walk):
    assert page.viewport_size["width"] == 360
    accessibility, layout = {}, {}

    def check(page, label):
        violations = axe_violations(page)
        blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
        if blocking:
            accessibility[label] = blocking
        problems = page.evaluate(PHONE_LAYOUT_PROBLEMS, TARGET_PX)
        if problems:
            layout[label] = problems

    walk(page, check)
    report = "\n".join(f"{label}:\n" + "\n".join(accessibility[label]) for label in accessibility)
    assert not accessibility, f"axe found serious or critical problems:\n{report}"
    report = "\n".join(f"{label}:\n  " + "\n  ".join(layout[label]) for label in layout)
    assert not layout, f"Pages that don't fit a 360 px phone:\n{report}"


def test_a_full_width_button_whose_words_wrap_keeps_them_off_its_rounded_ends(page):
    # A facilitator's "Tonight at …" on a 360 px phone wraps to four lines (a tester's demo
    # home): a pill's round ends cut into its first letter. The same words, in the app's CSS.
    page.goto("/signin")
    page.evaluate(
        """() => {
          const button = document.createElement("a");
          button.className = "button primary wide";
          button.href = "/";
          button.textContent =
            "Tonight at 18:30: Sexual respect (2) – Sexual pressuring with Sam Facilitator";
          document.querySelector("main").prepend(button);
        }"""
    )
    assert page.locator("main > a.button").bounding_box()["height"] > 2 * TARGET_PX
    assert page.evaluate(PHONE_LAYOUT_PROBLEMS, TARGET_PX) == []
