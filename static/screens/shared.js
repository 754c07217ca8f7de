// What the private space's screens share: a record read from the vault, and an exercise's
// overview of earlier records. Drawing in general is static/shared/page.js.

import { language, showState } from "shared/page";

/** A record of the opened vault, or null if there is none or it can't be opened. */
export async function readable(opened, id) {
  const record = await opened.vault.get(id).catch(() => null);
  return record && !record.error ? record : null;
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
