"""Checks that hold on every page: WCAG 2.2 AA with axe, and a layout that fits a phone.

docs/design.md budgets: no serious or critical axe violations on any page; touch targets of at
least 44 px; no horizontal scrolling at 360 px wide.
"""

from axe_playwright_python.sync_playwright import Axe

from .tour import walk_every_page

AXE = Axe()
BLOCKING = ("serious", "critical")
TARGET_PX = 44

# Every interactive element that is shown must be a big enough target and stay on screen.
# Exceptions, as WCAG 2.5.8 allows: a link inside a sentence of running text; and a checkbox
# inside its label.check, because the whole label is the target (it is measured itself).
PHONE_LAYOUT_PROBLEMS = """(target) => {
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    problems.push(`scrolls sideways: ${scrollWidth}px of content in a ${width}px window`);
  }
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + 'label.check';
  for (const element of document.querySelectorAll(selector)) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (element.matches("label.check input")) continue;
    if (element.matches("a") && style.display === "inline") {
      const paragraph = element.closest("p");
      const own = element.textContent.trim();
      if (paragraph && paragraph.textContent.trim() !== own) continue;
    }
    const name = (element.getAttribute("aria-label") || element.textContent || element.name || "")
      .trim().replace(/\\s+/g, " ").slice(0, 50);
    const what = `<${element.tagName.toLowerCase()} class="${element.className}"> "${name}"`;
    const size = `${box.width.toFixed(1)}x${box.height.toFixed(1)}`;
    if (box.width < target || box.height < target) problems.push(`${what} is ${size} px`);
    if (box.right > width + 0.5) problems.push(`${what} sticks out to ${box.right.toFixed(1)} px`);
  }
  return problems;
}"""


def describe(violation):
    nodes = "\n".join(
        f"    {', '.join(map(str, node['target']))}: {node['html']}\n"
        f"      {node.get('failureSummary', '').replace(chr(10), ' ')}"
        for node in violation["nodes"]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def test_every_page_has_no_serious_accessibility_problems(page):
    found = {}

    def check(page, label):
        violations = AXE.run(page).response["violations"]
        blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
        if blocking:
            found[label] = blocking

    walk_every_page(page, check)
    report = "\n".join(f"{label}:\n" + "\n".join(found[label]) for label in found)
    assert not found, f"axe found serious or critical problems:\n{report}"


def test_every_page_fits_a_phone_with_big_enough_targets(page):
    assert page.viewport_size["width"] == 360
    found = {}

    def check(page, label):
        problems = page.evaluate(PHONE_LAYOUT_PROBLEMS, TARGET_PX)
        if problems:
            found[label] = problems

    walk_every_page(page, check)
    report = "\n".join(f"{label}:\n  " + "\n  ".join(found[label]) for label in found)
    assert not found, f"Pages that don't fit a 360 px phone:\n{report}"
