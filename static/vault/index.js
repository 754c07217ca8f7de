// The vault: a worker's private notes, encrypted in the browser and kept in IndexedDB.
//
// docs/design.md "The data rule": private data never leaves the device in plaintext, and nobody can
// recover it without the worker's passphrase. The exact format, and how to read it without this
// file, is in docs/vault-format.md; tests/vault_format.py reads it in Python.
//
//   const vault = openVault("u42");
//   if (!(await vault.exists())) await vault.create(passphrase);
//   else await vault.unlock(passphrase);
//   await vault.put("shoulds", "shoulds-2024-05-01", { lines: ["I should…"] });
//   vault.lock();

// Format 2 (issue 11): every record carries a counter that only grows, bound into its additional
// data, and the export file carries a sealed manifest of every record and every deletion, so a
// server can neither roll a record back nor bring a deleted one back. Format 1 is still read,
// and migrated on the first unlock (docs/vault-format.md, "Format 1").

import {
  openMeta,
  openRecord,
  sealRecord,
  subtle,
  unsealManifest,
  wrapDataKey,
} from "vault/crypto";
import { checkFile, exportFile, migrate, parseFile, writeFile } from "vault/file";
import {
  byId,
  checkLabel,
  checkPassphrase,
  DEFAULT_ITERATIONS,
  locked,
  toBase64url,
  VAULT_NAME,
  VaultError,
} from "vault/format";
import { advanceClock, buryRecord, keepSealed } from "vault/merge";
import { requested, VaultStore } from "vault/store";
import {
  checkUnlocks,
  newRecoveryKey,
  openWithPasskey,
  openWithRecoveryKey,
  prfSaltOf,
  UNLOCKS_VERSION,
  wrapForPasskey,
} from "vault/unlocks";

export {
  DEFAULT_ITERATIONS,
  FORMAT_VERSION,
  HEADER_VERSION,
  KDF_NAME,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  MIN_SALT_BYTES,
  VaultError,
} from "vault/format";

// Issue 27: when the oldest change not yet in a backup was made, kept in localStorage per vault
// (not secret: a date only). Set by the first change after a backup, cleared by the next backup,
// so the vault screen reminds gently only once a note has waited 14 days, never before anything
// was written.
const UNSAVED_SETTING = "wellbeing:vault-unsaved-since:";

function noteUnsaved(name) {
  try {
    const key = UNSAVED_SETTING + name;
    if (!localStorage.getItem(key)) localStorage.setItem(key, new Date().toISOString());
  } catch {
    // No localStorage (a private window that refuses it): no reminder, nothing else changes.
  }
}

/** The date of the oldest change to this vault not yet in a backup, or null. */
export function unsavedSince(vault) {
  try {
    const text = localStorage.getItem(UNSAVED_SETTING + vault.name);
    const date = text ? new Date(text) : null;
    return date && !Number.isNaN(date.getTime()) ? date : null;
  } catch {
    return null;
  }
}

/** Everything in this vault is in a backup now (a file, or the server's copy). */
export function markSaved(vault) {
  try {
    localStorage.removeItem(UNSAVED_SETTING + vault.name);
  } catch {
    // as above
  }
}

class Vault {
  #name;
  #store;
  // The only copy of the data key: non-extractable, and null whenever the vault is locked.
  #dataKey = null;
  // Counts lock() calls, so a lock pressed while unlocking is still working wins.
  #locks = 0;

  constructor(name) {
    this.#name = name;
    this.#store = new VaultStore(name);
  }

  get name() {
    return this.#name;
  }

  #key() {
    if (!this.#dataKey) throw locked();
    return this.#dataKey;
  }

  #keep(dataKey, locksBefore) {
    if (this.#locks === locksBefore) this.#dataKey = dataKey;
  }

  async exists() {
    return (await this.#store.meta()) !== undefined;
  }

  isUnlocked() {
    return this.#dataKey !== null;
  }

  /** Makes a new vault and leaves it unlocked. */
  async create(passphrase, { iterations = DEFAULT_ITERATIONS } = {}) {
    const locksBefore = this.#locks;
    checkPassphrase(passphrase);
    if (await this.exists()) {
      throw new VaultError("exists", "There is already a vault on this device.");
    }
    // Extractable only so it can be wrapped; it goes out of scope when this function returns.
    const extractable = await subtle().generateKey({ name: "AES-GCM", length: 256 }, true, [
      "encrypt",
      "decrypt",
    ]);
    const { meta, dataKey } = await wrapDataKey(extractable, passphrase, iterations);
    await this.#store.addMeta(meta);
    this.#keep(dataKey, locksBefore);
  }

  async unlock(passphrase) {
    const locksBefore = this.#locks;
    checkPassphrase(passphrase);
    const dataKey = await openMeta(passphrase, await this.#store.meta(), false);
    await migrate(this.#store, dataKey);
    this.#keep(dataKey, locksBefore);
  }

  /** Forgets the data key at once. docs/design.md: a locked vault holds no key in memory. */
  lock() {
    this.#locks += 1;
    this.#dataKey = null;
  }

  /** Encrypts and saves `value`, any JSON value; a missing id gets a random one. Returns the id. */
  async put(kind, id, value) {
    const dataKey = this.#key();
    const recordId = id ?? crypto.randomUUID();
    checkLabel(kind, "kind");
    checkLabel(recordId, "id");
    const counter = await this.#store.tick();
    const record = await sealRecord(dataKey, kind, recordId, value, counter);
    await this.#store.change(async (state, records) => {
      records.put(record);
      // Saved again after a deletion: it is alive, with a counter above its tombstone's.
      delete state.tombstones[recordId];
    });
    noteUnsaved(this.#name);
    return recordId;
  }

  /** {id, kind, updatedAt, value}, or null if there is no such record. */
  async get(id) {
    const dataKey = this.#key();
    checkLabel(id, "id");
    const database = await this.#store.db();
    const stored = await requested(database.transaction("records").objectStore("records").get(id));
    return stored === undefined ? null : openRecord(dataKey, stored);
  }

  /**
   * Every record of one kind (or all, without a kind), in id order. A record that can't be
   * opened comes back as {id, kind, updatedAt, error} so the rest are never lost with it.
   */
  async list(kind) {
    const dataKey = this.#key();
    if (kind !== undefined) checkLabel(kind, "kind");
    const database = await this.#store.db();
    const store = database.transaction("records").objectStore("records");
    const stored = await requested(
      kind === undefined ? store.getAll() : store.index("kind").getAll(kind),
    );
    stored.sort(byId);
    return Promise.all(
      stored.map((record) =>
        openRecord(dataKey, record).catch((error) => {
          if (error.code !== "damaged-record") throw error;
          return { id: record.id, kind: record.kind, updatedAt: record.updatedAt, error };
        }),
      ),
    );
  }

  /**
   * Deletes a record and leaves a tombstone with a fresh counter in its place, so the deletion
   * travels with the next backup and the record can't come back from an older copy.
   */
  async remove(id) {
    this.#key();
    checkLabel(id, "id");
    await this.#store.change(async (state, records) => {
      if ((await requested(records.get(id))) === undefined) return;
      state.clock += 1;
      state.tombstones[id] = state.clock;
      records.delete(id);
    });
    noteUnsaved(this.#name);
  }

  /** Takes a deletion from another copy of this vault (vault/merge.js, `buryRecord`). */
  async bury(id, counter, onlyIfIv) {
    this.#key();
    await buryRecord(this.#store, id, counter, onlyIfIv);
  }

  /** After merging another copy: the next counter will be above every counter it held. */
  async advanceClock(counter) {
    await advanceClock(this.#store, counter);
  }

  /** {clock, tombstones: {id: counter}}: not secret, and readable while locked. */
  state() {
    return this.#store.state();
  }

  /** Every record as stored (still encrypted), in id order; readable while locked. */
  sealedRecords() {
    return this.#store.sealedRecords();
  }

  /**
   * Opens and checks the manifest of an export file of this vault (format 2) with this vault's
   * data key: {counter, records: {id: {counter, iv}}, tombstones: {id: counter}}. Refuses with
   * `damaged-manifest` one that was changed, or made with another data key.
   */
  async openManifest(file) {
    const dataKey = this.#key();
    return unsealManifest(dataKey, file?.manifest);
  }

  /**
   * Re-wraps the data key under a new passphrase (and a new salt). Records are not touched:
   * they stay encrypted under the same data key. Leaves the vault unlocked, like unlock().
   */
  async changePassphrase(oldPassphrase, newPassphrase, { iterations } = {}) {
    const locksBefore = this.#locks;
    checkPassphrase(oldPassphrase);
    checkPassphrase(newPassphrase);
    const current = await this.#store.meta();
    const extractable = await openMeta(oldPassphrase, current, true);
    // Never lower the work factor of an existing vault by accident.
    const { meta, dataKey } = await wrapDataKey(
      extractable,
      newPassphrase,
      iterations ?? Math.max(DEFAULT_ITERATIONS, current.header.iterations),
    );
    // The other unlocks wrap the same data key, so they keep working.
    await this.#store.replaceMeta(current, withUnlocks(meta, current.unlocks));
    this.#keep(dataKey, locksBefore);
  }

  /**
   * Every way this vault opens (issue 15), readable while locked, with nothing secret:
   * {passphrase: true, passkeys: [{credentialId, name}], recovery: bool, prfSalt: bytes}.
   * `prfSalt` is the salt a passkey is asked with; a vault without passkeys gets a new one.
   */
  async unlocks() {
    const meta = await this.#store.meta();
    const unlocks = checkUnlocks(meta?.unlocks);
    return {
      passphrase: Boolean(meta),
      passkeys: (unlocks.passkeys || []).map(({ credentialId, name }) => ({ credentialId, name })),
      recovery: Boolean(unlocks.recovery),
      prfSalt: prfSaltOf(unlocks),
    };
  }

  /** Opens the vault with a passkey's PRF output (the salt from unlocks()). */
  async unlockWithPasskey(credentialId, prf) {
    const locksBefore = this.#locks;
    const meta = await this.#store.meta();
    if (!meta) throw new VaultError("missing", "There is no vault on this device yet.");
    const dataKey = await openWithPasskey(meta.unlocks, credentialId, prf);
    await migrate(this.#store, dataKey);
    this.#keep(dataKey, locksBefore);
  }

  /**
   * Adds a passkey as another unlock: the passphrase is asked again, because wrapping needs
   * the one extractable copy of the data key. `prf` is the passkey's PRF output for prfSalt.
   */
  async addPasskey(passphrase, { credentialId, name, prfSalt, prf }) {
    checkPassphrase(passphrase);
    await this.#changeUnlocks(passphrase, async (unlocks, extractable) => {
      const passkeys = (unlocks.passkeys || []).filter((p) => p.credentialId !== credentialId);
      const salt = prfSaltOf(unlocks);
      if (unlocks.prfSalt && !sameBytes(salt, prfSalt)) {
        throw new VaultError("bad-argument", "The passkey was asked with another salt.");
      }
      const wrap = await wrapForPasskey(extractable, { credentialId, name, prfSalt, prf });
      return { ...unlocks, prfSalt: toBase64url(prfSalt), passkeys: [...passkeys, wrap] };
    });
  }

  /** Makes a new recovery key (replacing any earlier one) and returns its text, shown once. */
  async makeRecoveryKey(passphrase) {
    checkPassphrase(passphrase);
    let text;
    await this.#changeUnlocks(passphrase, async (unlocks, extractable) => {
      const made = await newRecoveryKey(extractable);
      text = made.text;
      return { ...unlocks, recovery: made.recovery };
    });
    return text;
  }

  /**
   * Removes a passkey's or the recovery key's unlock; the passphrase always stays, so this is
   * never the last one. Needs the vault open. Records are not touched.
   */
  async removeUnlock(kind, credentialId) {
    this.#key();
    const current = await this.#store.meta();
    const unlocks = checkUnlocks(current.unlocks);
    if (kind === "recovery") delete unlocks.recovery;
    else unlocks.passkeys = (unlocks.passkeys || []).filter((p) => p.credentialId !== credentialId);
    if (!unlocks.passkeys?.length) {
      delete unlocks.passkeys;
      delete unlocks.prfSalt;
    }
    await this.#store.replaceMeta(current, withUnlocks(current, unlocks));
  }

  /**
   * A forgotten passphrase: the recovery key opens the vault and a new passphrase replaces the
   * old one. The recovery key and passkeys keep working. Leaves the vault unlocked.
   */
  async recover(recoveryKey, newPassphrase) {
    const locksBefore = this.#locks;
    checkPassphrase(newPassphrase);
    const current = await this.#store.meta();
    if (!current) throw new VaultError("missing", "There is no vault on this device yet.");
    const extractable = await openWithRecoveryKey(current.unlocks, recoveryKey, true);
    const { meta, dataKey } = await wrapDataKey(
      extractable,
      newPassphrase,
      Math.max(DEFAULT_ITERATIONS, current.header.iterations),
    );
    await this.#store.replaceMeta(current, withUnlocks(meta, current.unlocks));
    await migrate(this.#store, dataKey);
    this.#keep(dataKey, locksBefore);
  }

  async #changeUnlocks(passphrase, change) {
    const current = await this.#store.meta();
    const extractable = await openMeta(passphrase, current, true);
    const unlocks = await change(checkUnlocks(current.unlocks), extractable);
    await this.#store.replaceMeta(current, withUnlocks(current, unlocks));
  }

  /**
   * Opens a record from another copy of this vault (a server backup) with this vault's data key:
   * {id, kind, updatedAt, value}. Refuses with `damaged-record` a record this key doesn't open.
   * For merging two phones' backups (docs/vault-format.md, "Merging two backups").
   */
  async openSealed(record) {
    return openRecord(this.#key(), record);
  }

  /** Keeps a record from another copy of this vault as it is (vault/merge.js, `keepSealed`). */
  async putSealed(record, onlyIfIv) {
    return keepSealed(this.#store, this.#key(), record, onlyIfIv);
  }

  /**
   * The export file (vault/file.js): the header, the wrapped key, the sealed manifest and every
   * record, all still encrypted, as one object; JSON.stringify gives the backup file's text.
   * Sealing the manifest needs the data key, so the vault must be unlocked.
   */
  async exportFile() {
    const meta = await this.#store.meta();
    if (!meta) throw new VaultError("missing", "There is no vault on this device yet.");
    return exportFile(this.#store, meta, this.#key());
  }

  /**
   * Restores an export file into this vault, which must not exist yet: `file` is a backup
   * file's text, or the file itself (a server backup, already parsed). The file is checked
   * (including the KDF minimums) before anything is written; the vault stays locked until the
   * worker unlocks it with the passphrase the file was made with. Returns the record count.
   */
  async importFile(file) {
    const checked = checkFile(typeof file === "string" ? parseFile(file) : file);
    const count = await writeFile(this.#store, checked);
    this.#dataKey = null;
    return count;
  }
}

function withUnlocks(meta, unlocks) {
  const { unlocks: _old, ...rest } = meta;
  const checked = checkUnlocks(unlocks && { ...unlocks, version: UNLOCKS_VERSION });
  return checked.passkeys || checked.recovery ? { ...rest, unlocks: checked } : rest;
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const opened = new Map();

/** The vault called `name` on this device (letters, digits, _ and -). One object per name. */
export function openVault(name) {
  if (typeof name !== "string" || !VAULT_NAME.test(name)) {
    throw new VaultError("bad-argument", "A vault name must be 1 to 64 letters, digits, _ or -.");
  }
  if (!opened.has(name)) opened.set(name, new Vault(name));
  return opened.get(name);
}

/** Locks every vault this page has opened: for the lock button, sign-out and the idle timer. */
export function lockAll() {
  for (const vault of opened.values()) vault.lock();
}
