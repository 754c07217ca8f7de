// Taking in another copy of this vault, for merging two phones' backups (docs/vault-format.md,
// "Merging two backups"; static/backup/merge.js decides what to take): a deletion, a counter,
// an encrypted record kept exactly as it is. Each write is one IndexedDB transaction that first
// checks the record is still the one the merge read.

import { openRecord, sealRecord } from "vault/crypto";
import { checkLabel, checkStoredRecord, isCounter, VaultError } from "vault/format";
import { stillAsSeen } from "vault/store";

/**
 * Takes a deletion from another copy of this vault (a server backup's manifest): the record
 * goes, and the tombstone keeps the larger counter.
 */
export async function buryRecord(store, id, counter, onlyIfIv) {
  checkLabel(id, "id");
  if (!isCounter(counter)) throw new VaultError("bad-argument", "A tombstone needs a counter.");
  await store.change(async (state, records) => {
    if (!(await stillAsSeen(records, id, onlyIfIv))) return;
    records.delete(id);
    const before = Object.hasOwn(state.tombstones, id) ? state.tombstones[id] : 0;
    state.tombstones[id] = Math.max(before, counter);
    state.clock = Math.max(state.clock, counter);
  });
}

/** After merging another copy: the next counter will be above every counter it held. */
export async function advanceClock(store, counter) {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new VaultError("bad-argument", "A counter is a whole number.");
  }
  await store.change(async (state) => {
    state.clock = Math.max(state.clock, counter);
  });
}

/**
 * Keeps an encrypted record from another copy of this vault exactly as it is (same id, IV,
 * ciphertext and updatedAt), replacing any record with its id. It is stored only if this
 * vault's data key opens it, so nothing foreign or damaged gets in (`damaged-record`).
 */
export async function keepSealed(store, dataKey, record, onlyIfIv) {
  const checked = checkStoredRecord(record);
  const opened = await openRecord(dataKey, checked);
  let keep = checked;
  if (checked.version === 1) {
    // A format 1 record from an older backup is migrated as it comes in.
    keep = await sealRecord(dataKey, opened.kind, opened.id, opened.value, await store.tick());
    keep.updatedAt = checked.updatedAt;
  }
  await store.change(async (state, records) => {
    if (!(await stillAsSeen(records, keep.id, onlyIfIv))) return;
    records.put(keep);
    delete state.tombstones[keep.id];
    state.clock = Math.max(state.clock, keep.counter);
  });
  return checked.id;
}
