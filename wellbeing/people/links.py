"""The one-time links that bring people in: invitations and password resets."""

import contextlib
import secrets

from flask import current_app

from ..clock import later, now
from ..db import first_row, get_db, rows, sqlite3, writing
from .identity import ROLES, hasher, insert_person, remove_passkeys, token_hash
from .signins import revoke_all_signins


def issue_link(table: str, fields: dict, **lifetime) -> str:
    """A one-time link token. Only its hash is stored: a database copy holds no usable link."""
    token = secrets.token_urlsafe(24)
    with writing():
        get_db()[table].insert(
            {
                **fields,
                "token_hash": token_hash(token),
                "created_at": now(),
                "expires_at": later(**lifetime),
            }
        )
    return token


def create_invitation(
    org_id: int, roles, email: str = "", created_by: int | None = None, name: str = ""
) -> str:
    fields = {
        "org_id": org_id,
        "email": email.strip().lower(),
        "name": name.strip() or None,
        "roles": ",".join(role for role in ROLES if role in roles),
        "created_by": created_by,
    }
    return issue_link("invitations", fields, days=current_app.config["INVITATION_DAYS"])


def find_invitation(token: str) -> dict | None:
    """An invitation that can still be used: not used, not revoked, not expired."""
    return first_row(
        "select invitations.*, organisations.name as org_name from invitations"
        " join organisations on organisations.id = invitations.org_id"
        " where token_hash = ? and used_at is null and revoked_at is null"
        " and expires_at > ?",
        [token_hash(token), now()],
    )


def invitation_is_for(invitation: dict, email: str) -> bool:
    """An invitation made for a named email can be accepted with that email only."""
    return not invitation["email"] or invitation["email"] == email.strip().lower()


# How long a claim on a link lasts (claimed): far longer than a hash and the write after it.
CLAIM_SECONDS = 60


class LinkInUse(Exception):
    """Someone is setting a password with this link at this moment (claimed)."""


@contextlib.contextmanager
def claimed(table: str, link_id: int):
    """Hash a password for a link only while holding its claim; raises LinkInUse if another
    request holds it.

    An Argon2 hash is about 150 ms of CPU, and of many people pressing the button on one link at
    once, all used to hash before one spent it: on a training day's busiest moment, 3 to 5 of
    16 presses hashed, and each hash added about 100 ms to everyone's wait (issue 26). Now one
    hashes and the others are told at once. The claim is let go if the request fails (a taken
    email: the person corrects it and tries again), and runs out by itself after CLAIM_SECONDS
    if its process died. Spending the link stays one conditional update, so a claim that ran
    out still lets only one person in."""
    with writing():
        taken = get_db().execute(
            f"update {table} set claimed_until = ? where id = ? and used_at is null"
            " and (claimed_until is null or claimed_until <= ?)",
            [later(seconds=CLAIM_SECONDS), link_id, now()],
        )
    if taken.rowcount != 1:
        raise LinkInUse(table)
    try:
        yield
    except Exception:
        # Best effort: a claim that can't be let go now runs out by itself.
        with contextlib.suppress(sqlite3.OperationalError), writing():
            get_db().execute(f"update {table} set claimed_until = null where id = ?", [link_id])
        raise


def accept_invitation(invitation: dict, email: str, name: str, password: str) -> int | None:
    """The new person's id, or None if the link was used (or withdrawn) meanwhile. Raises
    EmailTaken, or LinkInUse while someone else is using the link. The link is spent by one
    conditional update inside the write transaction, so of many people pressing "Join" on one
    link at once, exactly one gets an account."""
    with claimed("invitations", invitation["id"]):
        password_hash = hasher().hash(password)
        return _spend_invitation(invitation, email, name, password_hash)


def _spend_invitation(invitation: dict, email: str, name: str, password_hash: str) -> int | None:
    with writing():
        spent = get_db().execute(
            "update invitations set used_at = ?, claimed_until = null where id = ?"
            " and used_at is null"
            " and revoked_at is null and expires_at > ?",
            [now(), invitation["id"], now()],
        )
        if spent.rowcount != 1:
            return None
        roles = invitation["roles"].split(",")
        return insert_person(invitation["org_id"], email, name, password_hash, roles)


def create_password_reset(user_id: int, created_by: int) -> str:
    """A new reset link, and the only live one: any earlier unused link stops working (issue
    11, finding 3: an admin kept a second link and used it after the person had reset)."""
    fields = {"user_id": user_id, "created_by": created_by}
    with writing():
        cancel_password_resets(user_id)
        return issue_link("password_resets", fields, hours=current_app.config["RESET_HOURS"])


def cancel_password_resets(user_id: int):
    get_db().execute(
        "update password_resets set cancelled_at = ? where user_id = ? and used_at is null"
        " and cancelled_at is null",
        [now(), user_id],
    )


def find_password_reset(token: str) -> dict | None:
    return first_row(
        "select password_resets.*, users.name, users.email from password_resets"
        " join users on users.id = password_resets.user_id"
        " where token_hash = ? and used_at is null and cancelled_at is null and expires_at > ?",
        [token_hash(token), now()],
    )


RESETS = (
    "select password_resets.id, password_resets.created_at, used_at, cancelled_at,"
    " expires_at, maker.name as made_by from password_resets"
    " left join users maker on maker.id = password_resets.created_by"
    " where password_resets.user_id = ?"
)


def resets_of(user_id: int, limit: int = 10) -> list[dict]:
    """A person's reset links, newest first, with who made each (their account page)."""
    return rows(
        RESETS + " order by password_resets.created_at desc, password_resets.id desc limit ?",
        [user_id, limit],
    )


def reset_used_since(user_id: int, since: str | None) -> dict | None:
    """The latest reset link used since `since` (or ever, if None): for the person's notice at
    their next sign-in and their partner's notice on the pair page."""
    found = rows(
        RESETS + " and used_at is not null and (? is null or used_at > ?)"
        " order by used_at desc limit 1",
        [user_id, since, since],
    )
    return found[0] if found else None


def use_password_reset(reset: dict, password: str) -> bool:
    """Set the new password, spend the link, sign the person out everywhere else and remove
    their passkeys. False if the link was used meanwhile; raises LinkInUse while someone else
    is using it. It is spent by one conditional update in the transaction, so two people
    holding one link can't both set a password."""
    with claimed("password_resets", reset["id"]):
        password_hash = hasher().hash(password)
        return _spend_reset(reset, password_hash)


def _spend_reset(reset: dict, password_hash: str) -> bool:
    db = get_db()
    with writing():
        spent = db.execute(
            "update password_resets set used_at = ?, claimed_until = null where id = ?"
            " and used_at is null"
            " and cancelled_at is null and expires_at > ?",
            [now(), reset["id"], now()],
        )
        if spent.rowcount != 1:
            return False
        cancel_password_resets(reset["user_id"])  # using one link cancels every other
        db["users"].update(reset["user_id"], {"password_hash": password_hash})
        revoke_all_signins(reset["user_id"])
        # A passkey added by whoever had the account must not outlive the reset (issue 21, H2).
        remove_passkeys(reset["user_id"], "reset")
    return True
