// The optional encrypted server backup of the vault, on the vault screen (issue 3, "Backup and
// a new phone"). static/exercises.js loads this module by its versioned URL.
//
// DESIGN "The data rule": what goes to the server is exactly the export file vault.js writes:
// ciphertext, the salt and the KDF settings. The server can't open it; only the worker's
// passphrase can. Two phones never overwrite each other: the server answers 409 with its latest
// copy, this page merges it into the vault without losing a record, and backs up again. The
// endpoints and the merge rules are in docs/vault-format.md, "The server backup".

// DESIGN: "remind the worker to back up when nothing has been backed up for a while".
const REMIND_AFTER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
// Another phone could back up between our merge and our upload; give up after a few rounds.
const MERGE_ROUNDS = 3;
// Not secret, kept in localStorage per vault: the server version this phone last matched, its
// date, and each record's IV at that moment, so a merge can tell which phone changed a record.
const SERVER_SETTING = "wellbeing:vault-server-backup:";
// The day this phone first showed an unlocked vault with no backup, for the gentle reminder.
const SINCE_SETTING = "wellbeing:vault-backup-since:";

function setting(prefix, vault) {
  return prefix + vault.name;
}

function read(prefix, vault) {
  try {
    return JSON.parse(localStorage.getItem(setting(prefix, vault))) || null;
  } catch {
    return null;
  }
}

/** What this phone last had in common with the server: {version, date, ivs: {id: iv}}. */
function synced(vault) {
  const kept = read(SERVER_SETTING, vault);
  return kept && Number.isSafeInteger(kept.version) ? kept : { version: 0, date: null, ivs: {} };
}

// `auto` is true once this phone has backed up to the server itself (a restore alone is not
// enough): from then on it backs up by itself whenever its records changed (autoBackUp below).
function keepSynced(vault, version, date, file, backedUp = false) {
  const ivs = Object.fromEntries((file ? file.records : []).map((r) => [r.id, r.iv]));
  const auto = backedUp || synced(vault).auto === true;
  const kept = JSON.stringify({ version, date, ivs, auto });
  localStorage.setItem(setting(SERVER_SETTING, vault), kept);
}

function csrfHeader() {
  // htmx sends the form token from <body hx-headers>; fetch() must send the same header.
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  } catch {
    return {};
  }
}

class BackupError extends Error {
  constructor(code, message = code) {
    super(message);
    this.name = "BackupError";
    this.code = code;
  }
}

async function fetchJSON(url, options = {}) {
  let response;
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      ...options,
      headers: { Accept: "application/json", ...csrfHeader(), ...(options.headers || {}) },
    });
  } catch {
    throw new BackupError("offline");
  }
  const type = response.headers.get("Content-Type") || "";
  const answer = type.startsWith("application/json") ? await response.json() : null;
  return { status: response.status, answer };
}

// A copy kept beside the newer one gets an id of its own, because the id is bound into the
// record's additional data: so it is decrypted and encrypted again under the new id.
function copyId(id) {
  const random = crypto.getRandomValues(new Uint8Array(4));
  const suffix = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${id.slice(0, 100)}.copy-${suffix}`;
}

/**
 * Merges the server's export file into this (unlocked) vault without losing a record:
 * - a record only the server has is added as it is;
 * - a record only one side changed since the last sync (`base`, ids to IVs) takes that side;
 * - a record both sides changed keeps the newer (by updatedAt) under its id, and the other
 *   is kept too, re-encrypted under a new id.
 * Returns how many records came from the server and how many copies were made.
 */
export async function mergeServerCopy(vault, file, base = {}) {
  const local = new Map(JSON.parse(await vault.exportFile()).records.map((r) => [r.id, r]));
  let added = 0;
  let copies = 0;
  let opened = 0;
  let unopened = 0;
  for (const theirs of file.records) {
    const mine = local.get(theirs.id);
    if (mine && mine.iv === theirs.iv && mine.ciphertext === theirs.ciphertext) {
      opened += 1;
      continue;
    }
    let theirsOpened;
    try {
      theirsOpened = await vault.openSealed(theirs);
      opened += 1;
    } catch (error) {
      if (error.code !== "damaged-record") throw error;
      unopened += 1;
      continue;
    }
    if (!mine) {
      await vault.putSealed(theirs);
      added += 1;
    } else if (base[theirs.id] === theirs.iv) {
      // Only this phone changed it since the last sync: this phone's is the one to keep.
    } else if (base[theirs.id] === mine.iv) {
      await vault.putSealed(theirs); // only the other phone changed it
      added += 1;
    } else {
      // Both changed it (or they share no history): nothing is thrown away.
      const theirsNewer = theirs.updatedAt > mine.updatedAt;
      const older = theirsNewer ? await vault.openSealed(mine) : theirsOpened;
      if (theirsNewer) await vault.putSealed(theirs);
      await vault.put(older.kind, copyId(older.id), older.value);
      added += 1;
      copies += 1;
    }
  }
  // Not one record opened: the server holds another vault (made with another data key), so
  // backing up over it would hide those notes. Refuse, and change nothing on the server.
  if (unopened > 0 && opened === 0) {
    throw new BackupError("other-vault");
  }
  return { added, copies, unopened };
}

/** Backs up to the server, merging first whenever another phone got there before us. */
export async function backUp(vault, url) {
  let merged = { added: 0, copies: 0, unopened: 0 };
  for (let round = 0; round < MERGE_ROUNDS; round += 1) {
    const file = JSON.parse(await vault.exportFile());
    const since = synced(vault);
    const { status, answer } = await fetchJSON(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ basedOn: since.version, file }),
    });
    if (status === 201) {
      keepSynced(vault, answer.version, answer.createdAt, file, true);
      return { ...answer, ...merged };
    }
    if (status !== 409 || !answer || !answer.latest) {
      throw new BackupError((answer && answer.error) || "failed");
    }
    const { latest } = answer;
    if (latest.file) {
      const result = await mergeServerCopy(vault, latest.file, since.ivs);
      merged = {
        added: merged.added + result.added,
        copies: merged.copies + result.copies,
        unopened: merged.unopened + result.unopened,
      };
    }
    // This phone now holds everything in the server's latest: that is the new common ground.
    keepSynced(vault, latest.version, latest.createdAt, latest.file);
  }
  throw new BackupError("busy");
}

/**
 * Whether this phone's records differ from what it last had in common with the server: a record
 * added, removed or saved again (every save has a fresh IV). Reads only the encrypted records, so
 * it needs no key.
 */
async function changedSinceSync(vault) {
  const { ivs } = synced(vault);
  const { records } = JSON.parse(await vault.exportFile());
  return records.length !== Object.keys(ivs).length || records.some((r) => ivs[r.id] !== r.iv);
}

let autoRunning = null;

/**
 * The automatic sync (docs/vault-format.md, "The server backup"): once this phone has backed up
 * to the server, it backs up again by itself, encrypted and with the same merge, whenever its
 * records changed since the last sync. static/exercises.js calls this when the browser comes back
 * online, on every private page load and on every unlock. Only while unlocked (a merge needs the
 * key) and online; a failure is silent and the next of those moments tries again.
 * Resolves to backUp()'s answer, or null when nothing was sent or it didn't get through.
 */
export function autoBackUp(vault, url) {
  if (autoRunning) return autoRunning;
  autoRunning = (async () => {
    if (!navigator.onLine || !vault.isUnlocked() || !synced(vault).auto) return null;
    if (!(await changedSinceSync(vault))) return null;
    try {
      return await backUp(vault, url);
    } catch {
      return null;
    }
  })().finally(() => {
    autoRunning = null;
  });
  return autoRunning;
}

/** A new phone: the server's latest backup becomes this phone's (locked) vault. */
export async function restore(vault, url) {
  const { status, answer } = await fetchJSON(url);
  if (status !== 200 || !answer) throw new BackupError("failed");
  if (!answer.file) return null;
  const count = await vault.importFile(JSON.stringify(answer.file));
  keepSynced(vault, answer.version, answer.createdAt, answer.file);
  return { ...answer, count };
}

function localDay(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

function dayText(date) {
  return date.toLocaleDateString(document.documentElement.lang || undefined, {
    dateStyle: "medium",
  });
}

/**
 * Wires the vault screen's server backup: "Restore from the server backup" on a phone with no
 * vault, "Back up to the server (encrypted)" and the gentle reminder once it is unlocked.
 * `lastFileBackup()` is the date of the last backup file; `changed()` re-renders the screen.
 * Returns {render()} for the unlocked screen.
 */
export function serverBackup(root, vault, { lastFileBackup, changed }) {
  const card = root.querySelector("[data-server-backup]");
  const status = card.querySelector("[data-server-status]");
  const button = card.querySelector("[data-action=server-backup]");
  const reminder = root.querySelector("[data-backup-reminder]");
  const versions = card.querySelector("[data-versions]");
  const messages = card.dataset;

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function showLastServerBackup() {
    const kept = synced(vault);
    const date = kept.date && localDay(kept.date);
    const last = card.querySelector("[data-last-server-backup]");
    last.textContent = date
      ? fill(messages.whenSaved, { date: dayText(date), version: kept.version })
      : messages.never;
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
          date: when ? `${dayText(when)} ${when.toLocaleTimeString([], { timeStyle: "short" })}` : "",
          size: Math.max(1, Math.round(version.size / 1024)),
        });
        return item;
      }),
    );
    versions.hidden = false;
  }

  // Gently, never as a failure: nothing backed up (file or server) for 14 days.
  function showReminder() {
    const dates = [lastFileBackup(), synced(vault).date].map((d) => d && localDay(d)).filter(Boolean);
    let since = dates.length ? new Date(Math.max(...dates)) : localDay(read(SINCE_SETTING, vault));
    if (!since) {
      since = new Date();
      localStorage.setItem(setting(SINCE_SETTING, vault), JSON.stringify(since.toISOString()));
    }
    reminder.hidden = Date.now() - since.getTime() < REMIND_AFTER_DAYS * DAY_MS;
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
      const known = { offline: messages.offline, "other-vault": messages.otherVault };
      say(known[error.code] || messages.failed);
      if (!known[error.code]) console.warn("server backup:", error.code || error.name);
    } finally {
      button.disabled = false;
      card.removeAttribute("aria-busy");
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
