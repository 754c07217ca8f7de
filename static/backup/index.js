// The optional encrypted server backup of the vault, on the vault screen (issue 3, "Backup and
// a new phone"): backing up, the automatic sync, and restoring on a new phone. The vault
// screen's part is static/screens/server-backup.js.
//
// docs/design.md "The data rule": what goes to the server is exactly the export file vault/ writes:
// ciphertext, the salt and the KDF settings. The server can't open it; only the worker's
// passphrase can. Two phones never overwrite each other: the server answers 409 with its latest
// copy, this page merges it into the vault without losing a record, and backs up again. The
// endpoints and the merge rules are in docs/vault-format.md, "The server backup".
//
// Issue 11: the server can't roll the vault back. Every backup carries a manifest sealed with the
// vault's data key (every record's counter and IV, every deletion's counter). This page refuses
// a backup older than the newest it has seen, or one whose records don't match its manifest,
// and a deletion on one phone reaches the others through the manifest's tombstones.

import { BackupError, mergeServerCopy } from "backup/merge";
import { fetchJSON, postJSON } from "shared/http";
import { markSaved } from "vault";

const has = (object, key) => Object.hasOwn(object, key);

// Another phone could back up between our merge and our upload; give up after a few rounds.
const MERGE_ROUNDS = 3;
// Not secret, kept in localStorage per vault: the server version this phone last matched, its
// date, each record's IV and each tombstone's counter at that moment, so a merge can tell which
// phone changed a record; and the newest manifest counter it has seen, so an older one is refused.
const SERVER_SETTING = "wellbeing:vault-server-backup:";

export function setting(prefix, vault) {
  return prefix + vault.name;
}

export function read(prefix, vault) {
  try {
    return JSON.parse(localStorage.getItem(setting(prefix, vault))) || null;
  } catch {
    return null;
  }
}

/**
 * What this phone last had in common with the server: {version, date, ivs: {id: iv},
 * gone: {id: counter}, counter, auto, refused}. `counter` is the newest manifest it has seen.
 */
export function synced(vault) {
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
  markSaved(vault); // this phone's notes now match the server's copy
}

// A refused server copy is remembered until the next backup gets through, so the vault screen
// can say so even when the refusal came from a backup made by itself.
const REFUSALS = new Set(["rolled-back", "tampered"]);

function keepRefusal(vault, code) {
  const kept = { ...synced(vault), refused: code };
  localStorage.setItem(setting(SERVER_SETTING, vault), JSON.stringify(kept));
}

/** Sends `body` to the server; no signal is the BackupError "offline". */
function send(url, body) {
  return postJSON(url, body).catch(() => {
    throw new BackupError("offline");
  });
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
    // Exported once a round, as an object: sent, and on success its manifest opened, as it is.
    const file = await vault.exportFile();
    const since = synced(vault);
    const { status, answer } = await send(url, { basedOn: since.version, file });
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

/**
 * After a refused server copy (rolled back or tampered), every backup would meet the same copy
 * again and stop there: the phone is stuck. This person's way out (issue 23): this phone's own
 * copy becomes the server's newest version, as it is, without merging the refused one. The
 * server keeps the refused copy among its older versions.
 */
export async function keepThisPhonesCopy(vault, url) {
  const file = await vault.exportFile();
  let basedOn = synced(vault).version;
  for (let round = 0; round < MERGE_ROUNDS; round += 1) {
    const { status, answer } = await send(url, { basedOn, file });
    if (status === 201) {
      const mine = await vault.openManifest(file);
      keepSynced(vault, answer.version, answer.createdAt, file, mine, true);
      return answer;
    }
    if (status !== 409 || !answer?.latest) throw new BackupError(answer?.error || "failed");
    basedOn = answer.latest.version;
  }
  throw new BackupError("busy");
}

let autoRunning = null;

/**
 * The automatic sync (docs/vault-format.md, "The server backup"): once this phone has backed up
 * to the server, it backs up again by itself, encrypted and with the same merge, whenever its
 * records changed since the last sync. static/private/start.js calls this when the browser comes
 * back online, on every private page load and on every unlock. Only while unlocked (a merge needs
 * the key) and online; a failure is silent and the next of those moments tries again.
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
  const { status, answer } = await fetchJSON(url).catch(() => {
    throw new BackupError("offline");
  });
  if (status !== 200 || !answer) throw new BackupError("failed");
  if (!answer.file) return null;
  const count = await vault.importFile(answer.file);
  // The manifest can't be opened until the passphrase unlocks the vault; its counter is bound
  // into its additional data, so a changed one makes that manifest fail at the next sync.
  const file = answer.file;
  const manifest = file.version === 1 ? null : { counter: file.manifest.counter, tombstones: {} };
  keepSynced(vault, answer.version, answer.createdAt, file, manifest);
  return { ...answer, count };
}
