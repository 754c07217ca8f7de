// The stance check after a session (issue 3, exercise 6).
//
// Guidelines, "Stance": "We need to avoid a collusive or persecutory stance if we are going to
// work effectively and stay in the neutral zone of the continuum of stance." The five columns
// are the guidelines' table; what pulled you is noted beside its "connecting and grounding" and
// "leaning the other way" lists. No scores: the history only shows where you were, by date.
// One record per check:
//   kind "stance", id "stance-<ISO start time>",
//   {startedAt, finishedAt, column: "<column id>"|null, answers: {pulled, grounding, leaning}}
//
// docs/design.md: charts of private data are drawn in the browser, because only the browser has the
// data; they are drawn with DOM calls and classes (no inline style), and each has a text
// alternative. The record shapes are in docs/vault-format.md.

import { handleUnlock } from "screens/forms";
import { exerciseScreen, keepAnswers, recordKeeper, wireEndings } from "screens/record";
import { showOverview } from "screens/shared";
import { day, fill, showState, svgElement } from "shared/page";
import { startScreen } from "private/start";

// The stance strip's own units (its viewBox); it scales to the screen.
const STRIP = { width: 500, top: 34, row: 26, radius: 8 };
const STRIP_ROWS = 20;

/** static/app.js starts this module for data-module="screens/stance". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  const keeper = recordKeeper(root, opened, "stance");
  const radios = [...root.querySelectorAll("[data-column]")];
  const boxes = [...root.querySelectorAll("[data-answer]")];
  const clearChoice = root.querySelector("[data-action=clear-column]");
  const past = root.querySelector("[data-past]");
  const figure = root.querySelector("[data-stance-figure]");
  const strip = root.querySelector("[data-stance-strip]");
  const history = root.querySelector("[data-stance-history]");
  const columns = radios.map((radio) => radio.value);
  // One group for the arrow keys. These inputs are never in a form, so nothing is submitted.
  for (const radio of radios) radio.name = "stance-column";

  function showCheck() {
    const { column, answers } = keeper.current.value;
    for (const radio of radios) radio.checked = radio.value === column;
    clearChoice.hidden = !column;
    for (const box of boxes) box.value = answers[box.dataset.answer] || "";
    showState(root, "writing");
  }

  function open(record) {
    keeper.open(record);
    showCheck();
  }

  function clear() {
    for (const radio of radios) radio.checked = false;
    for (const box of boxes) box.value = "";
    past.replaceChildren();
    strip.replaceChildren();
    history.replaceChildren();
    figure.hidden = true;
  }

  /** The strip: one row per check, oldest at the top, a dot in the column where you were. */
  function drawStrip(checks) {
    const shown = checks.slice(-STRIP_ROWS);
    const band = STRIP.width / columns.length;
    const height = STRIP.top + shown.length * STRIP.row + 4;
    strip.setAttribute("viewBox", `0 0 ${STRIP.width} ${height}`);
    const parts = [];
    columns.forEach((_column, index) => {
      const rect = svgElement("rect", { x: index * band, y: 0, width: band, height });
      rect.classList.add(
        "stance-band",
        index === 0 || index === columns.length - 1 ? "edge" : "zone",
      );
      parts.push(rect);
    });
    const labels = [
      [4, "start", root.dataset.collusive],
      [STRIP.width / 2, "middle", root.dataset.neutral],
      [STRIP.width - 4, "end", root.dataset.persecutory],
    ];
    for (const [x, anchor, text] of labels) {
      const label = svgElement("text", { x, y: 22, "text-anchor": anchor });
      label.classList.add("stance-label");
      label.textContent = text;
      parts.push(label);
    }
    const centres = shown.map((check, row) => [
      (columns.indexOf(check.column) + 0.5) * band,
      STRIP.top + row * STRIP.row + STRIP.row / 2,
    ]);
    if (centres.length > 1) {
      const path = svgElement("polyline", { points: centres.map((xy) => xy.join(",")).join(" ") });
      path.classList.add("stance-path");
      parts.push(path);
    }
    for (const [cx, cy] of centres) {
      const dot = svgElement("circle", { cx, cy, r: STRIP.radius });
      dot.classList.add("stance-dot");
      parts.push(dot);
    }
    strip.replaceChildren(...parts);
  }

  function showHistory(records) {
    const checks = records
      .filter((record) => record.value && columns.includes(record.value.column))
      .map((record) => record.value)
      .sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
    figure.hidden = checks.length === 0;
    if (!checks.length) return;
    drawStrip(checks);
    // The text alternative, newest first, like the list of checks below it.
    history.replaceChildren(
      ...[...checks].reverse().map((check) => {
        const item = document.createElement("li");
        const heading = radios[columns.indexOf(check.column)].dataset.heading;
        item.textContent = fill(root.dataset.historyEntry, {
          date: day(check.startedAt),
          column: heading,
        });
        return item;
      }),
    );
  }

  const overview = () => showOverview(root, keeper, open, { more: showHistory });

  const screen = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent: showCheck,
    open,
    showOverview: overview,
  });

  handleUnlock(root, opened);

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start({
      startedAt: new Date().toISOString(),
      finishedAt: null,
      column: null,
      answers: {},
    });
    showCheck();
  });

  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (!keeper.current || !radio.checked) return;
      keeper.current.value.column = radio.value;
      clearChoice.hidden = false;
      keeper.saveNow();
    });
  }

  clearChoice.addEventListener("click", () => {
    keeper.current.value.column = null;
    for (const radio of radios) radio.checked = false;
    clearChoice.hidden = true;
    keeper.saveNow();
    radios[0].focus();
  });

  keepAnswers(boxes, keeper);
  wireEndings(root, keeper, clear, overview);
  return screen;
}
