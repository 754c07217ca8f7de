"""People, their sessions, and the one-time links that bring them in. Plain functions."""

import functools
import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin

from .. import content
from ..clock import later, moment, now
from ..db import first_row, get_db, rows, writing

# "womens_support" (issue 22): a worker of the women's support service, who reads what the
# module covers and how men may misuse it, and nothing of pairs, supervision or private space.
ROLES = ("facilitator", "supervisor", "admin", "womens_support")
# Argon2id with the library's current defaults (RFC 9106 low-memory profile).
hasher = PasswordHasher()


class Person(UserMixin):
    """A signed-in person. Their id for flask-login is the server-side session token."""

    def __init__(self, row: dict, roles: set[str], session_token: str):
        self.row, self.roles, self.session_token = row, roles, session_token
        self.id, self.org_id = row["id"], row["org_id"]
        self.name, self.email = row["name"], row["email"]
        self.checked_at = row.get("checked_at")

    def get_id(self):
        return self.session_token

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def roles_of(user_id: int) -> set[str]:
    rows = get_db().execute("select role from user_roles where user_id = ?", [user_id])
    return {role for (role,) in rows}


# --- organisations -------------------------------------------------------------------


def create_organisation(name: str) -> int:
    db = get_db()
    with writing():
        org_id = db["organisations"].insert({"name": name, "created_at": now()}).last_pk
        for kind in content.RESETTABLE:
            content.reset_to_guidelines(org_id, kind)
    return org_id


# --- passwords and sessions ----------------------------------------------------------


def find_by_email(email: str) -> dict | None:
    rows = get_db()["users"].rows_where("email = ?", [email.strip().lower()], limit=1)
    return next(iter(rows), None)


@functools.cache
def dummy_hash() -> str:
    """A hash of a password nobody has: an unknown email is checked against it."""
    return hasher.hash(secrets.token_urlsafe(16))


def find_email(user_id: int) -> str | None:
    row = first_row("select email from users where id = ?", [user_id])
    return row["email"] if row else None


def check_password(user: dict | None, password: str) -> bool:
    """Verify, and rehash on the way in when the Argon2 parameters have changed.

    An unknown email (`user` None) is verified against a dummy hash, so that it takes as long
    as a wrong password for a known one and the time doesn't tell who has an account (issue 11:
    160-230 ms against 3-37 ms)."""
    try:
        hasher.verify(user["password_hash"] if user else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(user["password_hash"]):
        new_hash = hasher.hash(password)
        with writing():
            get_db()["users"].update(user["id"], {"password_hash": new_hash})
    return True


def start_session(user_id: int, browser: str = "") -> str:
    token = secrets.token_urlsafe(32)
    with writing():
        stamp = now()
        get_db()["sessions"].insert(
            {
                "id": token_hash(token),
                "user_id": user_id,
                "created_at": stamp,
                "browser": browser,
                # Signing in is a check of who this is (issue 21, H2: `recently_checked`).
                "checked_at": stamp,
            }
        )
    return token


def recently_checked(person) -> bool:
    """Did this session prove who it is (a password or a passkey) in the last
    RECENT_CHECK_MINUTES? Adding a passkey asks for it, as GitHub's "sudo mode" does (issue 21,
    H2): a minute with an unlocked phone, or a stolen cookie, can't add a way in that outlives
    a password reset."""
    minutes = current_app.config["RECENT_CHECK_MINUTES"]
    checked = person.checked_at
    return bool(checked) and checked > later(minutes=-minutes)


def mark_checked(session_token: str):
    """The person typed their password again in this session: a fresh check."""
    with writing():
        get_db().execute(
            "update sessions set checked_at = ? where id = ?", [now(), token_hash(session_token)]
        )


def remove_passkeys(user_id: int, because: str) -> int:
    """Every passkey of theirs goes, with their open challenges (issue 21, H2): after a reset
    or a switch-off, no key added before it can sign in again. Recorded on their row, so their
    account page and next sign-in tell them (`because`: "reset" or "switched off")."""
    db = get_db()
    with writing():
        gone = db.execute("delete from passkeys where user_id = ?", [user_id]).rowcount
        db.execute("delete from webauthn_challenges where user_id = ?", [user_id])
        if gone:
            db.execute(
                "update users set passkeys_removed_at = ?, passkeys_removed_because = ?"
                " where id = ?",
                [now(), because, user_id],
            )
    return gone


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "Mac"),
    ("Linux", "Linux"),
)


def browser_of(user_agent: str) -> str:
    """A few words a person recognises ("Chrome on Android"), not the whole User-Agent."""
    name = next((label for mark, label in BROWSERS if mark in user_agent), "a browser")
    system = next((label for mark, label in SYSTEMS if mark in user_agent), "")
    return f"{name} on {system}" if system else name


def last_signin(user_id: int) -> str | None:
    row = first_row("select max(created_at) as at from sessions where user_id = ?", [user_id])
    return row["at"] if row else None


def load_person(session_token: str) -> Person | None:
    hours = current_app.config["SESSION_LIFETIME_HOURS"]
    oldest = later(hours=-hours)
    row = first_row(
        "select users.*, sessions.checked_at, group_concat(user_roles.role) as roles"
        " from sessions"
        " join users on users.id = sessions.user_id"
        " left join user_roles on user_roles.user_id = users.id"
        " where sessions.id = ? and sessions.revoked_at is null and sessions.created_at > ?"
        " and users.disabled_at is null"
        " group by users.id",
        [token_hash(session_token), oldest],
    )
    if row is None:
        return None
    roles = set((row.pop("roles") or "").split(","))
    return Person(row, roles, session_token)


def revoke_session(session_token: str):
    with writing():
        get_db().execute(
            "update sessions set revoked_at = ? where id = ? and revoked_at is null",
            [now(), token_hash(session_token)],
        )


def revoke_all_sessions(user_id: int):
    with writing():
        get_db().execute(
            "update sessions set revoked_at = ? where user_id = ? and revoked_at is null",
            [now(), user_id],
        )


# --- sign-in rate limit --------------------------------------------------------------


def _failure_keys(email: str) -> dict[str, int]:
    """Guessing is slowed per account only. A limit per address locked out a whole shared
    office network, right passwords included (issue 11): someone else's typing must never stop
    a person who has the right password from another account."""
    return {"email:" + email.strip().lower(): current_app.config["SIGNIN_MAX_FAILURES_PER_EMAIL"]}


def signin_wait_minutes(email: str) -> int:
    """Minutes until another attempt is allowed, or 0 if one is allowed now."""
    window = current_app.config["SIGNIN_WINDOW_MINUTES"]
    since = later(minutes=-window)
    wait = 0
    for key, limit in _failure_keys(email).items():
        times = [
            at
            for (at,) in get_db().execute(
                "select at from signin_failures where key = ? and at > ? order by at desc",
                [key, since],
            )
        ]
        if len(times) >= limit:
            oldest_counted = datetime.fromisoformat(times[limit - 1])
            free_at = oldest_counted + timedelta(minutes=window)
            minutes = int((free_at - moment()).total_seconds() // 60) + 1
            wait = max(wait, minutes)
    return wait


def record_signin_failure(email: str):
    db = get_db()
    with writing():
        # Failures older than the window count for nothing, and they name emails people
        # mistyped: they go as new ones are written, as room lookups do (seats.py).
        window = current_app.config["SIGNIN_WINDOW_MINUTES"]
        db.execute("delete from signin_failures where at <= ?", [later(minutes=-window)])
        db["signin_failures"].insert_all({"key": key, "at": now()} for key in _failure_keys(email))


def clear_signin_failures(email: str):
    with writing():
        get_db().execute(
            "delete from signin_failures where key = ?", ["email:" + email.strip().lower()]
        )


# --- invitations and password resets --------------------------------------------------


class EmailTaken(Exception):
    """Someone already has an account with that email."""


def create_person(org_id: int, email: str, name: str, password: str, roles) -> int:
    # Argon2 is slow on purpose: hash before taking the write lock, never while holding it.
    password_hash = hasher.hash(password)
    with writing():
        return _insert_person(org_id, email, name, password_hash, roles)


def _insert_person(org_id: int, email: str, name: str, password_hash: str, roles) -> int:
    db = get_db()
    if find_by_email(email):
        raise EmailTaken(email)
    user_id = (
        db["users"]
        .insert(
            {
                "org_id": org_id,
                "email": email.strip().lower(),
                "name": name.strip(),
                "password_hash": password_hash,
                "created_at": now(),
            }
        )
        .last_pk
    )
    db["user_roles"].insert_all({"user_id": user_id, "role": role} for role in roles)
    return user_id


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


def accept_invitation(invitation: dict, email: str, name: str, password: str) -> int | None:
    """The new person's id, or None if the link was used (or withdrawn) meanwhile. Raises
    EmailTaken. The link is spent by one conditional update inside the write transaction,
    so of many people pressing "Join" on one link at once, exactly one gets an account."""
    password_hash = hasher.hash(password)
    with writing():
        spent = get_db().execute(
            "update invitations set used_at = ? where id = ? and used_at is null"
            " and revoked_at is null and expires_at > ?",
            [now(), invitation["id"], now()],
        )
        if spent.rowcount != 1:
            return None
        roles = invitation["roles"].split(",")
        return _insert_person(invitation["org_id"], email, name, password_hash, roles)


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


def signins_of(user_id: int, limit: int = 10) -> list[dict]:
    return rows(
        "select id, created_at, revoked_at, browser from sessions where user_id = ?"
        " order by created_at desc limit ?",
        [user_id, limit],
    )


def use_password_reset(reset: dict, password: str) -> bool:
    """Set the new password, spend the link, sign the person out everywhere else and remove
    their passkeys. False if
    the link was used meanwhile: it is spent by one conditional update in the transaction, so
    two people holding one link can't both set a password."""
    password_hash = hasher.hash(password)
    db = get_db()
    with writing():
        spent = db.execute(
            "update password_resets set used_at = ? where id = ? and used_at is null"
            " and cancelled_at is null and expires_at > ?",
            [now(), reset["id"], now()],
        )
        if spent.rowcount != 1:
            return False
        cancel_password_resets(reset["user_id"])  # using one link cancels every other
        db["users"].update(reset["user_id"], {"password_hash": password_hash})
        revoke_all_sessions(reset["user_id"])
        # A passkey added by whoever had the account must not outlive the reset (issue 21, H2).
        remove_passkeys(reset["user_id"], "reset")
    return True
