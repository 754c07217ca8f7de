// The vault's format (docs/vault-format.md): its constants, its errors, bytes from base64url,
// and the checks every header, key wrap, record and manifest passes before anything uses it,
// wherever it came from (IndexedDB, a file, a server). Nothing here needs a key or a database.

import { fromBase64url, toBase64url } from "shared/http";

export const FORMAT_VERSION = 2;
export const RECORD_VERSIONS = [1, 2];
// The header (and so the key wrap's additional data) is unchanged since format 1.
export const HEADER_VERSION = 1;
export const KDF_NAME = "PBKDF2-SHA256";
// OWASP Password Storage Cheat Sheet (2023): PBKDF2-HMAC-SHA256 needs at least 600,000.
export const MIN_ITERATIONS = 600_000;
export const DEFAULT_ITERATIONS = MIN_ITERATIONS;
// A file or server could ask for billions of iterations and freeze the phone; this is ~15 s.
export const MAX_ITERATIONS = 10_000_000;
export const MIN_SALT_BYTES = 16;
export const MAX_SALT_BYTES = 64;
export const SALT_BYTES = 16;
// AES-GCM's standard nonce: 96 bits, random for every encryption.
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;
export const EXPORT_FORMAT = "wellbeing-vault-export";
// Ids and kinds are stored in the clear (IndexedDB keys, the export file), so they are plain
// ASCII labels: that also keeps their bytes in the additional data identical in every language.
export const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const encoder = new TextEncoder();
// Code-unit order, which for ASCII ids is the same as Python's sorted().
export const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
export const decoder = new TextDecoder("utf-8", { fatal: true });

/** Every refusal from the vault: `code` is for the app, `message` can be shown to the worker. */
export class VaultError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = "VaultError";
    this.code = code;
    Object.assign(this, details);
  }
}

export const locked = () =>
  new VaultError("locked", "The vault is locked. Unlock it with your passphrase first.");
export const wrongPassphrase = () =>
  new VaultError("wrong-passphrase", "That passphrase doesn't open this vault.");
export const damaged = (id) =>
  new VaultError(
    "damaged-record",
    `The record "${id}" can't be opened: it was changed or damaged after it was saved.`,
    { recordId: id },
  );

// Every byte string in storage and in files is base64url (static/shared/http.js).
export { toBase64url };

/** The bytes `text` spells, or a VaultError naming `what` when it is not base64url. */
export function bytesOf(text, what) {
  const bytes = fromBase64url(text);
  if (!bytes) throw new VaultError("bad-format", `The vault's ${what} is not valid base64url.`);
  return bytes;
}

// Additional data is a run of fields, each a 4-byte big-endian length and then its bytes, so no

export const isCounter = (value) => Number.isSafeInteger(value) && value >= 1;

export function checkLabel(value, what) {
  if (typeof value !== "string" || !LABEL.test(value)) {
    throw new VaultError(
      "bad-argument",
      `A record ${what} must be 1 to 128 letters, digits or . _ : - ` +
        `(got ${JSON.stringify(value)}).`,
    );
  }
}

export function checkPassphrase(passphrase) {
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw new VaultError("bad-argument", "Please give a passphrase.");
  }
}

// The refusal docs/design.md asks for: whoever supplies the settings (this app, IndexedDB, a server,
// an imported file), the vault never derives a key with less than the minimum.
export function checkHeader(header) {
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
  const salt = bytesOf(header.salt, "salt");
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

export function checkKeyWrap(keyWrap) {
  if (!keyWrap || typeof keyWrap !== "object") {
    throw new VaultError("bad-format", "The vault's wrapped key is missing.");
  }
  const iv = bytesOf(keyWrap.iv, "key IV");
  const wrappedKey = bytesOf(keyWrap.wrappedKey, "wrapped key");
  if (iv.length !== IV_BYTES || wrappedKey.length !== DATA_KEY_BYTES + TAG_BYTES) {
    throw new VaultError("bad-format", "The vault's wrapped key has the wrong length.");
  }
  return { keyWrap: { iv: keyWrap.iv, wrappedKey: keyWrap.wrappedKey }, iv, wrappedKey };
}

export function checkStoredRecord(record) {
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
  const iv = bytesOf(record.iv, `IV of record "${record.id}"`);
  const ciphertext = bytesOf(record.ciphertext, `ciphertext of record "${record.id}"`);
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new VaultError("bad-format", `The record "${record.id}" has the wrong length.`);
  }
  const { id, kind, version, updatedAt } = record;
  const counter = version === 1 ? {} : { counter: record.counter };
  return { id, kind, version, ...counter, iv: record.iv, ciphertext: record.ciphertext, updatedAt };
}

/** A record's counter: format 1 records (not yet migrated) count as 0. */
export const counterOf = (record) => (record.version === 1 ? 0 : record.counter);

/** The manifest as a file carries it: {counter, iv, ciphertext}, checked for shape only. */
export function checkSealedManifest(manifest) {
  if (!manifest || typeof manifest !== "object" || !isCounter(manifest.counter)) {
    throw new VaultError("bad-format", "The vault's manifest is missing or has no counter.");
  }
  const iv = bytesOf(manifest.iv, "manifest IV");
  const ciphertext = bytesOf(manifest.ciphertext, "manifest");
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) {
    throw new VaultError("bad-format", "The vault's manifest has the wrong length.");
  }
  return { counter: manifest.counter, iv: manifest.iv, ciphertext: manifest.ciphertext };
}

// The same fields as in IndexedDB, in the documented order, and nothing else.
export function sealedCopy(record) {
  const { id, kind, version, iv, ciphertext, updatedAt } = record;
  const counter = version === 1 ? {} : { counter: record.counter };
  return { id, kind, version, ...counter, iv, ciphertext, updatedAt };
}

export function checkManifest(manifest, counter) {
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
