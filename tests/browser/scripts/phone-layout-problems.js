// Runs in the page (tests/browser/test_every_page.py): what on this page is too small to tap
// or sticks out of a phone's screen.
(target) => {
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    problems.push(`scrolls sideways: ${scrollWidth}px of content in a ${width}px window`);
  }
  const selector =
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' + "label.check";
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
      .trim()
      .replace(/\s+/g, " ")
      .slice(0, 50);
    const what = `<${element.tagName.toLowerCase()} class="${element.className}"> "${name}"`;
    const size = `${box.width.toFixed(1)}x${box.height.toFixed(1)}`;
    if (box.width < target || box.height < target) problems.push(`${what} is ${size} px`);
    if (box.right > width + 0.5) problems.push(`${what} sticks out to ${box.right.toFixed(1)} px`);
  }
  return problems;
};
