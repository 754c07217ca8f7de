"""Secrets that live in `instance/`: generated on first run, never committed, never printed."""

import base64
import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A key derived from the secret key for each other job, under its own label, so that the one
# secret is never used as two keys (a seat's HMAC can't be replayed as a cookie signature).
SEAT_KEY_LABEL = b"wellbeing: training-day seats and room limits, v1"
MARK_KEY_LABEL = b"wellbeing: whose pages a phone keeps (the service worker's person mark), v1"
ETAG_KEY_LABEL = b"wellbeing: a page's ETag for its reader (wellbeing/drawn.py), v1"


def derived_key(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def _write_private(path: Path, text: str):
    # 0600 from the start, so the secret is never readable by other users.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def load_instance_secrets(app):
    """Load the session secret and the at-rest key ring, creating them on first run."""
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        secret_path = instance / "secret_key"
        if not secret_path.exists():
            _write_private(secret_path, secrets.token_hex(32))
        app.config["SECRET_KEY"] = secret_path.read_text().strip()
    app.extensions["seat_key"] = derived_key(app.config["SECRET_KEY"], SEAT_KEY_LABEL)
    app.extensions["mark_key"] = derived_key(app.config["SECRET_KEY"], MARK_KEY_LABEL)
    app.extensions["etag_key"] = derived_key(app.config["SECRET_KEY"], ETAG_KEY_LABEL)
    if not app.config.get("ATREST_KEYS"):
        app.config["ATREST_KEYS"] = load_key_ring(instance / "atrest-keys.json")


def new_key_entry():
    return base64.b64encode(secrets.token_bytes(32)).decode()


def load_key_ring(path: Path) -> dict:
    """The ring is {"current": key_id, "keys": {key_id: base64 AES-256 key}}."""
    if not path.exists():
        _write_private(path, json.dumps({"current": "k1", "keys": {"k1": new_key_entry()}}))
    return json.loads(path.read_text())


def rotate_key_ring(path: Path) -> str:
    """Add a new current key. Old keys stay so that older values still open."""
    ring = load_key_ring(path)
    key_id = f"k{len(ring['keys']) + 1}"
    ring["keys"][key_id] = new_key_entry()
    ring["current"] = key_id
    tmp = path.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    _write_private(tmp, json.dumps(ring))
    tmp.replace(path)
    return key_id
