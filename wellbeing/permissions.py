"""Every "who can see this?" question is answered here, one helper per question."""

from functools import wraps

from flask import abort, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden, NotFound

from .atrest import unseal
from .db import first_row, rows

# Tables whose rows belong to one organisation, by their `org_id` column.
ORG_TABLES = {"users", "invitations", "content_entries", "pairs", "rooms"}
SQLITE_MAX_INTEGER = 2**63 - 1


def role_required(*roles: str):
    """The view is for people holding one of these roles; others get a friendly 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_in_organisation(table: str, row_id: int, member=None) -> dict:
    """A row of the member's own organisation, or 404: other organisations don't exist."""
    assert table in ORG_TABLES
    if not 0 < row_id <= SQLITE_MAX_INTEGER:
        # A made-up id too big for SQLite is simply not found, rather than a crash.
        abort(404)
    member = member or current_user
    # `table` is one of ORG_TABLES (asserted above), never text from a request.
    row = first_row(f"select * from {table} where id = ? and org_id = ?", [row_id, member.org_id])
    if row is None:
        abort(404)
    return row


def pairs_of(member=None) -> list[dict]:
    """The pairs a facilitator co-works in, with their partner's name."""
    member = member or current_user
    found = rows(
        "select pairs.*, partner.name as partner_name from pair_members mine"
        " join pairs on pairs.id = mine.pair_id"
        " join pair_members theirs"
        "   on theirs.pair_id = pairs.id and theirs.user_id != mine.user_id"
        " join users partner on partner.id = theirs.user_id"
        " where mine.user_id = ? and pairs.org_id = ?"
        " order by pairs.ended_at is not null, pairs.id",
        [member.id, member.org_id],
    )
    return [dict(row, name=unseal(row["name_sealed"], "pairs.name")) for row in found]


def get_backup(owner=None, version=None) -> dict | None:
    """One of the owner's own vault backups (the latest without a version), or None.

    DESIGN "The data rule": a vault backup is ciphertext only its owner's passphrase opens, and
    only its owner may fetch or replace it: not an admin, not a supervisor. Every query about
    backups goes through here or `backup_versions`, and both are keyed on the owner alone."""
    owner = owner or current_user
    if version is None:
        return first_row(
            "select * from vault_backups where user_id = ? order by version desc limit 1",
            [owner.id],
        )
    return first_row(
        "select * from vault_backups where user_id = ? and version = ?", [owner.id, version]
    )


def backup_versions(owner=None) -> list[dict]:
    """The owner's own backup versions, newest first: numbers, dates and sizes, no ciphertext."""
    owner = owner or current_user
    return rows(
        "select version, created_at, size from vault_backups where user_id = ?"
        " order by version desc",
        [owner.id],
    )


def refuse(error_class, friendly: str):
    """A friendly 403 or 404 that says why, in words (templates/errors/error.html)."""
    error = error_class()
    error.friendly = friendly
    raise error


def get_room(room_id: int, trainer=None) -> dict:
    """A training-day room, for its own trainer only.

    Another organisation's room doesn't exist (404); a colleague who didn't open it gets a
    friendly 403. Participants never come through here: they hold a seat (`get_seat`)."""
    trainer = trainer or current_user
    room = get_in_organisation("rooms", room_id, trainer)
    if room["trainer_id"] != trainer.id:
        refuse(Forbidden, _("Only the trainer who opened this room can run it."))
    return room


def rooms_run_by(trainer=None) -> list[dict]:
    trainer = trainer or current_user
    return rows(
        "select * from rooms where trainer_id = ? and org_id = ? order by id desc",
        [trainer.id, trainer.org_id],
    )


def seats() -> dict:
    """The rooms this browser has joined, as {room id: token}, kept in its session cookie."""
    return dict(session.get("seats") or {})


def get_seat(code: str) -> tuple[dict, dict]:
    """The room with this code and the person's own place in it, from their cookie.

    DESIGN "The data rule", class room: a participant sees only their own place, never anyone
    else's; someone who hasn't joined is sent to the join page with the code filled in."""
    from .line.rooms import participant_of, room_by_code

    room = room_by_code(code)
    if room is None:
        refuse(
            NotFound,
            _(
                "We can't find a room with that code."
                " Rooms are deleted some time after their training day."
            ),
        )
    participant = participant_of(room, seats().get(str(room["id"])))
    if participant is None:
        abort(redirect(url_for("line.join_show", code=room["code"])))
    return room, participant
