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
  // A button's rounded ends must not cut into its words: a pill whose words wrap to several
  // lines put the first letter of "Tonight at 18:30: …" on its curve.
  for (const button of document.querySelectorAll(".button")) {
    const box = button.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const radius = Math.min(
      Number.parseFloat(getComputedStyle(button).borderTopLeftRadius) || 0,
      box.height / 2,
      box.width / 2,
    );
    const lines = [];
    const texts = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      if (!text.textContent.trim() || text.parentElement.closest(".visually-hidden")) continue;
      const words = document.createRange();
      words.selectNodeContents(text);
      lines.push(...[...words.getClientRects()].filter((line) => line.width > 1));
    }
    const cut = lines.some((line) =>
      [
        [line.left, line.top],
        [line.right, line.top],
        [line.left, line.bottom],
        [line.right, line.bottom],
      ].some(([x, y]) => {
        const cornerX = Math.min(Math.max(x, box.left + radius), box.right - radius);
        const cornerY = Math.min(Math.max(y, box.top + radius), box.bottom - radius);
        return Math.hypot(x - cornerX, y - cornerY) > radius + 1;
      }),
    );
    if (cut) {
      const name = button.textContent.trim().replace(/\s+/g, " ").slice(0, 50);
      problems.push(
        `<${button.tagName.toLowerCase()} class="${button.className}"> "${name}" has words on its rounded corner`,
      );
    }
  }
  return problems;
};
