// The discomfort checklist's history: one small chart per situation, with every time through
// as text beside it. docs/design.md: charts of private data are drawn in the browser, because only the
// browser has the data; with DOM calls and classes (no inline style), each with its words.

import { element, fill, language, svgElement } from "shared/page";

// The discomfort levels, 1 to 5, as the guidelines scale them.
export const RATINGS = [1, 2, 3, 4, 5];
// The chart's drawing area, in viewBox units; CSS scales it to the width of the page.
const CHART = { width: 320, height: 110, left: 22, right: 12, top: 10, bottom: 28 };

function shortDate(iso) {
  return new Date(iso).toLocaleDateString(language(), { day: "numeric", month: "short" });
}

function longDate(iso) {
  return new Date(iso).toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" });
}

/** One small line chart: this situation's rating at each time through, oldest first. */
function chart(sessions, id) {
  const { width, height, left, right, top, bottom } = CHART;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, "aria-hidden": "true" });
  svg.setAttribute("class", "chart");
  svg.setAttribute("focusable", "false");
  const inner = width - left - right;
  const x = (index) =>
    sessions.length === 1 ? left + inner / 2 : left + (inner * index) / (sessions.length - 1);
  const y = (rating) => top + ((5 - rating) * (height - top - bottom)) / 4;
  for (const rating of RATINGS) {
    const line = { x1: left, x2: width - right, y1: y(rating), y2: y(rating) };
    svg.append(svgElement("line", line, "chart-grid"));
    if (rating === 1 || rating === 3 || rating === 5) {
      const label = svgElement("text", { x: left - 8, y: y(rating) + 4 }, "chart-label");
      label.setAttribute("text-anchor", "end");
      label.textContent = String(rating);
      svg.append(label);
    }
  }
  const points = sessions
    .map((value, index) => ({ index, rated: value.ratings[id] }))
    .filter((point) => point.rated);
  if (points.length > 1) {
    const path = points
      .map((point, at) => `${at ? "L" : "M"}${x(point.index)},${y(point.rated.rating)}`)
      .join(" ");
    svg.append(svgElement("path", { d: path }, "chart-line"));
  }
  for (const point of points) {
    const dot = { cx: x(point.index), cy: y(point.rated.rating), r: 4 };
    svg.append(svgElement("circle", dot, "chart-dot"));
  }
  const dated = sessions.length > 1 ? [0, sessions.length - 1] : [0];
  for (const index of dated) {
    const anchor = sessions.length === 1 ? "middle" : index ? "end" : "start";
    const label = svgElement("text", { x: x(index), y: height - 8 }, "chart-label");
    label.setAttribute("text-anchor", anchor);
    label.textContent = shortDate(sessions[index].startedAt);
    svg.append(label);
  }
  return svg;
}

/**
 * Every situation rated at least once, in the checklist's order (`situations`: {id, text}), then
 * any no longer on it, by their saved words; each with its chart and its text alternative.
 */
export function showHistory(root, records, situations) {
  const labels = root.dataset;
  const scale = labels.scale.split("|");
  const history = root.querySelector("[data-history]");
  const sessions = records
    .filter((record) => !record.error && record.value && record.value.ratings)
    .map((record) => record.value)
    .filter((value) => Object.keys(value.ratings).length > 0)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  // Situations in the checklist's order, then any no longer on it, by their saved words.
  const names = new Map(situations.map((situation) => [situation.id, situation.text]));
  for (const value of sessions) {
    for (const [id, rated] of Object.entries(value.ratings)) {
      if (!names.has(id)) names.set(id, rated.text);
    }
  }
  const items = [];
  for (const [id, text] of names) {
    if (!sessions.some((value) => value.ratings[id])) continue;
    const item = element("li", "history-item");
    item.append(element("h3", "", text), chart(sessions, id));
    // The text alternative to the chart: every time through, with its date.
    const list = element("ul", "history-points");
    for (const value of sessions) {
      const rated = value.ratings[id];
      const date = longDate(value.startedAt);
      const words = rated
        ? fill(labels.point, { date, rating: rated.rating, words: scale[rated.rating - 1] })
        : fill(labels.notRated, { date });
      list.append(element("li", "", words));
    }
    item.append(list);
    items.push(item);
  }
  history.replaceChildren(...items);
  root.querySelector("[data-no-history]").hidden = items.length > 0;
}
