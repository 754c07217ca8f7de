"""A seat in a training-day room, and the limit on guessing codes.

A participant has no account: their seat is derived from a random id in their cookie and the
room (`seat_token`). `permissions.get_seat` asks here whether a browser holds a seat, so this sits
below both it and the line feature (wellbeing/line), which seats people and runs the rooms.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from .accounts.people import token_hash
from .db import first_row, get_db, writing
from .errors import refuse

# The window the room limits count in. The limits themselves are settings (ROOM_MAX_SEATS and
# the others in wellbeing/settings.py, which says why each is the size it is).
LOOKUP_WINDOW_MINUTES = 10


def clock() -> datetime:
    """Now, in UTC. Tests and the browser test set app.config["CLOCK"] to move time on."""
    return current_app.config.get("CLOCK", lambda: datetime.now(UTC))()


def stamp(moment: datetime | None = None) -> str:
    return (moment or clock()).isoformat(timespec="seconds")


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
    """What a limit counts by: a keyed hash of the client's address, so the table of counts
    never holds an address (docs/design.md: the room keeps nothing that points at a person)."""
    key = current_app.extensions["seat_key"]
    address = (request.remote_addr or "unknown").encode()
    client = hmac.new(key, b"client:" + address, hashlib.sha256).hexdigest()[:32]
    return f"{kind}:{room_id or ''}:{client}"


def stop_guessing():
    """Answers 429 once this client has had too many codes that found no open room or no
    seat in the window, whatever code it tries now (issue 11, finding 5: 60 guesses took
    0.23 s)."""
    if over_limit(client_key("code"), limit("ROOM_MAX_FAILED_LOOKUPS")):
        refuse(
            TooManyRequests,
            _(
                "Too many codes tried. Please wait ten minutes,"
                " then check the code on the projector."
            ),
        )


def refuse_guessing():
    """Counts a code that found no open room or no seat against this client."""
    stop_guessing()
    count_against(client_key("code"))


def limit(name: str) -> int:
    """A room limit: the setting (WELLBEING_ROOM_MAX_SEATS and so on, wellbeing/settings.py)."""
    return int(current_app.config[name])


def window_start() -> str:
    return stamp(clock() - timedelta(minutes=LOOKUP_WINDOW_MINUTES))


def over_limit(key: str, limit: int) -> bool:
    found = get_db().execute(
        "select count(*) from room_lookups where key = ? and at > ?", [key, window_start()]
    )
    return found.fetchone()[0] >= limit


def count_against(key: str):
    db = get_db()
    with writing():
        # A count is kept only for its window, then forgotten.
        db.execute("delete from room_lookups where at <= ?", [window_start()])
        db.execute("insert into room_lookups (key, at) values (?, ?)", [key, stamp()])
