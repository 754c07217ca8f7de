"""What a training-day room is and does, as plain functions the views and tests call.

Guidelines, "Scrutinise your beliefs and expectations: Is this always abusive?": "Create a line
across the room from 'always abusive' to 'never abusive' and get workers to place themselves
along it in relation to one of the following examples one after the other." A place on the line
is a whole number from 0 ('always abusive') to LINE_END ('never abusive').

docs/design.md "The data rule", class room: anonymous positions, deleted automatically after a set
time; the room sees only the combined picture.
"""

import secrets
import threading
import time
from datetime import datetime, timedelta

from flask import current_app

from .. import content, settings
from ..clock import moment, stamp
from ..db import first_row, get_db, move_in_order, rows, secure_delete, storable, writing
from ..people.identity import token_hash
from ..seats import (
    client_key,
    count_against,
    limit,
    over_limit,
    participant_of,
)

LINE_END = 1000
# The phone's slider moves in steps of this many; any whole number on the line is accepted.
LINE_STEP = 10
# Nothing is drawn until this many people have placed, so nobody can be picked out. The
# trainer may raise a room's threshold up to MAX_THRESHOLD (a small or close-knit group).
THRESHOLD = 3
MAX_THRESHOLD = 10
DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 365
# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: a code read off a projector at the back of a room.
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
CODE_LENGTH = 6
# The Learning about sex questions are discussed in small groups for this long unless set.
DEFAULT_MINUTES = 10
MAX_MINUTES = 60
CONTROLS = (
    "reveal",
    "hide",
    "next",
    "previous",
    "second_round",
    "first_round",
    "questions",
    "line",
    "context_on",
    "context_off",
    "threshold",
    "end",
)


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if first_row("select 1 from rooms where code = ?", [code]) is None:
            return code


# --- opening and adapting a room --------------------------------------------------------------


def open_room(org_id: int, trainer_id: int, opened_with: str) -> int:
    """A room with its own copy of the organisation's practices; one room per opening form."""
    existing = first_row(
        "select id from rooms where trainer_id = ? and opened_with = ?", [trainer_id, opened_with]
    )
    if existing:
        return existing["id"]
    practices = content.entries(org_id, "practice")
    db = get_db()
    with writing():
        room_id = (
            db["rooms"]
            .insert(
                {
                    "org_id": org_id,
                    "trainer_id": trainer_id,
                    "code": new_code(),
                    "opened_with": opened_with,
                    "created_at": stamp(),
                }
            )
            .last_pk
        )
        for position, practice in enumerate(practices):
            db["room_practices"].insert(
                {
                    "room_id": room_id,
                    "position": position,
                    "text": practice["text"],
                    "note": practice["note"] or "",
                }
            )
        first = practices_of(room_id)
        db.execute(
            "update rooms set practice_id = ? where id = ?",
            [first[0]["id"] if first else None, room_id],
        )
    return room_id


def practices_of(room_id: int) -> list[dict]:
    return rows("select * from room_practices where room_id = ? order by position, id", [room_id])


def practice_in(room: dict, practice_id: int) -> dict | None:
    if not storable(practice_id):
        return None  # a made-up id too big for SQLite is simply not in the room
    return first_row(
        "select * from room_practices where id = ? and room_id = ?", [practice_id, room["id"]]
    )


def touch(room_id: int, stage: bool = True):
    """Something the views of the room show has changed: new ETags for them. `stage` False is
    for what only the trainer and the projector show (hidden or revealed): the phones' view
    stays as it is, so a person moving their place isn't interrupted by a redraw."""
    column = ", stage_version = stage_version + 1" if stage else ""
    get_db().execute(f"update rooms set version = version + 1{column} where id = ?", [room_id])


def add_practice(room: dict, text: str, note: str):
    db = get_db()
    with writing():
        last = first_row(
            "select coalesce(max(position), -1) + 1 as next from room_practices where room_id = ?",
            [room["id"]],
        )
        practice_id = (
            db["room_practices"]
            .insert({"room_id": room["id"], "position": last["next"], "text": text, "note": note})
            .last_pk
        )
        if room["practice_id"] is None:
            db.execute("update rooms set practice_id = ? where id = ?", [practice_id, room["id"]])
        touch(room["id"])


def reword_practice(room: dict, practice: dict, text: str, note: str):
    db = get_db()
    with writing():
        db["room_practices"].update(practice["id"], {"text": text, "note": note})
        touch(room["id"])


def move_practice(room: dict, practice: dict, offset: int):
    with writing():
        if move_in_order("room_practices", practices_of(room["id"]), practice["id"], offset):
            touch(room["id"])


def remove_practice(room: dict, practice: dict):
    """Gone from this room with its places; the room moves on to a neighbour if it was current."""
    practices = practices_of(room["id"])
    index = next(i for i, p in enumerate(practices) if p["id"] == practice["id"])
    rest = practices[:index] + practices[index + 1 :]
    db = get_db()
    with writing():
        db.execute("delete from placements where practice_id = ?", [practice["id"]])
        db.execute("delete from room_practices where id = ?", [practice["id"]])
        if room["practice_id"] == practice["id"]:
            neighbour = rest[min(index, len(rest) - 1)]["id"] if rest else None
            db.execute(
                "update rooms set practice_id = ?, round = 1, revealed = 0 where id = ?",
                [neighbour, room["id"]],
            )
        touch(room["id"])


def save_as_organisation_list(room: dict):
    """The room's list becomes the organisation's `practice` list for later training days.

    The old entries are removed softly (content.remove), as an admin's removals are."""
    db = get_db()
    with writing():
        db.execute(
            "update content_entries set removed_at = ?"
            " where org_id = ? and kind = 'practice' and removed_at is null",
            [stamp(), room["org_id"]],
        )
        for practice in practices_of(room["id"]):
            content.add(
                room["org_id"], "practice", {"text": practice["text"], "note": practice["note"]}
            )


# --- running a room ----------------------------------------------------------------------------


def control(
    room: dict, action: str, stage: int | None, minutes: int | None = None, threshold=None
) -> str:
    """The trainer's buttons. Returns "done", "stale" (a double tap, or the room had already
    changed: nothing is done twice) or "closed"."""
    if room["ended_at"]:
        return "closed"
    if stage is not None and stage != room["stage_version"]:
        return "stale"
    changes = changes_for(room, action, minutes, threshold)
    if changes is None:
        return "stale"
    db = get_db()
    with writing():
        db["rooms"].update(room["id"], changes)
        touch(room["id"], stage=action not in PROJECTOR_ONLY)
    return "done"


# Hiding, revealing and the threshold change the projector and the trainer's controls, never a
# phone's view. Tapping either twice does nothing more, so they need no double-tap guard.
PROJECTOR_ONLY = ("reveal", "hide", "threshold")


def changes_for(room: dict, action: str, minutes: int | None, threshold=None) -> dict | None:
    if action == "reveal":
        return {"revealed": 1}
    if action == "hide":
        return {"revealed": 0}
    if action in ("next", "previous"):
        neighbour = neighbour_of(room, 1 if action == "next" else -1)
        # A new practice starts hidden, in its first round, on the line.
        return neighbour and {"practice_id": neighbour, "round": 1, "revealed": 0, "view": "line"}
    if action == "second_round":
        return {"round": 2, "revealed": 0, "view": "line"}
    if action == "first_round":
        return {"round": 1, "revealed": 0, "view": "line"}
    if action == "questions":
        ends = moment() + timedelta(minutes=minutes or DEFAULT_MINUTES)
        return {"view": "questions", "timer_ends_at": stamp(ends)}
    if action == "line":
        return {"view": "line", "timer_ends_at": None}
    if action in ("context_on", "context_off"):
        return {"dv_context": int(action == "context_on")}
    if action == "threshold":
        return {"threshold": threshold} if threshold else None
    if action == "end":
        return {"ended_at": stamp()}
    return None


def neighbour_of(room: dict, offset: int) -> int | None:
    practices = practices_of(room["id"])
    ids = [p["id"] for p in practices]
    if room["practice_id"] not in ids:
        return ids[0] if ids else None
    target = ids.index(room["practice_id"]) + offset
    return ids[target] if 0 <= target < len(ids) else None


def seconds_left(room: dict) -> int:
    if not room["timer_ends_at"]:
        return 0
    ends = datetime.fromisoformat(room["timer_ends_at"])
    return max(0, int((ends - moment()).total_seconds()))


# --- people in the room ------------------------------------------------------------------------


def join(room: dict, token: str) -> str:
    """Seats the device in the room: "joined", "already" (its seat is there), "full",
    "too_many" (this client made too many seats here) or "closed". Every check is made inside
    the write transaction, and a new seat counts against the client in the same one."""
    db = get_db()
    client = client_key("seat", room["id"])
    with writing():
        # The room as it is now, inside the transaction: the trainer may have just ended it.
        now_room = first_row("select ended_at from rooms where id = ?", [room["id"]])
        if now_room is None or now_room["ended_at"]:
            return "closed"
        if participant_of(room, token):
            return "already"
        taken = db.execute(
            "select count(*) from participants where room_id = ?", [room["id"]]
        ).fetchone()[0]
        if taken >= limit("ROOM_MAX_SEATS"):
            return "full"
        if over_limit(client, limit("ROOM_MAX_SEATS_PER_CLIENT")):
            return "too_many"
        # Plain SQL: sqlite-utils' insert reads the schema first, and 200 phones join at once.
        db.execute(
            "insert into participants (room_id, token_hash, joined_at) values (?, ?, ?)",
            [room["id"], token_hash(token), stamp()],
        )
        # The projector and the trainer show how many have joined.
        db.execute("update rooms set version = version + 1 where id = ?", [room["id"]])
        count_against(client)
    return "joined"


# --- guessing codes and making seats: counted per client ------------------------------------


def place(room, participant, practice_id, round_, position, seq) -> tuple[str, int]:
    """Put the person's place for the room's current practice and round.

    Returns (outcome, room version): "placed", "moved_on" (the trainer has moved on: the place
    is for a practice or round that is over) or "closed". Sending the same place twice is the
    same as sending it once, and `seq` keeps an old retry from undoing a newer move.
    """
    db = get_db()
    # A place is a moment's opinion that the phone sends again until it is answered, and 200
    # phones send one a second each (docs/design.md budget). So its commit skips the fsync: in WAL
    # mode that survives the app or the server process crashing and loses only the last moments'
    # places if the machine loses power (docs/operations.md). Every other write keeps FULL.
    db.execute(f"PRAGMA synchronous = {current_app.config['PLACEMENT_SYNCHRONOUS']}")
    try:
        with writing():
            # The room as it is now, inside the transaction: the trainer may have moved on.
            now_room = first_row(
                "select ended_at, practice_id, round, view, version from rooms where id = ?",
                [room["id"]],
            )
            if now_room["ended_at"]:
                return "closed", now_room["version"]
            current = (now_room["practice_id"], now_room["round"], now_room["view"])
            if current != (practice_id, round_, "line"):
                return "moved_on", now_room["version"]
            changed = db.execute(
                "insert into placements (participant_id, practice_id, round, position, seq,"
                " updated_at) values (?, ?, ?, ?, ?, ?)"
                " on conflict (participant_id, practice_id, round) do update set"
                " position = excluded.position, seq = excluded.seq,"
                " updated_at = excluded.updated_at"
                " where excluded.seq >= placements.seq"
                " and excluded.position != placements.position",
                [participant["id"], practice_id, round_, position, seq, stamp()],
            ).rowcount
            if not changed:
                return "placed", now_room["version"]
            db.execute("update rooms set version = version + 1 where id = ?", [room["id"]])
            return "placed", now_room["version"] + 1
    finally:
        db.execute("PRAGMA synchronous = FULL")


# --- the projector's live view -----------------------------------------------------------------

# A projector asks for its picture and the request waits until the room changes (a long poll,
# docs/design.md "A live projector"). At most this long, so proxies and phones' radios never
# see a request older than that; the projector simply asks again.
LONGEST_WAIT = 25.0
# How often a waiting request looks for a commit. `PRAGMA data_version` reads no page of the
# file: it changes only when another connection has committed something, and only then is the
# room's version read. Any commit, from any worker process, is seen within this long.
WAIT_STEP = 0.005


# A waiting projector holds one of its worker's threads (WELLBEING_THREADS). At most all but one
# of them wait for a room to change, however many projectors are open (a trainer's second tab, a
# reloaded page whose old request still waits, several rooms at once), so waiting never takes a
# worker's last thread from its phones. A projector beyond that is told to poll instead: it
# shows the room every 0.5 s, and asks to wait again after 15 s. With 1 thread, none waits.
WAITS = "projector_waits"


def init_waits(app):
    threads = int(settings.chosen("THREADS", app.config.get("THREADS")))
    app.extensions[WAITS] = threading.BoundedSemaphore(max(threads - 1, 0))


def wait_for_change(room_id: int, version: int, seconds: float) -> bool:
    """Return as soon as the room's version is no longer `version` (or the room is gone), or
    after `seconds`: True. False at once when every thread this worker may lend to waiting is
    taken. Holds no transaction while it waits."""
    waits = current_app.extensions[WAITS]
    if not waits.acquire(blocking=False):
        return False
    try:
        watch(room_id, version, seconds)
    finally:
        waits.release()
    return True


def watch(room_id: int, version: int, seconds: float) -> None:
    db = get_db()
    if not 0.0 < seconds:  # nothing, a negative number, or not a number at all ("nan")
        seconds = 0.0
    deadline = time.monotonic() + min(seconds, LONGEST_WAIT)
    seen = None
    while True:
        committed = db.execute("PRAGMA data_version").fetchone()[0]
        if committed != seen:
            seen = committed
            row = db.execute("select version from rooms where id = ?", [room_id]).fetchone()
            if row is None or row[0] != version:
                return
        if time.monotonic() >= deadline:
            return
        time.sleep(WAIT_STEP)


def own_place(participant: dict, practice_id: int, round_: int) -> int | None:
    row = first_row(
        "select position from placements where participant_id = ? and practice_id = ?"
        " and round = ?",
        [participant["id"], practice_id, round_],
    )
    return row["position"] if row else None


def joined(room: dict) -> int:
    """How many have joined: a count, never who (issue 11, finding 4)."""
    found = get_db().execute("select count(*) from participants where room_id = ?", [room["id"]])
    return found.fetchone()[0]


def positions(practice_id: int, round_: int) -> list[int]:
    """Everyone's places, in order along the line, with nothing to say whose is whose. Read as
    plain numbers, not rows: a projector's answer for a room of 1,000 reads them all."""
    found = get_db().execute(
        "select position from placements where practice_id = ? and round = ? order by position",
        [practice_id, round_],
    )
    return [position for (position,) in found]


def moves(practice_id: int) -> list[tuple[int, int]]:
    """(before, after) for each person who placed in both rounds, in order of `before`."""
    found = rows(
        "select first.position as before, second.position as after from placements first"
        " join placements second on second.participant_id = first.participant_id"
        "  and second.practice_id = first.practice_id and second.round = 2"
        " where first.practice_id = ? and first.round = 1 order by first.position, second.position",
        [practice_id],
    )
    return [(row["before"], row["after"]) for row in found]


# --- retention ---------------------------------------------------------------------------------


def retention_days(org_id: int) -> int:
    row = first_row("select room_retention_days from organisations where id = ?", [org_id])
    return (row and row["room_retention_days"]) or DEFAULT_RETENTION_DAYS


def join_retention_days() -> int:
    """The figure the join page gives before anyone types a code (issue 27): the longest any
    organisation on this server keeps a room. One organisation runs one server (docs/design.md
    "Architecture"), so it is that organisation's figure, the one the trainer's page gives."""
    row = first_row(
        f"select max(coalesce(room_retention_days, {DEFAULT_RETENTION_DAYS})) as days"
        " from organisations"
    )
    return (row and row["days"]) or DEFAULT_RETENTION_DAYS


def set_retention_days(org_id: int, days: int):
    get_db()["organisations"].update(org_id, {"room_retention_days": days})


EXPIRED = (
    "select rooms.id from rooms join organisations on organisations.id = rooms.org_id"
    " where rooms.created_at <= strftime('%Y-%m-%dT%H:%M:%S+00:00', ?, '-' ||"
    f" coalesce(organisations.room_retention_days, {DEFAULT_RETENTION_DAYS}) || ' days')"
)


def purge(now: datetime | None = None) -> int:
    """Delete every room older than its organisation's retention time, with everything in it.

    Runs on room pages as they are opened, and from `flask purge-rooms` (docs/operations.md)."""
    moment = stamp(now)
    expired = [row["id"] for row in rows(EXPIRED, [moment])]
    if not expired:
        return 0
    marks = ",".join("?" * len(expired))
    db = get_db()
    with secure_delete(), writing():
        db.execute(
            "delete from placements where participant_id in"
            f" (select id from participants where room_id in ({marks}))",
            expired,
        )
        db.execute(f"delete from participants where room_id in ({marks})", expired)
        db.execute(f"delete from room_practices where room_id in ({marks})", expired)
        db.execute(f"delete from rooms where id in ({marks})", expired)
    return len(expired)
