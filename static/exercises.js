// The private space: the vault screen, the preparation exercises, and the Lock button.
//
// DESIGN "The data rule": what a worker writes here is private. It is encrypted in this page by
// static/vault.js and kept in IndexedDB on their own phone; none of it is ever sent to the
// server. The inputs have no `name` and every form is handled here, so not even a broken page
// could submit them. The record kinds and their JSON shapes are in docs/vault-format.md.
//
// The page names the vault module's versioned URL (data-vault-module) and it is imported by
// exactly that URL: /static/vault.js and /static/vault.js?v=… would be two module instances,
// each with its own key, and a Lock in one would not lock the other.
//
// hx-boost swaps the body but keeps this module, and with it the unlocked key, so moving between
// pages doesn't ask for the passphrase again. A full reload forgets the key: that is a lock.

const DEFAULT_IDLE_MINUTES = 10;
const IDLE_CHECK_MS = 5_000;
// Saved every few seconds while the worker keeps typing, and soon after they pause.
const AUTOSAVE_MS = 3_000;
const PAUSE_MS = 500;
// Long enough to resist guessing by someone who copies the file; a short sentence fits.
const MIN_PASSPHRASE = 10;
// How long a lock waits for the last save to finish before dropping the key anyway.
const LAST_SAVE_MS = 2_000;
const SHOULDS = "shoulds";
// Settings kept in localStorage. None of them is secret: an idle time, and the name and date
// of the last backup file.
const IDLE_SETTING = "wellbeing:vault-idle-minutes";
const BACKUP_SETTING = "wellbeing:vault-last-backup:";
// Per tab (sessionStorage), and none of it secret: the id of the record open on each exercise
// page, so a reload comes back to it, and whether the content note before an exercise was read.
const OPEN_SETTING = (kind) => `wellbeing:${kind}-open:`;
const NOTE_SETTING = (kind) => `wellbeing:${kind}-note-read:`;

let opening = null;
const screens = new Set();
const savers = new Set();
let lastActivity = Date.now();

// --- the vault --------------------------------------------------------------------------

function vaultHolder() {
  return document.querySelector("[data-vault][data-vault-module]");
}

/** {module, vault} for the signed-in worker, or null on a page without a vault. */
function theVault() {
  const holder = vaultHolder();
  if (!holder) return Promise.resolve(null);
  if (!opening) {
    opening = import(holder.dataset.vaultModule).then((module) => ({
      module,
      vault: module.openVault(holder.dataset.vault),
    }));
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

function isUnlocked(opened) {
  return Boolean(opened?.vault.isUnlocked());
}

function settingFor(prefix, opened) {
  return prefix + opened.vault.name;
}

/** Every screen shows the vault's new state: locked, unlocked, created or imported. */
async function vaultChanged() {
  lastActivity = Date.now();
  await showLockButtons();
  for (const screen of [...screens]) {
    if (screen.root.isConnected) await screen.render();
    else screens.delete(screen);
  }
}

/** Saves whatever is on screen and not saved yet; each saver returns its pending save. */
function saveEverything() {
  return Promise.all([...savers].map((save) => Promise.resolve(save()).catch(() => undefined)));
}

/**
 * The lock button, the idle timer and sign-out all come here. What is on screen is saved first,
 * because saving needs the key; then lockAll() drops the key and every screen hides the notes.
 */
async function lockNow() {
  const opened = opening && (await opening.catch(() => null));
  if (!opened) return;
  if (opened.vault.isUnlocked()) {
    const timeUp = new Promise((resolve) => setTimeout(resolve, LAST_SAVE_MS));
    await Promise.race([saveEverything(), timeUp]);
  }
  opened.module.lockAll();
  await vaultChanged();
}

async function showLockButtons() {
  const opened = opening && (await opening.catch(() => null));
  for (const button of document.querySelectorAll("[data-lock]")) {
    button.textContent = isUnlocked(opened) ? button.dataset.openLabel : button.dataset.lockedLabel;
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-lock]");
  if (!button) return;
  await lockNow();
  await showLockButtons();
  const status = document.querySelector("[data-lock-status]");
  if (status) {
    // Cleared first so the same words are announced again on a second press.
    status.textContent = "";
    setTimeout(() => {
      status.textContent = button.dataset.lockedMessage;
    }, 50);
  }
});

// Signing out locks the vault before the form goes: the sign-out form is the only form in the
// header that carries the vault's name.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!form.closest("[data-vault]")) return;
    event.preventDefault();
    // In a task of its own: a form can't be submitted again while its submit event still runs.
    // submit() sends it as the button would, without another submit event.
    lockNow().finally(() => setTimeout(() => form.submit(), 0));
  },
  true,
);

// DESIGN: "The vault also locks itself after a period of inactivity."
function idleMinutes() {
  const minutes = Number(localStorage.getItem(IDLE_SETTING));
  return Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_IDLE_MINUTES;
}

async function lockIfIdle() {
  const opened = opening && (await opening.catch(() => null));
  if (isUnlocked(opened) && Date.now() - lastActivity >= idleMinutes() * 60_000) await lockNow();
}

for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
  document.addEventListener(
    type,
    () => {
      lastActivity = Date.now();
    },
    { capture: true, passive: true },
  );
}
setInterval(lockIfIdle, IDLE_CHECK_MS);

// A phone put down, a tab closed, a page left by a boosted link: save what is on screen now.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") saveEverything();
  else lockIfIdle(); // timers may not have run while the phone slept
});
window.addEventListener("pagehide", () => saveEverything());
// Encrypting is asynchronous, and a page being unloaded can't wait for it. So while words on
// screen are not saved yet, a reload or a closed tab first asks the browser's "Leave page?".
window.addEventListener("beforeunload", (event) => {
  if ([...screens].some((screen) => screen.unsaved?.())) {
    saveEverything();
    event.preventDefault();
    event.returnValue = "";
  }
});
document.addEventListener("htmx:beforeRequest", () => saveEverything());

// --- small helpers ----------------------------------------------------------------------

/** Shows the parts of `root` that belong to `state` (data-when="a b") and hides the rest. */
function showState(root, state) {
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

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

function language() {
  return document.documentElement.lang || undefined;
}

function localDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function clockTime(date) {
  return date.toLocaleTimeString(language(), { hour: "2-digit", minute: "2-digit" });
}

function showError(input, message) {
  const error = document.getElementById(`${input.id}-error`);
  const described = (input.getAttribute("aria-describedby") || "")
    .split(" ")
    .filter((id) => id && id !== error.id);
  error.textContent = message || "";
  error.hidden = !message;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    described.push(error.id);
  } else {
    input.removeAttribute("aria-invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

/** Checks new passphrases as the worker will need them; returns the first field in error. */
function checkNewPassphrase(form, first, again) {
  const messages = form.dataset;
  showError(first, "");
  if (again) showError(again, "");
  if (first.value.length < MIN_PASSPHRASE) {
    showError(first, first.value ? messages.tooShort : messages.empty);
    return first;
  }
  if (again && again.value !== first.value) {
    showError(again, messages.mismatch);
    return again;
  }
  return null;
}

/** Runs `work` with the form's button disabled; everything typed stays where it was. */
async function busy(form, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

function handleForm(form, work) {
  form.addEventListener("submit", (event) => {
    // Never sent anywhere: the passphrase stays in this page.
    event.preventDefault();
    busy(form, work);
  });
}

function handleUnlock(root, opened) {
  const form = root.querySelector("[data-form=unlock]");
  const input = form.querySelector("[data-passphrase]");
  handleForm(form, async () => {
    showError(input, "");
    if (!input.value) return showError(input, form.dataset.empty);
    try {
      await opened.vault.unlock(input.value);
    } catch (error) {
      showError(
        input,
        error.code === "wrong-passphrase" ? form.dataset.wrong : form.dataset.failed,
      );
      input.select();
      return;
    }
    input.value = "";
    await vaultChanged();
    autoSync();
  });
}

/**
 * The automatic encrypted server backup (static/backup.js, autoBackUp): on a private page load,
 * on unlock and when the browser comes back online. It does nothing unless this phone has backed
 * up to the server before, the vault is unlocked and records changed; a failure stays silent.
 * On success the vault screen shows its new "last server backup" line.
 */
async function autoSync() {
  const holder = vaultHolder();
  if (!holder?.dataset.backupModule || !navigator.onLine) return;
  const opened = opening && (await opening.catch(() => null));
  if (!isUnlocked(opened)) return;
  try {
    const module = await import(holder.dataset.backupModule);
    if (!(await module.autoBackUp(opened.vault, holder.dataset.backupUrl))) return;
    for (const screen of [...screens]) {
      if (screen.root.isConnected && screen.root.dataset.private === "vault") await screen.render();
    }
  } catch {
    // Offline again, or the module didn't load: the next page load, unlock or reconnection retries.
  }
}

window.addEventListener("online", () => autoSync());

// --- the vault screen -------------------------------------------------------------------

function downloadBackup(opened, text) {
  const date = localDate(new Date());
  const name = `wellbeing-vault-${date}.json`;
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  link.setAttribute("hx-boost", "false");
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  localStorage.setItem(settingFor(BACKUP_SETTING, opened), JSON.stringify({ name, date }));
}

function lastBackup(opened) {
  try {
    return JSON.parse(localStorage.getItem(settingFor(BACKUP_SETTING, opened)));
  } catch {
    return null;
  }
}

async function showStorage(root, askNow) {
  const note = root.querySelector("[data-persist]");
  if (!navigator.storage?.persist) return;
  // DESIGN: ask for persistent storage, so the browser doesn't clear the notes to save space.
  const kept = askNow ? await navigator.storage.persist() : await navigator.storage.persisted();
  note.textContent = kept ? note.dataset.granted : note.dataset.refused;
  note.hidden = false;
}

function showLastBackup(root, opened) {
  const note = root.querySelector("[data-last-backup]");
  const backup = lastBackup(opened);
  note.textContent = backup ? fill(note.dataset.whenSaved, backup) : note.dataset.never;
}

/** Lets the service worker keep the exercise pages, so they open offline next time. */
function keepForOffline(root) {
  if (root.dataset.kept || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
  root.dataset.kept = "yes";
  for (const link of root.querySelectorAll("a[data-offline]")) {
    fetch(link.href, { credentials: "same-origin" }).catch(() => undefined);
  }
}

function vaultScreen(root, opened) {
  let created = false;
  const screen = {
    root,
    async render() {
      if (!(await opened.vault.exists())) return showState(root, "new");
      if (!opened.vault.isUnlocked()) {
        created = false;
        return showState(root, "locked");
      }
      showState(root, created ? "created" : "unlocked");
      showLastBackup(root, opened);
      const backup = await serverBackup;
      if (backup) await backup.render();
      await showStorage(root, created);
      keepForOffline(root);
    },
  };

  // The optional encrypted server backup and the new phone's restore: static/backup.js, loaded
  // by its versioned URL. If it can't load, the rest of the vault screen still works.
  const serverBackup = import(root.querySelector("[data-backup-module]").dataset.backupModule)
    .then((module) =>
      module.serverBackup(root, opened.vault, {
        lastFileBackup: () => lastBackup(opened)?.date,
        changed: vaultChanged,
      }),
    )
    .catch((error) => {
      console.error(error);
      return null;
    });

  const create = root.querySelector("[data-form=create]");
  const [first, again] = create.querySelectorAll("[data-passphrase]");
  handleForm(create, async () => {
    const wrong = checkNewPassphrase(create, first, again);
    if (wrong) return wrong.focus();
    try {
      await opened.vault.create(first.value);
    } catch (error) {
      if (error.code !== "exists") return showError(again, create.dataset.failed);
    }
    first.value = again.value = "";
    created = true;
    await vaultChanged();
  });

  handleUnlock(root, opened);

  const change = root.querySelector("[data-form=change]");
  const [old, changed, changedAgain] = change.querySelectorAll("[data-passphrase]");
  const done = change.querySelector("[data-form-done]");
  handleForm(change, async () => {
    done.hidden = true;
    showError(old, old.value ? "" : change.dataset.empty);
    const wrong = old.value ? checkNewPassphrase(change, changed, changedAgain) : old;
    if (wrong) return wrong.focus();
    try {
      await opened.vault.changePassphrase(old.value, changed.value);
    } catch (error) {
      if (error.code === "wrong-passphrase") {
        showError(old, change.dataset.wrong);
        return old.focus();
      }
      return showError(changedAgain, error.message || change.dataset.failed);
    }
    old.value = changed.value = changedAgain.value = "";
    done.textContent = change.dataset.changed;
    done.hidden = false;
  });

  root.querySelector("[data-action=backup]").addEventListener("click", async () => {
    downloadBackup(opened, await opened.vault.exportFile());
    showLastBackup(root, opened);
  });

  const importer = root.querySelector("[data-import]");
  const file = importer.querySelector("input[type=file]");
  file.addEventListener("change", async () => {
    showError(file, "");
    if (!file.files.length) return;
    try {
      await opened.vault.importFile(await file.files[0].text());
    } catch (error) {
      const plain = ["bad-file", "bad-format", "weak-kdf"].includes(error.code);
      showError(file, plain ? importer.dataset.notABackup : error.message);
      return;
    }
    file.value = "";
    const note = root.querySelector("[data-imported-note]");
    note.textContent = importer.dataset.imported;
    note.hidden = false;
    await vaultChanged();
  });

  const idle = root.querySelector("[data-idle-minutes]");
  const saved = root.querySelector("[data-idle-saved]");
  idle.value = String(idleMinutes());
  idle.addEventListener("change", () => {
    localStorage.setItem(IDLE_SETTING, idle.value);
    saved.hidden = false;
  });
  return screen;
}

// --- one exercise record on screen, saved as the worker writes ---------------------------
//
// Every exercise page keeps one record open in plaintext and saves it, encrypted, every few
// seconds and soon after a pause. Saves run one after another, so an older snapshot can never
// overwrite a newer one; a save that fails (a locked vault) keeps the change to save again; and
// `forget()` drops the plaintext the moment the vault locks.

function recordKeeper(root, opened, kind) {
  const openSetting = settingFor(OPEN_SETTING(kind), opened);
  let current = null;
  let dirty = false;
  let autosave = null;
  let pause = null;
  let inFlight = 0;
  let saving = Promise.resolve();

  /** `when` a save finished; undefined while saving; null if it couldn't be saved. */
  function showSaved(when) {
    for (const note of root.querySelectorAll("[data-saved]")) {
      if (when === undefined) note.textContent = note.dataset.saving;
      else if (when === null) note.textContent = note.dataset.notSaved;
      else note.textContent = fill(note.dataset.savedAt, { time: clockTime(when) });
    }
  }

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
        () => showSaved(dirty ? undefined : new Date()),
        () => {
          if (current && current.id === id) dirty = true;
          showSaved(null);
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
    unsaved: () => root.isConnected && (dirty || inFlight > 0),
    changed() {
      dirty = true;
      showSaved(undefined);
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
      showSaved(record.updatedAt ? new Date(record.updatedAt) : undefined);
      return current.value;
    },
    /** A new record, id "<kind>-<ISO start time>", saved straight away. */
    start(value) {
      keeper.open({ id: `${kind}-${value.startedAt}`, value });
      keeper.saveNow();
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

/**
 * The worker's earlier records, newest first: one button each, named by the date it was started
 * and the list's word for finished or not (data-finished, data-in-progress).
 */
function showPast(list, empty, records, isFinished, open) {
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

// --- the inventory of 'shoulds' ---------------------------------------------------------
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing", Inventory of 'shoulds':
// two rounds of 5 minutes writing very fast ("I should/shouldn't...", then "My partner
// should/shouldn't..."), then a look at what is there: which would you have chosen, how
// unavoidable are they, which would you let go of. One record per inventory (docs/vault-format.md):
//   kind "shoulds", id "shoulds-<ISO start time>",
//   {startedAt, finishedAt, step: "round"|"review"|"done", round: 1|2,
//    rounds: [{text, timer: {startedAt: ms|null, elapsedMs}}],
//    review: {lines: [{round, text, mark: "keep"|"let-go"|null}], reflection}}

function newInventory(rounds) {
  return {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    step: "round",
    round: 1,
    rounds: Array.from({ length: rounds }, () => ({
      text: "",
      timer: { startedAt: null, elapsedMs: 0 },
    })),
    review: { lines: [], reflection: "" },
  };
}

/** The lines written in each round; marks already given to the same line are kept. */
function reviewLines(inventory) {
  const earlier = [...inventory.review.lines];
  const lines = [];
  inventory.rounds.forEach((round, index) => {
    for (const text of round.text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)) {
      const at = earlier.findIndex((line) => line.round === index + 1 && line.text === text);
      const mark = at >= 0 ? earlier.splice(at, 1)[0].mark : null;
      lines.push({ round: index + 1, text, mark });
    }
  });
  return lines;
}

function shouldsScreen(root, opened) {
  const totalMs = Number(root.dataset.minutes) * 60_000;
  const roundCount = Number(root.dataset.rounds);
  const writing = root.querySelector("[data-writing]");
  const reflection = root.querySelector("[data-reflection]");
  const timer = root.querySelector("[data-timer]");
  const timerButton = root.querySelector("[data-action=timer]");
  const timerNote = root.querySelector("[data-timer-note]");
  const past = root.querySelector("[data-inventories]");
  // The inventory on screen, in plaintext: dropped the moment the vault locks.
  const keeper = recordKeeper(root, opened, SHOULDS);
  const inventory = () => keeper.current?.value;
  let ticking = null;

  function round() {
    return inventory().rounds[inventory().round - 1];
  }

  function remainingMs(timerState) {
    const running = timerState.startedAt ? Date.now() - timerState.startedAt : 0;
    return Math.max(0, totalMs - timerState.elapsedMs - running);
  }

  function showTimer() {
    if (!inventory() || root.dataset.state !== "round" || !root.isConnected) {
      clearInterval(ticking);
      ticking = null;
      return;
    }
    const state = round().timer;
    let left = remainingMs(state);
    if (state.startedAt && left === 0) {
      // Time's up: stop gently, and keep what's written. Writing on is allowed.
      state.elapsedMs = totalMs;
      state.startedAt = null;
      timerNote.textContent = timerNote.dataset.done;
      keeper.saveNow();
    } else if (state.startedAt && left <= 60_000 && !timerNote.textContent) {
      timerNote.textContent = timerNote.dataset.oneMinute;
    }
    left = remainingMs(state);
    const seconds = Math.ceil(left / 1000);
    timer.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    timerButton.textContent = state.startedAt
      ? timerButton.dataset.pause
      : left === 0
        ? timerButton.dataset.again
        : state.elapsedMs
          ? timerButton.dataset.resume
          : timerButton.dataset.start;
  }

  function showRound() {
    const number = String(inventory().round);
    for (const part of root.querySelectorAll("[data-round-only]")) {
      part.hidden = part.dataset.roundOnly !== number;
    }
    writing.value = round().text;
    timerNote.textContent = "";
    showState(root, "round");
    showTimer();
    if (!ticking) ticking = setInterval(showTimer, 250);
  }

  function showReview() {
    const { review } = inventory();
    review.lines = reviewLines(inventory());
    const list = root.querySelector("[data-lines]");
    const openings = list.dataset.openings.split("\n");
    list.replaceChildren();
    let marks = null;
    review.lines.forEach((line, index) => {
      if (!index || review.lines[index - 1].round !== line.round) {
        const heading = document.createElement("h3");
        heading.textContent = openings[line.round - 1];
        marks = document.createElement("ul");
        marks.className = "marks";
        list.append(heading, marks);
      }
      marks.append(markChoice(line, index, list.dataset));
    });
    root.querySelector("[data-no-lines]").hidden = review.lines.length > 0;
    reflection.value = review.reflection;
    showState(root, "review");
  }

  function markChoice(line, index, labels) {
    const item = document.createElement("li");
    const group = document.createElement("fieldset");
    group.className = "mark";
    const legend = document.createElement("legend");
    legend.textContent = line.text;
    const choices = document.createElement("div");
    choices.className = "mark-choices";
    for (const [value, label] of [
      ["keep", labels.keep],
      ["let-go", labels.letGo],
    ]) {
      const choice = document.createElement("label");
      choice.className = "check";
      const radio = document.createElement("input");
      radio.type = "radio";
      // Groups the pair; these inputs are never in a form, so nothing is ever submitted.
      radio.name = `shoulds-mark-${index}`;
      radio.value = value;
      radio.checked = line.mark === value;
      radio.addEventListener("change", () => {
        line.mark = value;
        keeper.saveNow();
      });
      const text = document.createElement("span");
      text.textContent = label;
      choice.append(radio, text);
      choices.append(choice);
    }
    group.append(legend, choices);
    item.append(group);
    return item;
  }

  function showInventory() {
    if (inventory().step === "round") showRound();
    else showReview();
  }

  function open(record) {
    keeper.open(record);
    showInventory();
  }

  function close() {
    writing.value = reflection.value = "";
    return keeper.close();
  }

  async function showOverview() {
    const inventories = await keeper.newestFirst();
    const empty = root.querySelector("[data-no-inventories]");
    showPast(past, empty, inventories, (value) => value.step === "done", open);
    showState(root, "overview");
  }

  const screen = exerciseScreen(root, opened, keeper, {
    clear() {
      writing.value = reflection.value = "";
      root.querySelector("[data-lines]").replaceChildren();
      past.replaceChildren();
    },
    showCurrent: showInventory,
    open,
    showOverview,
  });

  handleUnlock(root, opened);

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start(newInventory(roundCount));
    showInventory();
    writing.focus();
  });

  writing.addEventListener("input", () => {
    if (!inventory()) return;
    round().text = writing.value;
    keeper.changed();
  });

  reflection.addEventListener("input", () => {
    if (!inventory()) return;
    inventory().review.reflection = reflection.value;
    keeper.changed();
  });

  timerButton.addEventListener("click", () => {
    const state = round().timer;
    if (state.startedAt) {
      state.elapsedMs += Date.now() - state.startedAt;
      state.startedAt = null;
    } else {
      if (remainingMs(state) === 0) state.elapsedMs = 0;
      state.startedAt = Date.now();
      timerNote.textContent = "";
    }
    keeper.saveNow();
    showTimer();
  });

  const next = () => {
    const state = round().timer;
    if (state.startedAt) {
      state.elapsedMs += Date.now() - state.startedAt;
      state.startedAt = null;
    }
    if (inventory().round < roundCount) {
      inventory().round += 1;
      showRound();
      writing.focus();
    } else {
      inventory().step = "review";
      showReview();
    }
    keeper.saveNow();
  };
  for (const button of root.querySelectorAll("[data-action=next]")) {
    button.addEventListener("click", next);
  }

  root.querySelector("[data-action=back]").addEventListener("click", () => {
    inventory().step = "round";
    inventory().round = roundCount;
    keeper.saveNow();
    showRound();
  });

  root.querySelector("[data-action=finish]").addEventListener("click", async () => {
    inventory().step = "done";
    inventory().finishedAt = new Date().toISOString();
    keeper.saveNow();
    await close();
    await showOverview();
  });

  root.querySelector("[data-action=overview]").addEventListener("click", async () => {
    await close();
    await showOverview();
  });
  return screen;
}

// --- pieces every exercise screen shares --------------------------------------------------

// The states every exercise screen goes through. No vault yet: "new". Locked: nothing readable
// stays on screen or in this page's memory (`clear`), then "locked". Otherwise the record that
// is open (`showCurrent`), the one open before a reload (`open`), or the overview. `ready` runs
// first, once unlocked, for what a screen must load from the vault before it can show anything.
function exerciseScreen(root, opened, keeper, { clear, showCurrent, open, showOverview, ready }) {
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
function keepAnswers(boxes, keeper) {
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
// leaves the record: `leave` clears the screen, closes the record and shows the overview.
function wireEndings(root, keeper, leave) {
  root.querySelector("[data-action=finish]").addEventListener("click", () => {
    keeper.current.value.finishedAt = new Date().toISOString();
    keeper.saveNow();
    return leave();
  });
  root.querySelector("[data-action=overview]").addEventListener("click", leave);
}

// --- answers to a list of prompts -------------------------------------------------------
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing": Learning about sex and
// Know your painful points; and the "Norms, expectations and beliefs" section before it. Each
// page lists the guidelines' prompts with a box for each (data-answer="<prompt id>"); nothing is
// required and every box can be left empty. A page with data-content-note shows its note before
// anything else, and the worker chooses to go on or leave. One record per time through
// (docs/vault-format.md):
//   kind = the page's data-kind, id "<kind>-<ISO start time>",
//   {startedAt, finishedAt, answers: {"<prompt id>": text}}   (empty answers are left out)

function promptsScreen(root, opened) {
  const kind = root.dataset.kind;
  const keeper = recordKeeper(root, opened, kind);
  const boxes = [...root.querySelectorAll("[data-answer]")];
  const past = root.querySelector("[data-past]");
  const noteSetting = settingFor(NOTE_SETTING(kind), opened);

  function showAnswers() {
    const { answers } = keeper.current.value;
    for (const box of boxes) box.value = answers[box.dataset.answer] || "";
    // A prompt the worker wrote under opens again; the others wait to be chosen.
    for (const group of root.querySelectorAll("details[data-prompt]")) {
      group.open = [...group.querySelectorAll("[data-answer]")].some((box) => box.value);
    }
    showState(root, "writing");
  }

  function open(record) {
    keeper.open(record);
    showAnswers();
  }

  function clear() {
    for (const box of boxes) box.value = "";
    past.replaceChildren();
  }

  async function showOverview() {
    const records = await keeper.newestFirst();
    const empty = root.querySelector("[data-no-past]");
    showPast(past, empty, records, (value) => Boolean(value.finishedAt), open);
    showState(root, "overview");
  }

  const states = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent: showAnswers,
    open,
    showOverview,
  });
  const screen = {
    ...states,
    async render() {
      // DESIGN: "A short content note comes before the painful-points material."
      if ("contentNote" in root.dataset && !sessionStorage.getItem(noteSetting)) {
        return showState(root, "note");
      }
      return states.render();
    },
  };

  handleUnlock(root, opened);

  const goOn = root.querySelector("[data-action=read-note]");
  if (goOn) {
    goOn.addEventListener("click", () => {
      sessionStorage.setItem(noteSetting, "yes");
      screen.render();
    });
  }

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start({ startedAt: new Date().toISOString(), finishedAt: null, answers: {} });
    showAnswers();
  });

  keepAnswers(boxes, keeper);
  wireEndings(root, keeper, async () => {
    clear();
    await keeper.close();
    await showOverview();
  });
  return screen;
}

// --- the recovery sheet -----------------------------------------------------------------

async function recoverySheet(root) {
  const today = root.querySelector("[data-today]");
  today.textContent = new Date().toLocaleDateString(language(), { dateStyle: "long" });
  // The blank line for the date is there only for a sheet printed without this script.
  today.nextElementSibling.hidden = true;
  const print = root.querySelector("[data-action=print]");
  print.hidden = false;
  print.addEventListener("click", () => window.print());
  const opened = await theVault();
  const backup = opened && lastBackup(opened);
  if (backup) {
    const file = root.querySelector("[data-backup-file]");
    file.textContent = fill(file.dataset.named, backup);
  }
}

// --- starting up ------------------------------------------------------------------------

const SCREENS = { vault: vaultScreen, shoulds: shouldsScreen, prompts: promptsScreen };

// A screen kept in a module of its own, imported by the versioned URL the page names
// (data-screen-module, listed in the service worker's SHELL so it opens offline). The module gets
// the vault already opened here and these helpers; it never imports vault.js itself, so there is
// still one vault module, and one key, per page.
const SCREEN_KIT = {
  recordKeeper,
  exerciseScreen,
  showState,
  handleUnlock,
  showPast,
  language,
  savers,
  keepAnswers,
  wireEndings,
};

function moduleScreen(root, opened) {
  let inner = null;
  const loading = import(root.dataset.screenModule).then((module) => {
    inner = module.screen(root, opened, SCREEN_KIT);
  });
  return {
    root,
    unsaved: () => Boolean(inner?.unsaved?.()),
    async render() {
      await loading;
      return inner.render();
    },
  };
}

// The discomfort checklist: static/checklist.js.
SCREENS.checklist = moduleScreen;
// "Is this always abusive?" on your own, and the stance check: static/placements.js.
SCREENS.line = moduleScreen;
SCREENS.stance = moduleScreen;
// The new-partnership conversation's drafts, and the before-session card's own flagged
// situations: static/conversation.js and static/card.js.
SCREENS.conversation = moduleScreen;
SCREENS.card = moduleScreen;

async function start() {
  await showLockButtons();
  let privatePage = false;
  for (const root of document.querySelectorAll("[data-private]:not([data-started])")) {
    root.dataset.started = "yes";
    if (root.dataset.private === "sheet") {
      recoverySheet(root);
      continue;
    }
    showState(root, "checking");
    try {
      const opened = await theVault();
      if (!opened) continue;
      const screen = SCREENS[root.dataset.private](root, opened);
      screens.add(screen);
      await screen.render();
      privatePage = true;
    } catch (error) {
      // The vault module didn't load or this browser can't run it: say so rather than spin.
      showState(root, "broken");
      for (const part of root.querySelectorAll("[data-needs-js]")) part.hidden = false;
      throw error;
    }
  }
  if (privatePage) autoSync();
}

// Pages reached by a boosted link arrive as new content; htmx announces each with htmx:load.
document.addEventListener("htmx:load", () => start());
start();
