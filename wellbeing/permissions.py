"""Every "who can see this?" question is answered here, one helper per question."""

import secrets
from functools import wraps

from flask import abort, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden

from . import seats
from .atrest import unseal
from .db import first_row, rows, storable
from .errors import refuse

# Tables whose rows belong to one organisation, by their `org_id` column.
ORG_TABLES = {"users", "invitations", "content_entries", "pairs", "supervisions", "rooms"}


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


def one_or_404(row_id: int, sql: str, params: list) -> dict:
    """The one row `sql` finds for an id from a URL, or 404: a row of someone else's is the
    same as none, and a made-up id too big for SQLite is simply not found."""
    if not storable(row_id):
        abort(404)
    found = first_row(sql, params)
    if found is None:
        abort(404)
    return found


def get_in_organisation(table: str, row_id: int, member=None) -> dict:
    """A row of the member's own organisation, or 404: other organisations don't exist."""
    assert table in ORG_TABLES
    member = member or current_user
    # `table` is one of ORG_TABLES (asserted above), never text from a request.
    sql = f"select * from {table} where id = ? and org_id = ?"
    return one_or_404(row_id, sql, [row_id, member.org_id])


def pairs_of(member=None) -> list[dict]:
    """The pairs a facilitator co-works in, with their partner's name."""
    member = member or current_user
    found = rows(
        f"{MY_PAIRS} order by pairs.ended_at is not null, pairs.id", [member.id, member.org_id]
    )
    return [_named(row) for row in found]


# A member's pairs, with their partner's name: `pairs_of` lists them, `get_pair` picks one.
MY_PAIRS = (
    "select pairs.*, partner.id as partner_id, partner.name as partner_name,"
    " partner.disabled_at is not null as partner_left"
    " from pair_members mine"
    " join pairs on pairs.id = mine.pair_id"
    " join pair_members theirs"
    "   on theirs.pair_id = pairs.id and theirs.user_id != mine.user_id"
    " join users partner on partner.id = theirs.user_id"
    " where mine.user_id = ? and pairs.org_id = ?"
)


def _named(pair: dict) -> dict:
    return dict(pair, name=unseal(pair["name_sealed"], "pairs.name"))


def get_pair(pair_id: int, member=None, writing=False) -> dict:
    """A pair the member co-works in, or 404: to everyone else the pair doesn't exist.

    docs/design.md "The data rule": pair data is read by the two co-workers only. Not by a third
    facilitator, not by an admin; a supervisor sees only what the pair shares, through the
    supervision pages. `writing` refuses an ended pair: its history stays, read-only (409)."""
    member = member or current_user
    # One query for the one pair (issue 25), not every pair of the member's, opened.
    sql = f"{MY_PAIRS} and pairs.id = ?"
    pair = _named(one_or_404(pair_id, sql, [member.id, member.org_id, pair_id]))
    if writing and pair["ended_at"]:
        abort(409)
    return pair


def get_session_plan(plan_id: int, pair: dict) -> dict:
    """A plan of this pair (issue 12), or 404. The pair comes from `get_pair`, so only its two
    partners ever reach a plan; another pair's plan is the same as none."""
    sql = "select * from session_plans where id = ? and pair_id = ?"
    return one_or_404(plan_id, sql, [plan_id, pair["id"]])


def get_pair_invitation(invitation_id: int, side: str, member=None) -> dict:
    """An open invitation to co-work, or 404: `side` "invitee" for the person invited (who
    accepts or declines), "inviter" for the person who sent it (who may withdraw it)."""
    assert side in ("invitee", "inviter")
    member = member or current_user
    sql = (
        "select * from pair_invitations where id = ? and org_id = ? and answer is null"
        f" and {side}_id = ?"
    )
    return one_or_404(invitation_id, sql, [invitation_id, member.org_id, member.id])


def get_backup(owner=None, version=None) -> dict | None:
    """One of the owner's own vault backups (the latest without a version), or None.

    docs/design.md "The data rule": a vault backup is ciphertext only its owner's passphrase opens,
    and only its owner may fetch or replace it: not an admin, not a supervisor. Every query about
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


# --- supervision (issue 5) ---------------------------------------------------------------
#
# docs/design.md "The data rule": a supervisor sees only the people an admin assigned to them, their
# pairs, and what those pairs chose to share. Every question about that goes through here.


def supervisees_of(supervisor=None) -> list[dict]:
    """The people an admin assigned to this supervisor, by name."""
    supervisor = supervisor or current_user
    return rows(
        "select users.id, users.name, supervisions.target_minutes, supervisions.id as link_id"
        " from supervisions join users on users.id = supervisions.supervisee_id"
        " where supervisions.supervisor_id = ? and supervisions.org_id = ?"
        " order by users.name",
        [supervisor.id, supervisor.org_id],
    )


def get_supervisee(user_id: int, supervisor=None) -> dict:
    """Someone this supervisor supervises, or 404: nobody else's record exists for them."""
    if not storable(user_id):
        abort(404)
    found = next((p for p in supervisees_of(supervisor) if p["id"] == user_id), None)
    if found is None:
        abort(404)
    return found


def supervised_pairs(supervisor=None) -> list[dict]:
    """The pairs of this supervisor's supervisees, each once, with both partners' names."""
    supervisor = supervisor or current_user
    found = rows(
        "select distinct pairs.*, a.user_id as first_id, first.name as first_name,"
        " b.user_id as second_id, second.name as second_name"
        " from supervisions"
        " join pair_members mine on mine.user_id = supervisions.supervisee_id"
        " join pairs on pairs.id = mine.pair_id and pairs.org_id = supervisions.org_id"
        " join pair_members a on a.pair_id = pairs.id"
        " join pair_members b on b.pair_id = pairs.id and b.user_id > a.user_id"
        " join users first on first.id = a.user_id"
        " join users second on second.id = b.user_id"
        " where supervisions.supervisor_id = ? and supervisions.org_id = ?"
        " order by pairs.ended_at is not null, pairs.id",
        [supervisor.id, supervisor.org_id],
    )
    return [dict(row, name=unseal(row["name_sealed"], "pairs.name")) for row in found]


def get_supervised_pair(pair_id: int, supervisor=None) -> dict:
    """A pair one of this supervisor's supervisees works in, or 404."""
    if not storable(pair_id):
        abort(404)
    found = next((p for p in supervised_pairs(supervisor) if p["id"] == pair_id), None)
    if found is None:
        abort(404)
    return found


def topics_shared(pair_ids: list[int]) -> dict[int, set[str]]:
    """For each pair, what both partners said yes to sharing with supervision (pair_consents:
    one row per partner and topic). One query, however many pairs the supervisor has."""
    topics = {pair_id: set() for pair_id in pair_ids}
    found = rows(
        "select pair_id, topic from pair_consents"
        f" where pair_id in ({', '.join('?' * len(pair_ids))})"
        " group by pair_id, topic having count(*) = 2",
        pair_ids,
    )
    for row in found:
        topics[row["pair_id"]].add(row["topic"])
    return topics


def supervisor_sees(pair: dict, topic: str) -> bool:
    """Whether both partners said yes to sharing `topic` with supervision."""
    return topic in topics_shared([pair["id"]])[pair["id"]]


def get_shared_agreement(pair_id: int, supervisor=None) -> dict:
    """A supervised pair whose agreement both partners shared, or 404: not shared, or
    withdrawn, is the same as not there, and so is a pair that never agreed a version."""
    pair = get_supervised_pair(pair_id, supervisor)
    if not supervisor_sees(pair, "agreement"):
        abort(404)
    agreed = first_row(
        "select 1 from agreement_versions where pair_id = ? and agreed_at is not null limit 1",
        [pair["id"]],
    )
    if agreed is None:
        abort(404)
    return pair


def shared_session_plans(pair: dict) -> list[dict] | None:
    """A supervised pair's planned and run sessions, when both partners share them (topic
    "sessions"), or None. Dates, sessions and whether they ran: who leads each part stays
    between the partners, as their sharing page promises."""
    if not supervisor_sees(pair, "sessions"):
        return None
    return rows(
        "select held_on, session_key, ran_at from session_plans where pair_id = ?"
        " order by held_on desc",
        [pair["id"]],
    )


def shared_safety_checks(pair: dict) -> list[dict] | None:
    """Issue 22: a supervised pair's answers to the debrief's safety question, when both partners
    share their sessions (topic "sessions"), or None. Dates, whether a concern was raised, and
    when, how, to which service and by whom it was passed on: there is nothing else to see."""
    if not supervisor_sees(pair, "sessions"):
        return None
    return rows(
        "select safety_checks.held_on, safety_checks.concern, safety_checks.passed_on_at,"
        " safety_checks.passed_on_to, safety_checks.passed_on_how, users.name as passed_on_by_name"
        " from safety_checks left join users on users.id = safety_checks.passed_on_by"
        " where safety_checks.pair_id = ? order by safety_checks.held_on desc",
        [pair["id"]],
    )


def reads_note(meeting: dict, reader=None) -> bool:
    """Whether `reader` may read the note of a supervision meeting (a row of
    supervision_meetings). A note marked "supervisor only" is for the supervisor who wrote it:
    not for the supervisee, and not for another supervisor assigned to the same person, before
    or after (Respect §3.13; issue 11, finding 1)."""
    reader = reader or current_user
    return not meeting["supervisor_only"] or meeting["supervisor_id"] == reader.id


def get_supervision_meeting(meeting_id: int, supervisor=None) -> dict:
    """A supervision meeting this supervisor logged, or 404."""
    supervisor = supervisor or current_user
    sql = "select * from supervision_meetings where id = ? and supervisor_id = ? and org_id = ?"
    return one_or_404(meeting_id, sql, [meeting_id, supervisor.id, supervisor.org_id])


def get_group_log(log_id: int, member=None) -> dict:
    """A group the member logged for their own record, or 404: only they may take it back,
    and to everyone else it doesn't exist."""
    member = member or current_user
    sql = "select * from group_logs where id = ? and user_id = ?"
    return one_or_404(log_id, sql, [log_id, member.id])


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


def device() -> str:
    """This browser's own random id, kept in its session cookie; a room seat is derived from
    it (seats.py, seat_token), so the browser holds one seat per room at most."""
    if "device" not in session:
        session["device"] = secrets.token_urlsafe(16)
    return session["device"]


def get_seat(code: str) -> tuple[dict, dict]:
    """The room with this code and the person's own place in it, from their cookie.

    docs/design.md "The data rule", class room: a participant sees only their own place, never
    anyone else's. Anyone without a seat, whether the code is unknown, the room has ended or they
    haven't joined, gets the same answer: the join page with the code filled in, so a code's
    answer never says whether a room exists (issue 11, finding 5). A code that finds no open
    room counts against the client's limit on wrong codes; a right one never does (issue 21,
    M1: a phone that lost its seat, with the right code, is no guesser)."""
    room = seats.room_by_code(code)
    participant = (
        seats.participant_of(room, seats.seat_token(device(), room["id"])) if room else None
    )
    if participant is None:
        if room is None or room["ended_at"]:
            seats.stop_guessing()
            seats.refuse_guessing()
        abort(redirect(url_for("line.join_show", code=seats.normalise_code(code))))
    return room, participant


def get_supervision_note(pair: dict, note_id: int, member=None) -> dict:
    """A note "to bring to supervision" the member wrote in this pair, or 404: it is the
    writer's alone, so to the partner and everyone else it doesn't exist (issue 27)."""
    member = member or current_user
    sql = "select * from supervision_notes where id = ? and user_id = ? and pair_id = ?"
    found = one_or_404(note_id, sql, [note_id, member.id, pair["id"]])
    found["text"] = unseal(found.pop("text_sealed"), "supervision_notes.text")
    return found


def supervisors_of(member=None) -> list[dict]:
    """Who supervises this person: whom a note they share goes to, by name."""
    member = member or current_user
    return rows(
        "select users.id, users.name from supervisions"
        " join users on users.id = supervisions.supervisor_id"
        " where supervisions.supervisee_id = ? and supervisions.org_id = ?"
        " and users.deleted_at is null order by users.name",
        [member.id, member.org_id],
    )
