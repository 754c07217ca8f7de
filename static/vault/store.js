// The vault's IndexedDB database, one per vault: "meta" holds the header and wrapped key under
// the key "vault", beside the vault's state; "records" holds encrypted records by id, indexed by
// kind. Everything here is stored encrypted or is not secret, so none of it needs the key.

import { byId, counterOf, sealedCopy, VaultError } from "vault/format";

export const META_KEY = "vault";
// Beside the header in "meta", in the clear like the ids: {clock, tombstones: {id: counter}}.
export const STATE_KEY = "state";
// An imported file's sealed manifest, kept until the first unlock can open it.
export const IMPORTED_KEY = "imported";

// The vault's own state, beside the header: its clock (the largest counter it has handed out or
// seen) and its tombstones. A format 1 vault has none yet: its clock starts at its records'.
export async function readState(transaction) {
  const kept = await requested(transaction.objectStore("meta").get(STATE_KEY));
  if (kept) return { clock: kept.clock, tombstones: { ...kept.tombstones } };
  const records = await requested(transaction.objectStore("records").getAll());
  return { clock: Math.max(0, ...records.map(counterOf)), tombstones: {} };
}

export function openDatabase(name) {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(`vault-${name}`, 1);
    opening.onupgradeneeded = () => {
      const database = opening.result;
      database.createObjectStore("meta");
      database.createObjectStore("records", { keyPath: "id" }).createIndex("kind", "kind");
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

export function requested(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    // The failing request's error: the transaction's own is only set after this event.
    transaction.onerror = (event) => reject(event.target.error);
    transaction.onabort = () =>
      reject(transaction.error || new DOMException("Aborted", "AbortError"));
  });
}

/**
 * Whether the record with this id is still the one a merge read (`iv`, or null for "none"):
 * a merge runs while the person keeps typing, and an edit saved meanwhile must never be
 * replaced by the server's older copy. `undefined` means "whatever is there".
 */
export async function stillAsSeen(records, id, iv) {
  if (iv === undefined) return true;
  const now = await requested(records.get(id));
  return (now ? now.iv : null) === iv;
}

/** One vault's database, opened on first use and again after another tab closed it. */
export class VaultStore {
  #name;
  #database = null;

  constructor(name) {
    this.#name = name;
  }

  async db() {
    if (!this.#database) {
      this.#database = openDatabase(this.#name).then((database) => {
        // Let another tab upgrade or delete the database; reopen on next use.
        database.onversionchange = () => {
          database.close();
          this.#database = null;
        };
        database.onclose = () => {
          this.#database = null;
        };
        return database;
      });
      this.#database.catch(() => {
        this.#database = null;
      });
    }
    return this.#database;
  }

  async meta() {
    const database = await this.db();
    return requested(database.transaction("meta").objectStore("meta").get(META_KEY));
  }

  /**
   * Runs `work(state, records)` in one readwrite transaction over "meta" and "records", and
   * saves the state it changed. `work` may only wait for IndexedDB requests, never for crypto.
   */
  async change(work) {
    const database = await this.db();
    const writing = database.transaction(["meta", "records"], "readwrite");
    const done = finished(writing);
    let result;
    try {
      const state = await readState(writing);
      result = await work(state, writing.objectStore("records"));
      writing.objectStore("meta").put(state, STATE_KEY);
    } catch (error) {
      done.catch(() => undefined);
      try {
        writing.abort();
      } catch {
        // already finished
      }
      throw error;
    }
    await done;
    return result;
  }

  /** The next counter: one more than any this vault has handed out or seen. */
  tick() {
    return this.change(async (state) => {
      state.clock += 1;
      return state.clock;
    });
  }

  /** Stores a new vault's header and wrapped key; refuses (`exists`) if it has one already. */
  async addMeta(meta) {
    const database = await this.db();
    const writing = database.transaction("meta", "readwrite");
    // add(), not put(): if another tab made a vault meanwhile, fail rather than orphan its records.
    writing.objectStore("meta").add(meta, META_KEY);
    try {
      await finished(writing);
    } catch (error) {
      if (error && error.name === "ConstraintError") {
        throw new VaultError("exists", "There is already a vault on this device.");
      }
      throw error;
    }
  }

  /** Replaces the header and wrapped key, unless another tab changed them since `current`. */
  async replaceMeta(current, meta) {
    const database = await this.db();
    const writing = database.transaction("meta", "readwrite");
    const store = writing.objectStore("meta");
    const latest = await requested(store.get(META_KEY));
    // If another tab changed the passphrase meanwhile, keep its change rather than undo it.
    const unlocksOf = (meta) => JSON.stringify(meta.unlocks ?? null);
    if (
      !latest ||
      latest.keyWrap.wrappedKey !== current.keyWrap.wrappedKey ||
      unlocksOf(latest) !== unlocksOf(current)
    ) {
      writing.abort();
      throw new VaultError(
        "changed",
        "The passphrase was changed in another tab. Please try again.",
      );
    }
    store.put(meta, META_KEY);
    await finished(writing);
  }

  /** {clock, tombstones: {id: counter}}: not secret, and readable while locked. */
  async state() {
    const database = await this.db();
    return readState(database.transaction(["meta", "records"]));
  }

  /** Every record as stored (still encrypted), in id order; readable while locked. */
  async sealedRecords() {
    const database = await this.db();
    const records = await requested(
      database.transaction("records").objectStore("records").getAll(),
    );
    return records.sort(byId).map(sealedCopy);
  }
}
