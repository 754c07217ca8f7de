"""The optional encrypted server backup of the vault (issue 3, "Backup and a new phone").

docs/design.md "The data rule": the server keeps only the export file the browser encrypted, and
only its owner can ever read or replace it. Two phones never overwrite each other (409), a few
versions are kept, and anything that isn't a vault export is refused with a clear JSON error.
"""

import copy
import json

import pytest
from access_rules import BACKUP_UPLOAD
from conftest import csrf_token
from vault_format import open_export, read_manifest, write_export

from wellbeing.db import sqlite3
from wellbeing.private.backup import KEEP_VERSIONS, MAX_BODY_BYTES

MARKER = "MARKER-5d1a I dread the silence after a disclosure"
PASSPHRASE = "a quiet room with the door shut"


def upload(client, body, based_on=None):
    """POST as the vault screen's fetch() does: JSON, and the form token in X-CSRFToken."""
    if based_on is not None:
        body = dict(body, basedOn=based_on)
    token = csrf_token(client, "/private/")
    return client.post("/private/backup", json=body, headers={"X-CSRFToken": token})


def raw_upload(client, data: bytes, content_type="application/json"):
    token = csrf_token(client, "/private/")
    headers = {"X-CSRFToken": token, "Content-Type": content_type}
    return client.post("/private/backup", data=data, headers=headers)


def with_change(change):
    body = copy.deepcopy(BACKUP_UPLOAD)
    change(body)
    return body


def stored_versions(app) -> list[tuple[int, int]]:
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        found = conn.execute("select user_id, version from vault_backups order by 1, 2").fetchall()
    conn.close()
    return found


def test_worker_backs_up_and_a_new_phone_gets_the_same_file_back(as_person):
    fran = as_person("facilitator")
    assert fran.get("/private/backup").get_json() == {
        "version": 0,
        "createdAt": None,
        "size": 0,
        "file": None,
    }

    response = upload(fran, BACKUP_UPLOAD)
    assert response.status_code == 201
    assert response.get_json()["version"] == 1

    latest = fran.get("/private/backup")
    assert latest.headers["Cache-Control"] == "no-store"
    assert latest.get_json()["file"] == BACKUP_UPLOAD["file"]
    (listed,) = fran.get("/private/backup/versions").get_json()["versions"]
    assert listed["version"] == 1 and listed["size"] > 0 and listed["createdAt"]


def test_nobody_else_can_read_or_replace_a_workers_backup(as_person):
    assert upload(as_person("facilitator"), BACKUP_UPLOAD).status_code == 201

    # Supervisors and admins have no private space, and so no backups either.
    for who in ("supervisor", "admin"):
        other = as_person(who)
        assert other.get("/private/backup").status_code == 403
        assert other.get("/private/backup/versions").status_code == 403
        assert upload(other, BACKUP_UPLOAD).status_code == 403
    # Another facilitator, in this organisation or another, only ever sees their own (none).
    for who in ("coworker", "outsider"):
        other = as_person(who)
        assert other.get("/private/backup").get_json()["file"] is None
        assert other.get("/private/backup/versions").get_json()["versions"] == []
        # Their upload is their own version 1; Fran's stays as it was.
        assert upload(other, BACKUP_UPLOAD).get_json()["version"] == 1
    assert len(stored_versions(as_person("facilitator").application)) == 3


def test_second_phone_is_told_to_merge_and_nothing_is_overwritten(as_person):
    fran = as_person("facilitator")
    first = with_change(lambda body: body["file"]["records"][0].update(id="from-phone-a"))
    second = with_change(lambda body: body["file"]["records"][0].update(id="from-phone-b"))
    assert upload(fran, first).status_code == 201

    # Phone B started from no backup (version 0) but the server already has version 1.
    response = upload(fran, second, based_on=0)

    assert response.status_code == 409
    answer = response.get_json()
    assert answer["error"] == "conflict" and answer["message"]
    assert answer["latest"]["version"] == 1
    assert answer["latest"]["file"]["records"][0]["id"] == "from-phone-a"
    # After merging, phone B uploads on top of version 1.
    assert upload(fran, second, based_on=1).get_json()["version"] == 2
    assert upload(fran, second, based_on=1).status_code == 409


def test_only_the_last_five_versions_are_kept(as_person):
    fran = as_person("facilitator")
    for version in range(7):
        assert upload(fran, BACKUP_UPLOAD, based_on=version).status_code == 201

    listed = fran.get("/private/backup/versions").get_json()["versions"]

    assert [v["version"] for v in listed] == [7, 6, 5, 4, 3]
    assert KEEP_VERSIONS == 5
    assert [v for _, v in stored_versions(fran.application)] == [3, 4, 5, 6, 7]


def set_in(path, value):
    def change(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def record(**fields):
    return set_in(("file", "records", 0), BACKUP_UPLOAD["file"]["records"][0] | fields)


def two_records_with_one_id(body):
    body["file"]["records"].append(copy.deepcopy(body["file"]["records"][0]))


REFUSALS = {
    "an unknown field": (set_in(("note",), "hello"), 400, "bad-backup"),
    "an unknown field in a record": (record(text=MARKER), 400, "bad-backup"),
    "an unknown field in the header": (set_in(("file", "header", "hint"), "x"), 400, "bad-backup"),
    "no basedOn": (lambda body: body.pop("basedOn"), 400, "bad-backup"),
    "basedOn true": (set_in(("basedOn",), True), 400, "bad-backup"),
    # Issue 11: 2**63 doesn't fit in SQLite's 64-bit integer and was a 500.
    "basedOn 2**63": (set_in(("basedOn",), 2**63), 400, "bad-backup"),
    "basedOn 2**63 - 1": (set_in(("basedOn",), 2**63 - 1), 400, "bad-backup"),
    "basedOn 10**30": (set_in(("basedOn",), 10**30), 400, "bad-backup"),
    "another format": (set_in(("file", "format"), "zip"), 400, "bad-backup"),
    "a record id with spaces": (record(id="my worst day"), 400, "bad-backup"),
    "a record kind too long": (record(kind="k" * 129), 400, "bad-backup"),
    "a short record IV": (record(iv="AAEC"), 400, "bad-backup"),
    "a ciphertext that isn't base64url": (record(ciphertext="not/base64+"), 400, "bad-backup"),
    "a record version 2": (record(version=2), 400, "bad-backup"),
    "a record without a time": (record(updatedAt="yesterday"), 400, "bad-backup"),
    "two records with one id": (two_records_with_one_id, 400, "bad-backup"),
    "records not a list": (set_in(("file", "records"), {}), 400, "bad-backup"),
    "a short wrapped key": (set_in(("file", "keyWrap", "wrappedKey"), "AAAA"), 400, "bad-backup"),
    "too few iterations": (set_in(("file", "header", "iterations"), 100_000), 422, "weak-kdf"),
    "iterations as text": (set_in(("file", "header", "iterations"), "600000"), 422, "weak-kdf"),
    "a short salt": (set_in(("file", "header", "salt"), "AAECAwQFBgcICQ"), 422, "weak-kdf"),
    "another KDF": (set_in(("file", "header", "kdf"), "PBKDF2-SHA1"), 422, "weak-kdf"),
    "freezing iterations": (
        set_in(("file", "header", "iterations"), 10_000_001),
        400,
        "bad-backup",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_upload_that_isnt_a_vault_export_is_refused_clearly(as_person, name):
    change, status, code = REFUSALS[name]
    fran = as_person("facilitator")

    response = upload(fran, with_change(change))

    assert response.status_code == status
    answer = response.get_json()
    assert answer["error"] == code and answer["message"]
    assert MARKER not in response.get_data(as_text=True)
    assert stored_versions(fran.application) == []


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "not-json"),
        (b'{"basedOn": 0, "basedOn": 1, "file": {}}', "application/json", 400, "bad-backup"),
        (b"[]", "application/json", 400, "bad-backup"),
        (json.dumps(BACKUP_UPLOAD).encode(), "text/plain", 415, "not-json"),
        (b" " * (MAX_BODY_BYTES + 1), "application/json", 413, "too-large"),
    ],
    ids=["broken JSON", "a field twice", "a list", "not JSON", "over 5 MB"],
)
def test_body_that_isnt_json_or_is_too_big_is_refused_clearly(
    as_person, data, content_type, status, code
):
    fran = as_person("facilitator")

    response = raw_upload(fran, data, content_type)

    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert stored_versions(fran.application) == []


def test_backup_without_its_form_token_is_refused(as_person):
    fran = as_person("facilitator")
    response = fran.post("/private/backup", json=BACKUP_UPLOAD)
    assert response.status_code == 400
    assert stored_versions(fran.application) == []


def test_database_holds_only_ciphertext_of_a_backup(as_person, app):
    fran = as_person("facilitator")
    export = write_export({"painful-points-1": ("painful-points", {"clues": MARKER})}, PASSPHRASE)

    assert upload(fran, {"basedOn": 0, "file": json.loads(export)}).status_code == 201
    restored = fran.get("/private/backup").get_json()["file"]

    # The passphrase opens what came back, and the server never had the words in the clear.
    opened, damaged = open_export(json.dumps(restored), PASSPHRASE)
    assert opened["painful-points-1"] == {"clues": MARKER} and not damaged
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for stored in app.config["DATABASE"], app.config["DATABASE"] + "-wal":
        try:
            raw = open(stored, "rb").read()
        except FileNotFoundError:
            continue
        assert MARKER.encode() not in raw and b"MARKER-" not in raw


# Issue 11, format 2: a counter on every record and a manifest sealed with the vault's data key.
# The server can't open the manifest; it checks its shape and keeps it exactly as sent.


def format_2(body):
    body["file"]["version"] = 2
    body["file"]["manifest"] = {"counter": 3, "iv": "AAECAwQFBgcICQoL", "ciphertext": "C" * 40}
    body["file"]["records"][0] |= {"version": 2, "counter": 2}


def v2_with(change):
    return with_change(lambda body: (format_2(body), change(body)))


def v2_record(**fields):
    def change(body):
        body["file"]["records"][0] |= fields

    return change


def test_format_2_backup_keeps_its_manifest_and_python_reads_it(as_person):
    fran = as_person("facilitator")
    assert upload(fran, with_change(format_2)).status_code == 201
    assert fran.get("/private/backup").get_json()["file"] == with_change(format_2)["file"]

    export = write_export(
        {"norms-1": ("norms", {"culture": MARKER})},
        PASSPHRASE,
        tombstones={"norms-0": 1},
    )
    assert upload(fran, {"basedOn": 1, "file": json.loads(export)}).status_code == 201
    restored = json.dumps(fran.get("/private/backup").get_json()["file"])
    manifest = read_manifest(restored, PASSPHRASE)
    assert list(manifest["records"]) == ["norms-1"] and manifest["tombstones"] == {"norms-0": 1}
    assert open_export(restored, PASSPHRASE) == ({"norms-1": {"culture": MARKER}}, {})


def test_format_1_backup_from_an_older_phone_is_still_accepted(as_person):
    fran = as_person("facilitator")
    old = json.loads(
        write_export({"norms-1": ("norms", {"culture": MARKER})}, PASSPHRASE, version=1)
    )
    assert old["version"] == 1 and "manifest" not in old
    assert upload(fran, {"basedOn": 0, "file": old}).status_code == 201


V2_REFUSALS = {
    "format 3": v2_with(set_in(("file", "version"), 3)),
    "no manifest": v2_with(lambda body: body["file"].pop("manifest")),
    "a manifest in a format 1 file": with_change(
        set_in(
            ("file", "manifest"), {"counter": 1, "iv": "AAECAwQFBgcICQoL", "ciphertext": "C" * 40}
        )
    ),
    "a manifest counter of 0": v2_with(set_in(("file", "manifest", "counter"), 0)),
    "a manifest counter as text": v2_with(set_in(("file", "manifest", "counter"), "3")),
    "a short manifest IV": v2_with(set_in(("file", "manifest", "iv"), "AAEC")),
    "a short manifest": v2_with(set_in(("file", "manifest", "ciphertext"), "AAEC")),
    "an unknown field in the manifest": v2_with(set_in(("file", "manifest", "tombstones"), {})),
    "a record without a counter": v2_with(lambda body: body["file"]["records"][0].pop("counter")),
    "a record counter of 0": v2_with(v2_record(counter=0)),
    "a record counter true": v2_with(v2_record(counter=True)),
    "a record counter beyond 2**53": v2_with(v2_record(counter=2**53)),
    "a record version 3": v2_with(v2_record(version=3)),
}


@pytest.mark.parametrize("name", sorted(V2_REFUSALS))
def test_format_2_upload_that_isnt_a_vault_export_is_refused_clearly(as_person, name):
    fran = as_person("facilitator")

    response = upload(fran, V2_REFUSALS[name])

    assert response.status_code == 400
    assert response.get_json()["error"] == "bad-backup" and response.get_json()["message"]
    assert stored_versions(fran.application) == []


# Issue 15: a format 2 backup may carry the other unlocks' wraps, still encrypted.
def format_2_with_unlocks():
    body = copy.deepcopy(BACKUP_UPLOAD)
    file = body["file"]
    file["version"] = 2
    file["records"][0] |= {"version": 2, "counter": 1}
    file["manifest"] = {"counter": 2, "iv": "AAECAwQFBgcICQoL", "ciphertext": "C" * 40}
    file["unlocks"] = {
        "version": 1,
        "prfSalt": "A" * 43,
        "passkeys": [
            {
                "credentialId": "cHJmLWNyZWRlbnRpYWw",
                "name": "2 Dec 2026 (cHJmLW)",
                "iv": "AAECAwQFBgcICQoL",
                "wrappedKey": "D" * 64,
            }
        ],
        "recovery": {
            "salt": "AAECAwQFBgcICQoLDA0ODw",
            "iv": "AAECAwQFBgcICQoL",
            "wrappedKey": "E" * 64,
        },
    }
    return body


UNLOCK_REFUSALS = {
    "unlocks in a format 1 file": lambda body: body["file"].update(version=1),
    "an unknown unlocks version": set_in(("file", "unlocks", "version"), 2),
    "an unknown field in the unlocks": set_in(("file", "unlocks", "hint"), MARKER),
    "a short PRF salt": set_in(("file", "unlocks", "prfSalt"), "AAAA"),
    "passkeys without a PRF salt": lambda body: body["file"]["unlocks"].pop("prfSalt"),
    "a short passkey wrap": set_in(("file", "unlocks", "passkeys", 0, "wrappedKey"), "AAAA"),
    "a passkey name too long": set_in(("file", "unlocks", "passkeys", 0, "name"), "n" * 61),
    "a short recovery salt": set_in(("file", "unlocks", "recovery", "salt"), "AAAA"),
    "unlocks not an object": set_in(("file", "unlocks"), ["x"]),
}


def test_a_backup_carries_the_passkey_and_recovery_wraps(as_person):
    fran = as_person("facilitator")
    assert upload(fran, format_2_with_unlocks()).status_code == 201
    latest = fran.get("/private/backup", headers={"Accept": "application/json"})
    assert latest.get_json()["file"]["unlocks"] == format_2_with_unlocks()["file"]["unlocks"]


@pytest.mark.parametrize("name", sorted(UNLOCK_REFUSALS))
def test_a_backup_with_damaged_unlocks_is_refused(as_person, name):
    fran = as_person("facilitator")
    body = format_2_with_unlocks()
    UNLOCK_REFUSALS[name](body)
    response = upload(fran, body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad-backup"
    assert stored_versions(fran.application) == []
