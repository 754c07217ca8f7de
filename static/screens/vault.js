// The vault screen: making the private space, unlocking it, changing the passphrase, backup
// files and restoring one, the idle lock's minutes. The server backup on this screen is
// static/screens/server-backup.js; the recovery sheet, static/screens/sheet.js.

import { idleMinutes, keepIdleMinutes, settingFor, startScreen, vaultChanged } from "private/start";
import { checkNewPassphrase, handleForm, handleUnlock, showError } from "screens/forms";
import { fill, localDate, showState } from "shared/page";
import { markSaved } from "vault";
import { handleLocked, handleUnlocks, showLocked, showUnlocks } from "screens/unlocks";

// Kept in localStorage, and not secret: the name and date of the last backup file.
const BACKUP_SETTING = "wellbeing:vault-last-backup:";

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
  markSaved(opened.vault);
}

/** The name and date of the last backup file this phone saved, or null. */
export function lastBackup(opened) {
  try {
    return JSON.parse(localStorage.getItem(settingFor(BACKUP_SETTING, opened)));
  } catch {
    return null;
  }
}

async function showStorage(root, askNow) {
  const note = root.querySelector("[data-persist]");
  if (!navigator.storage?.persist) return;
  // docs/design.md: ask for persistent storage, so the browser doesn't clear the notes to save space.
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

/** static/app.js starts this module for data-module="screens/vault". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  let created = false;
  const screen = {
    root,
    async render() {
      // No state shows before its buttons answer: a tap on "Restore from the server backup"
      // while its module was still loading used to do nothing.
      const backup = await serverBackup;
      if (!(await opened.vault.exists())) return showState(root, "new");
      if (!opened.vault.isUnlocked()) {
        created = false;
        await showLocked(root, opened);
        return showState(root, "locked");
      }
      showState(root, created ? "created" : "unlocked");
      await showUnlocks(root, opened);
      showLastBackup(root, opened);
      if (backup) await backup.render();
      await showStorage(root, created);
      keepForOffline(root);
    },
  };

  // The optional encrypted server backup and the new phone's restore. If it can't load, the
  // rest of the vault screen still works.
  const serverBackup = import("screens/server-backup")
    .then((module) =>
      module.serverBackup(root, opened.vault, {
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
  handleLocked(root, opened);
  handleUnlocks(root, opened);

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
    downloadBackup(opened, JSON.stringify(await opened.vault.exportFile()));
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
    keepIdleMinutes(idle.value);
    saved.hidden = false;
  });
  return screen;
}
