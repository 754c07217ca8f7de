"""Free text that pairs write is never stored readable, and its keys can be rotated."""

import base64
import html
import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PAIR_NAME, PASSWORD, PEOPLE, csrf_token, sign_in

from wellbeing import create_app, people
from wellbeing.atrest import SealError, key_id_of, seal, unseal
from wellbeing.cli import SEALED_COLUMNS
from wellbeing.clock import now
from wellbeing.coworking import checkins
from wellbeing.db import get_db, migrate, sqlite3
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


# --- everything a pair writes ----------------------------------------------------------------

# One distinctive marker per free-text field a pair can write, so a leak names its field.
MARKERS = {
    "invitation name, still open": "Zebra invitation left open",
    "invitation name, becomes the pair's name": "Zebra invitation accepted",
    "conversation: materials": "Zebra answer about materials",
    "conversation: situations": "Zebra answer about situations",
    "conversation: together": "Zebra answer about working together",
    "conversation: want": "Zebra answer about what I want",
    "conversation: attached situation": "Zebra attached checklist situation",
    "agreement: who steps in": "Zebra who steps in",
    "agreement: words": "Zebra words we will use",
    "agreement: signal": "Zebra signal between us",
    "agreement: own strategy's title": "Zebra own strategy title",
    "agreement: own strategy's words": "Zebra own strategy words",
    "check-in: more of": "Zebra more of from you",
    "check-in: less of": "Zebra less of from you",
    "check-in: reply": "Zebra reply to the check-in",
}
# The power context is chosen from the organisation's list, and is sealed all the same.
CONTEXT = {
    "gender": "We'd rather describe it ourselves",
    "experience": "One of us is still in our first 26 co-worked sessions or 6 months",
}
PAIR_TABLES = {
    "pairs",
    "pair_invitations",
    "conversation_answers",
    "agreement_versions",
    "checkins",
}


@dataclass
class Partner:
    client: object
    token: str

    def post(self, path, form=None):
        response = self.client.post(path, data=dict(form or {}, csrf_token=self.token))
        assert response.status_code in (200, 201, 302), response.get_data(as_text=True)
        return response


def write_every_pair_field(fran: Partner, cole: Partner, cole_id: int) -> int:
    """Fran and Cole write each free-text field of a pair through the real pages; the pair's id."""
    for name in ("invitation name, still open", "invitation name, becomes the pair's name"):
        page = fran.post("/pairs/invitations", {"colleague": cole_id, "name": MARKERS[name]})
    invitation_id = re.findall(r"/pairs/invitations/(\d+)/withdraw", page.get_data(as_text=True))
    accepted = cole.post(f"/pairs/invitations/{invitation_id[-1]}/accept")
    pair = accepted.location.rsplit("/", 1)[1]

    fran.post(f"/pairs/{pair}/context", CONTEXT)
    cole.post(f"/pairs/{pair}/consents/context")
    for who in (fran, cole):
        answers = {
            f"answer-{question}": MARKERS[f"conversation: {question}"]
            for question in ("materials", "situations", "together", "want")
        }
        who.post(
            f"/pairs/{pair}/conversation",
            answers | {"situation": [MARKERS["conversation: attached situation"]]},
        )
    fran.post(
        f"/pairs/{pair}/agreement",
        {
            "number": "0",
            "revision": "0",
            "s0-id": "confrontational",
            "s0-choice": "adapt",
            "s0-who": MARKERS["agreement: who steps in"],
            "s0-words": MARKERS["agreement: words"],
            "s0-signal": MARKERS["agreement: signal"],
            "s1-id": "new",
            "s1-title": MARKERS["agreement: own strategy's title"],
            "s1-words": MARKERS["agreement: own strategy's words"],
        },
    )
    for who in (fran, cole):
        who.post(f"/pairs/{pair}/agreement/confirm", {"number": "1", "revision": "1"})
        who.post(
            f"/pairs/{pair}/checkins",
            {"more": MARKERS["check-in: more of"], "less": MARKERS["check-in: less of"]},
        )
    monday = checkins.monday_of(checkins.today())
    cole.post(f"/pairs/{pair}/checkins/{monday}/reply", {"reply": MARKERS["check-in: reply"]})
    return int(pair)


def pages_of(partner: Partner, pair_id: int) -> str:
    paths = ["/pairs/", "conversation", "agreement", "checkins", "sharing", "card"]
    return "".join(
        html.unescape(
            partner.client.get(
                path if path.startswith("/") else f"/pairs/{pair_id}/{path}"
            ).get_data(as_text=True)
        )
        for path in paths
    )


def sealed_values(path) -> dict[tuple[str, str], list[str]]:
    """Every value of every sealed column, by (table, column)."""
    conn = sqlite3.connect(path)
    found = {
        (table, column): [v for (v,) in conn.execute(f"select {column} from {table}") if v]
        for table, column, _ in SEALED_COLUMNS
    }
    conn.close()
    return found


def test_every_sealed_column_is_resealed_on_key_rotation(app):
    """Every `…_sealed` column the migrations made is in the list `rotate-key` reseals."""
    conn = sqlite3.connect(app.config["DATABASE"])
    tables = [t for (t,) in conn.execute("select name from sqlite_master where type = 'table'")]
    columns = {
        (table, column)
        for table in tables
        for (_, column, *_) in conn.execute(f"pragma table_info('{table}')")
        if column.endswith("_sealed")
    }
    conn.close()
    assert {(table, column) for table, column, _ in SEALED_COLUMNS} == columns
    assert PAIR_TABLES <= {table for table, _ in columns}


def test_nothing_a_pair_writes_is_stored_in_readable_form(one):
    fran = Partner(one.client("facilitator"), one.form_token("facilitator"))
    cole = Partner(one.client("coworker"), one.form_token("coworker"))
    pair_id = write_every_pair_field(fran, cole, one.rows["coworker"])

    # The partners can read every word back, so each was really stored.
    shown = pages_of(fran, pair_id) + pages_of(cole, pair_id)
    for field, marker in MARKERS.items():
        assert marker in shown, field
    for words in CONTEXT.values():
        assert words in shown

    for moment in ("before", "after a checkpoint"):
        stored = database_bytes(one.database)
        for field, marker in (MARKERS | CONTEXT).items():
            assert marker.encode() not in stored, (field, moment)
        checkpoint(one.database)
    for (table, column), values in sealed_values(one.database).items():
        if table in PAIR_TABLES:
            assert values, f"{table}.{column} was never written"
            assert all(v.startswith("aes1.k1.") for v in values), (table, column)


def test_key_rotation_reseals_everything_a_pair_wrote_and_it_still_opens(own_instance):
    app = own_instance
    with app.app_context():
        org_id = people.create_organisation("Organisation One")
        ids = {
            who: people.create_person(
                org_id, PEOPLE[who][1], PEOPLE[who][0], PASSWORD, ["facilitator"]
            )
            for who in ("facilitator", "coworker")
        }
    partners = []
    for who in ("facilitator", "coworker"):
        client = sign_in(app.test_client(), who)
        partners.append(Partner(client, csrf_token(client, "/")))
    fran, cole = partners
    pair_id = write_every_pair_field(fran, cole, ids["coworker"])
    before = sealed_values(app.config["DATABASE"])

    output = run(app, "rotate-key")

    after = sealed_values(app.config["DATABASE"])
    resealed = sum(len(values) for values in after.values())
    assert f"re-sealed {resealed} values" in output
    for key, values in after.items():
        assert len(values) == len(before[key]), key
        assert all(key_id_of(v) == "k2" for v in values), key
        assert not set(values) & set(before[key]), key
    # A restarted server opens every resealed value, and the words are the ones written.
    restarted = create_app({"TESTING": True})
    with restarted.app_context():
        opened = " ".join(
            unseal(value, label)
            for table, column, label in SEALED_COLUMNS
            for value in after[(table, column)]
        )
    for field, marker in MARKERS.items():
        assert marker in opened, field
    # And the partners still read their pages, now sealed under the new key.
    shown = pages_of(fran, pair_id)
    for field, marker in MARKERS.items():
        assert marker in shown, field
