"""One SQLite connection per request, kept in `g` (as in Flask's flaskr tutorial).

A request has the connection to itself from `get_db()` until teardown. Teardown rolls back
anything left uncommitted and then keeps the connection for the thread's next request instead
of closing it: opening SQLite (loading the schema, mapping the WAL index) and closing it
(checkpointing the WAL) cost more than rendering a page (docs/benchmarks.md). Each gunicorn
worker is one thread, so it holds one connection; never start gunicorn with --preload, which
would share a connection across forked workers.
"""

import sqlite3
import threading
from datetime import UTC, datetime

import sqlite_utils
from flask import current_app, g

# Writers wait up to this long for another writer, instead of failing at once.
BUSY_TIMEOUT_MS = 5000


def connect(path: str) -> sqlite_utils.Database:
    # The timeout is SQLite's busy timeout: writers wait for each other instead of failing.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    database = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    database.execute("PRAGMA foreign_keys = ON")
    if database.journal_mode != "wal":
        # WAL lets readers carry on while one request writes (DESIGN: architecture). It stays
        # in the file, but a restored `VACUUM INTO` backup starts in rollback mode.
        database.enable_wal()
    return database


# The connection this thread's last request used, as (path, database), ready for the next.
_kept = threading.local()


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        path = current_app.config["DATABASE"]
        kept = getattr(_kept, "connection", None)
        _kept.connection = None
        if kept is not None and kept[0] == path:
            g.db = kept[1]
        else:
            if kept is not None:
                kept[1].close()  # another database (tests run many): don't hoard files
            g.db = connect(path)
        g.db_path = path
    return g.db


def rows(sql: str, params=()) -> list[dict]:
    """Rows as dicts. sqlite-utils' `query` wraps every read in a savepoint, which costs two
    more statements each time; reads here are single statements that need no such guard."""
    cursor = get_db().execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def first_row(sql: str, params=()) -> dict | None:
    found = rows(sql, params)
    return found[0] if found else None


def close_db(exception=None):
    database = g.pop("db", None)
    if database is None:
        return
    # Nothing half-written by a failed request may carry into the next one.
    database.rollback()
    previous = getattr(_kept, "connection", None)
    if previous is not None:
        previous[1].close()
    _kept.connection = (g.pop("db_path"), database)


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
