"""Free text that pairs write is never stored readable, and its keys can be rotated."""

import base64
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from conftest import PAIR_NAME

from wellbeing import create_app
from wellbeing.atrest import SealError, key_id_of, seal, unseal
from wellbeing.db import get_db, migrate, now
from wellbeing.demo import DEMO_PAIR

LABEL = "pairs.name"


def database_bytes(path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file and its journals."""
    files = [Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def checkpoint(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def sealed_pair_names(path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [value for (value,) in conn.execute("select name_sealed from pairs order by id")]
    conn.close()
    return names


def tampered(value: str, position: int) -> str:
    """The same sealed value with one byte of its nonce, ciphertext or tag changed."""
    prefix, key_id, body = value.split(".", 2)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[position] ^= 0x01
    return f"{prefix}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.fixture
def own_instance(tmp_path, monkeypatch):
    """An app whose secrets and database live in a folder of their own, as on a server."""
    monkeypatch.setenv("WELLBEING_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True})
    with app.app_context():
        migrate(get_db())
    return app


def run(app, *args) -> str:
    """`flask --app app <args>`; the flask command pushes an app context, so this does too."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def add_pair(app, name: str) -> int:
    with app.app_context():
        db = get_db()
        org_id = db["organisations"].insert({"name": "Org", "created_at": now()}).last_pk
        row = {"org_id": org_id, "name_sealed": seal(name, LABEL), "created_at": now()}
        return db["pairs"].insert(row).last_pk


def test_pair_name_is_never_stored_in_readable_form(app, as_person):
    page = as_person("facilitator").get("/").get_data(as_text=True)
    assert PAIR_NAME in page  # the app can still read it

    database = app.config["DATABASE"]
    assert PAIR_NAME.encode() not in database_bytes(database)
    checkpoint(database)
    assert PAIR_NAME.encode() not in database_bytes(database)
    (stored,) = sealed_pair_names(database)
    assert stored.startswith("aes1.k1.")


def test_demo_pair_name_is_sealed_too(own_instance):
    run(own_instance, "demo")
    database = own_instance.config["DATABASE"]
    checkpoint(database)
    assert DEMO_PAIR.encode() not in database_bytes(database)
    with own_instance.app_context():
        assert [unseal(v, LABEL) for v in sealed_pair_names(database)] == [DEMO_PAIR]


def test_sealing_the_same_words_twice_looks_different(app):
    with app.app_context():
        first, second = seal(PAIR_NAME, LABEL), seal(PAIR_NAME, LABEL)
    # A fresh nonce each time: nobody can tell from the database that two pairs chose one name.
    assert first != second


def test_sealed_value_names_the_key_that_sealed_it(app):
    with app.app_context():
        value = seal(PAIR_NAME, LABEL)
        assert key_id_of(value) == app.config["ATREST_KEYS"]["current"] == "k1"
        assert unseal(value, LABEL) == PAIR_NAME


def test_rotated_key_seals_new_text_and_old_text_still_opens(own_instance):
    app = own_instance
    ring_file = Path(app.instance_path) / "atrest-keys.json"
    add_pair(app, PAIR_NAME)
    with app.app_context():
        old_value = seal("Written before the rotation", LABEL)
    assert key_id_of(old_value) == "k1"

    output = run(app, "rotate-key")

    assert "New key k2 is current" in output
    assert "re-sealed 1 values" in output
    ring = json.loads(ring_file.read_text())
    assert ring["current"] == "k2"
    assert set(ring["keys"]) == {"k1", "k2"}
    assert stat.S_IMODE(ring_file.stat().st_mode) == 0o600
    # Secrets are never printed.
    for secret in ring["keys"].values():
        assert secret not in output

    (stored,) = sealed_pair_names(app.config["DATABASE"])
    assert key_id_of(stored) == "k2"
    # A restarted server reads the new ring: new text uses k2, and both generations open.
    restarted = create_app({"TESTING": True})
    with restarted.app_context():
        assert key_id_of(seal("Written after the rotation", LABEL)) == "k2"
        assert unseal(stored, LABEL) == PAIR_NAME
        assert unseal(old_value, LABEL) == "Written before the rotation"
    # And the server that ran the command has moved on too.
    with app.app_context():
        assert key_id_of(seal("Written after the rotation", LABEL)) == "k2"


def test_rotating_twice_keeps_every_older_key(own_instance):
    add_pair(own_instance, PAIR_NAME)
    with own_instance.app_context():
        oldest = seal("Oldest words", LABEL)
    run(own_instance, "rotate-key")
    assert "New key k3 is current" in run(own_instance, "rotate-key")
    with own_instance.app_context():
        assert unseal(oldest, LABEL) == "Oldest words"
        (stored,) = sealed_pair_names(own_instance.config["DATABASE"])
        assert key_id_of(stored) == "k3"
        assert unseal(stored, LABEL) == PAIR_NAME


@pytest.mark.parametrize("position", [0, 11, 12, 13, -17, -1], ids=lambda p: f"byte{p}")
def test_changed_byte_in_a_sealed_value_is_refused(app, position):
    with app.app_context():
        value = seal(PAIR_NAME, LABEL)
        with pytest.raises(SealError):
            unseal(tampered(value, position), LABEL)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Thursday morning group",
        "aes1.k1.",
        "aes1.k1.AAAA",
        "aes1.k1.!!!!",
        "aes2.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "aes1.k99.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_damaged_or_unknown_value_is_refused(app, value):
    with app.app_context(), pytest.raises(SealError):
        unseal(value, LABEL)


def test_cut_short_sealed_value_is_refused(app):
    with app.app_context():
        value = seal(PAIR_NAME, LABEL)
        with pytest.raises(SealError):
            unseal(value[:-8], LABEL)


def test_value_under_an_unknown_key_id_is_refused(app):
    with app.app_context():
        prefix, _, body = seal(PAIR_NAME, LABEL).split(".", 2)
        with pytest.raises(SealError):
            unseal(f"{prefix}.k2.{body}", LABEL)


def test_sealed_value_moved_to_another_column_is_refused(app):
    with app.app_context():
        value = seal(PAIR_NAME, LABEL)
        with pytest.raises(SealError):
            unseal(value, "checkins.more_of")
        with pytest.raises(SealError):
            unseal(value, "pairs.name ")
