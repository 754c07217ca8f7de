"""At-rest encryption for free text that pairs and supervisors write (docs/design.md: data rule).

A sealed value is the text `aes1.<key id>.<base64(nonce || ciphertext)>`. The key id lets us
rotate keys: new values use the current key, older values open with the key they name.
The associated data names the column, so a value cannot be moved to another column unnoticed.
"""

import base64
import secrets
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "aes1"


class SealError(ValueError):
    """A sealed value could not be opened: wrong key, wrong column, or damaged."""


def _key(key_id: str) -> AESGCM:
    ring = current_app.config["ATREST_KEYS"]
    try:
        return _cipher(ring["keys"][key_id])
    except KeyError:
        raise SealError(f"unknown at-rest key id {key_id!r}") from None


@cache
def _cipher(encoded_key: str) -> AESGCM:
    # Keyed by the key itself, so a rotated ring can never be served a stale cipher.
    return AESGCM(base64.b64decode(encoded_key))


def seal(text: str, column: str) -> str:
    key_id = current_app.config["ATREST_KEYS"]["current"]
    nonce = secrets.token_bytes(12)
    box = _key(key_id).encrypt(nonce, text.encode(), column.encode())
    return f"{PREFIX}.{key_id}.{base64.urlsafe_b64encode(nonce + box).decode()}"


def unseal(value: str, column: str) -> str:
    try:
        prefix, key_id, body = value.split(".", 2)
        raw = base64.urlsafe_b64decode(body)
    except ValueError:
        raise SealError("not a sealed value") from None
    # A 12-byte nonce and a 16-byte tag at least; a cut-short value must not reach AESGCM.
    if prefix != PREFIX or len(raw) < 12 + 16:
        raise SealError("not a sealed value")
    try:
        return _key(key_id).decrypt(raw[:12], raw[12:], column.encode()).decode()
    except InvalidTag:
        raise SealError("sealed value is damaged or belongs to another column") from None


def key_id_of(value: str) -> str:
    return value.split(".", 2)[1]
