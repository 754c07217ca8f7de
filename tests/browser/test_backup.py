"""The vault's optional encrypted server backup in real Chromium (issue 3, a new phone).

DESIGN "The data rule": the server keeps only scrambled text it cannot open. A marker written in an
exercise is in no request and in no database file, yet a new phone brings it back with the
passphrase. Two phones that both back up never overwrite each other: the second merges first,
and no record is lost.
"""

import json
import sqlite3
import time

from playwright.sync_api import expect
from vault_format import open_export

from .conftest import controlled_by_service_worker, sign_in
from .test_private_space import (
    MARKER,
    PASSPHRASE,
    Recording,
    create_vault,
    saved,
    start_inventory,
    unlock,
    writing,
)

BACK_UP = "Back up to the server (encrypted)"


def back_up(page, expected="Backed up to the server, encrypted."):
    page.get_by_role("button", name=BACK_UP).click()
    expect(page.locator("[data-server-status]")).to_contain_text(expected)


def restore_on_new_phone(page):
    sign_in(page, "facilitator")
    page.goto("/private/")
    page.get_by_text("Backed up to the server from another phone?").click()
    page.get_by_role("button", name="Restore from the server backup").click()
    expect(page.get_by_text("Your server backup is on this phone now.")).to_be_visible()
    unlock(page)


def latest_backup(tmp_path) -> tuple[int, dict]:
    """The latest backup's version and file in the live server's database (the fixture's file)."""
    with sqlite3.connect(tmp_path / "wellbeing.db") as conn:
        version, text = conn.execute(
            "select version, file from vault_backups order by version desc limit 1"
        ).fetchone()
    conn.close()
    return version, json.loads(text)


def server_copy(tmp_path) -> dict:
    return latest_backup(tmp_path)[1]


TWO_WEEKS_AGO = """() => localStorage.setItem(
  "wellbeing:vault-backup-since:" + document.querySelector("[data-vault]").dataset.vault,
  JSON.stringify(new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString()),
)"""


def test_server_backup_holds_no_words_and_a_new_phone_restores_them(
    new_context, live_server, tmp_path, caplog, capfd
):
    context = new_context()
    page = context.new_page()
    recording = Recording(context, page, live_server, caplog)
    sign_in(page, "facilitator")
    create_vault(page)
    expect(page.get_by_text("Nothing backed up to the server from this phone yet.")).to_be_visible()
    start_inventory(page)
    writing(page).fill(MARKER)
    saved(page)

    # Two weeks later, with nothing backed up: a gentle reminder, gone once there is a backup.
    page.evaluate(TWO_WEEKS_AGO)
    page.goto("/private/")
    unlock(page)
    reminder = page.get_by_text("since your notes were last copied somewhere safe")
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


PUT = """async ([kind, id, value]) => {
  const holder = document.querySelector("[data-vault-module]");
  const vault = (await import(holder.dataset.vaultModule)).openVault(holder.dataset.vault);
  await vault.put(kind, id, value);
}"""


def write_note(page, record_id, text):
    note = {
        "startedAt": "2024-05-01T09:30:00.000Z",
        "finishedAt": None,
        "answers": {"culture": text},
    }
    page.evaluate(PUT, ["norms", record_id, note])


def test_two_phones_backing_up_lose_no_record(new_context, tmp_path):
    phone_a = new_context().new_page()
    sign_in(phone_a, "facilitator")
    create_vault(phone_a)
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


def test_written_offline_it_backs_up_by_itself_once_the_server_is_back(
    new_context, live_server, tmp_path, caplog
):
    """Issue 3's proof, "Offline": the shoulds inventory written with the server stopped is still
    there after a reload, and the encrypted backup syncs by itself when the server is back."""
    context = new_context()
    page = context.new_page()
    recording = Recording(context, page, live_server, caplog)
    sign_in(page, "facilitator")
    create_vault(page)
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
