// The vault: a worker's private notes, encrypted in the browser and kept in IndexedDB.
//
// DESIGN "The data rule": private data never leaves the device in plaintext, and nobody can
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
export const FORMAT_VERSION = 2;
const RECORD_VERSIONS = [1, 2];
// The header (and so the key wrap's additional data) is unchanged since format 1.
export const HEADER_VERSION = 1;
export const KDF_NAME = "PBKDF2-SHA256";
// OWASP Password Storage Cheat Sheet (2023): PBKDF2-HMAC-SHA256 needs at least 600,000.
export const MIN_ITERATIONS = 600_000;
export const DEFAULT_ITERATIONS = MIN_ITERATIONS;
// A file or server could ask for billions of iterations and freeze the phone; this is ~15 s.
export const MAX_ITERATIONS = 10_000_000;
export const MIN_SALT_BYTES = 16;
const MAX_SALT_BYTES = 64;
const SALT_BYTES = 16;
// AES-GCM's standard nonce: 96 bits, random for every encryption.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const EXPORT_FORMAT = "wellbeing-vault-export";
// Ids and kinds are stored in the clear (IndexedDB keys, the export file), so they are plain
// ASCII labels: that also keeps their bytes in the additional data identical in every language.
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// Separates the two kinds of additional data, so one can never stand in for the other.
const KEY_WRAP_PURPOSE = "wellbeing-vault/key-wrap";
const RECORD_PURPOSE = "wellbeing-vault/record";
const MANIFEST_PURPOSE = "wellbeing-vault/manifest";
const META_KEY = "vault";
// Beside the header in "meta", in the clear like the ids: {clock, tombstones: {id: counter}}.
const STATE_KEY = "state";
// An imported file's sealed manifest, kept until the first unlock can open it.
const IMPORTED_KEY = "imported";

const encoder = new TextEncoder();
// Code-unit order, which for ASCII ids is the same as Python's sorted().
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Every refusal from the vault: `code` is for the app, `message` can be shown to the worker. */
export class VaultError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = "VaultError";
    this.code = code;
    Object.assign(this, details);
  }
}

const locked = () =>
  new VaultError("locked", "The vault is locked. Unlock it with your passphrase first.");
const wrongPassphrase = () =>
  new VaultError("wrong-passphrase", "That passphrase doesn't open this vault.");
const damaged = (id) =>
  new VaultError(
    "damaged-record",
    `The record "${id}" can't be opened: it was changed or damaged after it was saved.`,
    { recordId: id },
  );

function subtle() {
  // WebCrypto exists only in secure contexts (https, or localhost while developing).
  if (!globalThis.crypto || !crypto.subtle) {
    throw new VaultError("no-crypto", "The vault needs a secure (https) connection to work.");
  }
  return crypto.subtle;
}

function randomBytes(length) {
  return crypto.getRandomValues(new Uint8Array(length));
}

// Base64url without padding (RFC 4648 §5), for every byte string in storage and in files.
function toBase64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (let start = 0; start < view.length; start += 0x8000) {
    binary += String.fromCharCode(...view.subarray(start, start + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text, what) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new VaultError("bad-format", `The vault's ${what} is not valid base64url.`);
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

// Additional data is a run of fields, each a 4-byte big-endian length and then its bytes, so no
// two different lists of fields can ever give the same bytes. Strings are UTF-8, numbers decimal.
function lengthPrefixed(...parts) {
  const fields = parts.map((part) =>
    part instanceof Uint8Array ? part : encoder.encode(String(part)),
  );
  const joined = new Uint8Array(fields.reduce((total, field) => total + 4 + field.length, 0));
  const view = new DataView(joined.buffer);
  let offset = 0;
  for (const field of fields) {
    view.setUint32(offset, field.length);
    joined.set(field, offset + 4);
    offset += 4 + field.length;
  }
  return joined;
}

// Binds the whole header to the wrapped key: a server or file that hands back other settings
// than the ones the key was wrapped under makes the unwrap fail.
function keyWrapAdditionalData(header, salt) {
  return lengthPrefixed(KEY_WRAP_PURPOSE, header.version, header.kdf, header.iterations, salt);
}

// Binds each record to its id, kind and format version, so records can't be swapped or relabelled,
// and (format 2) to its counter, so an older save can't pass for a newer one.
function recordAdditionalData(id, kind, version, counter) {
  if (version === 1) return lengthPrefixed(RECORD_PURPOSE, version, id, kind);
  return lengthPrefixed(RECORD_PURPOSE, version, id, kind, counter);
}

// Binds the manifest to its purpose, the format version and its own counter.
function manifestAdditionalData(counter) {
  return lengthPrefixed(MANIFEST_PURPOSE, FORMAT_VERSION, counter);
}

const isCounter = (value) => Number.isSafeInteger(value) && value >= 1;

function checkLabel(value, what) {
  if (typeof value !== "string" || !LABEL.test(value)) {
    throw new VaultError(
      "bad-argument",
      `A record ${what} must be 1 to 128 letters, digits or . _ : - ` +
        `(got ${JSON.stringify(value)}).`,
    );
  }
}

function checkPassphrase(passphrase) {
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw new VaultError("bad-argument", "Please give a passphrase.");
  }
}

// The refusal DESIGN asks for: whoever supplies the settings (this app, IndexedDB, a server,
// an imported file), the vault never derives a key with less than the minimum.
function checkHeader(header) {
  if (!header || typeof header !== "object") {
    throw new VaultError("bad-format", "The vault's header is missing.");
  }
  if (header.version !== HEADER_VERSION) {
    throw new VaultError(
      "bad-format",
      `This vault uses format version ${JSON.stringify(header.version)}, ` +
        "which this app can't read.",
    );
  }
  if (header.kdf !== KDF_NAME) {
    throw new VaultError(
      "weak-kdf",
      `Refusing key settings ${JSON.stringify(header.kdf)}: only ${KDF_NAME} is accepted.`,
    );
  }
  const iterations = header.iterations;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS) {
    throw new VaultError(
      "weak-kdf",
      `Refusing weak key settings: ${JSON.stringify(iterations)} PBKDF2 iterations, ` +
        `but at least ${MIN_ITERATIONS.toLocaleString("en")} are required.`,
    );
  }
  if (iterations > MAX_ITERATIONS) {
    throw new VaultError(
      "bad-format",
      `Refusing key settings: ${iterations} PBKDF2 iterations is more than ` +
        `${MAX_ITERATIONS.toLocaleString("en")} and would freeze this device.`,
    );
  }
  const salt = fromBase64url(header.salt, "salt");
  if (salt.length < MIN_SALT_BYTES) {
    throw new VaultError(
      "weak-kdf",
      `Refusing weak key settings: a ${salt.length}-byte salt, ` +
        `but at least ${MIN_SALT_BYTES} bytes are required.`,
    );
  }
  if (salt.length > MAX_SALT_BYTES) {
    throw new VaultError("bad-format", `The vault's salt is longer than ${MAX_SALT_BYTES} bytes.`);
  }
  const { version, kdf } = header;
  return { header: { version, kdf, iterations, salt: header.salt }, salt };
}

function checkKeyWrap(keyWrap) {
  if (!keyWrap || typeof keyWrap !== "object") {
    throw new VaultError("bad-format", "The vault's wrapped key is missing.");
  }
  const iv = fromBase64url(keyWrap.iv, "key IV");
  const wrappedKey = fromBase64url(keyWrap.wrappedKey, "wrapped key");
  if (iv.length !== IV_BYTES || wrappedKey.length !== DATA_KEY_BYTES + TAG_BYTES) {
    throw new VaultError("bad-format", "The vault's wrapped key has the wrong length.");
  }
  return { keyWrap: { iv: keyWrap.iv, wrappedKey: keyWrap.wrappedKey }, iv, wrappedKey };
}

function checkStoredRecord(record) {
  if (!record || typeof record !== "object") {
    throw new VaultError("bad-format", "A vault record is not an object.");
  }
  checkLabel(record.id, "id");
  checkLabel(record.kind, "kind");
  if (!RECORD_VERSIONS.includes(record.version)) {
    throw new VaultError("bad-format", `The record "${record.id}" has an unknown format version.`);
  }
  if (record.version === 2 && !isCounter(record.counter)) {
    throw new VaultError("bad-format", `The record "${record.id}" has no counter.`);
  }
  if (typeof record.updatedAt !== "string") {
    throw new VaultError("bad-format", `The record "${record.id}" has no updatedAt time.`);
  }
  const iv = fromBase64url(record.iv, `IV of record "${record.id}"`);
  const ciphertext = fromBase64url(record.ciphertext, `ciphertext of record "${record.id}"`);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new VaultError("bad-format", `The record "${record.id}" has the wrong length.`);
  }
  const { id, kind, version, updatedAt } = record;
  const counter = version === 1 ? {} : { counter: record.counter };
  return { id, kind, version, ...counter, iv: record.iv, ciphertext: record.ciphertext, updatedAt };
}

/** A record's counter: format 1 records (not yet migrated) count as 0. */
const counterOf = (record) => (record.version === 1 ? 0 : record.counter);

/** The manifest as a file carries it: {counter, iv, ciphertext}, checked for shape only. */
function checkSealedManifest(manifest) {
  if (!manifest || typeof manifest !== "object" || !isCounter(manifest.counter)) {
    throw new VaultError("bad-format", "The vault's manifest is missing or has no counter.");
  }
  const iv = fromBase64url(manifest.iv, "manifest IV");
  const ciphertext = fromBase64url(manifest.ciphertext, "manifest");
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new VaultError("bad-format", "The vault's manifest has the wrong length.");
  }
  return { counter: manifest.counter, iv: manifest.iv, ciphertext: manifest.ciphertext };
}

// The passphrase is NFC-normalised first, so "é" typed on any keyboard gives the same key.
async function deriveKeyEncryptionKey(passphrase, iterations, salt) {
  const material = await subtle().importKey(
    "raw",
    encoder.encode(passphrase.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return subtle().deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false, // DESIGN: keys are non-extractable; this one only wraps and unwraps the data key.
    ["wrapKey", "unwrapKey"],
  );
}

// `extractable` is true only while changing the passphrase, for the moment it takes to re-wrap.
async function unwrapDataKey(keyEncryptionKey, checked, wrap, extractable) {
  try {
    return await subtle().unwrapKey(
      "raw",
      wrap.wrappedKey,
      keyEncryptionKey,
      {
        name: "AES-GCM",
        iv: wrap.iv,
        additionalData: keyWrapAdditionalData(checked.header, checked.salt),
      },
      { name: "AES-GCM", length: 256 },
      extractable,
      ["encrypt", "decrypt"],
    );
  } catch (error) {
    // GCM can't tell a wrong passphrase from an altered header: both fail the tag check.
    if (error && error.name === "OperationError") throw wrongPassphrase();
    throw error;
  }
}

async function wrapDataKey(extractableDataKey, passphrase, iterations) {
  const checked = checkHeader({
    version: HEADER_VERSION,
    kdf: KDF_NAME,
    iterations,
    salt: toBase64url(randomBytes(SALT_BYTES)),
  });
  const keyEncryptionKey = await deriveKeyEncryptionKey(passphrase, iterations, checked.salt);
  const iv = randomBytes(IV_BYTES);
  const wrappedKey = await subtle().wrapKey("raw", extractableDataKey, keyEncryptionKey, {
    name: "AES-GCM",
    iv,
    additionalData: keyWrapAdditionalData(checked.header, checked.salt),
  });
  const meta = {
    header: checked.header,
    keyWrap: { iv: toBase64url(iv), wrappedKey: toBase64url(wrappedKey) },
  };
  // Hand back a non-extractable copy to keep in memory; the extractable one is dropped.
  const wrap = { iv, wrappedKey: new Uint8Array(wrappedKey) };
  const dataKey = await unwrapDataKey(keyEncryptionKey, checked, wrap, false);
  return { meta, dataKey };
}

async function openMeta(passphrase, meta, extractable) {
  if (!meta) throw new VaultError("missing", "There is no vault on this device yet.");
  const checked = checkHeader(meta.header);
  const wrap = checkKeyWrap(meta.keyWrap);
  const keyEncryptionKey = await deriveKeyEncryptionKey(
    passphrase,
    checked.header.iterations,
    checked.salt,
  );
  return unwrapDataKey(keyEncryptionKey, checked, wrap, extractable);
}

/**
 * Whether the record with this id is still the one a merge read (`iv`, or null for "none"):
 * a merge runs while the person keeps typing, and an edit saved meanwhile must never be
 * replaced by the server's older copy. `undefined` means "whatever is there".
 */
async function stillAsSeen(records, id, iv) {
  if (iv === undefined) return true;
  const now = await requested(records.get(id));
  return (now ? now.iv : null) === iv;
}

async function sealRecord(dataKey, kind, id, value, counter) {
  const plaintext = JSON.stringify(value);
  if (plaintext === undefined) {
    throw new VaultError("bad-argument", `The record "${id}" has no JSON value to save.`);
  }
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle().encrypt(
    {
      name: "AES-GCM",
      iv,
      additionalData: recordAdditionalData(id, kind, FORMAT_VERSION, counter),
    },
    dataKey,
    encoder.encode(plaintext),
  );
  return {
    id,
    kind,
    version: FORMAT_VERSION,
    counter,
    iv: toBase64url(iv),
    ciphertext: toBase64url(ciphertext),
    updatedAt: new Date().toISOString(),
  };
}

async function openRecord(dataKey, stored) {
  const id = stored && typeof stored.id === "string" ? stored.id : "(no id)";
  let record;
  let plaintext;
  try {
    record = checkStoredRecord(stored);
    plaintext = await subtle().decrypt(
      {
        name: "AES-GCM",
        iv: fromBase64url(record.iv, "IV"),
        additionalData: recordAdditionalData(
          record.id,
          record.kind,
          record.version,
          record.counter,
        ),
      },
      dataKey,
      fromBase64url(record.ciphertext, "ciphertext"),
    );
  } catch (error) {
    // A failed tag check, or a record whose stored fields make no sense: either way, damaged.
    if (error instanceof VaultError || (error && error.name === "OperationError")) {
      throw damaged(id);
    }
    throw error;
  }
  return {
    id: record.id,
    kind: record.kind,
    updatedAt: record.updatedAt,
    value: JSON.parse(decoder.decode(plaintext)),
  };
}

const damagedManifest = () =>
  new VaultError(
    "damaged-manifest",
    "The list of notes that came with this copy can't be opened: it was changed or damaged, " +
      "or it belongs to another private space.",
  );

// The same fields as in IndexedDB, in the documented order, and nothing else.
function sealedCopy(record) {
  const { id, kind, version, iv, ciphertext, updatedAt } = record;
  const counter = version === 1 ? {} : { counter: record.counter };
  return { id, kind, version, ...counter, iv, ciphertext, updatedAt };
}

/** The manifest's plaintext: every record's counter and IV, every deletion's counter. */
function manifestOf(counter, records, tombstones) {
  const listed = {};
  for (const record of [...records].sort(byId)) {
    listed[record.id] = { counter: counterOf(record), iv: record.iv };
  }
  const gone = {};
  for (const id of Object.keys(tombstones).sort()) gone[id] = tombstones[id];
  return { counter, records: listed, tombstones: gone };
}

async function sealManifest(dataKey, manifest) {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: manifestAdditionalData(manifest.counter) },
    dataKey,
    encoder.encode(JSON.stringify(manifest)),
  );
  return { counter: manifest.counter, iv: toBase64url(iv), ciphertext: toBase64url(ciphertext) };
}

function checkManifest(manifest, counter) {
  const isObject = (value) => value && typeof value === "object" && !Array.isArray(value);
  if (!isObject(manifest) || manifest.counter !== counter) return false;
  if (!isObject(manifest.records) || !isObject(manifest.tombstones)) return false;
  for (const [id, entry] of Object.entries(manifest.records)) {
    if (!LABEL.test(id) || !isObject(entry) || typeof entry.iv !== "string") return false;
    if (!(entry.counter === 0 || isCounter(entry.counter))) return false;
  }
  for (const [id, gone] of Object.entries(manifest.tombstones)) {
    if (!LABEL.test(id) || !isCounter(gone) || Object.hasOwn(manifest.records, id)) return false;
  }
  return true;
}

async function unsealManifest(dataKey, sealed) {
  let manifest;
  let checked;
  try {
    checked = checkSealedManifest(sealed);
    const plaintext = await subtle().decrypt(
      {
        name: "AES-GCM",
        iv: fromBase64url(checked.iv, "manifest IV"),
        additionalData: manifestAdditionalData(checked.counter),
      },
      dataKey,
      fromBase64url(checked.ciphertext, "manifest"),
    );
    manifest = JSON.parse(decoder.decode(plaintext));
  } catch (error) {
    if (error instanceof VaultError && error.code === "no-crypto") throw error;
    throw damagedManifest();
  }
  if (!checkManifest(manifest, checked.counter)) throw damagedManifest();
  return manifest;
}

// The vault's own state, beside the header: its clock (the largest counter it has handed out or
// seen) and its tombstones. A format 1 vault has none yet: its clock starts at its records'.
async function readState(transaction) {
  const kept = await requested(transaction.objectStore("meta").get(STATE_KEY));
  if (kept) return { clock: kept.clock, tombstones: { ...kept.tombstones } };
  const records = await requested(transaction.objectStore("records").getAll());
  return { clock: Math.max(0, ...records.map(counterOf)), tombstones: {} };
}

// IndexedDB, one database per vault: "meta" holds the header and wrapped key under the key
// "vault"; "records" holds encrypted records by id, indexed by kind.
function openDatabase(name) {
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

function requested(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    // The failing request's error: the transaction's own is only set after this event.
    transaction.onerror = (event) => reject(event.target.error);
    transaction.onabort = () =>
      reject(transaction.error || new DOMException("Aborted", "AbortError"));
  });
}

class Vault {
  #name;
  #database = null;
  // The only copy of the data key: non-extractable, and null whenever the vault is locked.
  #dataKey = null;
  // Counts lock() calls, so a lock pressed while unlocking is still working wins.
  #locks = 0;

  constructor(name) {
    this.#name = name;
  }

  get name() {
    return this.#name;
  }

  async #db() {
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

  async #meta() {
    const database = await this.#db();
    return requested(database.transaction("meta").objectStore("meta").get(META_KEY));
  }

  #key() {
    if (!this.#dataKey) throw locked();
    return this.#dataKey;
  }

  #keep(dataKey, locksBefore) {
    if (this.#locks === locksBefore) this.#dataKey = dataKey;
  }

  /**
   * Runs `work(state, records)` in one readwrite transaction over "meta" and "records", and
   * saves the state it changed. `work` may only wait for IndexedDB requests, never for crypto.
   */
  async #change(work) {
    const database = await this.#db();
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
  #tick() {
    return this.#change(async (state) => {
      state.clock += 1;
      return state.clock;
    });
  }

  /**
   * Format 1 records have no counter: each is sealed again under format 2 with a fresh counter
   * (same id, kind, value and updatedAt). Runs on every unlock; does nothing once migrated.
   * A record that doesn't open stays as it is, and is still listed as damaged.
   */
  async #migrate(dataKey) {
    const database = await this.#db();
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
      const counter = await this.#tick();
      const sealed = await sealRecord(dataKey, opened.kind, opened.id, opened.value, counter);
      sealed.updatedAt = record.updatedAt;
      await this.#change(async (_state, records) => {
        const now = await requested(records.get(record.id));
        if (now && now.iv === record.iv) records.put(sealed); // unless another tab saved it
      });
    }
    if (!hasState) await this.#change(async () => undefined);
    if (imported) await this.#adopt(dataKey, imported);
  }

  /**
   * The first unlock after importing a file (or restoring a server backup): its manifest's
   * tombstones become this vault's, so the deletions it carried travel on with the next backup.
   * A manifest that doesn't open with this key is dropped: each record is still checked alone.
   */
  async #adopt(dataKey, sealed) {
    const manifest = await unsealManifest(dataKey, sealed).catch((error) => {
      if (error.code !== "damaged-manifest") throw error;
      return null;
    });
    await this.#change(async (state, records) => {
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

  async exists() {
    return (await this.#meta()) !== undefined;
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
    const database = await this.#db();
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
    this.#keep(dataKey, locksBefore);
  }

  async unlock(passphrase) {
    const locksBefore = this.#locks;
    checkPassphrase(passphrase);
    const dataKey = await openMeta(passphrase, await this.#meta(), false);
    await this.#migrate(dataKey);
    this.#keep(dataKey, locksBefore);
  }

  /** Forgets the data key at once. DESIGN: a locked vault holds no key in memory. */
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
    const counter = await this.#tick();
    const record = await sealRecord(dataKey, kind, recordId, value, counter);
    await this.#change(async (state, records) => {
      records.put(record);
      // Saved again after a deletion: it is alive, with a counter above its tombstone's.
      delete state.tombstones[recordId];
    });
    return recordId;
  }

  /** {id, kind, updatedAt, value}, or null if there is no such record. */
  async get(id) {
    const dataKey = this.#key();
    checkLabel(id, "id");
    const database = await this.#db();
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
    const database = await this.#db();
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
    await this.#change(async (state, records) => {
      if ((await requested(records.get(id))) === undefined) return;
      state.clock += 1;
      state.tombstones[id] = state.clock;
      records.delete(id);
    });
  }

  /**
   * Takes a deletion from another copy of this vault (a server backup's manifest): the record
   * goes, and the tombstone keeps the larger counter.
   */
  async bury(id, counter, onlyIfIv) {
    this.#key();
    checkLabel(id, "id");
    if (!isCounter(counter)) throw new VaultError("bad-argument", "A tombstone needs a counter.");
    await this.#change(async (state, records) => {
      if (!(await stillAsSeen(records, id, onlyIfIv))) return;
      records.delete(id);
      const before = Object.hasOwn(state.tombstones, id) ? state.tombstones[id] : 0;
      state.tombstones[id] = Math.max(before, counter);
      state.clock = Math.max(state.clock, counter);
    });
  }

  /** After merging another copy: the next counter will be above every counter it held. */
  async advanceClock(counter) {
    if (!Number.isSafeInteger(counter) || counter < 0) {
      throw new VaultError("bad-argument", "A counter is a whole number.");
    }
    await this.#change(async (state) => {
      state.clock = Math.max(state.clock, counter);
    });
  }

  /** {clock, tombstones: {id: counter}}: not secret, and readable while locked. */
  async state() {
    const database = await this.#db();
    return readState(database.transaction(["meta", "records"]));
  }

  /** Every record as stored (still encrypted), in id order; readable while locked. */
  async sealedRecords() {
    const database = await this.#db();
    const records = await requested(
      database.transaction("records").objectStore("records").getAll(),
    );
    return records.sort(byId).map(sealedCopy);
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
    const current = await this.#meta();
    const extractable = await openMeta(oldPassphrase, current, true);
    // Never lower the work factor of an existing vault by accident.
    const { meta, dataKey } = await wrapDataKey(
      extractable,
      newPassphrase,
      iterations ?? Math.max(DEFAULT_ITERATIONS, current.header.iterations),
    );
    const database = await this.#db();
    const writing = database.transaction("meta", "readwrite");
    const store = writing.objectStore("meta");
    const latest = await requested(store.get(META_KEY));
    // If another tab changed the passphrase meanwhile, keep its change rather than undo it.
    if (!latest || latest.keyWrap.wrappedKey !== current.keyWrap.wrappedKey) {
      writing.abort();
      throw new VaultError(
        "changed",
        "The passphrase was changed in another tab. Please try again.",
      );
    }
    store.put(meta, META_KEY);
    await finished(writing);
    this.#keep(dataKey, locksBefore);
  }

  /**
   * Opens a record from another copy of this vault (a server backup) with this vault's data key:
   * {id, kind, updatedAt, value}. Refuses with `damaged-record` a record this key doesn't open.
   * For merging two phones' backups (docs/vault-format.md, "Merging two backups").
   */
  async openSealed(record) {
    return openRecord(this.#key(), record);
  }

  /**
   * Keeps an encrypted record from another copy of this vault exactly as it is (same id, IV,
   * ciphertext and updatedAt), replacing any record with its id. It is stored only if this
   * vault's data key opens it, so nothing foreign or damaged gets in (`damaged-record`).
   */
  async putSealed(record, onlyIfIv) {
    const dataKey = this.#key();
    const checked = checkStoredRecord(record);
    const opened = await openRecord(dataKey, checked);
    let keep = checked;
    if (checked.version === 1) {
      // A format 1 record from an older backup is migrated as it comes in.
      keep = await sealRecord(dataKey, opened.kind, opened.id, opened.value, await this.#tick());
      keep.updatedAt = checked.updatedAt;
    }
    await this.#change(async (state, records) => {
      if (!(await stillAsSeen(records, keep.id, onlyIfIv))) return;
      records.put(keep);
      delete state.tombstones[keep.id];
      state.clock = Math.max(state.clock, keep.counter);
    });
    return checked.id;
  }

  /**
   * One JSON text with the header, the wrapped key, the sealed manifest and every record, all
   * still encrypted. Sealing the manifest needs the data key, so the vault must be unlocked.
   * Every export takes a fresh counter for its manifest, so each is newer than the last.
   */
  async exportFile() {
    const meta = await this.#meta();
    if (!meta) throw new VaultError("missing", "There is no vault on this device yet.");
    const dataKey = this.#key();
    const { records, manifest } = await this.#change(async (state, store) => {
      const stored = await requested(store.getAll());
      state.clock += 1;
      return { records: stored, manifest: manifestOf(state.clock, stored, state.tombstones) };
    });
    records.sort(byId);
    return JSON.stringify({
      format: EXPORT_FORMAT,
      version: FORMAT_VERSION,
      exportedAt: new Date().toISOString(),
      header: meta.header,
      keyWrap: meta.keyWrap,
      manifest: await sealManifest(dataKey, manifest),
      records: records.map(sealedCopy),
    });
  }

  /**
   * Restores an exported file into this vault, which must not exist yet. The file is checked
   * (including the KDF minimums) before anything is written; the vault stays locked until the
   * worker unlocks it with the passphrase the file was made with. Returns the record count.
   */
  async importFile(text) {
    let file;
    try {
      file = JSON.parse(text);
    } catch {
      throw new VaultError("bad-file", "That file isn't a vault export.");
    }
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
    const database = await this.#db();
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
    this.#dataKey = null;
    return records.length;
  }
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
