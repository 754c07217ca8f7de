"""Who a person is: their row, their roles, their password, their organisation (issue 25:
people at the bottom; this package imports no feature)."""

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin

from .. import content
from ..atrest import seal, unseal
from ..clock import now
from ..db import first_row, get_db, writing

# "womens_support" (issue 22): a worker of the women's support service, who reads what the
# module covers and how men may misuse it, and nothing of pairs, supervision or private space.
ROLES = ("facilitator", "supervisor", "admin", "womens_support")


# Argon2id with the library's current defaults (RFC 9106 low-memory profile).
STRONG = PasswordHasher()


def hasher() -> PasswordHasher:
    """The hasher for new hashes: STRONG, unless ARGON2_PARAMETERS says otherwise, which only the
    test suite does (wellbeing/settings.py), so that its thousands of sign-ins cost a few
    milliseconds each. A hash keeps the parameters it was made with, and a sign-in rehashes
    one whose parameters are not the hasher's (check_password)."""
    parameters = current_app.config.get("ARGON2_PARAMETERS") if has_app_context() else None
    return hasher_with(tuple(sorted(parameters.items()))) if parameters else STRONG


@functools.cache
def hasher_with(parameters: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


class Person(UserMixin):
    """A signed-in person. Their id for flask-login is their sign-in's token (in `signins`)."""

    def __init__(self, row: dict, roles: set[str], signin_token: str):
        self.row, self.roles, self.signin_token = row, roles, signin_token
        self.id, self.org_id = row["id"], row["org_id"]
        self.name, self.email = row["name"], row["email"]
        self.checked_at = row.get("checked_at")

    def get_id(self):
        return self.signin_token

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def roles_of(user_id: int) -> set[str]:
    rows = get_db().execute("select role from user_roles where user_id = ?", [user_id])
    return {role for (role,) in rows}


def create_organisation(name: str) -> int:
    db = get_db()
    with writing():
        org_id = db["organisations"].insert({"name": name, "created_at": now()}).last_pk
        for kind in content.RESETTABLE:
            content.reset_to_guidelines(org_id, kind)
    return org_id


def find_by_email(email: str) -> dict | None:
    rows = get_db()["users"].rows_where("email = ?", [email.strip().lower()], limit=1)
    return next(iter(rows), None)


@functools.cache
def dummy_hash(hasher: PasswordHasher) -> str:
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
    current = hasher()
    try:
        current.verify(user["password_hash"] if user else dummy_hash(current), password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if current.check_needs_rehash(user["password_hash"]):
        new_hash = current.hash(password)
        with writing():
            get_db()["users"].update(user["id"], {"password_hash": new_hash})
    return True


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


def told_of_passkey_removal(user_id: int, removed: str):
    """The person was told (at a sign-in) of the removal of their passkeys at `removed`: the
    removal's own moment is kept, so a later one is told again. Compared as equal, not as later
    than a sign-in: moments are kept to the second."""
    with writing():
        get_db().execute(
            "update users set passkeys_removal_told = ? where id = ?", [removed, user_id]
        )


class EmailTaken(Exception):
    """Someone already has an account with that email."""


def create_person(org_id: int, email: str, name: str, password: str, roles) -> int:
    # Argon2 is slow on purpose: hash before taking the write lock, never while holding it.
    password_hash = hasher().hash(password)
    with writing():
        return insert_person(org_id, email, name, password_hash, roles)


def insert_person(org_id: int, email: str, name: str, password_hash: str, roles) -> int:
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


GENDER_COLUMN = "users.gender"


def gender_of(user: dict) -> str:
    sealed = user.get("gender_sealed")
    return unseal(sealed, GENDER_COLUMN) if sealed else ""


def set_gender(user_id: int, gender: str):
    """Called inside the request's `writing()`: the person's own choice, or nothing."""
    sealed = seal(gender, GENDER_COLUMN) if gender else None
    get_db()["users"].update(user_id, {"gender_sealed": sealed})
