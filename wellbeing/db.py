"""One SQLite connection per request, kept in `g` (as in Flask's flaskr tutorial)."""

import sqlite3
from datetime import UTC, datetime

import sqlite_utils
from flask import current_app, g

# Writers wait up to this long for another writer, instead of failing at once.
BUSY_TIMEOUT_MS = 5000


def connect(path: str) -> sqlite_utils.Database:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    database = sqlite_utils.Database(conn)
    database.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    database.execute("PRAGMA foreign_keys = ON")
    if database.journal_mode != "wal":
        # WAL lets readers carry on while one request writes (DESIGN: architecture).
        database.enable_wal()
    return database


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exception=None):
    database = g.pop("db", None)
    if database is not None:
        database.close()


def migrate(database: sqlite_utils.Database):
    from migrations import migrations

    migrations.apply(database)


def now() -> str:
    """Timestamps are ISO 8601 in UTC, so they sort as text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def backup(path: str):
    """An online, consistent copy: VACUUM INTO works while the app keeps serving."""
    get_db().execute("VACUUM INTO ?", [path])


def init_app(app):
    app.teardown_appcontext(close_db)
