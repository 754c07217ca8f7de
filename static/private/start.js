// The private space's start-up: the one vault this page opens, each private screen started with
// it, the Lock button, the idle lock, and saving what is on screen before a lock, a page change
// or a closed tab.
//
// static/app.js starts this module for a facilitator's top bar (data-module="private/start",
// which holds the vault's name), and each screen's module (data-module="screens/<screen>") starts
// its screen here with startScreen. Every screen's module but the conversation's is in the service
// worker's PRIVATE_SHELL, so a private page opens offline (issue 3).
//
// docs/design.md "The data rule": what a worker writes in the private space is private. It is
// encrypted in this page by static/vault/ and kept in IndexedDB on their own phone; none of it is
// ever sent to the server. The record kinds and their JSON shapes are in docs/vault-format.md.
//
// Every module imports the vault as "vault", which the page's import map turns into one versioned
// URL: /static/vault/index.js and /static/vault/index.js?v=… would be two module instances, each
// with its own key, and a Lock in one would not lock the other.
//
// hx-boost swaps the body but keeps this module, and with it the unlocked key, so moving between
// pages doesn't ask for the passphrase again. A full reload forgets the key: that is a lock.

import { showState } from "shared/page";

const DEFAULT_IDLE_MINUTES = 10;
const IDLE_CHECK_MS = 5_000;
// How long a lock waits for the last save to finish before dropping the key anyway.
const LAST_SAVE_MS = 2_000;
// Kept in localStorage, and not secret: how many idle minutes lock the vault.
const IDLE_SETTING = "wellbeing:vault-idle-minutes";

let opening = null;
/** The screens on this page ({root, render(), unsaved()}): each shows the vault's state. */
export const screens = new Set();
/** Functions that save what is on screen; each returns its pending save. */
export const savers = new Set();
let lastActivity = Date.now();

function vaultHolder() {
  return document.querySelector("[data-vault]");
}

/** {module, vault} for the signed-in worker, or null on a page without a vault. */
export function theVault() {
  const holder = vaultHolder();
  if (!holder) return Promise.resolve(null);
  if (!opening) {
    opening = import("vault").then((module) => ({
      module,
      vault: module.openVault(holder.dataset.vault),
    }));
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

export function isUnlocked(opened) {
  return Boolean(opened?.vault.isUnlocked());
}

export function settingFor(prefix, opened) {
  return prefix + opened.vault.name;
}

/** Every screen shows the vault's new state: locked, unlocked, created or imported. */
export async function vaultChanged() {
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

// Issue 27: the top bar's lock shows only once a private space exists on this phone; before
// that, "Locked" reads like an account problem. A page that opened the vault knows; any other
// page goes by what the last such page found (a hint in localStorage, not secret).
const EXISTS_HINT = "wellbeing:vault-exists:";

export async function showLockButtons() {
  const holder = vaultHolder();
  const opened = opening && (await opening.catch(() => null));
  let exists = false;
  try {
    const hint = EXISTS_HINT + (holder ? holder.dataset.vault : "");
    if (opened) {
      exists = await opened.vault.exists();
      if (exists) localStorage.setItem(hint, "yes");
      else localStorage.removeItem(hint);
    } else {
      exists = localStorage.getItem(hint) === "yes";
    }
  } catch {
    exists = isUnlocked(opened);
  }
  for (const button of document.querySelectorAll("[data-lock]")) {
    button.hidden = !exists;
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

// docs/design.md: "The vault also locks itself after a period of inactivity."
export function idleMinutes() {
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
  if (unsavedOnScreen()) {
    saveEverything();
    event.preventDefault();
    event.returnValue = "";
  }
});
document.addEventListener("htmx:beforeRequest", () => saveEverything());
// Issue 23: a boosted link or form waits while a save is in flight (at most LAST_SAVE_MS),
// then goes; and app.js waits the same way before it leaves the page itself (no signal).
function unsavedOnScreen() {
  return [...screens].some((screen) => screen.unsaved?.());
}
function flushSaves() {
  const timeUp = new Promise((resolve) => setTimeout(resolve, LAST_SAVE_MS));
  return Promise.race([saveEverything(), timeUp]);
}
document.addEventListener("htmx:confirm", (event) => {
  if (!unsavedOnScreen()) return;
  event.preventDefault();
  flushSaves().then(() => event.detail.issueRequest(true));
});
document.addEventListener("wellbeing:before-leave", (event) => {
  if (unsavedOnScreen()) event.detail.waits.push(flushSaves());
});

export function keepIdleMinutes(minutes) {
  localStorage.setItem(IDLE_SETTING, minutes);
}

/**
 * The automatic encrypted server backup (static/backup/, autoBackUp): on a private page load,
 * on unlock and when the browser comes back online. It does nothing unless this phone has backed
 * up to the server before, the vault is unlocked and records changed; a failure stays silent.
 * On success the vault screen shows its new "last server backup" line.
 */
export async function autoSync() {
  const holder = vaultHolder();
  if (!holder?.dataset.backupUrl || !navigator.onLine) return;
  const opened = opening && (await opening.catch(() => null));
  if (!isUnlocked(opened)) return;
  try {
    const module = await import("backup");
    if (!(await module.autoBackUp(opened.vault, holder.dataset.backupUrl))) return;
    for (const screen of [...screens]) {
      if (screen.root.isConnected && screen.root.dataset.module === "screens/vault") {
        await screen.render();
      }
    }
  } catch {
    // Offline again, or the module didn't load: the next page load, unlock or reconnection retries.
  }
}

window.addEventListener("online", () => autoSync());

/** The top bar (data-module="private/start"): its Lock button shows once a vault exists. */
export function start() {
  return showLockButtons();
}

/**
 * Starts a private screen: `makeScreen(root, opened)` with the vault this page opened, shown in
 * the vault's state, then the automatic server backup. Each screen's module calls this.
 */
export async function startScreen(root, makeScreen) {
  showPassphraseButtons(root);
  showState(root, "checking");
  try {
    const opened = await theVault();
    if (!opened) return;
    const screen = makeScreen(root, opened);
    screens.add(screen);
    await screen.render();
  } catch (error) {
    // The vault module didn't load or this browser can't run it: say so rather than spin.
    showState(root, "broken");
    for (const part of root.querySelectorAll("[data-needs-js]")) part.hidden = false;
    throw error;
  }
  autoSync();
}

// Issue 27: "Show" beside each passphrase box, for typing one-handed on a phone. It only
// changes how this box is drawn; the passphrase goes nowhere it didn't go before.
function showPassphraseButtons(root) {
  for (const button of root.querySelectorAll("[data-show-passphrase][hidden]")) {
    button.hidden = false;
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-show-passphrase]");
  if (!button) return;
  const input = document.getElementById(button.dataset.showPassphrase);
  if (!input) return;
  const shown = input.type === "password";
  input.type = shown ? "text" : "password";
  button.setAttribute("aria-pressed", String(shown));
});
