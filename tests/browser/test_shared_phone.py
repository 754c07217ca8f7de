"""A shared phone forgets the last person (issue 21, H1; docs/design.md "No signal").

Fran opens tonight's card, so the service worker keeps it for her. Then her session ends in
one of the ways a session can end, and someone else signs in on the same phone. The card
Fran kept must be gone from the phone, and the next person finds no card, online or offline.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import PAIR_NAME, PASSWORD, PEOPLE
from playwright.sync_api import expect

from wellbeing import people
from wellbeing.db import get_db, writing
from wellbeing.home import lifecycle

from .conftest import TIMEOUT_MS
from .steps import (
    add_passkey,
    controlled_by_service_worker,
    heading,
    open_the_pair,
    sign_in,
    sign_in_with_passkey,
    sign_out,
)

# Every test here is about what the service worker keeps for a phone without signal.
pytestmark = pytest.mark.service_worker

# The worker's private caches: one per person, "private-pages-<their mark>".
PRIVATE_CACHES = (
    """async () => (await caches.keys()).filter((n) => n.startsWith("private-pages-"))"""
)

# Polls in the page: the worker drops another person's pages just after a page names someone.
GONE = """async ([name, timeout]) => {
  const deadline = Date.now() + timeout;
  while ((await caches.keys()).includes(name) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !(await caches.keys()).includes(name);
}"""


def fran_opens_the_card(page):
    """Fran opens tonight's card with signal; returns its path and the cache kept for her."""
    sign_in(page, "facilitator")
    card = open_the_pair(page) + "/card"
    page.goto(card)
    controlled_by_service_worker(page)  # a reload the worker answers, and keeps
    heading(page, f"Tonight: {PAIR_NAME}")
    page.wait_for_function(f"(async () => (await ({PRIVATE_CACHES})()).length === 1)()")
    [kept] = page.evaluate(PRIVATE_CACHES)
    assert page.evaluate("async (url) => Boolean(await caches.match(url))", card)
    return card, kept


def person_id(app, who):
    with app.app_context():
        return people.find_by_email(PEOPLE[who][1])["id"]


def no_card_for_the_next_person(page, card, kept):
    """Someone else is signed in on Fran's phone: her card is gone, online and offline."""
    assert page.evaluate(GONE, [kept, TIMEOUT_MS]), page.evaluate("caches.keys()")
    assert not page.evaluate("async (url) => Boolean(await caches.match(url))", card)
    # Online, the card isn't theirs.
    page.goto(card)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(f"Tonight: {PAIR_NAME}")
    # Offline, the phone has nothing of Fran's to show.
    page.context.set_offline(True)
    try:
        page.goto(card)
        heading(page, "You're offline")
        expect(page.get_by_text(PAIR_NAME)).to_have_count(0)
        expect(page.locator("[data-kept-pages] a")).to_have_count(0)
    finally:
        page.context.set_offline(False)


def test_a_reset_made_elsewhere_and_the_next_person_finds_no_card(page, live_server):
    app = live_server.server.app
    card, kept = fran_opens_the_card(page)

    # An admin's reset link for Fran is used on another phone.
    with app.app_context():
        fran = people.find_by_email(PEOPLE["facilitator"][1])
        token = people.create_password_reset(fran["id"], person_id(app, "admin"))
        assert people.use_password_reset(people.find_password_reset(token), "a brand new password")

    sign_in(page, "supervisor")  # the sign-in page names nobody, then home names Sol
    no_card_for_the_next_person(page, card, kept)


def test_an_admin_switches_her_off_and_the_next_person_finds_no_card(page, live_server):
    app = live_server.server.app
    card, kept = fran_opens_the_card(page)
    with app.app_context():
        lifecycle.disable(person_id(app, "facilitator"))

    sign_in(page, "supervisor")
    no_card_for_the_next_person(page, card, kept)


def test_an_admin_deletes_her_and_the_next_person_finds_no_card(page, live_server):
    app = live_server.server.app
    card, kept = fran_opens_the_card(page)
    with app.app_context():
        lifecycle.delete(person_id(app, "facilitator"))

    sign_in(page, "supervisor")
    no_card_for_the_next_person(page, card, kept)


def test_she_deletes_her_own_account_and_the_next_person_finds_no_card(page, live_server):
    card, kept = fran_opens_the_card(page)
    page.goto("/account/delete")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted")).to_be_visible()
    # The plain sign-in page after deleting names nobody: Fran's pages go at once.
    assert page.evaluate(GONE, [kept, TIMEOUT_MS])

    sign_in(page, "supervisor")
    no_card_for_the_next_person(page, card, kept)


def test_another_person_signs_in_over_her_session_and_finds_no_card(page, live_server):
    card, kept = fran_opens_the_card(page)
    # Sol signs in on the phone while Fran is still signed in (a sign-in form left open in
    # another tab): the form posts with the phone's cookie, and Sol's session replaces Fran's.
    page.goto("/")
    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
    answer = page.request.post(
        "/signin",
        form={"csrf_token": token, "email": PEOPLE["supervisor"][1], "password": PASSWORD},
    )
    assert answer.ok
    page.goto("/")
    heading(page, "Hello, Sol Supervisor")
    no_card_for_the_next_person(page, card, kept)


def test_her_sign_in_expires_and_the_next_person_finds_no_card(page, live_server):
    app = live_server.server.app
    card, kept = fran_opens_the_card(page)
    # Fourteen days on: her sign-in was started longer ago than a sign-in lasts. (The
    # sign-ins' clock is the database's timestamps, so the test moves her sign-in back.)
    started = datetime.now(UTC) - timedelta(hours=app.config["SESSION_LIFETIME_HOURS"], minutes=1)
    with app.app_context(), writing():
        get_db().execute(
            "update signins set created_at = ? where user_id = ?",
            [started.isoformat(timespec="seconds"), person_id(app, "facilitator")],
        )

    page.goto("/")
    heading(page, "Sign in")
    assert page.evaluate(GONE, [kept, TIMEOUT_MS])
    sign_in(page, "supervisor")
    no_card_for_the_next_person(page, card, kept)


@pytest.mark.parametrize("who", ["coworker"])
def test_her_coworker_on_the_same_phone_gets_only_their_own_card(page, live_server, who):
    """Cole is in the same pair: the card is his too, but the copy Fran kept is not."""
    card, kept = fran_opens_the_card(page)
    # Signed out before the next person signs in: a sign-in page opened while the sign-out is
    # still on its way would find Fran signed in and send the phone to her home.
    sign_out(page)
    sign_in(page, who)
    assert page.evaluate(GONE, [kept, TIMEOUT_MS])
    page.context.set_offline(True)
    try:
        page.goto(card)
        heading(page, "You're offline")
    finally:
        page.context.set_offline(False)


def test_another_person_signs_in_with_a_passkey_and_finds_no_card(passkey_phone):
    context, page, _cdp, _authenticator = passkey_phone()
    # Sol has a passkey on this phone.
    sign_in(page, "supervisor")
    add_passkey(page)
    page.locator("header").get_by_role("button", name="Sign out").click()
    heading(page, "Sign in")
    # A sign-in page stays open in one tab; Fran signs in and opens the card in another.
    left_open = page
    left_open.goto("/signin")
    fran = context.new_page()
    card, kept = fran_opens_the_card(fran)
    fran.close()

    # Sol signs in with the passkey on the page left open. (Its form token is brought up to
    # date first: only who signs in should change, not whether the page is stale.)
    token = json.loads(left_open.request.get("/").text().split("hx-headers='")[1].split("'")[0])
    left_open.evaluate(
        "(headers) => document.body.setAttribute('hx-headers', JSON.stringify(headers))", token
    )
    sign_in_with_passkey(left_open)
    heading(left_open, "Hello, Sol Supervisor")
    no_card_for_the_next_person(left_open, card, kept)
