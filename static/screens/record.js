// One exercise record on screen, saved as the worker writes, and the states every exercise
// screen goes through.
//
// Every exercise page keeps one record open in plaintext and saves it, encrypted, every few
// seconds and soon after a pause. Saves run one after another, so an older snapshot can never
// overwrite a newer one; a save that fails (a locked vault) keeps the change to save again; and
// `forget()` drops the plaintext the moment the vault locks.

import { savers, settingFor } from "private/start";
import { clockTime, fill, showState } from "shared/page";

// Saved every few seconds while the worker keeps typing, and soon after they pause.
const AUTOSAVE_MS = 3_000;
const PAUSE_MS = 500;
// Per tab (sessionStorage), and none of it secret: the id of the record open on each exercise
// page, so a reload comes back to it.
const OPEN_SETTING = (kind) => `wellbeing:${kind}-open:`;

/**
 * Every "saved" note of a screen: `when` a save finished; undefined while saving; null if it
 * couldn't be saved.
 */
export function showSaved(root, when) {
  for (const note of root.querySelectorAll("[data-saved]")) {
    if (when === undefined) note.textContent = note.dataset.saving;
    else if (when === null) note.textContent = note.dataset.notSaved;
    else note.textContent = fill(note.dataset.savedAt, { time: clockTime(when) });
  }
}

/**
 * `alsoSaving()`, given, says whether another record of the same screen is still being saved
 * (the checklist's own situations): the notes then say "Saving…" until that one is saved too,
 * and the screen counts as unsaved.
 */
export function recordKeeper(root, opened, kind, alsoSaving = () => false) {
  const openSetting = settingFor(OPEN_SETTING(kind), opened);
  let current = null;
  let dirty = false;
  let autosave = null;
  let pause = null;
  let inFlight = 0;
  let saving = Promise.resolve();

  function save() {
    clearTimeout(autosave);
    clearTimeout(pause);
    autosave = pause = null;
    if (!current || !dirty) return saving;
    dirty = false;
    inFlight += 1;
    const { id } = current;
    const snapshot = JSON.parse(JSON.stringify(current.value));
    saving = saving
      .then(() => opened.vault.put(kind, id, snapshot))
      .then(
        () => showSaved(root, dirty || alsoSaving() ? undefined : new Date()),
        () => {
          if (current && current.id === id) dirty = true;
          showSaved(root, null);
        },
      )
      .finally(() => {
        inFlight -= 1;
      });
    return saving;
  }

  const keeper = {
    /** {id, value} of the record on screen, or null. */
    get current() {
      return current;
    },
    save,
    // A save in flight counts even after a boosted page swap took the screen away, and so does
    // another record's (`alsoSaving`): leaving the page waits for both (private/start.js).
    unsaved: () => inFlight > 0 || (root.isConnected && dirty) || alsoSaving(),
    changed() {
      dirty = true;
      showSaved(root, undefined);
      clearTimeout(pause);
      pause = setTimeout(save, PAUSE_MS);
      // Every few seconds even without a pause: fast writing may never stop.
      if (!autosave) autosave = setTimeout(save, AUTOSAVE_MS);
    },
    /** Saves at once: a choice made, a step taken. */
    saveNow() {
      dirty = true;
      return save();
    },
    open(record) {
      current = { id: record.id, value: record.value };
      dirty = false;
      sessionStorage.setItem(openSetting, record.id);
      showSaved(root, record.updatedAt ? new Date(record.updatedAt) : undefined);
      return current.value;
    },
    /**
     * A new record, id "<kind>-<ISO start time>", saved with its first change (issue 27): one
     * opened and left untouched leaves nothing behind, not even a "not finished" entry. With
     * `keep`, saved straight away (the shoulds' timer runs from its start, even after a reload).
     */
    start(value, { keep = false } = {}) {
      keeper.open({ id: `${kind}-${value.startedAt}`, value });
      if (keep) keeper.saveNow();
      else for (const note of root.querySelectorAll("[data-saved]")) note.textContent = "";
      return value;
    },
    /** Saves what is on screen and puts the record away; resolves once it is saved. */
    close() {
      const saved = save();
      current = null;
      sessionStorage.removeItem(openSetting);
      return saved;
    },
    forget() {
      current = null;
      dirty = false;
    },
    /** The record this tab had open before a reload, if there is one. */
    async reopen() {
      const id = sessionStorage.getItem(openSetting);
      const record = id ? await opened.vault.get(id).catch(() => null) : null;
      return record && !record.error ? record : null;
    },
    async newestFirst() {
      return (await opened.vault.list(kind)).reverse();
    },
  };

  const saver = () => {
    // A page left by a boosted link saves once more, then its saver goes.
    if (!root.isConnected && !dirty) savers.delete(saver);
    return save();
  };
  savers.add(saver);
  return keeper;
}

// The states every exercise screen goes through. No vault yet: "new". Locked: nothing readable
// stays on screen or in this page's memory (`clear`), then "locked". Otherwise the record that
// is open (`showCurrent`), the one open before a reload (`open`), or the overview. `ready` runs
// first, once unlocked, for what a screen must load from the vault before it can show anything.
export function exerciseScreen(
  root,
  opened,
  keeper,
  { clear, showCurrent, open, showOverview, ready },
) {
  return {
    root,
    unsaved: keeper.unsaved,
    async render() {
      if (!(await opened.vault.exists())) return showState(root, "new");
      if (!opened.vault.isUnlocked()) {
        keeper.forget();
        clear();
        return showState(root, "locked");
      }
      if (ready) await ready();
      if (keeper.current) return showCurrent();
      const record = await keeper.reopen();
      if (record) return open(record);
      return showOverview();
    },
  };
}

// Each answer box writes into the open record's `answers`; an emptied box leaves no key.
export function keepAnswers(boxes, keeper) {
  for (const box of boxes) {
    box.addEventListener("input", () => {
      if (!keeper.current) return;
      const { answers } = keeper.current.value;
      if (box.value) answers[box.dataset.answer] = box.value;
      else delete answers[box.dataset.answer];
      keeper.changed();
    });
  }
}

// "Finish" stamps the open record finished and saves it; then it, like "Back to the overview",
// leaves the record: `clear()` clears the screen, the record is closed, `overview()` shows the
// overview.
export function wireEndings(root, keeper, clear, overview) {
  const leave = async () => {
    clear();
    await keeper.close();
    await overview();
  };
  root.querySelector("[data-action=finish]").addEventListener("click", () => {
    keeper.current.value.finishedAt = new Date().toISOString();
    keeper.saveNow();
    return leave();
  });
  root.querySelector("[data-action=overview]").addEventListener("click", leave);
}
