"""The optional encrypted server backup of a worker's private vault (issue 3).

docs/design.md "The data rule": the server keeps only the vault's export file, exactly as the
browser's `exportFile()` wrote it: ciphertext, the salt and the KDF settings. It can't open it, and
only its owner may read or replace it (`permissions.get_backup`). docs/vault-format.md describes the
endpoints and how two phones' backups are merged without losing a record.

Uploads are checked strictly, field by field, against the export format, and anything else (an
unknown key, a weak KDF, a body over 5 MB) is refused with a JSON error, so nothing but what the
browser encrypted is ever stored. Nothing about a backup is logged.

Format 2 (issue 11) adds a counter to every record and a manifest sealed with the vault's data
key. The server can't open the manifest; the phones check it, so that a server (this one, broken
or malicious) can neither roll a backup back nor bring a deleted record back. Format 1 files are
still accepted until the phone that made them is updated.
"""

import base64
import binascii
import json
import re

from flask import jsonify, request
from flask_login import current_user

from ..clock import now
from ..db import get_db, sqlite3, writing
from ..permissions import backup_versions, get_backup, role_required
from . import bp

MAX_BODY_BYTES = 5 * 1024 * 1024
# Older versions are deleted when a new one arrives: a few to step back to, not a history.
KEEP_VERSIONS = 5
EXPORT_FORMAT = "wellbeing-vault-export"
FORMAT_VERSION = 2
FORMAT_VERSIONS = (1, 2)
# The header and its key wrap are unchanged since format 1.
HEADER_VERSION = 1
KDF_NAME = "PBKDF2-SHA256"
# The same minimums static/vault.js enforces (OWASP: PBKDF2-HMAC-SHA256 needs 600,000), so the
# server never hands a weakened file to a new phone, even one the browser would refuse.
MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
MIN_SALT_BYTES, MAX_SALT_BYTES = 16, 64
IV_BYTES, TAG_BYTES, WRAPPED_KEY_BYTES = 12, 16, 48
# Ids and kinds are plain ASCII labels in every record (docs/vault-format.md, "Record").
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)")

UPLOAD_KEYS = {"basedOn", "file"}
FILE_KEYS_V1 = {"format", "version", "exportedAt", "header", "keyWrap", "records"}
FILE_KEYS = FILE_KEYS_V1 | {"manifest"}
HEADER_KEYS = {"version", "kdf", "iterations", "salt"}
KEY_WRAP_KEYS = {"iv", "wrappedKey"}
MANIFEST_KEYS = {"counter", "iv", "ciphertext"}
# Issue 15: the other unlocks (passkeys through PRF, the recovery key), optional in format 2.
UNLOCKS_KEYS = {"version", "prfSalt", "passkeys", "recovery"}
PASSKEY_WRAP_KEYS = {"credentialId", "name", "iv", "wrappedKey"}
RECOVERY_WRAP_KEYS = {"salt", "iv", "wrappedKey"}
MAX_PASSKEYS = 20
RECORD_KEYS_V1 = {"id", "kind", "version", "iv", "ciphertext", "updatedAt"}
RECORD_KEYS = RECORD_KEYS_V1 | {"counter"}
# Counters are whole numbers from 1; a JavaScript number stays exact up to 2**53 - 1.
MAX_COUNTER = 2**53 - 1


class Refused(Exception):
    """An upload that isn't a vault export: `code` for the app, `message` for people."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def refused(code: str, message: str, status: int = 400):
    return jsonify(error=code, message=message), status


def _object(value, keys: set, what: str) -> dict:
    if not isinstance(value, dict):
        raise Refused("bad-backup", f"The {what} must be a JSON object.")
    unknown, missing = set(value) - keys, keys - set(value)
    if unknown:
        raise Refused("bad-backup", f"The {what} has unknown fields: {', '.join(sorted(unknown))}.")
    if missing:
        raise Refused("bad-backup", f"The {what} lacks fields: {', '.join(sorted(missing))}.")
    return value


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _length(value, what: str) -> int:
    """How many bytes a base64url string (no padding) holds, or Refused."""
    if not isinstance(value, str) or not BASE64URL.fullmatch(value) or len(value) % 4 == 1:
        raise Refused("bad-backup", f"The {what} is not base64url.")
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        raise Refused("bad-backup", f"The {what} is not base64url.") from None


def _bytes(value, what: str, low: int, high: int) -> str:
    if not low <= _length(value, what) <= high:
        raise Refused("bad-backup", f"The {what} has the wrong length.")
    return value


def _time(value, what: str) -> str:
    if not isinstance(value, str) or not ISO_TIME.fullmatch(value):
        raise Refused("bad-backup", f"The {what} is not an ISO 8601 time.")
    return value


def check_header(header) -> dict:
    _object(header, HEADER_KEYS, "header")
    if header["version"] != HEADER_VERSION or not _integer(header["version"]):
        raise Refused("bad-backup", "The header's format version is unknown.")
    iterations = header["iterations"]
    if header["kdf"] != KDF_NAME or not _integer(iterations) or iterations < MIN_ITERATIONS:
        raise Refused(
            "weak-kdf",
            f"Refusing weak key settings: {KDF_NAME} with at least "
            f"{MIN_ITERATIONS:,} iterations and a {MIN_SALT_BYTES}-byte salt is required.",
            422,
        )
    if iterations > MAX_ITERATIONS:
        raise Refused(
            "bad-backup", f"More than {MAX_ITERATIONS:,} iterations would freeze a phone."
        )
    salt = _length(header["salt"], "salt")
    if salt < MIN_SALT_BYTES:
        raise Refused("weak-kdf", f"Refusing a salt shorter than {MIN_SALT_BYTES} bytes.", 422)
    if salt > MAX_SALT_BYTES:
        raise Refused("bad-backup", f"The salt is longer than {MAX_SALT_BYTES} bytes.")
    return header


def _counter(value, what: str) -> int:
    if not _integer(value) or not 1 <= value <= MAX_COUNTER:
        raise Refused("bad-backup", f"The {what} must be a whole number from 1.")
    return value


def check_record(record, file_version: int = FORMAT_VERSION) -> dict:
    # A format 2 file may still hold a format 1 record the phone couldn't migrate (damaged).
    version = record.get("version") if isinstance(record, dict) else None
    if file_version == 1 or version == 1:
        _object(record, RECORD_KEYS_V1, "record")
    else:
        _object(record, RECORD_KEYS, "record")
    for field in ("id", "kind"):
        if not isinstance(record[field], str) or not LABEL.fullmatch(record[field]):
            raise Refused(
                "bad-backup", f"A record's {field} must be 1 to 128 of A-Z a-z 0-9 . _ : -."
            )
    allowed = (1,) if file_version == 1 else FORMAT_VERSIONS
    if record["version"] not in allowed or not _integer(record["version"]):
        raise Refused("bad-backup", f'The record "{record["id"]}" has an unknown format version.')
    if record["version"] == 2:
        _counter(record["counter"], f'counter of "{record["id"]}"')
    _bytes(record["iv"], f'IV of record "{record["id"]}"', IV_BYTES, IV_BYTES)
    _bytes(record["ciphertext"], f'ciphertext of "{record["id"]}"', TAG_BYTES, MAX_BODY_BYTES)
    _time(record["updatedAt"], f'updatedAt of "{record["id"]}"')
    return record


def check_unlocks(unlocks) -> dict:
    """The shape of the other unlocks' wraps; their contents only the phone can check."""
    present = set(unlocks) if isinstance(unlocks, dict) else set()
    _object(unlocks, {"version"} | (UNLOCKS_KEYS & present), "unlocks")
    if unlocks["version"] != 1 or not _integer(unlocks["version"]):
        raise Refused("bad-backup", "The unlocks' version is unknown.")
    passkeys = unlocks.get("passkeys", [])
    if not isinstance(passkeys, list) or len(passkeys) > MAX_PASSKEYS:
        raise Refused("bad-backup", "The passkeys must be a short list.")
    if passkeys:
        _bytes(unlocks.get("prfSalt"), "passkey salt", 32, 32)
    for passkey in passkeys:
        _object(passkey, PASSKEY_WRAP_KEYS, "passkey wrap")
        _bytes(passkey["credentialId"], "passkey's id", 1, 1024)
        if not isinstance(passkey["name"], str) or len(passkey["name"]) > 60:
            raise Refused("bad-backup", "A passkey's name is too long.")
        _bytes(passkey["iv"], "passkey wrap's IV", IV_BYTES, IV_BYTES)
        _bytes(passkey["wrappedKey"], "passkey's wrapped key", WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES)
    if "recovery" in unlocks:
        recovery = _object(unlocks["recovery"], RECOVERY_WRAP_KEYS, "recovery wrap")
        _bytes(recovery["salt"], "recovery salt", 16, 16)
        _bytes(recovery["iv"], "recovery wrap's IV", IV_BYTES, IV_BYTES)
        _bytes(recovery["wrappedKey"], "recovery wrapped key", WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES)
    return unlocks


def check_export(file) -> dict:
    """The export file, field by field (docs/vault-format.md, "The export file"), or Refused."""
    version = file.get("version") if isinstance(file, dict) else None
    if version not in FORMAT_VERSIONS or not _integer(version):
        raise Refused("bad-backup", "That export's format version is unknown.")
    keys = FILE_KEYS_V1 if version == 1 else FILE_KEYS | ({"unlocks"} & set(file))
    _object(file, keys, "backup file")
    if file["format"] != EXPORT_FORMAT:
        raise Refused("bad-backup", "That isn't a vault export.")
    _time(file["exportedAt"], "exportedAt")
    check_header(file["header"])
    wrap = _object(file["keyWrap"], KEY_WRAP_KEYS, "key wrap")
    _bytes(wrap["iv"], "key wrap's IV", IV_BYTES, IV_BYTES)
    _bytes(wrap["wrappedKey"], "wrapped key", WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES)
    if version == 2:
        # Sealed with the vault's data key: the server checks its shape, the phones its contents.
        manifest = _object(file["manifest"], MANIFEST_KEYS, "manifest")
        _counter(manifest["counter"], "manifest's counter")
        _bytes(manifest["iv"], "manifest's IV", IV_BYTES, IV_BYTES)
        _bytes(manifest["ciphertext"], "manifest", TAG_BYTES, MAX_BODY_BYTES)
    if "unlocks" in file:
        check_unlocks(file["unlocks"])
    if not isinstance(file["records"], list):
        raise Refused("bad-backup", "The records must be a list.")
    ids = [check_record(record, version)["id"] for record in file["records"]]
    if len(set(ids)) != len(ids):
        raise Refused("bad-backup", "Two records have the same id.")
    return file


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Refused("bad-backup", "A JSON object names the same field twice.")
    return dict(pairs)


# The next version is basedOn + 1, and it must still fit in SQLite's signed 64-bit integer.
MAX_VERSION = 2**63 - 1


def read_upload() -> tuple[int, str]:
    """(basedOn, the export as canonical JSON text) from the request body, or Refused."""
    if not request.is_json:
        raise Refused("not-json", "Send the backup as application/json.", 415)
    length = request.content_length
    if length is None:
        raise Refused("length-required", "Send the backup with a Content-Length.", 411)
    if length > MAX_BODY_BYTES:
        raise Refused("too-large", f"A backup may be at most {MAX_BODY_BYTES // 2**20} MB.", 413)
    body = request.stream.read(MAX_BODY_BYTES + 1)
    try:
        upload = json.loads(body, object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError):
        raise Refused("not-json", "The backup is not valid JSON.") from None
    _object(upload, UPLOAD_KEYS, "upload")
    based_on = upload["basedOn"]
    # SQLite integers are 64-bit: a larger basedOn could not even be compared (issue 11).
    if not _integer(based_on) or not 0 <= based_on < MAX_VERSION:
        raise Refused("bad-backup", "basedOn must be the version this backup started from, or 0.")
    file = check_export(upload["file"])
    return based_on, json.dumps(file, separators=(",", ":"), ensure_ascii=True)


def store_backup(owner, based_on: int, text: str) -> dict | None:
    """Saves a new version if the owner's latest is still `based_on`; None if it isn't.

    One statement checks and inserts, so two phones uploading at once can't both win; the
    oldest versions beyond KEEP_VERSIONS go in the same transaction."""
    db = get_db()
    try:
        with writing():
            cursor = db.execute(
                "insert into vault_backups (user_id, version, file, size, created_at)"
                " select ?, coalesce(max(version), 0) + 1, ?, ?, ? from vault_backups"
                " where user_id = ? having coalesce(max(version), 0) = ?",
                [owner.id, text, len(text.encode()), now(), owner.id, based_on],
            )
            if cursor.rowcount != 1:
                return None
            version = based_on + 1
            db.execute(
                "delete from vault_backups where user_id = ? and version <= ?",
                [owner.id, version - KEEP_VERSIONS],
            )
    except sqlite3.IntegrityError:
        return None  # another upload took this version number a moment earlier
    return get_backup(owner, version)


def described(backup: dict | None, with_file: bool = False) -> dict:
    if backup is None:
        return {"version": 0, "createdAt": None, "size": 0, **({"file": None} if with_file else {})}
    summary = {
        "version": backup["version"],
        "createdAt": backup["created_at"],
        "size": backup["size"],
    }
    if with_file:
        summary["file"] = json.loads(backup["file"])
    return summary


@bp.get("/backup")
@role_required("facilitator")
def backup_show():
    # The latest version, for restoring on a new phone; version 0 and no file if there is none.
    return jsonify(described(get_backup(owner=current_user), with_file=True))


@bp.get("/backup/versions")
@role_required("facilitator")
def backup_versions_list():
    versions = [described(backup) for backup in backup_versions(owner=current_user)]
    return jsonify(versions=versions, keep=KEEP_VERSIONS)


@bp.post("/backup")
@role_required("facilitator")
def backup_upload():
    try:
        based_on, text = read_upload()
    except Refused as refusal:
        return refused(refusal.code, refusal.message, refusal.status)
    stored = store_backup(current_user, based_on, text)
    if stored is None:
        # Another phone backed up meanwhile: hand back its version to merge, never overwrite.
        latest = described(get_backup(owner=current_user), with_file=True)
        message = "There is a newer backup on the server. Merge it first, then back up again."
        return jsonify(error="conflict", message=message, latest=latest), 409
    return jsonify(described(stored)), 201
