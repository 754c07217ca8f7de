"""The vault's cryptographic core in real Chromium, and what it writes, read back in Python.

docs/design.md "The vault": a key-encryption key from the passphrase (PBKDF2-SHA256, at least
600,000 iterations) wraps a random AES-256-GCM data key; keys are non-extractable; every record has
a fresh IV and additional data binding its id, kind and format version; settings below the minimum
are refused whoever supplies them; changing the passphrase re-wraps only the data key; and a
Python test using `cryptography` decrypts what the browser wrote (docs/vault-format.md).
"""

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import make_app
from vault_format import (
    DamagedManifest,
    DamagedRecord,
    VaultFormatError,
    WrongPassphrase,
    b64url_decode,
    b64url_encode,
    data_key,
    data_key_from_passkey,
    data_key_from_recovery_key,
    key_wrap_aad,
    open_export,
    open_record,
    read_manifest,
    record_plaintext,
    write_export,
)

from .conftest import LiveServer
from .steps import script, sign_in, sign_out

# The vault module, imported in the page by the URL the pages use.
VAULT_MODULE = "/static/vault/index.js"

FORMAT_DOC = Path(__file__).parents[2] / "docs" / "vault-format.md"
PASSPHRASE = "a long walk by the river at dusk"
# Not ASCII on purpose: the passphrase is NFC-normalised UTF-8 on both sides.
NEW_PASSPHRASE = "Ça change: tea, toast and a quiet room"
WRONG_PASSPHRASE = "not my passphrase at all"
# Marker words that must never appear outside the ciphertext.
MARKERS = ["MARKER-should", "MARKER-painful", "MARKER-rating"]
RECORDS = {
    "shoulds-2024-05-01-r1": (
        "shoulds",
        {"round": 1, "lines": ["I should always know what to say MARKER-should"], "marks": {}},
    ),
    "shoulds-2024-05-01-r2": (
        "shoulds",
        {"round": 2, "lines": ["My partner shouldn't need a break"], "marks": {"0": "let go"}},
    ),
    "painful-points-1": (
        "painful-points",
        {"note": 'MARKER-painful: Ünïcödé ✓ "quotes", \\ and a\nnewline', "skipped": [1, 2]},
    ),
    "discomfort-2024-05-01": ("discomfort", {"ratings": [1, 5, 3], "note": "MARKER-rating"}),
}
VALUES = {record_id: value for record_id, (_kind, value) in RECORDS.items()}
REFUSED_STORAGE = {
    "iterations": ({"iterations": 1000}, "at least 600,000"),
    "salt": ({"salt": b64url_encode(b"8 bytes!")}, "at least 16 bytes"),
    "kdf": ({"kdf": "PBKDF2-SHA1"}, "only PBKDF2-SHA256"),
}


def in_page(page, body, arg=None):
    """Runs `body` as an async function of `arg`, with the vault module's exports in scope."""
    return page.evaluate(
        "async (arg) => {\n"
        f"const {{ openVault, lockAll }} = await import('{VAULT_MODULE}');\n"
        f"{body}\n}}",
        arg,
    )


def vault_script(page, name, arg=None):
    """Runs tests/browser/scripts/<name>.js with the vault module's URL and `arg`."""
    return page.evaluate(script(name), {"module": VAULT_MODULE, "arg": arg})


def refusal(page, body, arg=None):
    """Runs `body`, which must throw; returns the error's name, code and message."""
    error = in_page(
        page,
        f"try {{\n{body}\n}} catch (error) {{\n"
        "return { name: error.name, code: error.code ?? null, message: error.message };\n}\n"
        "return null;",
        arg,
    )
    assert error is not None, "expected the vault to refuse"
    return error


def read_storage(page, name="fran"):
    return page.evaluate(script("read-storage"), {"name": name})


def write_storage(page, name="fran", meta=None, records=()):
    page.evaluate(script("write-storage"), {"name": name, "meta": meta, "records": list(records)})


def make_vault(page, name="fran", records=RECORDS):
    """A new vault on the page's origin, holding `records`, left unlocked."""
    in_page(
        page,
        """const vault = openVault(arg.name);
        await vault.create(arg.passphrase);
        for (const [id, [kind, value]] of Object.entries(arg.records)) {
          await vault.put(kind, id, value);
        }""",
        {"name": name, "passphrase": PASSPHRASE, "records": records},
    )


def export_file(page, name="fran"):
    """The export file's text: exportFile() gives the object, a backup file is its JSON."""
    return in_page(page, "return JSON.stringify(await openVault(arg).exportFile());", name)


def flip_one_byte(text, index):
    raw = bytearray(b64url_decode(text))
    raw[index] ^= 0x01
    return b64url_encode(bytes(raw))


@pytest.fixture
def vault_page(page):
    """Any app page will do: the vault is a module served from /static under the app's CSP."""
    page.goto("/signin")
    return page


@pytest.fixture(scope="module")
def browser_file(browser, template_db, tmp_path_factory):
    """An export file written once by real Chromium for the interop tests, and each value
    exactly as the browser serialised it (JSON.stringify), so Python can be checked byte for
    byte. Module-scoped because PBKDF2 at 600,000 iterations is deliberately slow."""
    database = tmp_path_factory.mktemp("vault") / "wellbeing.db"
    shutil.copy(template_db, database)
    server = LiveServer(make_app(database))
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/signin")
        make_vault(page)
        serialised = page.evaluate(
            "(values) => Object.fromEntries("
            "Object.entries(values).map(([id, value]) => [id, JSON.stringify(value)]))",
            VALUES,
        )
        return export_file(page), serialised
    finally:
        context.close()
        server.stop()


@pytest.fixture
def browser_export(browser_file):
    """A fresh copy of the parsed file for each test, free to tamper with."""
    text, serialised = browser_file
    return json.loads(text), serialised


def test_worker_saves_locks_and_unlocks_their_notes(vault_page):
    make_vault(vault_page)
    # A reload drops the module, and with it the key: the notes must come back from IndexedDB.
    vault_page.reload()
    opened = vault_script(vault_page, "saves-locks-unlocks", PASSPHRASE)
    assert opened["lockedAfterReload"] and opened["exists"] and opened["unlocked"]
    assert opened["one"]["id"] == "painful-points-1"
    assert opened["one"]["kind"] == "painful-points"
    assert opened["one"]["value"] == VALUES["painful-points-1"]
    assert [(r["id"], r["value"]) for r in opened["shoulds"]] == [
        ("shoulds-2024-05-01-r1", VALUES["shoulds-2024-05-01-r1"]),
        ("shoulds-2024-05-01-r2", VALUES["shoulds-2024-05-01-r2"]),
    ]
    assert opened["all"] == sorted(RECORDS)
    assert opened["missing"] is None
    assert opened["changed"] == {"round": 2, "lines": []}
    assert opened["removed"] is None
    assert len(opened["newId"]) == 36
    assert opened["lockedAgain"]

    # What IndexedDB holds is exactly the documented layout, and none of it is readable.
    stored = read_storage(vault_page)
    assert set(stored["meta"]) == {"header", "keyWrap"}
    header = stored["meta"]["header"]
    assert header == {"version": 1, "kdf": "PBKDF2-SHA256", "iterations": 600_000} | {
        "salt": header["salt"]
    }
    assert len(b64url_decode(header["salt"])) == 16
    assert len(b64url_decode(stored["meta"]["keyWrap"]["iv"])) == 12
    assert len(b64url_decode(stored["meta"]["keyWrap"]["wrappedKey"])) == 32 + 16
    for record in stored["records"]:
        assert list(record) == ["id", "kind", "version", "counter", "iv", "ciphertext", "updatedAt"]
        assert record["version"] == 2
        assert len(b64url_decode(record["iv"])) == 12
    # Every save took a new counter, and the state beside the header keeps the largest.
    counters = [record["counter"] for record in stored["records"]]
    assert len(set(counters)) == len(counters)
    assert stored["state"]["clock"] >= max(counters)
    assert stored["state"]["tombstones"] == {
        "shoulds-2024-05-01-r1": stored["state"]["tombstones"]["shoulds-2024-05-01-r1"]
    }
    # A fresh IV for every record.
    ivs = [record["iv"] for record in stored["records"]]
    assert len(set(ivs)) == len(ivs)
    for marker in MARKERS:
        assert marker not in json.dumps(stored)


def test_keys_in_memory_cannot_be_exported(vault_page):
    vault_page.evaluate(script("watch-keys"))
    keys = vault_script(vault_page, "keys-in-memory", {"old": PASSPHRASE, "new": NEW_PASSPHRASE})
    # Key-encryption keys: create, unlock, and the old and new passphrase when changing it.
    assert len(keys["derived"]) == 4
    for key in keys["derived"]:
        assert key == {
            "extractable": False,
            "usages": ["unwrapKey", "wrapKey"],
            "export": "InvalidAccessError",
            "usedForRecords": False,
        }
    # Every data key that touched a record (after create, after unlock, after the change).
    assert len(keys["usedForRecords"]) == 3
    for key in keys["usedForRecords"]:
        assert key["extractable"] is False
        assert key["export"] == "InvalidAccessError"
    # The only extractable keys are the two that existed just long enough to be wrapped: the
    # new data key at create, and the copy unwrapped to change the passphrase. Neither ever
    # encrypted or decrypted a record.
    extractable = [key for key in keys["generated"] + keys["unwrapped"] if key["extractable"]]
    assert len(keys["generated"]) == 1 and keys["generated"][0]["extractable"]
    assert len(extractable) == 2
    assert not any(key["usedForRecords"] for key in extractable)


def test_locked_vault_cannot_decrypt(vault_page):
    make_vault(vault_page)
    vault_page.evaluate(script("watch-keys"))
    attempts = vault_script(vault_page, "locked-vault-refuses", PASSPHRASE)
    assert attempts.pop("unlocked") is False
    assert attempts.pop("keysUsed") == 0
    assert attempts.pop("lockWinsOverUnlock") is True
    for action, error in attempts.items():
        assert error == {
            "name": "VaultError",
            "code": "locked",
            "message": "The vault is locked. Unlock it with your passphrase first.",
        }, action
    # Nothing was removed or added while it was locked.
    assert sorted(r["id"] for r in read_storage(vault_page)["records"]) == sorted(RECORDS)


def test_wrong_passphrase_is_told_plainly(vault_page):
    make_vault(vault_page)
    in_page(vault_page, 'openVault("fran").lock();')
    error = refusal(vault_page, 'await openVault("fran").unlock(arg);', WRONG_PASSPHRASE)
    assert error == {
        "name": "VaultError",
        "code": "wrong-passphrase",
        "message": "That passphrase doesn't open this vault.",
    }
    assert in_page(vault_page, 'return openVault("fran").isUnlocked();') is False
    error = refusal(
        vault_page,
        'await openVault("fran").changePassphrase(arg[0], arg[1]);',
        [WRONG_PASSPHRASE, NEW_PASSPHRASE],
    )
    assert error["code"] == "wrong-passphrase"
    value = in_page(
        vault_page,
        """const vault = openVault("fran");
        await vault.unlock(arg);
        return (await vault.get("painful-points-1")).value;""",
        PASSPHRASE,
    )
    assert value == VALUES["painful-points-1"]


def test_weak_kdf_settings_in_storage_are_refused(vault_page):
    make_vault(vault_page)
    original = read_storage(vault_page)["meta"]
    for what, (change, reason) in REFUSED_STORAGE.items():
        weakened = original | {"header": original["header"] | change}
        write_storage(vault_page, meta=weakened)
        error = refusal(vault_page, 'await openVault("fran").unlock(arg);', PASSPHRASE)
        assert error["code"] == "weak-kdf", what
        assert reason in error["message"], what
        assert error["name"] == "VaultError"

    # Stronger-looking settings than the key was wrapped under don't pass unnoticed either.
    stronger = original | {"header": original["header"] | {"iterations": 700_000}}
    write_storage(vault_page, meta=stronger)
    error = refusal(vault_page, 'await openVault("fran").unlock(arg);', PASSPHRASE)
    assert error["code"] == "wrong-passphrase"

    # Nor can the app itself make a weak vault.
    error = refusal(
        vault_page,
        'await openVault("weak").create(arg, { iterations: 1000 });',
        PASSPHRASE,
    )
    assert error["code"] == "weak-kdf" and "at least 600,000" in error["message"]
    assert in_page(vault_page, 'return openVault("weak").exists();') is False

    write_storage(vault_page, meta=original)
    assert in_page(
        vault_page,
        'await openVault("fran").unlock(arg); return openVault("fran").isUnlocked();',
        PASSPHRASE,
    )


def test_weak_kdf_settings_in_an_imported_file_are_refused(vault_page):
    make_vault(vault_page)
    exported = json.loads(export_file(vault_page))
    for what, (change, reason) in REFUSED_STORAGE.items():
        weakened = exported | {"header": exported["header"] | change}
        error = refusal(
            vault_page, 'await openVault("new-phone").importFile(arg);', json.dumps(weakened)
        )
        assert error["code"] == "weak-kdf", what
        assert reason in error["message"], what
        assert in_page(vault_page, 'return openVault("new-phone").exists();') is False, what


def test_changing_passphrase_rewraps_only_the_data_key(vault_page):
    make_vault(vault_page)
    before = read_storage(vault_page)
    in_page(
        vault_page,
        'await openVault("fran").changePassphrase(arg[0], arg[1]);',
        [PASSPHRASE, NEW_PASSPHRASE],
    )
    after = read_storage(vault_page)

    # Records are byte for byte the same: not re-encrypted, not even rewritten.
    assert after["records"] == before["records"]
    # The header and the wrapped key are new: a new salt, a new IV, a new wrapping.
    assert after["meta"]["header"]["iterations"] == 600_000
    assert after["meta"]["header"]["salt"] != before["meta"]["header"]["salt"]
    assert after["meta"]["keyWrap"]["iv"] != before["meta"]["keyWrap"]["iv"]
    assert after["meta"]["keyWrap"]["wrappedKey"] != before["meta"]["keyWrap"]["wrappedKey"]

    in_page(vault_page, 'openVault("fran").lock();')
    error = refusal(vault_page, 'await openVault("fran").unlock(arg);', PASSPHRASE)
    assert error["code"] == "wrong-passphrase"
    # Typed with a combining cedilla this time (another keyboard): NFC makes it the same key.
    decomposed = unicodedata.normalize("NFD", NEW_PASSPHRASE)
    assert decomposed != NEW_PASSPHRASE
    listed = in_page(
        vault_page,
        """const vault = openVault("fran");
        await vault.unlock(arg);
        return vault.list();""",
        decomposed,
    )
    assert {record["id"]: record["value"] for record in listed} == VALUES

    # Python agrees: the new passphrase opens the exported file.
    opened, damaged = open_export(export_file(vault_page), NEW_PASSPHRASE)
    assert opened == VALUES and damaged == {}


def test_export_restores_into_a_fresh_vault(vault_page):
    make_vault(vault_page)
    text = export_file(vault_page)
    for marker in MARKERS:
        assert marker not in text
    exported = json.loads(text)
    assert set(exported) == {
        "format",
        "version",
        "exportedAt",
        "header",
        "keyWrap",
        "manifest",
        "records",
    }
    assert exported["format"] == "wellbeing-vault-export" and exported["version"] == 2
    assert [record["id"] for record in exported["records"]] == sorted(RECORDS)

    restored = in_page(
        vault_page,
        """const vault = openVault("new-phone");
        const count = await vault.importFile(arg.text);
        const lockedAfterImport = !vault.isUnlocked();
        await vault.unlock(arg.passphrase);
        return { count, lockedAfterImport, records: await vault.list() };""",
        {"text": text, "passphrase": PASSPHRASE},
    )
    assert restored["count"] == len(RECORDS)
    assert restored["lockedAfterImport"]
    assert {record["id"]: record["value"] for record in restored["records"]} == VALUES
    assert read_storage(vault_page, "new-phone")["records"] == exported["records"]

    # Importing over an existing vault would orphan its records, so it is refused.
    error = refusal(vault_page, 'await openVault("new-phone").importFile(arg);', text)
    assert error["code"] == "exists"


def test_tampered_records_are_named_and_the_rest_still_open(vault_page):
    make_vault(vault_page)
    records = {record["id"]: record for record in read_storage(vault_page)["records"]}
    flipped = records["painful-points-1"]
    flipped["ciphertext"] = flip_one_byte(flipped["ciphertext"], 5)
    first, second = records["shoulds-2024-05-01-r1"], records["shoulds-2024-05-01-r2"]
    for field in ("iv", "ciphertext"):
        first[field], second[field] = second[field], first[field]
    write_storage(vault_page, records=[flipped, first, second])

    opened = vault_script(vault_page, "damaged-records")
    assert opened["refused"]["name"] == "VaultError"
    assert opened["refused"]["code"] == "damaged-record"
    assert '"painful-points-1"' in opened["refused"]["message"]
    listed = {record["id"]: record for record in opened["listed"]}
    for record_id in ("painful-points-1", "shoulds-2024-05-01-r1", "shoulds-2024-05-01-r2"):
        assert f'"{record_id}"' in listed[record_id]["error"]
        assert listed[record_id]["value"] is None
    untouched = listed["discomfort-2024-05-01"]
    assert untouched["value"] == VALUES["discomfort-2024-05-01"]
    assert untouched["error"] is None

    # Relabelling a record's kind (its additional data) also fails.
    relabelled = records["discomfort-2024-05-01"] | {"kind": "shoulds"}
    write_storage(vault_page, records=[relabelled])
    error = refusal(vault_page, 'await openVault("fran").get("discomfort-2024-05-01");')
    assert error["code"] == "damaged-record"

    # So does an older save given a newer counter: the counter is in the additional data.
    renumbered = records["discomfort-2024-05-01"] | {
        "counter": records["discomfort-2024-05-01"]["counter"] + 10
    }
    write_storage(vault_page, records=[renumbered])
    error = refusal(vault_page, 'await openVault("fran").get("discomfort-2024-05-01");')
    assert error["code"] == "damaged-record"


# Interop: the documented format, read by Python's `cryptography` from what Chromium wrote.


def test_python_decrypts_what_the_browser_wrote(browser_export):
    exported, serialised = browser_export
    opened, damaged = open_export(json.dumps(exported), PASSPHRASE)
    assert damaged == {}
    assert opened == VALUES
    # Byte for byte, the plaintext is the UTF-8 of what the browser's JSON.stringify gave.
    key = data_key(exported, PASSPHRASE)
    for record in exported["records"]:
        assert record_plaintext(key, record) == serialised[record["id"]].encode("utf-8")
    with pytest.raises(WrongPassphrase, match="That passphrase doesn't open this vault"):
        data_key(exported, WRONG_PASSPHRASE)


def test_python_refuses_a_flipped_byte_and_opens_the_rest(browser_export):
    exported, _serialised = browser_export
    key = data_key(exported, PASSPHRASE)
    target = next(r for r in exported["records"] if r["id"] == "painful-points-1")
    length = len(b64url_decode(target["ciphertext"]))
    # The first byte, one in the middle, and the last byte of the GCM tag; and one of the IV.
    for field, index in [("ciphertext", 0), ("ciphertext", length // 2), ("ciphertext", -1)] + [
        ("iv", 3)
    ]:
        damaged_record = target | {field: flip_one_byte(target[field], index)}
        with pytest.raises(DamagedRecord, match="'painful-points-1' failed authentication"):
            open_record(key, damaged_record)

    damaged_record = target | {"ciphertext": flip_one_byte(target["ciphertext"], 0)}
    records = [damaged_record if r is target else r for r in exported["records"]]
    opened, damaged = open_export(json.dumps(exported | {"records": records}), PASSPHRASE)
    assert list(damaged) == ["painful-points-1"]
    assert damaged["painful-points-1"].record_id == "painful-points-1"
    assert opened == {k: v for k, v in VALUES.items() if k != "painful-points-1"}


def test_python_refuses_swapped_records_and_opens_the_rest(browser_export):
    exported, _serialised = browser_export
    key = data_key(exported, PASSPHRASE)
    by_id = {record["id"]: record for record in exported["records"]}
    first, second = by_id["painful-points-1"], by_id["discomfort-2024-05-01"]
    swapped = {
        "painful-points-1": first | {"iv": second["iv"], "ciphertext": second["ciphertext"]},
        "discomfort-2024-05-01": second | {"iv": first["iv"], "ciphertext": first["ciphertext"]},
    }
    records = [swapped.get(record["id"], record) for record in exported["records"]]
    opened, damaged = open_export(json.dumps(exported | {"records": records}), PASSPHRASE)
    assert sorted(damaged) == ["discomfort-2024-05-01", "painful-points-1"]
    assert opened == {k: v for k, v in VALUES.items() if k.startswith("shoulds-")}

    # A record relabelled as another kind, or moved to another id, fails the same way.
    with pytest.raises(DamagedRecord, match="'painful-points-1'"):
        open_record(key, first | {"kind": "shoulds"})
    with pytest.raises(DamagedRecord, match="'elsewhere'"):
        open_record(key, first | {"id": "elsewhere"})


def test_python_refuses_weak_kdf_settings_too(browser_export):
    exported, _serialised = browser_export
    weakened = exported | {"header": exported["header"] | {"iterations": 1000}}
    with pytest.raises(VaultFormatError, match="refusing 1000 PBKDF2 iterations"):
        data_key(weakened, PASSPHRASE)


def test_the_documented_python_snippet_reads_what_the_browser_wrote(browser_export):
    exported, _serialised = browser_export
    doc = FORMAT_DOC.read_text()
    snippet = re.search(r"## Reading a vault in Python.*?```python\n(.*?)```", doc, re.S)
    namespace = {}
    exec(snippet.group(1), namespace)
    assert namespace["open_vault_file"](json.dumps(exported), PASSPHRASE) == VALUES


def test_the_documented_additional_data_example_is_exact():
    doc = FORMAT_DOC.read_text()
    example = re.search(r"these 80 bytes:\n\n```\n(.*?)```", doc, re.S).group(1)
    documented = bytes.fromhex(
        "".join(line.split()[0] + line.split()[1] for line in example.splitlines())
    )
    header = {"version": 1, "kdf": "PBKDF2-SHA256", "iterations": 600_000}
    assert documented == key_wrap_aad(header, bytes(range(16)))


def test_browser_opens_a_vault_file_python_wrote(vault_page):
    # The other direction: the document is complete enough to write a vault without the browser.
    text = write_export(RECORDS, PASSPHRASE)
    listed = in_page(
        vault_page,
        """const vault = openVault("from-python");
        await vault.importFile(arg.text);
        await vault.unlock(arg.passphrase);
        return vault.list();""",
        {"text": text, "passphrase": PASSPHRASE},
    )
    assert {record["id"]: record["value"] for record in listed} == VALUES
    assert {record["id"]: record["kind"] for record in listed} == {
        record_id: kind for record_id, (kind, _value) in RECORDS.items()
    }


def test_signing_out_keeps_the_vault_and_drops_the_key(page):
    sign_in(page, "facilitator")
    make_vault(page)
    sign_out(page)
    after = in_page(
        page,
        """const vault = openVault("fran");
        const result = { exists: await vault.exists(), unlocked: vault.isUnlocked() };
        await vault.unlock(arg);
        result.value = (await vault.get("painful-points-1")).value;
        return result;""",
        PASSPHRASE,
    )
    assert after == {"exists": True, "unlocked": False, "value": VALUES["painful-points-1"]}


def test_python_reads_the_manifest_the_browser_wrote(vault_page):
    """Issue 11: every record's counter and IV, and every deletion, sealed with the data key."""
    make_vault(vault_page)
    in_page(vault_page, 'await openVault("fran").remove("painful-points-1");')
    first = export_file(vault_page)
    in_page(
        vault_page,
        'await openVault("fran").put("shoulds", "shoulds-2024-05-01-r2", {"round": 2});',
    )
    second = export_file(vault_page)

    manifest = read_manifest(first, PASSPHRASE)
    records = {r["id"]: r for r in json.loads(first)["records"]}
    assert manifest["records"] == {
        record_id: {"counter": r["counter"], "iv": r["iv"]} for record_id, r in records.items()
    }
    assert sorted(manifest["records"]) == sorted(set(RECORDS) - {"painful-points-1"})
    assert list(manifest["tombstones"]) == ["painful-points-1"]
    # Counters only grow: each save, the deletion, and each export takes a newer one.
    saved = sorted(r["counter"] for r in records.values())
    assert saved[-1] < manifest["tombstones"]["painful-points-1"] < manifest["counter"]
    assert json.loads(first)["manifest"]["counter"] == manifest["counter"]
    later = read_manifest(second, PASSPHRASE)
    assert later["counter"] > manifest["counter"]
    changed = later["records"]["shoulds-2024-05-01-r2"]["counter"]
    assert changed > manifest["records"]["shoulds-2024-05-01-r2"]["counter"]
    assert later["tombstones"] == manifest["tombstones"]

    # Python notices what a server could try: a record left out, or an older save put back.
    exported = json.loads(second)
    dropped = exported | {"records": exported["records"][1:]}
    with pytest.raises(VaultFormatError, match="don't match the manifest"):
        read_manifest(json.dumps(dropped), PASSPHRASE)
    older = [records[r["id"]] if r["id"] in records else r for r in exported["records"]]
    with pytest.raises(VaultFormatError, match="don't match the manifest"):
        read_manifest(json.dumps(exported | {"records": older}), PASSPHRASE)
    # An older manifest with a newer counter beside it doesn't open.
    renumbered = json.loads(first)
    renumbered["manifest"]["counter"] = later["counter"] + 1
    with pytest.raises(DamagedManifest):
        read_manifest(json.dumps(renumbered), PASSPHRASE)


def test_a_format_1_vault_is_migrated_on_first_unlock(vault_page):
    """Vaults and files from before counters still open: each record is sealed again with a
    counter on the first unlock, with the same id, kind, value and time."""
    old_file = json.loads(write_export(RECORDS, PASSPHRASE, version=1))
    assert old_file["version"] == 1 and "manifest" not in old_file
    # A vault as the old app kept it in IndexedDB (no state), and one imported from an old file.
    assert in_page(vault_page, 'return openVault("old").exists();') is False
    write_storage(
        vault_page,
        name="old",
        meta={"header": old_file["header"], "keyWrap": old_file["keyWrap"]},
        records=old_file["records"],
    )
    in_page(vault_page, 'await openVault("imported").importFile(arg);', json.dumps(old_file))
    for name in ("old", "imported"):
        before = read_storage(vault_page, name)
        assert {r["version"] for r in before["records"]} == {1}
        listed = in_page(
            vault_page,
            "const vault = openVault(arg.name); await vault.unlock(arg.passphrase);"
            "return vault.list();",
            {"name": name, "passphrase": PASSPHRASE},
        )
        assert {record["id"]: record["value"] for record in listed} == VALUES

        after = read_storage(vault_page, name)
        assert {r["version"] for r in after["records"]} == {2}
        counters = sorted(r["counter"] for r in after["records"])
        assert len(set(counters)) == len(RECORDS) and after["state"]["clock"] >= counters[-1]
        times = {r["id"]: r["updatedAt"] for r in old_file["records"]}
        assert {r["id"]: r["updatedAt"] for r in after["records"]} == times
        # What it exports now is format 2, and Python reads it and its manifest.
        text = export_file(vault_page, name)
        assert json.loads(text)["version"] == 2
        assert open_export(text, PASSPHRASE) == (VALUES, {})
        assert sorted(read_manifest(text, PASSPHRASE)["records"]) == sorted(RECORDS)
        # A second unlock changes nothing more.
        in_page(
            vault_page,
            "const vault = openVault(arg.name); vault.lock(); await vault.unlock(arg.passphrase);",
            {"name": name, "passphrase": PASSPHRASE},
        )
        assert read_storage(vault_page, name)["records"] == after["records"]


# Issue 15: what a passkey's PRF gives (any 32 bytes will do for the format), and its id.
PRF_OUTPUT = bytes(range(100, 132))
CREDENTIAL_ID = "cHJmLWNyZWRlbnRpYWw"


def test_python_unwraps_the_data_key_from_a_prf_output_and_a_recovery_key(vault_page):
    make_vault(vault_page)
    made = in_page(
        vault_page,
        """const vault = openVault("fran");
        const { prfSalt } = await vault.unlocks();
        await vault.addPasskey(arg.passphrase, {
          credentialId: arg.credentialId, name: "Fran's phone", prfSalt,
          prf: new Uint8Array(arg.prf),
        });
        const recoveryKey = await vault.makeRecoveryKey(arg.passphrase);
        return { recoveryKey, file: JSON.stringify(await vault.exportFile()) };""",
        {"passphrase": PASSPHRASE, "credentialId": CREDENTIAL_ID, "prf": list(PRF_OUTPUT)},
    )
    exported = json.loads(made["file"])
    key = data_key(exported, PASSPHRASE)
    # The same data key, three ways: nothing was re-encrypted.
    assert data_key_from_passkey(exported, CREDENTIAL_ID, PRF_OUTPUT) == key
    assert data_key_from_recovery_key(exported, made["recoveryKey"]) == key
    assert {r["id"]: open_record(key, r) for r in exported["records"]} == VALUES
    with pytest.raises(WrongPassphrase):
        data_key_from_passkey(exported, CREDENTIAL_ID, bytes(32))
    # The settings are bound in: another salt (or credential) and the wrap no longer opens.
    tampered = json.loads(made["file"])
    tampered["unlocks"]["prfSalt"] = b64url_encode(bytes(32))
    with pytest.raises(WrongPassphrase):
        data_key_from_passkey(tampered, CREDENTIAL_ID, PRF_OUTPUT)
    tampered = json.loads(made["file"])
    tampered["unlocks"]["recovery"]["salt"] = b64url_encode(bytes(16))
    with pytest.raises(WrongPassphrase):
        data_key_from_recovery_key(tampered, made["recoveryKey"])

    # And the browser too: each opens the vault after a reload, and only the right one does.
    opened = in_page(
        vault_page,
        """const vault = openVault("fran");
        lockAll();
        await vault.unlockWithPasskey(arg.credentialId, new Uint8Array(arg.prf));
        const viaPasskey = (await vault.list()).length;
        lockAll();
        let wrong = null;
        try { await vault.unlockWithPasskey(arg.credentialId, new Uint8Array(32)); }
        catch (error) { wrong = error.code; }
        return { viaPasskey, wrong, open: vault.isUnlocked() };""",
        {"credentialId": CREDENTIAL_ID, "prf": list(PRF_OUTPUT)},
    )
    assert opened == {"viaPasskey": len(VALUES), "wrong": "wrong-passkey", "open": False}
