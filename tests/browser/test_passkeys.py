"""Passkeys in real Chromium (issue 15), with Chromium's virtual authenticator (CDP WebAuthn).

A facilitator adds a passkey on their account page, signs out, and with one touch signs in and
opens their private space: the card shows their flagged situations without a passphrase. A
removed passkey neither signs in nor opens anything. Without PRF the passkey still signs in,
and the app says plainly that the passphrase is still needed.

WebAuthn needs a real domain name, not an IP address, so these phones open the app on
`localhost` (the live server listens on 127.0.0.1, which localhost is).
"""

import re
from datetime import UTC, datetime, timedelta

from conftest import PASSWORD, PEOPLE
from playwright.sync_api import expect

from wellbeing import people
from wellbeing.db import sqlite3

from .steps import (
    MARKER,
    PASSPHRASE,
    PHONE_NAME,
    Recording,
    add_passkey,
    back_up,
    create_vault,
    fran_with_a_private_space,
    heading,
    open_the_pair,
    sign_in,
    sign_in_with_passkey,
    sign_out,
    unlock,
)


def test_a_passkey_signs_in_is_listed_and_once_removed_signs_in_no_more(passkey_phone):
    _context, page, cdp, authenticator_id = passkey_phone()
    sign_in(page, "facilitator")
    add_passkey(page)
    listed = page.locator("[data-passkey-list] li")
    expect(listed).to_contain_text("not used yet")
    sign_out(page)
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {PEOPLE['facilitator'][0]}")
    page.goto("/account")
    expect(listed).to_contain_text("last used")
    # The sign-in is a server-side session like a password's: listed, and revoked on sign-out.
    expect(page.get_by_text("This one, now")).to_be_visible()
    page.get_by_role("button", name=f"Remove the passkey {PHONE_NAME}").click()
    expect(page.get_by_text("The passkey is removed.")).to_be_visible()
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    sign_out(page)
    # The phone still holds the credential, but the server no longer knows it.
    assert cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    sign_in_with_passkey(page)
    expect(page.get_by_text("That passkey didn't sign you in.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_switched_off_person_cannot_sign_in_with_a_passkey(passkey_phone, live_server):
    _context, page, _cdp, _id = passkey_phone()
    sign_in(page, "facilitator")
    add_passkey(page)
    sign_out(page)
    with sqlite3.connect(live_server.server.app.config["DATABASE"]) as conn:
        conn.execute(
            "update users set disabled_at = '2026-11-01' where email = ?",
            [PEOPLE["facilitator"][1]],
        )
    conn.close()
    sign_in_with_passkey(page)
    expect(page.get_by_text("This account is switched off.")).to_be_visible()


NEW_PASSWORD = "a brand new horse battery staple"


def test_a_password_reset_takes_every_passkey_back(passkey_phone, live_server):
    """Issue 21, H2: a passkey added by anyone who had the account (a minute with an unlocked
    phone, a stolen cookie) kept signing in after the owner reset their password. Now the
    reset removes every passkey, and the person is told at their next sign-in."""
    _context, page, cdp, authenticator_id = passkey_phone()
    sign_in(page, "facilitator")
    add_passkey(page)
    sign_out(page)
    app = live_server.server.app
    # The reset comes a minute later, as a person's would: times are kept to the second, and
    # within one second the sign-in and the removal can't be told apart.
    app.config["CLOCK"] = lambda: datetime.now(UTC) + timedelta(minutes=1)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        ids = dict(conn.execute("select email, id from users"))
    conn.close()
    with app.app_context():
        token = people.create_password_reset(ids[PEOPLE["facilitator"][1]], ids[PEOPLE["admin"][1]])
    page.goto(f"/reset/{token}")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    # The phone still holds the credential, and offers it; the server refuses it.
    assert cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    sign_in_with_passkey(page)
    expect(page.get_by_text("That passkey didn't sign you in.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email").fill(PEOPLE["facilitator"][1])
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Your passkeys were removed on")).to_be_visible()
    page.goto("/account")
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    expect(page.locator("[data-passkeys-removed]")).to_contain_text("when your password was reset")


def test_adding_a_passkey_long_after_signing_in_asks_for_the_password_again(
    passkey_phone, live_server
):
    """Issue 21, H2 ("sudo mode"): more than five minutes after the last password or passkey
    check, the account page asks for the password before a passkey can be added, and a page
    left open past that is refused by the server, in words."""
    _context, page, _cdp, _id = passkey_phone()
    sign_in(page, "facilitator")
    page.goto("/account")
    expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
    database = live_server.server.app.config["DATABASE"]
    with sqlite3.connect(database) as conn:
        conn.execute("update signins set checked_at = '2026-01-01T00:00:00+00:00'")
    conn.close()
    # The page opened before: its button now meets the server's refusal.
    page.get_by_role("button", name="Add a passkey").click()
    expect(
        page.get_by_text("please type your password again before adding a passkey")
    ).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("button", name="Add a passkey")).to_have_count(0)
    page.get_by_label("Your password").fill("not it")
    page.get_by_role("button", name="Confirm it's me").click()
    expect(page.get_by_text("That isn't your password.")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm it's me").click()
    expect(page.get_by_text("For 5 minutes you can add a passkey.")).to_be_visible()
    add_passkey(page)


PUT = """async ([kind, id, value]) => {
  const holder = document.querySelector("[data-vault]");
  const vault = (await import("vault")).openVault(holder.dataset.vault);
  await vault.put(kind, id, value);
}"""
OPEN = """async () => {
  const holder = document.querySelector("[data-vault]");
  return (await import("vault")).openVault(holder.dataset.vault).isUnlocked();
}"""
SEALED = """async () => {
  const holder = document.querySelector("[data-vault]");
  return (await import("vault")).openVault(holder.dataset.vault).sealedRecords();
}"""


def follow_a_link(page, path):
    """A link tapped on the page (boosted by htmx, as every link is): the page's memory stays."""
    page.evaluate(
        """(path) => {
          const link = Object.assign(document.createElement("a"), { href: path });
          document.querySelector("main").append(link);
          htmx.process(link);
          link.click();
        }""",
        path,
    )


def flag_a_situation(page, text=MARKER):
    """A situation kept for sharing later, as the discomfort checklist saves it."""
    keep = {"situation": "own-1", "text": text, "markedAt": "2026-11-01T09:30:00.000Z"}
    page.evaluate(
        PUT, ["checklist-situations", "checklist-situations", {"own": [], "keep": [keep]}]
    )


def add_passkey_to_the_vault(page, expected="Your passkey opens your private space now"):
    page.goto("/private/")
    unlock(page)
    page.get_by_text("Open it with a passkey too").click()
    page.get_by_label("Your passphrase, to add a passkey").fill(PASSPHRASE)
    page.get_by_role("button", name="Add a passkey to open it").click()
    expect(page.locator("[data-unlocks-status]")).to_contain_text(expected)


def test_one_touch_signs_in_and_opens_the_flagged_situations_on_the_card(
    passkey_phone, live_server, tmp_path, caplog, capfd
):
    context, page, _cdp, _id = passkey_phone()
    recording = Recording(context, page, live_server, caplog)
    sign_in(page, "facilitator")
    pair = open_the_pair(page)
    create_vault(page)
    flag_a_situation(page)
    add_passkey(page)
    add_passkey_to_the_vault(page)
    unlocks = page.locator("[data-unlock-list] li")
    expect(unlocks).to_have_count(2)
    expect(unlocks.nth(0)).to_contain_text("Your passphrase")
    expect(unlocks.nth(1)).to_contain_text("Passkey:")
    sign_out(page)

    # Signed out, the card asks to sign in; one touch signs in and opens the private space.
    page.goto(f"{pair}/card")
    sign_in_with_passkey(page)
    expect(page).to_have_url(re.compile(rf"{pair}/card$"))
    expect(page.locator("[data-flagged]")).to_contain_text(MARKER)
    assert page.evaluate(OPEN)
    expect(page.get_by_label("Your passphrase")).to_be_hidden()

    # Locked again, the private space opens with a touch too.
    follow_a_link(page, "/private/")
    heading(page, "Ways to open your private space")
    page.locator("header").get_by_role("button", name="Lock").click()
    heading(page, "Your private space is locked")
    page.get_by_role("button", name="Open with a passkey").click()
    heading(page, "Ways to open your private space")

    # The passkey's unlock removed in the private space: the notes are untouched, byte for byte.
    before = page.evaluate(SEALED)
    page.get_by_role("button", name=re.compile("Remove Passkey:")).click()
    expect(page.locator("[data-unlocks-status]")).to_contain_text("Removed.")
    expect(unlocks).to_have_count(1)
    assert page.evaluate(SEALED) == before
    sign_out(page)
    # The passkey still signs in, but opens nothing, and says so.
    sign_in_with_passkey(page)
    expect(page.get_by_text("To open your private space with it too")).to_be_visible()
    assert not page.evaluate(OPEN)

    # Removed on the account page too: it no longer signs in.
    page.goto("/account")
    page.get_by_role("button", name=f"Remove the passkey {PHONE_NAME}").click()
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    sign_out(page)
    sign_in_with_passkey(page)
    expect(page.get_by_text("That passkey didn't sign you in.")).to_be_visible()
    recording.assert_nothing_left_the_phone((MARKER,), tmp_path, caplog, capfd)


def test_without_prf_a_passkey_signs_in_and_the_passphrase_is_still_needed(passkey_phone):
    _context, page, _cdp, _id = passkey_phone(prf=False)
    fran_with_a_private_space(page)
    add_passkey(page)
    expect(page.get_by_text("It can't open your private space")).to_be_visible()
    page.goto("/private/")
    unlock(page)
    page.get_by_text("Open it with a passkey too").click()
    page.get_by_label("Your passphrase, to add a passkey").fill(PASSPHRASE)
    page.get_by_role("button", name="Add a passkey to open it").click()
    expect(page.locator("[data-unlocks-status]")).to_contain_text(
        "This passkey can't open your private space"
    )
    expect(page.locator("[data-unlock-list] li")).to_have_count(1)
    sign_out(page)
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {PEOPLE['facilitator'][0]}")
    expect(page.get_by_text("your passphrase is still needed")).to_be_visible()
    page.goto("/private/")
    unlock(page)  # the passphrase works as before


GET = """async (id) => {
  const holder = document.querySelector("[data-vault]");
  const record = await (await import("vault")).openVault(holder.dataset.vault).get(id);
  return record && record.value;
}"""
NEW_PASSPHRASE = "a new one, after the old was forgotten"


def test_a_recovery_key_opens_a_backup_on_a_new_phone_and_sets_a_new_passphrase(
    new_context, live_server, tmp_path, caplog, capfd
):
    context = new_context()
    phone_a = context.new_page()
    recording = Recording(context, phone_a, live_server, caplog)
    sign_in(phone_a, "facilitator")
    create_vault(phone_a)
    flag_a_situation(phone_a)
    phone_a.get_by_text("A recovery key, for a forgotten passphrase").click()
    phone_a.get_by_label("Your passphrase, to make a recovery key").fill(PASSPHRASE)
    phone_a.get_by_role("button", name="Make a recovery key").click()
    shown = phone_a.locator("[data-recovery-text]")
    expect(shown).to_have_text(re.compile(r"^([A-Z2-7]{4}-){6}[A-Z2-7]{2}$"))
    recovery_key = shown.text_content()
    expect(phone_a.locator("[data-unlock-list] li")).to_have_count(2)
    # Printable on the recovery sheet, from this page's memory; shown there once only.
    phone_a.get_by_role("link", name="Print it on a recovery sheet").click()
    expect(phone_a.locator("[data-recovery-key]")).to_have_text(recovery_key)
    phone_a.goto("/private/")
    unlock(phone_a)
    back_up(phone_a)

    # Phone B: the server backup, and only the recovery key.
    phone_b = new_context().new_page()
    sign_in(phone_b, "facilitator")
    phone_b.goto("/private/")
    phone_b.get_by_text("Backed up to the server from another phone?").click()
    phone_b.get_by_role("button", name="Restore from the server backup").click()
    expect(phone_b.get_by_text("Your server backup is on this phone now.")).to_be_visible()
    phone_b.get_by_text("Forgotten your passphrase? Use your recovery key").click()
    phone_b.get_by_label("Your recovery key").fill(recovery_key.lower().replace("-", " "))
    phone_b.get_by_label("Choose another passphrase").fill(NEW_PASSPHRASE)
    phone_b.get_by_label("Type it once more").fill(NEW_PASSPHRASE)
    phone_b.get_by_role("button", name="Open and set the new passphrase").click()
    heading(phone_b, "Ways to open your private space")
    keep = phone_b.evaluate(GET, "checklist-situations")["keep"]
    assert keep[0]["text"] == MARKER
    # The new passphrase opens it from now on; the old one doesn't.
    phone_b.locator("header").get_by_role("button", name="Lock").click()
    heading(phone_b, "Your private space is locked")
    phone_b.get_by_label("Your passphrase", exact=True).fill(PASSPHRASE)
    phone_b.get_by_role("button", name="Unlock").click()
    expect(phone_b.get_by_text("That passphrase doesn't open your private notes.")).to_be_visible()
    unlock(phone_b, NEW_PASSPHRASE)
    recording.assert_nothing_left_the_phone((MARKER, recovery_key), tmp_path, caplog, capfd)


def test_a_wrong_recovery_key_opens_nothing(page):
    fran_with_a_private_space(page)
    page.get_by_text("A recovery key, for a forgotten passphrase").click()
    page.get_by_label("Your passphrase, to make a recovery key").fill(PASSPHRASE)
    page.get_by_role("button", name="Make a recovery key").click()
    expect(page.locator("[data-recovery-text]")).not_to_be_empty()
    page.locator("header").get_by_role("button", name="Lock").click()
    page.get_by_text("Forgotten your passphrase? Use your recovery key").click()
    page.get_by_label("Your recovery key").fill("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA")
    page.get_by_label("Choose another passphrase").fill(NEW_PASSPHRASE)
    page.get_by_label("Type it once more").fill(NEW_PASSPHRASE)
    page.get_by_role("button", name="Open and set the new passphrase").click()
    expect(page.get_by_text("That recovery key doesn't open your private notes.")).to_be_visible()
    page.get_by_label("Your passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    heading(page, "Ways to open your private space")
