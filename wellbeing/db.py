"""One SQLite connection per request, kept in `g` (as in Flask's flaskr tutorial).

A request has the connection to itself from `get_db()` until teardown. Teardown rolls back
anything left uncommitted and then keeps the connection for the thread's next request instead
of closing it: opening SQLite (loading the schema, mapping the WAL index) and closing it
(checkpointing the WAL) cost more than rendering a page (docs/benchmarks.md). Each thread of
a worker process holds its own connection, and each worker is a fresh interpreter that loads the
app itself (wellbeing/serving.py), so no connection is ever shared between processes.
"""

import contextlib
import fcntl
import os
import threading
import time
from collections import OrderedDict

import sqlite_utils
from flask import current_app, g

# The one SQLite driver, for every connection and every `except` in the app: pysqlite3 where
# its self-contained wheel is installed (x86_64 Linux, requirements.txt), which carries a SQLite
# with the WAL-reset fix (3.51.3 and later); the standard library's module elsewhere
# (docs/operations.md, "SQLite version"). sqlite-utils makes the same choice, so both agree.
from sqlite_utils.utils import sqlite3  # noqa: F401  (re-exported: `from wellbeing.db import sqlite3`)

# Writers wait up to this long for another writer, instead of failing at once.
BUSY_TIMEOUT_MS = 5000


def connect(path: str, guard: list | None = None, pragmas=()) -> sqlite_utils.Database:
    # The timeout is SQLite's busy timeout: writers wait for each other instead of failing.
    # isolation_level=None: the driver opens no transaction of its own; `writing()` opens them.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
    )
    database = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    database.writing_depth = 0
    if guard is not None:
        watch_writes(database, guard)
    # Settings from the deployment, e.g. WELLBEING_DATABASE_PRAGMAS='["max_page_count = 250000"]'
    # to cap the file's size (the disk-full test uses it to fill the database).
    for pragma in pragmas:
        database.execute(f"PRAGMA {pragma}")
    database.execute("PRAGMA foreign_keys = ON")
    if database.journal_mode != "wal":
        # WAL lets readers carry on while one request writes (docs/design.md: architecture). It
        # stays in the file, but a restored `VACUUM INTO` backup starts in rollback mode.
        database.enable_wal()
    return database


# --- writing -------------------------------------------------------------------------------

# A statement that changes the file. Reads, PRAGMAs and transaction control are not writes.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER")


# One writer per process at a time (see writing()).
_one_writer = threading.Lock()
SQLITE_BUSY = 5


@contextlib.contextmanager
def writing():
    """The one way to write (docs/design.md "Writing to the database"): `with writing():` around the
    reads that decide what to write and the writes themselves, or `@writing()` on a view.

    It starts with BEGIN IMMEDIATE, which takes the write lock before the first read. A
    deferred BEGIN that reads and then writes fails at once with "database is locked" when
    another worker process wrote in between (SQLite cannot upgrade a stale read snapshot, and
    the busy timeout does not apply); IMMEDIATE makes the second writer wait its turn instead.
    If the wait runs out, the OperationalError becomes a 503 with Retry-After (errors.py).
    Nested blocks join the outer transaction as savepoints, as sqlite-utils' atomic() does.
    """
    database = get_db()
    if database.writing_depth:
        database.writing_depth += 1
        try:
            with database.atomic():  # inside a transaction: a savepoint
                yield database
        finally:
            database.writing_depth -= 1
        return
    if database.conn.in_transaction:
        # Something opened a transaction outside this helper; its reads may be stale.
        raise RuntimeError("a transaction is already open outside writing()")
    # The threads of one worker take turns here, and then the workers on a file (WriterFile),
    # before they ask SQLite (issue 26). SQLite's busy handler makes a waiting writer sleep in
    # growing steps (up to 100 ms), so writers slept past each other's commits. Here each is
    # woken the moment the one before has let go. The wait is long (WRITE_WAIT_SECONDS): a save
    # in the queue is moving, only slowly on a crowded machine (a CI run once saw a 5 s wait),
    # and "try again" costs the person more than a few seconds' wait. A wait that runs out ends
    # as SQLite's would (503).
    waited = current_app.config["WRITE_WAIT_SECONDS"]
    deadline = time.monotonic() + waited
    if not _one_writer.acquire(timeout=waited):
        raise _busy("this worker's writers")
    try:
        turn = _writer_file(g.db_path)
        if not turn.take(deadline):
            raise _busy("the other workers' writers")
    except BaseException:
        _one_writer.release()
        raise
    try:
        database.conn.execute("BEGIN IMMEDIATE")
        database.writing_depth = 1
        try:
            yield database
        except BaseException:
            if database.conn.in_transaction:
                database.conn.execute("ROLLBACK")
            raise
        else:
            try:
                database.conn.execute("COMMIT")
            except BaseException:
                if database.conn.in_transaction:
                    database.conn.execute("ROLLBACK")
                raise
        finally:
            database.writing_depth = 0
    finally:
        turn.give_back()
        _one_writer.release()


def _busy(behind: str) -> Exception:
    busy = sqlite3.OperationalError(f"database is locked (waited for {behind})")
    busy.sqlite_errorcode = SQLITE_BUSY  # a 503 with Retry-After (errors.py), never a 500
    return busy


QUICK_LOOK_SECONDS = 0.00002
QUICK_LOOKS_SECONDS = 0.005
LOOK_SECONDS = 0.0005


def look_again_after(waited: float) -> float:
    """How long a writer that has waited `waited` seconds for another worker's turn sleeps
    before it looks again (WriterFile.take): the file lock has no wait with a deadline.

    Each moment the lock lies free after a commit, no one writes. A turn is a fraction of a
    millisecond (a commit), so the first looks come quickly: `make bench`'s check-in (2 workers
    of 2 threads, 32 connections) went from 865 to 980 requests a second with 20 µs instead of
    0.5 ms (docs/benchmarks.md). A longer wait is a slow write, which quick looks would only take
    CPU from."""
    return QUICK_LOOK_SECONDS if waited < QUICK_LOOKS_SECONDS else LOOK_SECONDS


class WriterFile:
    """The workers' turn to write, as a lock on a file beside the database (issue 26); an
    in-memory database, which only its own connection sees, needs none.

    The threads of a worker queue on `_one_writer`; the workers used to meet only in SQLite's
    busy handler, where the one that loses sleeps in growing steps (up to 100 ms) whether or
    not the other has long committed: a check-in's p99 was 200 to 900 ms at 32 connections. A
    lock on this file is taken within moments of being let go (`look_again_after`), and dies
    with its process (a `kill -9` leaves nothing held). Other programs writing the database
    (`flask` commands, Litestream) still meet the app in SQLite's busy handler, as before."""

    def __init__(self, path: str):
        alone = path == ":memory:"
        self.fd = None if alone else os.open(f"{path}.writer", os.O_RDWR | os.O_CREAT, 0o600)

    def take(self, deadline: float) -> bool:
        started = time.monotonic()
        while self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    return False
                time.sleep(look_again_after(now - started))  # one thread per worker waits here
        return True

    def give_back(self):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)


# This process's writer files, by database path: a few, since the tests use many databases.
# Opened in each process (a file inherited across a fork would share its lock with the parent);
# only ever used while holding `_one_writer`, so closing the oldest never pulls one from under
# a writer.
_writer_files: OrderedDict = OrderedDict()
WRITER_FILES_KEPT = 4


def _writer_file(path: str) -> WriterFile:
    key = (os.getpid(), path)
    found = _writer_files.get(key)
    if found is None:
        found = _writer_files[key] = WriterFile(path)
        while len(_writer_files) > WRITER_FILES_KEPT:
            _writer_files.popitem(last=False)[1].close()
    _writer_files.move_to_end(key)
    return found


@contextlib.contextmanager
def secure_delete():
    """Deleted means gone from the file too: while this is on, SQLite overwrites what it
    deletes with zeros (a room past its retention time, a person's own words when they go).
    Set outside a transaction, so it wraps `writing()`, never sits inside it."""
    database = get_db()
    database.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        database.execute("PRAGMA secure_delete = OFF")


def watch_writes(database: sqlite_utils.Database, found: list):
    """Tests: note every write a request makes outside `writing()` (a trace callback sees each
    statement as SQLite runs it; statements run by triggers arrive as "--" comments)."""
    from flask import has_request_context

    def trace(sql: str):
        keyword = sqlite_utils.db._first_keyword(sql)
        if keyword in WRITES and not database.writing_depth and has_request_context():
            found.append(sql)

    database.conn.set_trace_callback(trace)


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
            config = current_app.config
            g.db = connect(
                path, config.get("WRITES_OUTSIDE_WRITING"), config.get("DATABASE_PRAGMAS", ())
            )
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


def sqlite_version() -> str:
    """The SQLite that the app's own connection runs: what /healthz and `flask sqlite-version`
    report, so a check can never read one library while the app runs another."""
    return get_db().execute("select sqlite_version()").fetchone()[0]


def close_db(exception=None):
    database = g.pop("db", None)
    if database is None:
        return
    # Nothing half-written by a failed request may carry into the next one.
    database.rollback()
    forget_kept_connection()
    _kept.connection = (g.pop("db_path"), database)


def forget_kept_connection():
    """Close this thread's kept connection: before keeping another, and for a database file
    replaced under the app, as the tests do when they put a copy back (a kept connection would
    still read the old one)."""
    previous = getattr(_kept, "connection", None)
    _kept.connection = None
    if previous is not None:
        previous[1].close()


def migrate(database: sqlite_utils.Database):
    from migrations import migrations

    migrations.apply(database)


# The largest integer SQLite stores (a signed 64-bit integer).
SQLITE_MAX_INTEGER = 2**63 - 1


def move_in_order(table: str, ordered: list[dict], row_id: int, offset: int) -> bool:
    """The one ordered-list editor's move (an organisation's content list, a room's practices):
    swap a row with its neighbour `offset` away. Positions are rewritten densely, so ties left
    by older rows cannot stick. `ordered` is the list as shown, read inside the caller's
    `writing()` so that two people moving at once each move the list the other left. False when
    the row is not in the list or already at that end."""
    index = next((i for i, row in enumerate(ordered) if row["id"] == row_id), None)
    if index is None or not 0 <= index + offset < len(ordered):
        return False
    ordered = list(ordered)
    ordered[index], ordered[index + offset] = ordered[index + offset], ordered[index]
    for position, row in enumerate(ordered):
        get_db()[table].update(row["id"], {"position": position})
    return True


def storable(row_id: int) -> bool:
    """Whether an id from a URL could be a row at all: a made-up id too big for SQLite is
    simply not found, rather than a crash."""
    return 0 < row_id <= SQLITE_MAX_INTEGER


def new_version() -> int:
    """A version for optimistic locking that never repeats, even after a row is deleted and
    made again: microseconds since the epoch."""
    return time.time_ns() // 1000


def backup(path: str):
    """An online, consistent copy: VACUUM INTO works while the app keeps serving."""
    get_db().execute("VACUUM INTO ?", [path])


def init_app(app):
    app.teardown_appcontext(close_db)
