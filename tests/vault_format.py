"""The vault format (docs/vault-format.md) read and written in Python, without the browser.

This is the second, independent implementation of the format: the interop tests decrypt what
static/vault/ wrote in real Chromium with it. If the two ever disagree, one of them has drifted
from the document.
"""

import base64
import binascii
import json
import os
import re
import struct
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

# Format 2 adds a counter to every record's additional data and a sealed manifest to the file;
# the header (version 1) is unchanged. Format 1 files are still read.
FORMAT_VERSION = 2
FORMAT_VERSIONS = (1, 2)
HEADER_VERSION = 1
EXPORT_FORMAT = "wellbeing-vault-export"
KDF_NAME = "PBKDF2-SHA256"
# OWASP Password Storage Cheat Sheet: PBKDF2-HMAC-SHA256 needs at least 600,000 iterations.
MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 64
KEY_WRAP_PURPOSE = "wellbeing-vault/key-wrap"
RECORD_PURPOSE = "wellbeing-vault/record"
MANIFEST_PURPOSE = "wellbeing-vault/manifest"


class VaultFormatError(ValueError):
    """The file can't be read, or asks for settings the format refuses."""


class WrongPassphrase(VaultFormatError):
    def __init__(self):
        super().__init__("That passphrase doesn't open this vault.")


class DamagedManifest(VaultFormatError):
    def __init__(self):
        super().__init__("The manifest failed authentication: changed, damaged or another vault's.")


class DamagedRecord(VaultFormatError):
    def __init__(self, record_id):
        super().__init__(f"The record {record_id!r} failed authentication: changed or damaged.")
        self.record_id = record_id


def b64url_decode(text: str) -> bytes:
    """Base64url without padding, as the format stores every byte string."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise VaultFormatError(f"not unpadded base64url: {text!r}")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise VaultFormatError(f"not unpadded base64url: {text!r}") from error


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def length_prefixed(*fields: str | int | bytes) -> bytes:
    """Each field as a 4-byte big-endian length, then its bytes (strings UTF-8, ints decimal)."""
    out = bytearray()
    for field in fields:
        raw = field if isinstance(field, bytes) else str(field).encode("utf-8")
        out += struct.pack(">I", len(raw)) + raw
    return bytes(out)


def key_wrap_aad(header: dict, salt: bytes) -> bytes:
    return length_prefixed(
        KEY_WRAP_PURPOSE, header["version"], header["kdf"], header["iterations"], salt
    )


def record_aad(record_id: str, kind: str, version: int, counter: int | None = None) -> bytes:
    if version == 1:
        return length_prefixed(RECORD_PURPOSE, version, record_id, kind)
    return length_prefixed(RECORD_PURPOSE, version, record_id, kind, counter)


def manifest_aad(counter: int) -> bytes:
    return length_prefixed(MANIFEST_PURPOSE, FORMAT_VERSION, counter)


def check_header(header: dict) -> bytes:
    """Refuses what the browser refuses; returns the salt."""
    if header.get("version") != HEADER_VERSION:
        raise VaultFormatError(f"unknown format version {header.get('version')!r}")
    if header.get("kdf") != KDF_NAME:
        raise VaultFormatError(f"refusing KDF {header.get('kdf')!r}; only {KDF_NAME}")
    iterations = header.get("iterations")
    if type(iterations) is not int or not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise VaultFormatError(
            f"refusing {iterations!r} PBKDF2 iterations; "
            f"between {MIN_ITERATIONS} and {MAX_ITERATIONS} are accepted"
        )
    salt = b64url_decode(header.get("salt"))
    if not MIN_SALT_BYTES <= len(salt) <= MAX_SALT_BYTES:
        raise VaultFormatError(f"refusing a {len(salt)}-byte salt; at least {MIN_SALT_BYTES}")
    return salt


def key_encryption_key(passphrase: str, header: dict) -> bytes:
    salt = check_header(header)
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=32, salt=salt, iterations=header["iterations"]
    )
    return kdf.derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def data_key(export: dict, passphrase: str) -> bytes:
    """The raw 32-byte data key from an export (or from the IndexedDB "meta" entry)."""
    header, key_wrap = export["header"], export["keyWrap"]
    salt = check_header(header)
    kek = AESGCM(key_encryption_key(passphrase, header))
    try:
        key = kek.decrypt(
            b64url_decode(key_wrap["iv"]),
            b64url_decode(key_wrap["wrappedKey"]),
            key_wrap_aad(header, salt),
        )
    except InvalidTag:
        raise WrongPassphrase() from None
    if len(key) != 32:
        raise VaultFormatError("the data key is not 256 bits")
    return key


# Issue 15: the other unlocks (docs/vault-format.md, "Other unlocks").
UNLOCKS_VERSION = 1


def _unwrap(kek: bytes, wrap: dict, aad: bytes) -> bytes:
    try:
        key = AESGCM(kek).decrypt(b64url_decode(wrap["iv"]), b64url_decode(wrap["wrappedKey"]), aad)
    except InvalidTag:
        raise WrongPassphrase() from None
    if len(key) != 32:
        raise VaultFormatError("the data key is not 256 bits")
    return key


def hkdf(secret: bytes, salt: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info.encode()).derive(secret)


def data_key_from_passkey(export: dict, credential_id: str, prf_output: bytes) -> bytes:
    """The data key from a passkey's PRF output (for the vault's PRF salt)."""
    unlocks = export["unlocks"]
    if unlocks["version"] != UNLOCKS_VERSION:
        raise VaultFormatError("unknown unlocks version")
    salt = b64url_decode(unlocks["prfSalt"])
    (wrap,) = [p for p in unlocks["passkeys"] if p["credentialId"] == credential_id]
    kek = hkdf(prf_output, salt, "wellbeing-vault/passkey-kek")
    aad = length_prefixed(
        "wellbeing-vault/passkey-wrap", UNLOCKS_VERSION, "PRF-HKDF-SHA256", credential_id, salt
    )
    return _unwrap(kek, wrap, aad)


def recovery_key_bytes(text: str) -> bytes:
    """The 16 bytes of a recovery key as printed: base32 in groups of four."""
    letters = re.sub(r"[\s-]", "", text.upper())
    if len(letters) != 26:
        raise VaultFormatError("a recovery key has 26 letters and digits")
    return base64.b32decode(letters + "======")[:16]


def data_key_from_recovery_key(export: dict, text: str) -> bytes:
    recovery = export["unlocks"]["recovery"]
    salt = b64url_decode(recovery["salt"])
    kek = hkdf(recovery_key_bytes(text), salt, "wellbeing-vault/recovery-kek")
    aad = length_prefixed("wellbeing-vault/recovery-wrap", UNLOCKS_VERSION, "HKDF-SHA256", salt)
    return _unwrap(kek, recovery, aad)


def record_plaintext(key: bytes, record: dict) -> bytes:
    """The record's UTF-8 JSON bytes; DamagedRecord names the record if anything was changed."""
    version = record.get("version")
    if version not in FORMAT_VERSIONS:
        raise DamagedRecord(record.get("id"))
    counter = record.get("counter")
    if version == 2 and (type(counter) is not int or counter < 1):
        raise DamagedRecord(record.get("id"))
    try:
        return AESGCM(key).decrypt(
            b64url_decode(record["iv"]),
            b64url_decode(record["ciphertext"]),
            record_aad(record["id"], record["kind"], version, counter),
        )
    except (InvalidTag, VaultFormatError, ValueError):
        raise DamagedRecord(record["id"]) from None


def open_record(key: bytes, record: dict):
    """The record's JSON value."""
    return json.loads(record_plaintext(key, record).decode("utf-8"))


def open_manifest(key: bytes, export: dict) -> dict:
    """The manifest of a format 2 export: {counter, records: {id: {counter, iv}},
    tombstones: {id: counter}}. DamagedManifest if it was changed or made with another key."""
    sealed = export.get("manifest")
    if not isinstance(sealed, dict) or type(sealed.get("counter")) is not int:
        raise DamagedManifest()
    try:
        plaintext = AESGCM(key).decrypt(
            b64url_decode(sealed["iv"]),
            b64url_decode(sealed["ciphertext"]),
            manifest_aad(sealed["counter"]),
        )
    except (InvalidTag, VaultFormatError, ValueError, KeyError):
        raise DamagedManifest() from None
    manifest = json.loads(plaintext.decode("utf-8"))
    if manifest.get("counter") != sealed["counter"]:
        raise DamagedManifest()
    return manifest


def read_manifest(text: str, passphrase: str) -> dict:
    """The manifest of an export file, opened with the passphrase, and checked against the
    records: exactly the listed ids, each at its listed counter and IV."""
    export = json.loads(text)
    manifest = open_manifest(data_key(export, passphrase), export)
    listed = {
        record["id"]: {"counter": record.get("counter", 0), "iv": record["iv"]}
        for record in export["records"]
    }
    if listed != manifest["records"]:
        raise VaultFormatError("the records don't match the manifest")
    if set(manifest["tombstones"]) & set(manifest["records"]):
        raise VaultFormatError("a record is both listed and deleted")
    return manifest


def open_export(text: str, passphrase: str) -> tuple[dict, dict]:
    """({id: value} for every record that opens, {id: DamagedRecord} for every one that doesn't)."""
    export = json.loads(text)
    if export.get("format") != EXPORT_FORMAT or export.get("version") not in FORMAT_VERSIONS:
        raise VaultFormatError("not a version 1 or 2 vault export")
    key = data_key(export, passphrase)
    opened, damaged = {}, {}
    for record in export["records"]:
        try:
            opened[record["id"]] = open_record(key, record)
        except DamagedRecord as error:
            damaged[record["id"]] = error
    return opened, damaged


def write_export(
    records: dict[str, tuple[str, object]],
    passphrase: str,
    iterations: int = MIN_ITERATIONS,
    version: int = FORMAT_VERSION,
    tombstones: dict[str, int] | None = None,
) -> str:
    """An export file holding {id: (kind, value)}, made entirely in Python: format 2 with a
    manifest (records counted from 1, then `tombstones`), or format 1 as older phones wrote."""
    header = {
        "version": HEADER_VERSION,
        "kdf": KDF_NAME,
        "iterations": iterations,
        "salt": b64url_encode(os.urandom(16)),
    }
    salt = check_header(header)
    key = AESGCM.generate_key(bit_length=256)
    wrap_iv = os.urandom(12)
    wrapped = AESGCM(key_encryption_key(passphrase, header)).encrypt(
        wrap_iv, key, key_wrap_aad(header, salt)
    )
    sealed = []
    for counter, (record_id, (kind, value)) in enumerate(sorted(records.items()), start=1):
        iv = os.urandom(12)
        plaintext = json.dumps(value, ensure_ascii=False).encode("utf-8")
        aad = record_aad(record_id, kind, version, counter)
        ciphertext = AESGCM(key).encrypt(iv, plaintext, aad)
        record = {"id": record_id, "kind": kind, "version": version}
        if version == 2:
            record["counter"] = counter
        record |= {
            "iv": b64url_encode(iv),
            "ciphertext": b64url_encode(ciphertext),
            "updatedAt": "2024-05-01T09:30:00.000Z",
        }
        sealed.append(record)
    export = {
        "format": EXPORT_FORMAT,
        "version": version,
        "exportedAt": "2024-05-01T09:30:00.000Z",
        "header": header,
        "keyWrap": {"iv": b64url_encode(wrap_iv), "wrappedKey": b64url_encode(wrapped)},
    }
    if version == 2:
        gone = dict(sorted((tombstones or {}).items()))
        counter = max([len(sealed), *gone.values()]) + 1
        manifest = {
            "counter": counter,
            "records": {r["id"]: {"counter": r["counter"], "iv": r["iv"]} for r in sealed},
            "tombstones": gone,
        }
        manifest_iv = os.urandom(12)
        plaintext = json.dumps(manifest, separators=(",", ":")).encode("utf-8")
        export["manifest"] = {
            "counter": counter,
            "iv": b64url_encode(manifest_iv),
            "ciphertext": b64url_encode(
                AESGCM(key).encrypt(manifest_iv, plaintext, manifest_aad(counter))
            ),
        }
    return json.dumps(export | {"records": sealed})
