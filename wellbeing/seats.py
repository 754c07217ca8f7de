"""A seat in a training-day room, and the limit on guessing codes.

A participant has no account: their seat is derived from a random id in their cookie and the
room (`seat_token`). `permissions.get_seat` asks here whether a browser holds a seat, so this sits
below both it and the line feature (wellbeing/line), which seats people and runs the rooms.
"""

import hashlib
import hmac

from flask import current_app, session
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from . import limits
from .db import first_row
from .errors import refuse
from .limits import count_against
from .people.identity import token_hash

# The windows the room limits count in. The limits themselves are settings (ROOM_MAX_SEATS and
# the others in wellbeing/settings.py, which says why each is the size it is).
SEAT_WINDOW_MINUTES = 10
# Wrong codes (codes that find no open room) count per CODE_WINDOW_MINUTES (issue 21, M1); a
# right code is never counted. Over either wrong-code limit, every code is refused, a right one
# too: if a right code still joined, "joined" against "refused" would tell a guesser which codes
# are real at any speed, and a new device cookie costs a guesser nothing.
CODE_WINDOW_MINUTES = 60


def normalise_code(text: str | None) -> str:
    """What someone typed, as a code: spaces and dashes dropped, capitals."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")[:40]


def room_by_code(code: str) -> dict | None:
    return first_row("select * from rooms where code = ?", [normalise_code(code)]) if code else None


def seat_token(device: str, room_id: int) -> str:
    """The seat of one device in one room. Derived, not drawn: the same device joining again,
    or replaying the cookie it had before it joined, always gets the same seat (issue 11,
    finding 4). Keyed with the app's secret, so nobody can compute another device's seat, and
    different in each room, so seats can't be linked across rooms. Only its hash is kept."""
    key = current_app.extensions["seat_key"]
    return hmac.new(key, f"seat:{device}:{room_id}".encode(), hashlib.sha256).hexdigest()


def participant_of(room: dict, token: str | None) -> dict | None:
    if not token:
        return None
    return first_row(
        "select * from participants where token_hash = ? and room_id = ?",
        [token_hash(token), room["id"]],
    )


def client_key(kind: str, room_id: int | None = None) -> str:
    """What a limit counts by: a keyed hash of the client's address (limits.address)."""
    return f"{kind}:{room_id or ''}:{limits.address()}"


def device_key() -> str | None:
    """This phone's own count of wrong codes: a keyed hash of its device id (its cookie).
    A browser with no device id yet is counted by its address alone."""
    device = session.get("device")
    return "code-device::" + limits.keyed("device", device) if device else None


def stop_guessing():
    """Answers 429 once this address has had ROOM_MAX_FAILED_LOOKUPS wrong codes in the window,
    or this phone ROOM_MAX_FAILED_LOOKUPS_PER_DEVICE (issue 11, finding 5: 60 guesses took
    0.23 s)."""
    window, device = CODE_WINDOW_MINUTES, device_key()
    if limits.over(client_key("code"), limit("ROOM_MAX_FAILED_LOOKUPS"), window) or (
        device and limits.over(device, limit("ROOM_MAX_FAILED_LOOKUPS_PER_DEVICE"), window)
    ):
        refuse(
            TooManyRequests,
            _("Too many codes tried. Please wait a while, then check the code on the projector."),
        )


def refuse_guessing():
    """Counts a wrong code (one that found no open room) against this address and phone."""
    count_against(*filter(None, (client_key("code"), device_key())))


def limit(name: str) -> int:
    """A room limit: the setting (WELLBEING_ROOM_MAX_SEATS and so on, wellbeing/settings.py)."""
    return int(current_app.config[name])


def over_limit(key: str, limit: int) -> bool:
    """New seats from this client in the last SEAT_WINDOW_MINUTES (rooms.join)."""
    return limits.over(key, limit, SEAT_WINDOW_MINUTES)
