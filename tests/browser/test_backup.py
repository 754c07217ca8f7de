"""The vault's optional encrypted server backup in real Chromium (issue 3, a new phone).

docs/design.md "The data rule": the server keeps only scrambled text it cannot open. A marker
written in an exercise is in no request and in no database file, yet a new phone brings it back
with the passphrase. Two phones that both back up never overwrite each other: the second merges
first, and no record is lost.

Issue 11, a vault the server cannot roll back: a phone refuses a backup older than one it has
already seen (or one that doesn't match its sealed manifest) and says so, kindly; a record
deleted on one phone is deleted on the others through the manifest's tombstones, and stays so.
"""

import json
import re
import time

import pytest
from playwright.sync_api import expect
from vault_format import open_export, read_manifest, write_export

from .steps import (
    MARKER,
    OLDER,
    PASSPHRASE,
    Recording,
    a_phone_with_a_vault,
    back_up,
    controlled_by_service_worker,
    fran_with_a_private_space,
    latest_backup,
    put_back_as_newest,
    saved,
    server_copy,
    sign_in,
    start_inventory,
    unlock,
    write_note,
    writing,
)


def restore_on_new_phone(page):
    sign_in(page, "facilitator")
    page.goto("/private/")
    page.get_by_text("Backed up to the server from another phone?").click()
    page.get_by_role("button", name="Restore from the server backup").click()
    expect(page.get_by_text("Your server backup is on this phone now.")).to_be_visible()
    unlock(page)


TWO_WEEKS_AGO = """() => localStorage.setItem(
  "wellbeing:vault-unsaved-since:" + document.querySelector("[data-vault]").dataset.vault,
  new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString(),
)"""


def test_server_backup_holds_no_words_and_a_new_phone_restores_them(
    new_context, live_server, tmp_path, caplog, capfd
):
    context = new_context()
    page = context.new_page()
    recording = Recording(context, page, live_server, caplog)
    fran_with_a_private_space(page)
    expect(page.get_by_text("Nothing backed up to the server from this phone yet.")).to_be_visible()
    start_inventory(page)
    writing(page).fill(MARKER)
    saved(page)

    # Two weeks later, with the note in no backup: a gentle reminder, gone once there is one.
    page.evaluate(TWO_WEEKS_AGO)
    page.goto("/private/")
    unlock(page)
    reminder = page.get_by_text("aren't in a backup yet")
    expect(reminder).to_be_visible()
    expect(page.get_by_text("The server keeps only scrambled text it cannot open")).to_be_visible()
    back_up(page)
    expect(reminder).to_be_hidden()
    expect(page.get_by_text("Last server backup from this phone:")).to_be_visible()
    expect(page.get_by_text("Backups kept on the server (the last 5)")).to_be_visible()

    # What left the page was the encrypted export file, and nothing else.
    (sent,) = [r for r in recording.left_the_page if r.startswith(b"POST ") and b"/backup" in r]
    body = json.loads(sent[sent.index(b'{"basedOn"') :])
    assert body["basedOn"] == 0 and body["file"]["format"] == "wellbeing-vault-export"
    assert MARKER.encode() not in sent
    # The server's copy opens with the passphrase, in Python, and nowhere else.
    opened, damaged = open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)
    assert not damaged and MARKER in json.dumps(opened)

    # A new phone, same person: nothing on it until the server backup comes down.
    new_phone = new_context().new_page()
    restore_on_new_phone(new_phone)
    new_phone.get_by_role("link", name="Inventory of 'shoulds'").click()
    new_phone.locator("[data-inventories] button").click()
    expect(writing(new_phone)).to_have_value(MARKER)
    recording.assert_nothing_left_the_phone((MARKER,), tmp_path, caplog, capfd)


def test_a_tap_on_restore_while_the_phone_is_still_loading_is_never_lost(new_context):
    """A slow phone: the restore button shows only once it answers, so no tap goes nowhere."""
    phone_a = a_phone_with_a_vault(new_context)
    back_up(phone_a)
    page = new_context().new_page()
    sign_in(page, "facilitator")
    held = []
    page.route(re.compile(r"/static/screens/server-backup\.js"), lambda route: held.append(route))
    page.goto("/private/")
    page.wait_for_timeout(1000)  # the vault's own check has long answered by now
    assert held, "the server backup's module was not held back"
    restore = page.get_by_text("Backed up to the server from another phone?")
    expect(restore).to_be_hidden()
    for route in held:
        route.continue_()
    restore.click()
    page.get_by_role("button", name="Restore from the server backup").click()
    expect(page.get_by_text("Your server backup is on this phone now.")).to_be_visible()


def test_two_phones_backing_up_lose_no_record(new_context, tmp_path):
    phone_a = a_phone_with_a_vault(new_context)
    write_note(phone_a, "norms-shared", "MARKER-first words on phone A")
    back_up(phone_a)

    phone_b = new_context().new_page()
    restore_on_new_phone(phone_b)

    # Both phones write a record of their own, and both change the shared one (B later).
    write_note(phone_a, "norms-only-a", "MARKER-only on phone A")
    write_note(phone_a, "norms-shared", "MARKER-changed on phone A")
    back_up(phone_a)
    write_note(phone_b, "norms-only-b", "MARKER-only on phone B")
    write_note(phone_b, "norms-shared", "MARKER-changed on phone B")
    back_up(phone_b, "its notes are here now as well: nothing was lost")

    notes, damaged = open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)
    texts = {record_id: note["answers"]["culture"] for record_id, note in notes.items()}
    assert not damaged
    assert texts.pop("norms-only-a") == "MARKER-only on phone A"
    assert texts.pop("norms-only-b") == "MARKER-only on phone B"
    # The newer change keeps the id; the other phone's is kept beside it as a copy.
    assert texts.pop("norms-shared") == "MARKER-changed on phone B"
    ((copy_id, copied),) = texts.items()
    assert copy_id.startswith("norms-shared.copy-") and copied == "MARKER-changed on phone A"

    # Phone A backs up again: it gets B's records too, and the server keeps every one.
    back_up(phone_a, "its notes are here now as well")
    assert len(server_copy(tmp_path)["records"]) == 4


@pytest.mark.service_worker
def test_written_offline_it_backs_up_by_itself_once_the_server_is_back(
    new_context, live_server, tmp_path, caplog
):
    """Issue 3's proof, "Offline": the shoulds inventory written with the server stopped is still
    there after a reload, and the encrypted backup syncs by itself when the server is back."""
    context = new_context()
    page = context.new_page()
    recording = Recording(context, page, live_server, caplog)
    fran_with_a_private_space(page)
    controlled_by_service_worker(page)
    unlock(page)
    back_up(page)  # once, by hand: from now on this phone backs up by itself
    assert latest_backup(tmp_path)[0] == 1

    live_server.stop()
    start_inventory(page)  # a boosted link, answered by the service worker
    writing(page).fill(f"{MARKER}\nwritten with no signal")
    saved(page)
    page.reload()
    unlock(page)  # the automatic backup tries now, and fails without a word
    expect(writing(page)).to_have_value(f"{MARKER}\nwritten with no signal")
    assert latest_backup(tmp_path)[0] == 1

    live_server.start()  # the same port, so the same origin
    context.set_offline(True)
    context.set_offline(False)  # the browser's `online` event
    deadline = time.monotonic() + 5
    while latest_backup(tmp_path)[0] == 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    version, file = latest_backup(tmp_path)
    assert version == 2
    opened, damaged = open_export(json.dumps(file), PASSPHRASE)
    assert not damaged and MARKER in json.dumps(opened)

    # Only ciphertext travelled: the marker is in no request body, sent or received.
    assert not recording.errors, "\n".join(recording.errors)
    assert [r for r in recording.received.received if r.startswith(b"POST /private/backup")]
    raw = MARKER.encode()
    assert not [r for r in recording.left_the_page if raw in r]
    assert not [r for r in recording.received.received if raw in r]


REMOVE = """async (id) => {
  const holder = document.querySelector("[data-vault]");
  const vault = (await import("vault")).openVault(holder.dataset.vault);
  await vault.remove(id);
}"""

IDS = """async () => {
  const holder = document.querySelector("[data-vault]");
  const vault = (await import("vault")).openVault(holder.dataset.vault);
  return (await vault.list()).map((record) => record.id);
}"""

GET = """async (id) => {
  const holder = document.querySelector("[data-vault]");
  const vault = (await import("vault")).openVault(holder.dataset.vault);
  const record = await vault.get(id);
  return record && record.value.answers.culture;
}"""

NOT_MATCHING = "The server backup doesn't match its own sealed list of your notes"


def test_phone_refuses_an_older_backup_the_server_hands_back(new_context, tmp_path):
    phone = a_phone_with_a_vault(new_context)
    write_note(phone, "norms-week", "MARKER-first version")
    back_up(phone)
    write_note(phone, "norms-week", "MARKER-second version")
    back_up(phone)
    assert latest_backup(tmp_path)[0] == 2

    # The server puts version 1's file back as its newest (version 3).
    replayed = put_back_as_newest(tmp_path, 1)
    write_note(phone, "norms-week", "MARKER-third version")
    back_up(phone, OLDER)

    # Nothing changed on the phone, and nothing was uploaded over the old copy.
    assert phone.evaluate(GET, "norms-week") == "MARKER-third version"
    assert latest_backup(tmp_path)[0] == replayed
    notes, _damaged = open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)
    assert notes["norms-week"]["answers"]["culture"] == "MARKER-first version"

    # It says so again after a reload, when it tried again by itself.
    phone.reload()
    unlock(phone)
    expect(phone.locator("[data-server-status]")).to_contain_text(OLDER)
    assert phone.evaluate(GET, "norms-week") == "MARKER-third version"
    assert latest_backup(tmp_path)[0] == replayed


def test_phone_refuses_a_backup_that_doesnt_match_its_manifest(new_context, tmp_path):
    phone = a_phone_with_a_vault(new_context)
    write_note(phone, "norms-a", "MARKER-a")
    write_note(phone, "norms-b", "MARKER-b")
    back_up(phone)
    write_note(phone, "norms-a", "MARKER-a again")
    back_up(phone)

    def drop_b(file):
        file["records"] = [r for r in file["records"] if r["id"] != "norms-b"]
        return file

    # The newest file with one record left out: its manifest still lists it.
    replayed = put_back_as_newest(tmp_path, 2, drop_b)
    write_note(phone, "norms-c", "MARKER-c")
    back_up(phone, NOT_MATCHING)
    assert phone.evaluate(IDS) == ["norms-a", "norms-b", "norms-c"]
    assert latest_backup(tmp_path)[0] == replayed


def two_phones_with_a_note_to_delete(new_context):
    """Fran's phone backs up two notes, one to keep and one to delete; her second phone
    restores that backup. Returns (first phone, second phone)."""
    phone_a = a_phone_with_a_vault(new_context)
    write_note(phone_a, "norms-keep", "MARKER-keep")
    write_note(phone_a, "norms-gone", "MARKER-delete me")
    back_up(phone_a)
    phone_b = new_context().new_page()
    restore_on_new_phone(phone_b)
    return phone_a, phone_b


def test_a_deletion_reaches_the_other_phone_and_stays_deleted(new_context, tmp_path):
    phone_a, phone_b = two_phones_with_a_note_to_delete(new_context)
    assert phone_b.evaluate(IDS) == ["norms-gone", "norms-keep"]

    phone_a.evaluate(REMOVE, "norms-gone")
    back_up(phone_a)
    back_up(phone_b)  # merges A's backup first

    assert phone_b.evaluate(IDS) == ["norms-keep"]
    # The server's copy: Python opens its manifest, which lists the deletion.
    text = json.dumps(server_copy(tmp_path))
    manifest = read_manifest(text, PASSPHRASE)
    assert set(manifest["records"]) == {"norms-keep"}
    assert set(manifest["tombstones"]) == {"norms-gone"}
    assert manifest["tombstones"]["norms-gone"] > manifest["records"]["norms-keep"]["counter"]
    assert set(open_export(text, PASSPHRASE)[0]) == {"norms-keep"}

    # Another round on both phones, and a reload: it doesn't come back anywhere.
    back_up(phone_a)
    back_up(phone_b)
    phone_b.reload()
    unlock(phone_b)
    back_up(phone_b)
    for phone in (phone_a, phone_b):
        assert phone.evaluate(IDS) == ["norms-keep"]
    assert set(open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)[0]) == {"norms-keep"}


UPLOAD = """async (file) => {
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  const response = await fetch("/private/backup", {
    method: "POST",
    credentials: "same-origin",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify({ basedOn: 0, file }),
  });
  return response.status;
}"""


def test_two_phones_on_format_1_both_migrate_and_nothing_is_copied(new_context, tmp_path):
    """A server backup and two phones from before counters: each phone migrates its vault on
    unlock (new IVs, the same words), and their next backups merge without making copies."""
    notes = {f"norms-{n}": ("norms", {"answers": {"culture": f"MARKER-old {n}"}}) for n in range(3)}
    uploader = new_context().new_page()
    sign_in(uploader, "facilitator")
    uploader.goto("/private/")
    assert uploader.evaluate(UPLOAD, json.loads(write_export(notes, PASSPHRASE, version=1))) == 201

    phone_a = new_context().new_page()
    restore_on_new_phone(phone_a)
    phone_b = new_context().new_page()
    restore_on_new_phone(phone_b)
    back_up(phone_a)
    back_up(phone_b)
    back_up(phone_a)

    version, file = latest_backup(tmp_path)
    assert version == 4 and file["version"] == 2
    assert {r["id"] for r in file["records"]} == set(notes)
    assert {r["version"] for r in file["records"]} == {2}
    assert read_manifest(json.dumps(file), PASSPHRASE)["tombstones"] == {}
    opened, damaged = open_export(json.dumps(file), PASSPHRASE)
    assert not damaged and opened == {record_id: value for record_id, (_, value) in notes.items()}
    for phone in (phone_a, phone_b):
        assert phone.evaluate(IDS) == sorted(notes)

    # Now a format 1 copy put back as the newest is older than what both phones have seen.
    put_back_as_newest(tmp_path, 1)
    back_up(phone_b, OLDER)


def test_a_phone_restored_after_a_deletion_carries_it_on(new_context, tmp_path):
    """A new phone restores a backup that holds a deletion and backs up first: its backup still
    carries the tombstone, so a phone that last synced before the deletion deletes it too."""
    phone_a, phone_b = two_phones_with_a_note_to_delete(new_context)

    phone_a.evaluate(REMOVE, "norms-gone")
    back_up(phone_a)
    phone_c = new_context().new_page()
    restore_on_new_phone(phone_c)
    write_note(phone_c, "norms-new", "MARKER-new on phone C")
    back_up(phone_c)
    assert read_manifest(json.dumps(server_copy(tmp_path)), PASSPHRASE)["tombstones"].keys() == {
        "norms-gone"
    }

    back_up(phone_b, "its notes are here now as well")
    assert phone_b.evaluate(IDS) == ["norms-keep", "norms-new"]
    assert set(open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)[0]) == {
        "norms-keep",
        "norms-new",
    }


def test_words_changed_on_one_phone_outlive_a_deletion_on_the_other(new_context, tmp_path):
    """Deleted on phone A while phone B changed it: nothing B wrote is thrown away, and the
    record comes back to A as B left it (the safe way round), and stays."""
    phone_a = a_phone_with_a_vault(new_context)
    write_note(phone_a, "norms-both", "MARKER-first words")
    back_up(phone_a)
    phone_b = new_context().new_page()
    restore_on_new_phone(phone_b)

    phone_a.evaluate(REMOVE, "norms-both")
    back_up(phone_a)
    write_note(phone_b, "norms-both", "MARKER-changed on phone B")
    back_up(phone_b)
    back_up(phone_a, "its notes are here now as well")

    for phone in (phone_a, phone_b):
        assert phone.evaluate(GET, "norms-both") == "MARKER-changed on phone B"
    back_up(phone_b)
    back_up(phone_a)
    manifest = read_manifest(json.dumps(server_copy(tmp_path)), PASSPHRASE)
    assert list(manifest["records"]) == ["norms-both"] and manifest["tombstones"] == {}
    for phone in (phone_a, phone_b):
        assert phone.evaluate(GET, "norms-both") == "MARKER-changed on phone B"


def test_a_phone_with_another_vault_changes_nothing(new_context, tmp_path):
    phone_a = a_phone_with_a_vault(new_context)
    write_note(phone_a, "norms-a", "MARKER-on phone A")
    back_up(phone_a)

    # Another phone, same person, but a new private space (another data key), not a restore.
    phone_b = a_phone_with_a_vault(new_context, "another passphrase for another space")
    write_note(phone_b, "norms-b", "MARKER-on phone B")
    back_up(phone_b, "The server backup was made by a different private space")

    assert phone_b.evaluate(IDS) == ["norms-b"]
    assert latest_backup(tmp_path)[0] == 1
    assert set(open_export(json.dumps(server_copy(tmp_path)), PASSPHRASE)[0]) == {"norms-a"}
