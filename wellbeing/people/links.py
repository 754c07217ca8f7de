"""The one-time links that bring people in: invitations and password resets."""

import contextlib
import secrets

from flask import current_app

from ..clock import later, now
from ..db import first_row, get_db, rows, sqlite3, writing
from .identity import ROLES, hasher, insert_person, remove_passkeys, token_hash
from .signins import revoke_all_signins

# What makes a link usable: not used, not withdrawn or cancelled, not expired. Finding a link,
# claiming it and spending it all ask the same.
USABLE = {
    "invitations": "used_at is null and revoked_at is null and expires_at > :now",
    "password_resets": "used_at is null and cancelled_at is null and expires_at > :now",
}


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
        f" where token_hash = :hash and {USABLE['invitations']}",
        {"hash": token_hash(token), "now": now()},
    )


def invitation_is_for(invitation: dict, email: str) -> bool:
    """An invitation made for a named email can be accepted with that email only."""
    return not invitation["email"] or invitation["email"] == email.strip().lower()


class LinkInUse(Exception):
    """Someone is setting a password with this link at this moment (claimed)."""


def claim_seconds() -> int:
    """How long a claim lasts: longer than a hash and the longest wait for the write after it."""
    return current_app.config["WRITE_WAIT_SECONDS"] + 10


@contextlib.contextmanager
def claimed(table: str, link_id: int):
    """Yields True while this request holds the link's claim: hash a password only then. Yields
    False if the link can't be used any more (spent, withdrawn, cancelled or expired since it
    was read); raises LinkInUse while another request holds the claim.

    An Argon2 hash is about 150 ms of CPU, and of many people pressing the button on one link at
    once, all used to hash before one spent it: on a training day's busiest moment, 3 to 5 of
    16 presses hashed, and each hash added about 100 ms to everyone's wait (issue 26). Now one
    hashes and the others are told at once. A request that fails with an error it can recover
    from (a taken email: the person corrects it and sends again) lets go of its claim; otherwise
    the claim runs out by itself (claim_seconds), as when its process died. Spending the link
    stays one conditional update, so a claim that ran out still lets only one person in."""
    db = get_db()
    if db.writing_depth:
        # Inside a transaction the claim would be a savepoint nobody else sees, and the hash
        # would hold the write lock.
        raise RuntimeError("claim a link outside writing()")
    mine = {"id": link_id, "until": later(seconds=claim_seconds()), "now": now()}
    usable = f"id = :id and {USABLE[table]}"
    with writing():
        taken = db.execute(
            f"update {table} set claimed_until = :until where {usable}"
            " and (claimed_until is null or claimed_until <= :now)",
            mine,
        ).rowcount
        still_usable = taken or db.execute(f"select 1 from {table} where {usable}", mine).fetchone()
    if not taken:
        if still_usable:
            raise LinkInUse(table)
        yield False
        return
    try:
        yield True
    except sqlite3.OperationalError:
        raise  # a busy or failing database: letting go would only wait for it again
    except Exception:
        with contextlib.suppress(sqlite3.OperationalError), writing():
            db.execute(
                f"update {table} set claimed_until = null"
                " where id = :id and claimed_until = :until",
                mine,
            )
        raise


def accept_invitation(invitation: dict, email: str, name: str, password: str) -> int | None:
    """The new person's id, or None if the link was used (or withdrawn) meanwhile. Raises
    EmailTaken, or LinkInUse while someone else is using the link. The link is spent by one
    conditional update inside the write transaction, so of many people pressing "Join" on one
    link at once, exactly one gets an account."""
    with claimed("invitations", invitation["id"]) as ours:
        if not ours:
            return None
        password_hash = hasher().hash(password)
        return _spend_invitation(invitation, email, name, password_hash)


def _spend_invitation(invitation: dict, email: str, name: str, password_hash: str) -> int | None:
    with writing():
        spent = get_db().execute(
            "update invitations set used_at = :now, claimed_until = null"
            f" where id = :id and {USABLE['invitations']}",
            {"id": invitation["id"], "now": now()},
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
        f" where token_hash = :hash and {USABLE['password_resets']}",
        {"hash": token_hash(token), "now": now()},
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


def reset_used_since(user_id: int, since: str) -> dict | None:
    """The latest reset link used since `since`: for the partner's notice on the pair page."""
    found = rows(
        RESETS + " and used_at > ? order by used_at desc limit 1",
        [user_id, since],
    )
    return found[0] if found else None


def reset_untold(user_id: int) -> dict | None:
    """The latest reset of the person's password they have not been told of: for the notice at
    their next sign-in, which marks it told (`told_of_resets`). Not decided by comparing moments:
    they are kept to the second, and a reset in the same second as the sign-in before it went
    untold."""
    found = rows(
        RESETS + " and used_at is not null and told_at is null order by used_at desc limit 1",
        [user_id],
    )
    return found[0] if found else None


def told_of_resets(user_id: int):
    with writing():
        get_db().execute(
            "update password_resets set told_at = ? where user_id = ? and used_at is not null"
            " and told_at is null",
            [now(), user_id],
        )


def use_password_reset(reset: dict, password: str) -> bool:
    """Set the new password, spend the link, sign the person out everywhere else and remove
    their passkeys. False if the link was used meanwhile; raises LinkInUse while someone else
    is using it. It is spent by one conditional update in the transaction, so two people
    holding one link can't both set a password."""
    with claimed("password_resets", reset["id"]) as ours:
        if not ours:
            return False
        password_hash = hasher().hash(password)
        return _spend_reset(reset, password_hash)


def _spend_reset(reset: dict, password_hash: str) -> bool:
    db = get_db()
    with writing():
        spent = db.execute(
            "update password_resets set used_at = :now, claimed_until = null"
            f" where id = :id and {USABLE['password_resets']}",
            {"id": reset["id"], "now": now()},
        )
        if spent.rowcount != 1:
            return False
        cancel_password_resets(reset["user_id"])  # using one link cancels every other
        db["users"].update(reset["user_id"], {"password_hash": password_hash})
        revoke_all_signins(reset["user_id"])
        # A passkey added by whoever had the account must not outlive the reset (issue 21, H2).
        remove_passkeys(reset["user_id"], "reset")
    return True
