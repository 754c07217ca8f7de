"""Sign-ins (the `signins` table): starting, checking, ending them, and slowing guessing."""

import secrets
from datetime import datetime, timedelta

from flask import current_app

from ..clock import later, moment, now, zone_read
from ..db import first_row, get_db, rows, writing
from .identity import Person, token_hash


def start_signin(user_id: int, browser: str = "") -> str:
    token = secrets.token_urlsafe(32)
    with writing():
        stamp = now()
        get_db()["signins"].insert(
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
    """Did this sign-in prove who it is (a password or a passkey) in the last
    RECENT_CHECK_MINUTES? Adding a passkey asks for it, as GitHub's "sudo mode" does (issue 21,
    H2): a minute with an unlocked phone, or a stolen cookie, can't add a way in that outlives
    a password reset."""
    minutes = current_app.config["RECENT_CHECK_MINUTES"]
    checked = person.checked_at
    return bool(checked) and checked > later(minutes=-minutes)


def mark_checked(signin_token: str):
    """The person typed their password again in this sign-in: a fresh check."""
    with writing():
        get_db().execute(
            "update signins set checked_at = ? where id = ?", [now(), token_hash(signin_token)]
        )


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


def load_person(signin_token: str) -> Person | None:
    hours = current_app.config["SESSION_LIFETIME_HOURS"]
    oldest = later(hours=-hours)
    # The organisation's time zone comes along: nearly every signed-in page shows a day or a
    # time, and a query of its own for it was a third of a kept home's queries (issue 26).
    row = first_row(
        "select users.*, signins.checked_at, group_concat(user_roles.role) as roles,"
        " organisations.time_zone as org_time_zone"
        " from signins"
        " join users on users.id = signins.user_id"
        " left join organisations on organisations.id = users.org_id"
        " left join user_roles on user_roles.user_id = users.id"
        " where signins.id = ? and signins.revoked_at is null and signins.created_at > ?"
        " and users.disabled_at is null"
        " group by users.id",
        [token_hash(signin_token), oldest],
    )
    if row is None:
        return None
    zone_read(row["org_id"], row.pop("org_time_zone"))
    roles = set((row.pop("roles") or "").split(","))
    return Person(row, roles, signin_token)


def revoke_signin(signin_token: str):
    with writing():
        get_db().execute(
            "update signins set revoked_at = ? where id = ? and revoked_at is null",
            [now(), token_hash(signin_token)],
        )


def revoke_all_signins(user_id: int):
    with writing():
        get_db().execute(
            "update signins set revoked_at = ? where user_id = ? and revoked_at is null",
            [now(), user_id],
        )


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


def signins_of(user_id: int, limit: int = 10) -> list[dict]:
    return rows(
        "select id, created_at, revoked_at, browser from signins where user_id = ?"
        " order by created_at desc limit ?",
        [user_id, limit],
    )
