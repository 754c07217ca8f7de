"""Counting what one client does in a window, for the limits that slow guessing.

Training-day room codes (wellbeing/seats.py) and passkey challenges (accounts/passkeys.py) are
counted here, one row per event in `room_lookups` (key, at), kept only as long as the longest
window. A client is a keyed hash of its address, never the address itself (docs/design.md: the
room keeps nothing that points at a person).
"""

import hashlib
import hmac

from flask import current_app, request

from .clock import later, stamp
from .db import get_db, writing

# Rows older than this are swept away: no window below is longer.
KEEP_MINUTES = 60


def keyed(kind: str, value: str) -> str:
    """A keyed hash of `value`: counts can be kept without keeping what they count by."""
    # Not the secret key itself: a key derived from it for seats and limits (wellbeing/keys.py).
    key = current_app.extensions["seat_key"]
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def address() -> str:
    """This client's address, hashed (behind a proxy, WELLBEING_TRUSTED_PROXIES finds it)."""
    return keyed("client", request.remote_addr or "unknown")


def count(key: str, minutes: int) -> int:
    since = later(minutes=-minutes)
    found = get_db().execute(
        "select count(*) from room_lookups where key = ? and at > ?", [key, since]
    )
    return found.fetchone()[0]


def over(key: str, limit: int, minutes: int) -> bool:
    return count(key, minutes) >= limit


def count_against(*keys: str):
    db = get_db()
    with writing():
        db.execute(
            "delete from room_lookups where at <= ?",
            [later(minutes=-KEEP_MINUTES)],
        )
        at = stamp()
        for key in keys:
            db.execute("insert into room_lookups (key, at) values (?, ?)", [key, at])
