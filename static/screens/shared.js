// What the private space's screens share, and nothing else: no state, no listeners, no imports,
// so any page can use it (the training-day room uses the line's words).

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

/** A record of the opened vault, or null if there is none or it can't be opened. */
export async function readable(opened, id) {
  const record = await opened.vault.get(id).catch(() => null);
  return record && !record.error ? record : null;
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
 * The worker's earlier records, newest first: one button each, named by the date it was started
 * and the list's word for finished or not (data-finished, data-in-progress).
 */
export function showPast(list, empty, records, isFinished, open) {
  list.replaceChildren(
    ...records.map((record) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button quiet wide inventory";
      const started = new Date(record.value ? record.value.startedAt : record.updatedAt);
      const status = record.value && isFinished(record.value) ? "finished" : "inProgress";
      button.textContent = `${started.toLocaleString(language(), {
        dateStyle: "medium",
        timeStyle: "short",
      })} · ${list.dataset[status]}`;
      if (record.error) {
        button.disabled = true;
        button.textContent = record.error.message;
      } else {
        button.addEventListener("click", () => open(record));
      }
      item.append(button);
      return item;
    }),
  );
  empty.hidden = records.length > 0;
}

/**
 * An exercise's overview: the worker's earlier records, newest first (showPast), each opened by
 * `open`; `more(records)` shows whatever else the screen has there (a history, a chart).
 */
export async function showOverview(root, keeper, open, options = {}) {
  const {
    list = "[data-past]",
    empty = "[data-no-past]",
    isFinished = (value) => Boolean(value.finishedAt),
    more,
  } = options;
  const records = await keeper.newestFirst();
  more?.(records);
  showPast(root.querySelector(list), root.querySelector(empty), records, isFinished, open);
  showState(root, "overview");
}

/**
 * Words for a place on the line from 'always abusive' (0) to 'never abusive' (`max`: 100 on
 * the worker's own line, 1000 in a training-day room), as the slider says it; no numbers shown.
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
