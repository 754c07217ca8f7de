"""A busy training day through the real server (issue 10): `make run`, two server workers,
hundreds of people pressing buttons at the same moment, a crash, and continuous backup.

Not timed: each test asserts what was answered and what is in the database, never how fast.
The scenarios live in bench/training_day.py, which `make bench` uses for its figures too.
"""

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench import training_day
from bench.training_day import CROWD, RESETS, Server
from wellbeing.db import sqlite3

LITESTREAM = Path(sys.executable).parent / "litestream"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_everyone_at_once_gets_an_answer_and_every_acknowledged_write_is_kept(tmp_path):
    with Server(tmp_path / "instance", free_port(), **training_day.LOW_HASH_COST) as server:
        result = training_day.simultaneous(server)
    requests = result["requests"]
    assert len(requests) == sum(CROWD.values()) + RESETS  # 516 people
    server_errors = [(r.kind, r.status) for r in requests if r.status >= 500 or r.status == 0]
    assert server_errors == [], f"{len(server_errors)} errors, e.g. {server_errors[:5]}"
    assert result["errors_logged"] == []
    # Everyone who could succeed did: nothing was refused only because others wrote at once.
    for kind in ("join", "place", "checkin", "agreement"):
        statuses = sorted({r.status for r in requests if r.kind == kind})
        assert all(r.acknowledged for r in requests if r.kind == kind), (kind, statuses)
    assert training_day.lost_in_burst(result) == {
        "join": [],
        "place": [],
        "checkin": [],
        "agreement": [],
        "accept": [],
        "reset": [],
    }
    stored = result["stored"]
    # One invitation link, ten people at once: exactly one account, the others are told it is
    # in use (409) or was used (410), nobody gets an error.
    accepted = [r for r in requests if r.kind == "accept" and r.acknowledged]
    assert len(accepted) == 1 and stored["invited_accounts"] == 1
    assert {r.status for r in requests if r.kind == "accept" and not r.acknowledged} <= {409, 410}
    # One reset link, six people at once: exactly one password change, and it is that one.
    resets = [r for r in requests if r.kind == "reset" and r.acknowledged]
    assert len(resets) == 1
    tried = [r.form["password"] for r in requests if r.kind == "reset"]
    assert [p for p in tried if stored["password_matches"](p)] == [resets[0].form["password"]]
    assert stored["integrity"] == "ok"


def test_a_crash_in_the_middle_loses_no_acknowledged_write(tmp_path):
    result = training_day.crash(tmp_path / "instance", free_port(), writers=200)
    assert result["acknowledged"] > 0
    assert result["integrity"] == "ok"
    assert result["lost"] == [], f"{len(result['lost'])} of {result['acknowledged']} lost"
    assert result["healthz_after_restart"] == 200


def test_litestream_replica_restores_every_acknowledged_write(tmp_path):
    """Continuous backup (docs/operations.md): stream to a folder replica while people write,
    restore into a fresh file with `litestream restore`, and find every acknowledged write."""
    replica = tmp_path / "replica"
    with Server(tmp_path / "instance", free_port(), **training_day.UNLIMITED_SEATS) as server:
        stream = subprocess.Popen(
            [str(LITESTREAM), "replicate", str(server.database), f"file://{replica}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            trainer = training_day.sign_in(
                server.port, "alex@demo.example", training_day.demo_password("alex@demo.example")
            )
            _, _, code = training_day.open_room(server.port, trainer.cookie)
            writers = [training_day.Writer(server.port, code, n) for n in range(20)]
            stop = threading.Event()
            threads = [threading.Thread(target=w.run, args=(stop,)) for w in writers]
            for thread in threads:
                thread.start()
            time.sleep(4)
            stop.set()
            for thread in threads:
                thread.join()
            # Litestream ships the WAL each second; give it time, then stop it as a service stops.
            time.sleep(3)
        finally:
            stream.send_signal(signal.SIGINT)
            output = stream.communicate(timeout=30)[0].decode()
    seat_of = training_day.seat_hashes(
        training_day.instance_app(tmp_path / "instance"),
        [cookie for w in writers for cookie in w.joined],
        code,
    )
    joined = {seat_of[cookie] for w in writers for cookie in w.joined}
    placed = {seat_of[cookie]: position for w in writers for cookie, position in w.placed.items()}
    assert joined and placed, output
    restored = tmp_path / "restored.db"
    subprocess.run(
        [str(LITESTREAM), "restore", "-o", str(restored), f"file://{replica}"],
        check=True,
        capture_output=True,
    )
    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        names = {seat for (seat,) in conn.execute("select token_hash from participants")}
        places = dict(
            conn.execute(
                "select token_hash, position from placements join participants"
                " on participants.id = placements.participant_id"
            ).fetchall()
        )
    finally:
        conn.close()
    assert joined - names == set(), output
    assert {n: p for n, p in placed.items() if places.get(n) != p} == {}


@pytest.fixture(autouse=True)
def every_write_goes_through_writing():
    """These tests write through a separate server process; tests/conftest.py's guard of the
    in-process app has nothing to see here."""
    yield
