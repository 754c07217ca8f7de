// The vault screen's server backup: "Back up to the server (encrypted)", the last backup's date
// and the versions the server keeps, the gentle reminder, and "Restore from the server backup"
// on a new phone. What is sent, and how two phones merge, is static/backup/index.js.

import { backUp, keepThisPhonesCopy, restore, synced } from "backup";
import { fetchJSON } from "shared/http";
import { unsavedSince } from "vault";
import { day, fill } from "shared/page";

// docs/design.md: "remind the worker to back up when nothing has been backed up for a while".
// Issue 27: only once the oldest change not yet in a backup is this old, never for an empty space.
const REMIND_AFTER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

function localDay(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Wires the vault screen's server backup: "Restore from the server backup" on a phone with no
 * vault, "Back up to the server (encrypted)" and the gentle reminder once it is unlocked.
 * `changed()` re-renders the screen.
 * Returns {render()} for the unlocked screen.
 */
export function serverBackup(root, vault, { changed }) {
  const card = root.querySelector("[data-server-backup]");
  const status = card.querySelector("[data-server-status]");
  const button = card.querySelector("[data-action=server-backup]");
  const reminder = root.querySelector("[data-backup-reminder]");
  const versions = card.querySelector("[data-versions]");
  const messages = card.dataset;
  const keepMine = card.querySelector("[data-action=keep-this-copy]");

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function showLastServerBackup() {
    const kept = synced(vault);
    const date = kept.date && localDay(kept.date);
    const last = card.querySelector("[data-last-server-backup]");
    last.textContent = date
      ? fill(messages.whenSaved, { date: day(date), version: kept.version })
      : messages.never;
    if (kept.refused) say(refusalText(kept.refused));
    keepMine.hidden = !kept.refused;
  }

  function refusalText(code) {
    return { "rolled-back": messages.rolledBack, tampered: messages.tampered }[code];
  }

  async function showVersions() {
    const { status: code, answer } = await fetchJSON(messages.versionsUrl).catch(() => ({}));
    if (code !== 200 || !answer || !answer.versions.length) {
      versions.hidden = true;
      return;
    }
    const list = versions.querySelector("ul");
    list.replaceChildren(
      ...answer.versions.map((version) => {
        const item = document.createElement("li");
        const when = localDay(version.createdAt);
        item.textContent = fill(messages.versionLine, {
          version: version.version,
          date: when ? `${day(when)} ${when.toLocaleTimeString([], { timeStyle: "short" })}` : "",
          size: Math.max(1, Math.round(version.size / 1024)),
        });
        return item;
      }),
    );
    versions.hidden = false;
  }

  // Gently, never as a failure: a change has waited 14 days without a backup file or a
  // server backup. A new, empty space, or one backed up since, shows nothing.
  function showReminder() {
    const since = unsavedSince(vault);
    reminder.hidden = !since || Date.now() - since.getTime() < REMIND_AFTER_DAYS * DAY_MS;
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    card.setAttribute("aria-busy", "true");
    say(messages.saving);
    try {
      const result = await backUp(vault, messages.url);
      const text = result.added ? messages.merged : messages.saved;
      say(fill(text, { added: result.added, copies: result.copies }));
      await changed();
    } catch (error) {
      const known = {
        offline: messages.offline,
        "other-vault": messages.otherVault,
        "rolled-back": messages.rolledBack,
        tampered: messages.tampered,
      };
      say(known[error.code] || messages.failed);
      if (!known[error.code]) console.warn("server backup:", error.code || error.name);
      keepMine.hidden = !synced(vault).refused;
    } finally {
      button.disabled = false;
      card.removeAttribute("aria-busy");
    }
  });

  // A refused server copy: this phone's copy becomes the server's newest (static/backup/index.js).
  keepMine.addEventListener("click", async () => {
    keepMine.disabled = true;
    say(messages.saving);
    try {
      await keepThisPhonesCopy(vault, messages.url);
      say(messages.keptMine);
      keepMine.hidden = true;
      await changed();
    } catch (error) {
      say(error.code === "offline" ? messages.offline : messages.failed);
    } finally {
      keepMine.disabled = false;
    }
  });

  const restorer = root.querySelector("[data-restore]");
  const restoreButton = restorer.querySelector("[data-action=restore]");
  const restoreStatus = restorer.querySelector("[data-restore-status]");
  restoreButton.addEventListener("click", async () => {
    restoreButton.disabled = true;
    restoreStatus.textContent = restorer.dataset.restoring;
    restoreStatus.hidden = false;
    try {
      const restored = await restore(vault, restorer.dataset.url);
      if (!restored) {
        restoreStatus.textContent = restorer.dataset.none;
        return;
      }
      restoreStatus.hidden = true;
      const note = root.querySelector("[data-imported-note]");
      note.textContent = restorer.dataset.restored;
      note.hidden = false;
      await changed();
    } catch (error) {
      restoreStatus.textContent =
        error.code === "offline" ? restorer.dataset.offline : restorer.dataset.failed;
    } finally {
      restoreButton.disabled = false;
    }
  });

  return {
    async render() {
      showLastServerBackup();
      showReminder();
      showVersions(); // from the network; the rest of the screen doesn't wait for it
    },
  };
}
