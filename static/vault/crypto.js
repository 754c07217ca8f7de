// The vault's cryptography (docs/vault-format.md): the passphrase's key-encryption key
// (PBKDF2-SHA256), the data key it wraps, and records and manifests sealed with AES-GCM, each
// bound by its additional data to what it is. WebCrypto only; keys never leave it in the clear.

import {
  byId,
  checkHeader,
  checkKeyWrap,
  checkManifest,
  checkSealedManifest,
  checkStoredRecord,
  counterOf,
  damaged,
  decoder,
  encoder,
  FORMAT_VERSION,
  bytesOf,
  HEADER_VERSION,
  IV_BYTES,
  KDF_NAME,
  SALT_BYTES,
  toBase64url,
  VaultError,
  wrongPassphrase,
} from "vault/format";

// Separates the two kinds of additional data, so one can never stand in for the other.
const KEY_WRAP_PURPOSE = "wellbeing-vault/key-wrap";
const RECORD_PURPOSE = "wellbeing-vault/record";
const MANIFEST_PURPOSE = "wellbeing-vault/manifest";

export function subtle() {
  // WebCrypto exists only in secure contexts (https, or localhost while developing).
  if (!globalThis.crypto || !crypto.subtle) {
    throw new VaultError("no-crypto", "The vault needs a secure (https) connection to work.");
  }
  return crypto.subtle;
}

export function randomBytes(length) {
  return crypto.getRandomValues(new Uint8Array(length));
}

// Additional data is a run of fields, each a 4-byte big-endian length and then its bytes, so no
// two different lists of fields can ever give the same bytes. Strings are UTF-8, numbers decimal.
export function lengthPrefixed(...parts) {
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
    false, // docs/design.md: keys are non-extractable; this one only wraps and unwraps the data key.
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

export async function wrapDataKey(extractableDataKey, passphrase, iterations) {
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

export async function openMeta(passphrase, meta, extractable) {
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

export async function sealRecord(dataKey, kind, id, value, counter) {
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

export async function openRecord(dataKey, stored) {
  const id = stored && typeof stored.id === "string" ? stored.id : "(no id)";
  let record;
  let plaintext;
  try {
    record = checkStoredRecord(stored);
    plaintext = await subtle().decrypt(
      {
        name: "AES-GCM",
        iv: bytesOf(record.iv, "IV"),
        additionalData: recordAdditionalData(
          record.id,
          record.kind,
          record.version,
          record.counter,
        ),
      },
      dataKey,
      bytesOf(record.ciphertext, "ciphertext"),
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

export const damagedManifest = () =>
  new VaultError(
    "damaged-manifest",
    "The list of notes that came with this copy can't be opened: it was changed or damaged, " +
      "or it belongs to another private space.",
  );

/** The manifest's plaintext: every record's counter and IV, every deletion's counter. */
export function manifestOf(counter, records, tombstones) {
  const listed = {};
  for (const record of [...records].sort(byId)) {
    listed[record.id] = { counter: counterOf(record), iv: record.iv };
  }
  const gone = {};
  for (const id of Object.keys(tombstones).sort()) gone[id] = tombstones[id];
  return { counter, records: listed, tombstones: gone };
}

export async function sealManifest(dataKey, manifest) {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: manifestAdditionalData(manifest.counter) },
    dataKey,
    encoder.encode(JSON.stringify(manifest)),
  );
  return { counter: manifest.counter, iv: toBase64url(iv), ciphertext: toBase64url(ciphertext) };
}

export async function unsealManifest(dataKey, sealed) {
  let manifest;
  let checked;
  try {
    checked = checkSealedManifest(sealed);
    const plaintext = await subtle().decrypt(
      {
        name: "AES-GCM",
        iv: bytesOf(checked.iv, "manifest IV"),
        additionalData: manifestAdditionalData(checked.counter),
      },
      dataKey,
      bytesOf(checked.ciphertext, "manifest"),
    );
    manifest = JSON.parse(decoder.decode(plaintext));
  } catch (error) {
    if (error instanceof VaultError && error.code === "no-crypto") throw error;
    throw damagedManifest();
  }
  if (!checkManifest(manifest, checked.counter)) throw damagedManifest();
  return manifest;
}
