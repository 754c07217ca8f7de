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


@pytest.mark.parametrize("walk", WALKS, ids=lambda walk: walk.__name__)
def test_every_page_has_no_serious_accessibility_problems(page, walk):
    found = {}

    def check(page, label):
        violations = AXE.run(page).response["violations"]
        blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
        if blocking:
            found[label] = blocking

    walk(page, check)
    report = "\n".join(f"{label}:\n" + "\n".join(found[label]) for label in found)
    assert not found, f"axe found serious or critical problems:\n{report}"


@pytest.mark.parametrize("walk", WALKS, ids=lambda walk: walk.__name__)
def test_every_page_fits_a_phone_with_big_enough_targets(page, walk):
    assert page.viewport_size["width"] == 360
    found = {}

    def check(page, label):
        problems = page.evaluate(PHONE_LAYOUT_PROBLEMS, TARGET_PX)
        if problems:
            found[label] = problems

    walk(page, check)
    report = "\n".join(f"{label}:\n  " + "\n  ".join(found[label]) for label in found)
    assert not found, f"Pages that don't fit a 360 px phone:\n{report}"
