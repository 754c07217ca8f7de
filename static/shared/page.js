// What any page's module draws with: a screen's states, new elements, the page's sentences
// filled in, dates and times in the page's language, and the words for a place on the line (the
// private space's line and a training-day room's). No state, no listeners, no imports.

/** Shows the parts of `root` that belong to `state` (data-when="a b") and hides the rest. */
export function showState(root, state) {
  const before = root.dataset.state;
  root.dataset.state = state;
  for (const part of root.querySelectorAll("[data-needs-js]")) part.hidden = true;
  let shown = null;
  for (const part of root.querySelectorAll("[data-when]")) {
    part.hidden = !part.dataset.when.split(" ").includes(state);
    if (!part.hidden && !shown) shown = part;
  }
  // Someone using a screen reader or the keyboard lands on what just appeared, but the page
  // never steals focus when it first opens.
  if (before && before !== "checking" && before !== state && shown) {
    const heading = shown.querySelector("[tabindex='-1']");
    if (heading) heading.focus();
  }
}

export function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

export function svgElement(tag, attributes = {}, className = "") {
  const made = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, String(value));
  if (className) made.setAttribute("class", className);
  return made;
}

/** A sentence from the page with its {names} filled in: `fill("On {date}", {date})`. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

export function language() {
  return document.documentElement.lang || undefined;
}

/** An ISO date as the page's language writes it: "1 May 2024". */
export function day(iso) {
  return new Date(iso).toLocaleDateString(language(), { dateStyle: "medium" });
}

export function localDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function clockTime(date) {
  return date.toLocaleTimeString(language(), { hour: "2-digit", minute: "2-digit" });
}

/**
 * Words for a place on the worker's own line from 'always abusive' (0) to 'never abusive'
 * (`max`, 100), as the slider says it; no numbers shown. A training-day room's phones say the
 * server's words instead (static/room.js, data-places), which its projector counts by.
 */
export function placeWords(place, words, max = 100) {
  if (place === null || place === undefined) return words.notPlaced;
  const at = (place * 100) / max;
  if (at === 0) return words.atAlways;
  if (at <= 15) return words.nearAlways;
  if (at < 50) return words.nearerAlways;
  if (at === 50) return words.middle;
  if (at < 85) return words.nearerNever;
  if (at < 100) return words.nearNever;
  return words.atNever;
}
