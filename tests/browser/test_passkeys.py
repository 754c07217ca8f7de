"""Passkeys in real Chromium (issue 15), with Chromium's virtual authenticator (CDP WebAuthn).

A facilitator adds a passkey on their account page, signs out, and with one touch signs in and
opens their private space: the card shows their flagged situations without a passphrase. A
removed passkey neither signs in nor opens anything. Without PRF the passkey still signs in,
and the app says plainly that the passphrase is still needed.

WebAuthn needs a real domain name, not an IP address, so these phones open the app on
`localhost` (the live server listens on 127.0.0.1, which localhost is).
"""

import sqlite3

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, PEOPLE, PHONE, TIMEOUT_MS

PHONE_NAME = "Fran's phone"


def authenticator(context, page, prf=True):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "hasPrf": prf,
            }
        },
    )
    return cdp, found["authenticatorId"]


@pytest.fixture
def phone(browser, live_server):
    """A phone on localhost, with a virtual authenticator: (context, page, cdp, authenticator)."""
    url = live_server.url.replace("127.0.0.1", "localhost")
    contexts = []

    def make(prf=True):
        context = browser.new_context(base_url=url, viewport=PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        cdp, authenticator_id = authenticator(context, page, prf)
        return context, page, cdp, authenticator_id

    yield make
    for context in contexts:
        context.close()


def sign_in_with_password(page, who="facilitator"):
    name, email, _roles = PEOPLE[who]
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")


def add_passkey(page, name=PHONE_NAME):
    page.goto("/account")
    page.get_by_label("Name for a new passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("[data-passkey-list]")).to_contain_text(name)


def sign_out(page):
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You're signed out.")).to_be_visible()


def sign_in_with_passkey(page):
    page.get_by_role("button", name="Sign in with a passkey").click()


def test_a_passkey_signs_in_is_listed_and_once_removed_signs_in_no_more(phone):
    _context, page, cdp, authenticator_id = phone()
    sign_in_with_password(page)
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


def test_a_switched_off_person_cannot_sign_in_with_a_passkey(phone, live_server):
    _context, page, _cdp, _id = phone()
    sign_in_with_password(page)
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
