// The optional encrypted server backup of the vault, on the vault screen (issue 3, "Backup and
// a new phone"). static/exercises.js imports it as "backup".
//
// DESIGN "The data rule": what goes to the server is exactly the export file vault.js writes:
// ciphertext, the salt and the KDF settings. The server can't open it; only the worker's
// passphrase can. Two phones never overwrite each other: the server answers 409 with its latest
// copy, this page merges it into the vault without losing a record, and backs up again. The
// endpoints and the merge rules are in docs/vault-format.md, "The server backup".
//
// Issue 11: the server can't roll the vault back. Every backup carries a manifest sealed with the
// vault's data key (every record's counter and IV, every deletion's counter). This page refuses
// a backup older than the newest it has seen, or one whose records don't match its manifest,
// and a deletion on one phone reaches the others through the manifest's tombstones.

import { fill } from "screens/shared";

// DESIGN: "remind the worker to back up when nothing has been backed up for a while".
const REMIND_AFTER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
// Another phone could back up between our merge and our upload; give up after a few rounds.
const MERGE_ROUNDS = 3;
// Not secret, kept in localStorage per vault: the server version this phone last matched, its
// date, each record's IV and each tombstone's counter at that moment, so a merge can tell which
// phone changed a record; and the newest manifest counter it has seen, so an older one is refused.
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

const has = (object, key) => Object.hasOwn(object, key);
const counterOf = (record) => (record.version === 1 ? 0 : record.counter);

/**
 * What this phone last had in common with the server: {version, date, ivs: {id: iv},
 * gone: {id: counter}, counter, auto, refused}. `counter` is the newest manifest it has seen.
 */
function synced(vault) {
  const kept = read(SERVER_SETTING, vault);
  const empty = { version: 0, date: null, ivs: {}, gone: {}, counter: 0 };
  if (!kept || !Number.isSafeInteger(kept.version)) return empty;
  return {
    ...empty,
    ...kept,
    gone: kept.gone || {},
    counter: Number.isSafeInteger(kept.counter) ? kept.counter : 0,
  };
}

// `auto` is true once this phone has backed up to the server itself (a restore alone is not
// enough): from then on it backs up by itself whenever its records changed (autoBackUp below).
// `manifest` is the server copy's manifest ({counter, tombstones}), or null for format 1.
function keepSynced(vault, version, date, file, manifest, backedUp = false) {
  const before = synced(vault);
  const ivs = Object.fromEntries((file ? file.records : []).map((r) => [r.id, r.iv]));
  const gone = manifest ? manifest.tombstones : {};
  // Never goes down: from now on a backup with an older manifest is refused.
  const counter = Math.max(before.counter, manifest ? manifest.counter : 0);
  const auto = backedUp || before.auto === true;
  const kept = JSON.stringify({ version, date, ivs, gone, counter, auto });
  localStorage.setItem(setting(SERVER_SETTING, vault), kept);
}

// A refused server copy is remembered until the next backup gets through, so the vault screen
// can say so even when the refusal came from a backup made by itself.
const REFUSALS = new Set(["rolled-back", "tampered"]);

function keepRefusal(vault, code) {
  const kept = { ...synced(vault), refused: code };
  localStorage.setItem(setting(SERVER_SETTING, vault), JSON.stringify(kept));
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

async function anyOpens(vault, records) {
  for (const record of records) {
    try {
      await vault.openSealed(record);
      return true;
    } catch (error) {
      if (error.code !== "damaged-record") throw error;
    }
  }
  return false;
}

/**
 * The server copy's manifest, opened and checked before anything is merged (null for a format 1
 * copy from before manifests). Refuses, changing nothing:
 * - `rolled-back`: the manifest is older than the newest this phone has seen (`seen`), or it is
 *   a format 1 copy after this phone has seen a manifest;
 * - `tampered`: the manifest doesn't open although records do, or the records aren't exactly the
 *   ones it lists (one missing, added, or an older save in its place);
 * - `other-vault`: neither the manifest nor any record opens with this vault's key.
 */
async function checkedManifest(vault, file, seen) {
  if (file.version === 1) {
    if (seen > 0) throw new BackupError("rolled-back");
    return null;
  }
  let manifest;
  try {
    manifest = await vault.openManifest(file);
  } catch (error) {
    if (error.code !== "damaged-manifest" && error.code !== "bad-format") throw error;
    throw new BackupError((await anyOpens(vault, file.records)) ? "tampered" : "other-vault");
  }
  if (manifest.counter < seen) throw new BackupError("rolled-back");
  const listed = manifest.records;
  const exact =
    file.records.length === Object.keys(listed).length &&
    file.records.every(
      (record) =>
        has(listed, record.id) &&
        listed[record.id].iv === record.iv &&
        listed[record.id].counter === counterOf(record),
    );
  if (!exact) throw new BackupError("tampered");
  return manifest;
}

/**
 * Merges the server's export file into this (unlocked) vault without losing a record, after
 * checking its manifest (checkedManifest: nothing changes if it is refused). `base` is what this
 * phone and the server last had in common ({ivs, gone}); `seen` the newest manifest counter.
 * - a record only the server has is added as it is, unless this phone deleted it since the
 *   last sync and the server's is the one it deleted;
 * - a record only one side changed since the last sync takes that side;
 * - a record both sides changed keeps the newer (by updatedAt) under its id, and the other
 *   is kept too, re-encrypted under a new id (unless both hold the same words);
 * - a record the server's manifest lists as deleted is deleted here, unless this phone changed
 *   it since the last sync: then its words are kept, saved again with a newer counter.
 * Returns how many records came from the server, copies made, records deleted, and the manifest.
 */
export async function mergeServerCopy(vault, file, base = {}, seen = 0) {
  const manifest = await checkedManifest(vault, file, seen);
  const baseIvs = base.ivs || {};
  if (manifest) {
    const counters = [manifest.counter, ...Object.values(manifest.tombstones)];
    await vault.advanceClock(Math.max(...counters, ...file.records.map(counterOf)));
  }
  const local = new Map((await vault.sealedRecords()).map((r) => [r.id, r]));
  const localGone = (await vault.state()).tombstones;
  const sameAsBase = (id, iv) => has(baseIvs, id) && baseIvs[id] === iv;
  let added = 0;
  let copies = 0;
  let removed = 0;
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
      // Deleted on this phone since the last sync, and the server's is the one it deleted.
      if (has(localGone, theirs.id) && sameAsBase(theirs.id, theirs.iv)) continue;
      await vault.putSealed(theirs, null);
      added += 1;
    } else if (sameAsBase(theirs.id, theirs.iv)) {
      // Only this phone changed it since the last sync: this phone's is the one to keep.
    } else if (sameAsBase(theirs.id, mine.iv)) {
      await vault.putSealed(theirs, mine.iv); // only the other phone changed it
      added += 1;
    } else {
      // Both changed it (or they share no history): nothing is thrown away.
      const mineOpened = await vault.openSealed(mine).catch((error) => {
        if (error.code !== "damaged-record") throw error;
        return null;
      });
      if (!mineOpened || JSON.stringify(mineOpened.value) === JSON.stringify(theirsOpened.value)) {
        // The same words on both (both phones migrated it), or this phone's copy is damaged.
        if (!mineOpened || counterOf(theirs) > counterOf(mine)) {
          await vault.putSealed(theirs, mine.iv);
        }
        continue;
      }
      const theirsNewer = theirs.updatedAt > mine.updatedAt;
      const older = theirsNewer ? mineOpened : theirsOpened;
      if (theirsNewer) await vault.putSealed(theirs, mine.iv);
      await vault.put(older.kind, copyId(older.id), older.value);
      added += 1;
      copies += 1;
    }
  }
  // Deletions made on another phone: the record goes here too, unless this phone changed it.
  for (const [id, counter] of Object.entries(manifest ? manifest.tombstones : {})) {
    const mine = local.get(id);
    if (!mine) {
      if (!has(localGone, id) || localGone[id] < counter) await vault.bury(id, counter, null);
    } else if (sameAsBase(id, mine.iv)) {
      await vault.bury(id, counter, mine.iv);
      removed += 1;
    } else if (counterOf(mine) <= counter) {
      // Changed here while it was deleted there: keep the words, newer than the deletion.
      const kept = await vault.openSealed(mine).catch(() => null);
      if (kept) await vault.put(kept.kind, kept.id, kept.value);
    }
  }
  // Not one record opened: the server holds another vault (made with another data key), so
  // backing up over it would hide those notes. Refuse, and change nothing on the server.
  if (unopened > 0 && opened === 0) {
    throw new BackupError("other-vault");
  }
  return { added, copies, removed, unopened, manifest };
}

/** Backs up to the server, merging first whenever another phone got there before us. */
export async function backUp(vault, url) {
  try {
    return await backUpRounds(vault, url);
  } catch (error) {
    if (REFUSALS.has(error.code)) keepRefusal(vault, error.code);
    throw error;
  }
}

async function backUpRounds(vault, url) {
  let merged = { added: 0, copies: 0, removed: 0, unopened: 0 };
  for (let round = 0; round < MERGE_ROUNDS; round += 1) {
    const file = JSON.parse(await vault.exportFile());
    const since = synced(vault);
    const { status, answer } = await fetchJSON(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ basedOn: since.version, file }),
    });
    if (status === 201) {
      const mine = await vault.openManifest(file);
      keepSynced(vault, answer.version, answer.createdAt, file, mine, true);
      return { ...answer, ...merged };
    }
    if (status !== 409 || !answer || !answer.latest) {
      throw new BackupError(answer?.error || "failed");
    }
    const { latest } = answer;
    let manifest = null;
    if (latest.file) {
      const result = await mergeServerCopy(vault, latest.file, since, since.counter);
      merged = {
        added: merged.added + result.added,
        copies: merged.copies + result.copies,
        removed: merged.removed + result.removed,
        unopened: merged.unopened + result.unopened,
      };
      manifest = result.manifest;
    }
    // This phone now holds everything in the server's latest: that is the new common ground.
    keepSynced(vault, latest.version, latest.createdAt, latest.file, manifest);
  }
  throw new BackupError("busy");
}

/**
 * Whether this phone's records differ from what it last had in common with the server: a record
 * added, removed or saved again (every save has a fresh IV). Reads only the encrypted records, so
 * it needs no key.
 */
async function changedSinceSync(vault) {
  const { ivs, gone } = synced(vault);
  const records = await vault.sealedRecords();
  const { tombstones } = await vault.state();
  const ids = Object.keys(tombstones);
  const sameGone =
    ids.length === Object.keys(gone).length &&
    ids.every((id) => has(gone, id) && gone[id] === tombstones[id]);
  return (
    !sameGone ||
    records.length !== Object.keys(ivs).length ||
    records.some((r) => !has(ivs, r.id) || ivs[r.id] !== r.iv)
  );
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
  // The manifest can't be opened until the passphrase unlocks the vault; its counter is bound
  // into its additional data, so a changed one makes that manifest fail at the next sync.
  const file = answer.file;
  const manifest = file.version === 1 ? null : { counter: file.manifest.counter, tombstones: {} };
  keepSynced(vault, answer.version, answer.createdAt, file, manifest);
  return { ...answer, count };
}

function localDay(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
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
    if (kept.refused) say(refusalText(kept.refused));
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
          date: when
            ? `${dayText(when)} ${when.toLocaleTimeString([], { timeStyle: "short" })}`
            : "",
          size: Math.max(1, Math.round(version.size / 1024)),
        });
        return item;
      }),
    );
    versions.hidden = false;
  }

  // Gently, never as a failure: nothing backed up (file or server) for 14 days.
  function showReminder() {
    const dates = [lastFileBackup(), synced(vault).date]
      .map((d) => d && localDay(d))
      .filter(Boolean);
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
      const known = {
        offline: messages.offline,
        "other-vault": messages.otherVault,
        "rolled-back": messages.rolledBack,
        tampered: messages.tampered,
      };
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
