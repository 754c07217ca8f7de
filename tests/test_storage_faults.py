"""A full disk, a read-only disk, and the SQLite in use (issue 10, docs/operations.md).

A full or read-only disk is a 503 with a plain message that shows again what was typed, and
nothing already written is lost: SQLite rolls the failed transaction back. The real app, the
real migrations and a real file; the disk is made full with `PRAGMA max_page_count` and made
read-only with the file system's immutable flag (we run as root, who ignores file modes).
"""

import platform
import re
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from conftest import make_app, sign_in

from wellbeing.atrest import unseal
from wellbeing.db import get_db, sqlite3

ROOT = Path(__file__).resolve().parent.parent
# The WAL-reset bug (sqlite.org/wal.html#walresetbug) is fixed from this version on.
WAL_RESET_FIXED = (3, 51, 3)


def pair_of(database) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("select id from pairs order by id limit 1").fetchone()[0]


def form_token(client, path) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def send_checkin(client, pair_id, words, less="Nothing this week"):
    path = f"/pairs/{pair_id}/checkins"
    form = {"more": words, "less": less, "csrf_token": form_token(client, path)}
    return client.post(path, data=form)


def stored_checkins(database) -> set[str]:
    app = make_app(database)
    with app.app_context(), sqlite3.connect(database) as conn:
        return {
            unseal(v, "checkins.more") for (v,) in conn.execute("select more_sealed from checkins")
        }


def integrity(database) -> str:
    with sqlite3.connect(database) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


def in_a_new_thread(call):
    """Run `call` in a thread of its own: each thread keeps its own connection
    (wellbeing/db.py), so the request opens the file afresh, with the app's settings."""
    answers = []
    worker = threading.Thread(target=lambda: answers.append(call()))
    worker.start()
    worker.join()
    assert answers, "the request raised instead of answering"
    return answers[0]


def test_a_full_disk_is_a_clear_message_and_loses_nothing(template_db, tmp_path):
    database = tmp_path / "wellbeing.db"
    shutil.copy(template_db, database)
    facilitator = sign_in(make_app(database).test_client(), "facilitator")
    pair_id = pair_of(database)
    sent = send_checkin(facilitator, pair_id, "Words sent before the disk filled")
    assert sent.status_code == 200
    path = f"/pairs/{pair_id}/checkins"
    token = form_token(facilitator, path)

    # Now the disk is full: the file may not grow by a single page (SQLITE_FULL).
    with sqlite3.connect(database) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
        conn.execute("vacuum")  # no free pages left inside the file either
        pages = conn.execute("pragma page_count").fetchone()[0]
    full = make_app(database)
    full.config["DATABASE_PRAGMAS"] = [f"max_page_count = {pages}"]
    facilitator.application = full
    # Long enough to need pages of its own: a full file can still take a small change.
    typed = ("Words typed when the disk was full. " * 60)[:1990].strip()
    form = {"more": typed, "less": typed, "csrf_token": token}
    answer = in_a_new_thread(lambda: facilitator.post(path, data=form))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "storage is full or read-only" in text
    assert "Nothing already saved is lost" in text and typed in text  # shown to send again
    reading = in_a_new_thread(lambda: facilitator.get(path))
    assert reading.status_code == 200  # reading still works

    assert integrity(database) == "ok"
    assert stored_checkins(database) == {"Words sent before the disk filled"}


def immutable(paths, on: bool) -> bool:
    """chattr +i / -i; False where the file system has no such flag."""
    flag = "+i" if on else "-i"
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
    return done.returncode == 0


def test_a_read_only_disk_is_a_clear_message_and_loses_nothing(template_db, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "wellbeing.db"
    shutil.copy(template_db, database)
    app = make_app(database)
    facilitator = sign_in(app.test_client(), "facilitator")
    pair_id = pair_of(database)
    path = f"/pairs/{pair_id}/checkins"
    assert send_checkin(facilitator, pair_id, "Words sent before the disk").status_code == 200
    token = form_token(facilitator, path)
    typed = "Words typed when the disk was read-only"
    with sqlite3.connect(database) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    files = [database, *folder.glob("wellbeing.db-*"), folder]
    if not immutable(files, True):
        if shutil.os.geteuid() == 0:
            pytest.skip("this file system has no immutable flag, and root ignores file modes")
        for file in files:
            file.chmod(0o555 if file.is_dir() else 0o444)
    answers = []
    try:
        # A fresh connection, as a server started on a read-only disk would have: each thread
        # keeps its own (wellbeing/db.py), so the request runs in a new thread.
        def send():
            answers.append(
                facilitator.post(path, data={"more": typed, "less": "", "csrf_token": token})
            )

        worker = threading.Thread(target=send)
        worker.start()
        worker.join()
    finally:
        if not immutable(files, False):
            for file in files:
                file.chmod(0o755 if file.is_dir() else 0o644)
    (answer,) = answers
    text = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "storage is full or read-only" in text and typed in text
    assert integrity(database) == "ok"
    assert stored_checkins(database) == {"Words sent before the disk"}


def wheel_is_available() -> bool:
    """pysqlite3 0.6.1 ships self-contained wheels for x86_64 Linux, CPython 3.11 to 3.13."""
    return (
        sys.platform == "linux"
        and platform.machine() == "x86_64"
        and (3, 11) <= sys.version_info[:2] <= (3, 13)
    )


def test_the_sqlite_the_app_runs_is_reported_and_has_the_wal_reset_fix(app, client):
    """The version is read from the app's own connection, the one every request uses, and
    /healthz reports the same. Where pysqlite3's wheel exists, it must be 3.51.3 or later
    (the WAL-reset fix); elsewhere docs/operations.md must say what to do."""
    with app.app_context():
        in_use = get_db().execute("select sqlite_version()").fetchone()[0]
        driver = type(get_db().conn).__module__.split(".")[0]
    assert client.get("/healthz").get_json()["sqlite"] == in_use
    version = tuple(int(part) for part in in_use.split("."))
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "WAL-reset" in operations and "pysqlite3" in operations
    if wheel_is_available():
        assert driver == "pysqlite3", f"the app runs SQLite {in_use} through {driver}"
        assert version >= WAL_RESET_FIXED, f"SQLite {in_use} predates the WAL-reset fix"
    elif version < WAL_RESET_FIXED:
        warnings.warn(
            f"SQLite {in_use} through {driver}: before 3.51.3, see docs/operations.md",
            stacklevel=1,
        )
        assert "integrity-check" in operations


def test_integrity_check_command_finds_a_damaged_file(template_db, tmp_path):
    """`flask integrity-check`, for a daily timer (docs/operations.md): 0 when the file is
    whole, 1 with SQLite's findings when a page is damaged."""
    database = tmp_path / "wellbeing.db"
    shutil.copy(template_db, database)
    whole = make_app(database).test_cli_runner().invoke(args=["integrity-check"])
    assert whole.exit_code == 0 and "Database is intact" in whole.output
    with sqlite3.connect(database) as conn:
        page_size = conn.execute("pragma page_size").fetchone()[0]
        (root,) = conn.execute("select rootpage from sqlite_master where name = 'users'").fetchone()
    with database.open("r+b") as file:  # scribble over the users table's first page
        file.seek((root - 1) * page_size + 8)
        file.write(b"\xff" * 64)
    damaged = make_app(database).test_cli_runner().invoke(args=["integrity-check"])
    assert damaged.exit_code == 1 and "the database is damaged" in damaged.output
