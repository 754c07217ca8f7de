// More ways to open the vault (issue 15): a passkey, through the WebAuthn PRF extension, and a
// printed recovery key. Each wraps the same data key as the passphrase does, so adding or
// removing one never touches a record. docs/vault-format.md, "Other unlocks", is the format.
//
// Each wrap's additional data names its purpose, the unlocks' version, its KDF and its salt (and
// for a passkey, the credential's id), so a server or file can't swap the settings or weaken them
// without the unwrap failing.

import { lengthPrefixed, randomBytes, subtle } from "vault/crypto";
import {
  DATA_KEY_BYTES,
  encoder,
  bytesOf,
  IV_BYTES,
  TAG_BYTES,
  toBase64url,
  VaultError,
} from "vault/format";

export const UNLOCKS_VERSION = 1;
const PASSKEY_PURPOSE = "wellbeing-vault/passkey-wrap";
const RECOVERY_PURPOSE = "wellbeing-vault/recovery-wrap";
const PASSKEY_KDF = "PRF-HKDF-SHA256";
const RECOVERY_KDF = "HKDF-SHA256";
const PASSKEY_INFO = "wellbeing-vault/passkey-kek";
const RECOVERY_INFO = "wellbeing-vault/recovery-kek";
export const PRF_SALT_BYTES = 32;
const RECOVERY_SALT_BYTES = 16;
// 128 random bits, shown once as base32 in groups of four.
const RECOVERY_KEY_BYTES = 16;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const MAX_PASSKEYS = 20;
const MAX_NAME = 60;

const badUnlocks = (what) => new VaultError("bad-format", `The vault's ${what} is damaged.`);
export const wrongUnlock = (code, message) => new VaultError(code, message);

async function hkdfKey(secret, salt, info) {
  const material = await subtle().importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: encoder.encode(info) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

function passkeyAdditionalData(credentialId, prfSalt) {
  return lengthPrefixed(PASSKEY_PURPOSE, UNLOCKS_VERSION, PASSKEY_KDF, credentialId, prfSalt);
}

function recoveryAdditionalData(salt) {
  return lengthPrefixed(RECOVERY_PURPOSE, UNLOCKS_VERSION, RECOVERY_KDF, salt);
}

async function wrapWith(keyEncryptionKey, extractableDataKey, additionalData) {
  const iv = randomBytes(IV_BYTES);
  const wrapped = await subtle().wrapKey("raw", extractableDataKey, keyEncryptionKey, {
    name: "AES-GCM",
    iv,
    additionalData,
  });
  return { iv: toBase64url(iv), wrappedKey: toBase64url(wrapped) };
}

async function unwrapWith(keyEncryptionKey, wrap, additionalData, extractable, refusal) {
  try {
    return await subtle().unwrapKey(
      "raw",
      bytesOf(wrap.wrappedKey, "wrapped key"),
      keyEncryptionKey,
      { name: "AES-GCM", iv: bytesOf(wrap.iv, "key IV"), additionalData },
      { name: "AES-GCM", length: 256 },
      extractable,
      ["encrypt", "decrypt"],
    );
  } catch (error) {
    if (error && error.name === "OperationError") throw refusal();
    throw error;
  }
}

function checkWrap(wrap, what) {
  if (!wrap || typeof wrap !== "object") throw badUnlocks(what);
  const iv = bytesOf(wrap.iv, `${what} IV`);
  const wrappedKey = bytesOf(wrap.wrappedKey, `${what} key`);
  if (iv.length !== IV_BYTES || wrappedKey.length !== DATA_KEY_BYTES + TAG_BYTES) {
    throw badUnlocks(what);
  }
  return { iv: wrap.iv, wrappedKey: wrap.wrappedKey };
}

/** The unlocks beside the passphrase, checked, in the shape they are stored; {} for none. */
export function checkUnlocks(unlocks) {
  if (unlocks === undefined || unlocks === null) return {};
  if (typeof unlocks !== "object" || unlocks.version !== UNLOCKS_VERSION) {
    throw badUnlocks("list of unlocks");
  }
  const checked = { version: UNLOCKS_VERSION };
  const passkeys = unlocks.passkeys ?? [];
  if (!Array.isArray(passkeys) || passkeys.length > MAX_PASSKEYS) throw badUnlocks("passkeys");
  if (passkeys.length) {
    if (bytesOf(unlocks.prfSalt, "passkey salt").length !== PRF_SALT_BYTES) {
      throw badUnlocks("passkey salt");
    }
    checked.prfSalt = unlocks.prfSalt;
    checked.passkeys = passkeys.map((passkey) => {
      const id = passkey?.credentialId;
      if (typeof id !== "string" || !id || id.length > 1024 || !bytesOf(id, "passkey")) {
        throw badUnlocks("passkey");
      }
      const name = typeof passkey.name === "string" ? passkey.name.slice(0, MAX_NAME) : "";
      return { credentialId: id, name, ...checkWrap(passkey, "passkey") };
    });
  }
  if (unlocks.recovery) {
    const salt = bytesOf(unlocks.recovery.salt, "recovery salt");
    if (salt.length !== RECOVERY_SALT_BYTES) throw badUnlocks("recovery key");
    checked.recovery = { salt: unlocks.recovery.salt, ...checkWrap(unlocks.recovery, "recovery") };
  }
  return checked;
}

/** The PRF salt a passkey is asked with: the vault's own, or a new one for its first passkey. */
export function prfSaltOf(unlocks) {
  return unlocks?.prfSalt ? bytesOf(unlocks.prfSalt, "passkey salt") : randomBytes(32);
}

/** A passkey's wrap of the data key: its key-encryption key is HKDF of the PRF output. */
export async function wrapForPasskey(extractableDataKey, { credentialId, name, prfSalt, prf }) {
  const keyEncryptionKey = await hkdfKey(prf, prfSalt, PASSKEY_INFO);
  const additionalData = passkeyAdditionalData(credentialId, prfSalt);
  const wrap = await wrapWith(keyEncryptionKey, extractableDataKey, additionalData);
  return { credentialId, name: String(name || "").slice(0, MAX_NAME), ...wrap };
}

export async function openWithPasskey(unlocks, credentialId, prf, extractable = false) {
  const checked = checkUnlocks(unlocks);
  const passkey = (checked.passkeys || []).find((p) => p.credentialId === credentialId);
  const refusal = () =>
    wrongUnlock("wrong-passkey", "That passkey doesn't open the private space on this phone.");
  if (!passkey) throw refusal();
  const prfSalt = bytesOf(checked.prfSalt, "passkey salt");
  const keyEncryptionKey = await hkdfKey(prf, prfSalt, PASSKEY_INFO);
  const additionalData = passkeyAdditionalData(credentialId, prfSalt);
  return unwrapWith(keyEncryptionKey, passkey, additionalData, extractable, refusal);
}

function toBase32(bytes) {
  let bits = 0;
  let value = 0;
  let text = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) text += BASE32[(value << (5 - bits)) & 31];
  return text;
}

/** The recovery key's bytes from what a person typed: case, spaces and dashes don't matter. */
export function recoveryKeyBytes(typed) {
  const text = String(typed || "")
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/0/g, "O")
    .replace(/1/g, "I")
    .replace(/8/g, "B");
  const refusal = wrongUnlock("wrong-recovery-key", "That recovery key doesn't look right.");
  if (text.length !== 26 || [...text].some((c) => !BASE32.includes(c))) throw refusal;
  const bytes = new Uint8Array(RECOVERY_KEY_BYTES);
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const c of text) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      if (index < RECOVERY_KEY_BYTES) bytes[index] = (value >>> (bits - 8)) & 255;
      index += 1;
      bits -= 8;
    }
  }
  return bytes;
}

/** A new recovery key: {text, recovery} where `recovery` is its wrap, to keep in the vault. */
export async function newRecoveryKey(extractableDataKey) {
  const secret = randomBytes(RECOVERY_KEY_BYTES);
  const salt = randomBytes(RECOVERY_SALT_BYTES);
  const keyEncryptionKey = await hkdfKey(secret, salt, RECOVERY_INFO);
  const wrap = await wrapWith(keyEncryptionKey, extractableDataKey, recoveryAdditionalData(salt));
  const text = toBase32(secret)
    .match(/.{1,4}/g)
    .join("-");
  return { text, recovery: { salt: toBase64url(salt), ...wrap } };
}

export async function openWithRecoveryKey(unlocks, typed, extractable = false) {
  const checked = checkUnlocks(unlocks);
  const refusal = () =>
    wrongUnlock("wrong-recovery-key", "That recovery key doesn't open this private space.");
  if (!checked.recovery) throw refusal();
  const salt = bytesOf(checked.recovery.salt, "recovery salt");
  const keyEncryptionKey = await hkdfKey(recoveryKeyBytes(typed), salt, RECOVERY_INFO);
  const additionalData = recoveryAdditionalData(salt);
  return unwrapWith(keyEncryptionKey, checked.recovery, additionalData, extractable, refusal);
}
