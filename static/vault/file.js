// The vault's export file (docs/vault-format.md, "The export file"): what a backup file holds and
// what goes to the server; the checks a file passes before it is imported; and what the first
// unlock afterwards does with it (format 1 records migrated, an imported manifest adopted).

import { manifestOf, openRecord, sealManifest, sealRecord, unsealManifest } from "vault/crypto";
import {
  byId,
  checkHeader,
  checkKeyWrap,
  checkSealedManifest,
  checkStoredRecord,
  counterOf,
  EXPORT_FORMAT,
  FORMAT_VERSION,
  sealedCopy,
  VaultError,
} from "vault/format";
import { checkUnlocks } from "vault/unlocks";
import { finished, IMPORTED_KEY, META_KEY, requested, STATE_KEY } from "vault/store";

/**
 * The export file of the vault in `store` (its `meta` and data key given): the header, the
 * wrapped key, the sealed manifest and every record, all still encrypted. Every export takes a
 * fresh counter for its manifest, so each is newer than the last.
 */
export async function exportFile(store, meta, dataKey) {
  const { records, manifest } = await store.change(async (state, stored) => {
    const all = await requested(stored.getAll());
    state.clock += 1;
    return { records: all, manifest: manifestOf(state.clock, all, state.tombstones) };
  });
  records.sort(byId);
  return {
    format: EXPORT_FORMAT,
    version: FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    header: meta.header,
    keyWrap: meta.keyWrap,
    // Issue 15: a passkey's and the recovery key's wraps travel too, still encrypted.
    ...(meta.unlocks ? { unlocks: meta.unlocks } : {}),
    manifest: await sealManifest(dataKey, manifest),
    records: records.map(sealedCopy),
  };
}

/** A backup file's text, parsed; refused as `bad-file` if it isn't JSON. */
export function parseFile(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new VaultError("bad-file", "That file isn't a vault export.");
  }
}

/**
 * Checks an export file (including the KDF minimums) before anything is written:
 * {meta, manifest, records, clock} as they will be stored.
 */
export function checkFile(file) {
  if (!file || file.format !== EXPORT_FORMAT) {
    throw new VaultError("bad-file", "That file isn't a vault export.");
  }
  if (file.version !== 1 && file.version !== FORMAT_VERSION) {
    throw new VaultError(
      "bad-file",
      `That export uses format version ${JSON.stringify(file.version)}, ` +
        "which this app can't read.",
    );
  }
  const meta = {
    header: checkHeader(file.header).header,
    keyWrap: checkKeyWrap(file.keyWrap).keyWrap,
  };
  const unlocks = checkUnlocks(file.unlocks);
  if (unlocks.passkeys || unlocks.recovery) meta.unlocks = unlocks;
  if (!Array.isArray(file.records)) {
    throw new VaultError("bad-file", "That export has no records list.");
  }
  // Format 1 files have no manifest; their records are migrated on the first unlock.
  const manifest = file.version === 1 ? null : checkSealedManifest(file.manifest);
  const records = file.records.map(checkStoredRecord);
  if (file.version === 1 && records.some((record) => record.version !== 1)) {
    throw new VaultError("bad-file", "That export mixes format versions.");
  }
  if (new Set(records.map((record) => record.id)).size !== records.length) {
    throw new VaultError("bad-file", "That export has two records with the same id.");
  }
  const clock = Math.max(manifest ? manifest.counter : 0, ...records.map(counterOf));
  return { meta, manifest, records, clock };
}

/** Writes a checked file (checkFile) into the store, whose vault must not exist yet. */
export async function writeFile(store, { meta, manifest, records, clock }) {
  const database = await store.db();
  const writing = database.transaction(["meta", "records"], "readwrite");
  const done = finished(writing);
  writing.objectStore("meta").add(meta, META_KEY);
  writing.objectStore("meta").put({ clock, tombstones: {} }, STATE_KEY);
  if (manifest) writing.objectStore("meta").put(manifest, IMPORTED_KEY);
  for (const record of records) writing.objectStore("records").put(record);
  try {
    await done;
  } catch (error) {
    if (error && error.name === "ConstraintError") {
      throw new VaultError(
        "exists",
        "There is already a vault on this device; nothing was imported.",
      );
    }
    throw error;
  }
  return records.length;
}

/**
 * On every unlock. Format 1 records have no counter: each is sealed again under format 2 with a fresh counter
 * (same id, kind, value and updatedAt); does nothing once migrated.
 * A record that doesn't open stays as it is, and is still listed as damaged.
 */
export async function migrate(store, dataKey) {
  const database = await store.db();
  const reading = database.transaction(["meta", "records"]);
  const stored = await requested(reading.objectStore("records").getAll());
  const hasState = await requested(reading.objectStore("meta").get(STATE_KEY));
  const imported = await requested(reading.objectStore("meta").get(IMPORTED_KEY));
  const old = stored.filter((record) => record.version === 1);
  for (const record of old) {
    let opened;
    try {
      opened = await openRecord(dataKey, record);
    } catch (error) {
      if (error.code === "damaged-record") continue;
      throw error;
    }
    const counter = await store.tick();
    const sealed = await sealRecord(dataKey, opened.kind, opened.id, opened.value, counter);
    sealed.updatedAt = record.updatedAt;
    await store.change(async (_state, records) => {
      const now = await requested(records.get(record.id));
      if (now && now.iv === record.iv) records.put(sealed); // unless another tab saved it
    });
  }
  if (!hasState) await store.change(async () => undefined);
  if (imported) await adopt(store, dataKey, imported);
}

/**
 * The first unlock after importing a file (or restoring a server backup): its manifest's
 * tombstones become this vault's, so the deletions it carried travel on with the next backup.
 * A manifest that doesn't open with this key is dropped: each record is still checked alone.
 */
async function adopt(store, dataKey, sealed) {
  const manifest = await unsealManifest(dataKey, sealed).catch((error) => {
    if (error.code !== "damaged-manifest") throw error;
    return null;
  });
  await store.change(async (state, records) => {
    const meta = records.transaction.objectStore("meta");
    const still = await requested(meta.get(IMPORTED_KEY));
    if (!still || still.ciphertext !== sealed.ciphertext) return; // another tab got there
    meta.delete(IMPORTED_KEY);
    if (!manifest) return;
    for (const [id, counter] of Object.entries(manifest.tombstones)) {
      if ((await requested(records.get(id))) !== undefined) continue;
      const before = Object.hasOwn(state.tombstones, id) ? state.tombstones[id] : 0;
      state.tombstones[id] = Math.max(before, counter);
    }
    state.clock = Math.max(state.clock, manifest.counter);
  });
}
