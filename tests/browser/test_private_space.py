"""The private space in real Chromium: the vault screen and the preparation exercises.

docs/design.md "The data rule": private notes are encrypted in the browser and kept on the worker's
own phone; the server never sees them. Issue 3's proof: a marker written in the exercise appears in
no request that leaves the page, in no request the server receives, in no database file and in
no log line. Also: a reload, a lock or a lost signal loses nothing; the vault locks on the Lock
button, on sign-out and when left idle; and a backup file brings the notes to a new phone.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from .steps import (
    MARKER,
    PASSPHRASE,
    ROUND_TWO,
    Recording,
    answer_box,
    controlled_by_service_worker,
    fran_with_a_private_space,
    heading,
    lock,
    reload_and_unlock,
    saved,
    sign_in,
    sign_out_from_the_vault,
    start_inventory,
    unlock,
    writing,
)

NEW_PASSPHRASE = "tea first, then the hard questions"
PARTNER_MARKER = "MARKER-b21e My partner should never be tired"


def test_shoulds_written_on_the_phone_never_reach_the_server(
    context, page, live_server, tmp_path, caplog, capfd
):
    recording = Recording(context, page, live_server, caplog)
    fran_with_a_private_space(page)
    start_inventory(page)
    expect(page.get_by_text("you don't have to share this with anyone")).to_be_visible()
    writing(page).fill(f"{MARKER}\nI shouldn't need help")
    saved(page)

    # A reload forgets the key: the page asks for the passphrase in place, then the text is back.
    page.reload()
    unlock(page)
    expect(writing(page)).to_have_value(f"{MARKER}\nI shouldn't need help")

    # Locked: the words are gone from the screen and from the page, and unlocking brings them back.
    lock(page)
    expect(page.get_by_text(MARKER)).to_have_count(0)
    assert MARKER not in page.content()
    assert MARKER not in page.evaluate("document.querySelector('[data-writing]').value")
    unlock(page)
    expect(writing(page)).to_have_value(f"{MARKER}\nI shouldn't need help")

    # Round two and the review, so every kind of save has happened.
    page.get_by_role("button", name="Go on to round 2").click()
    page.get_by_role("textbox", name=ROUND_TWO, exact=True).fill(PARTNER_MARKER)
    page.get_by_role("button", name="Go on to looking back").click()
    page.get_by_role("group", name=MARKER).get_by_label("Let go").check()
    page.get_by_label("Your thoughts (optional)").fill(f"thinking about {MARKER}")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="Your inventories")).to_be_visible()
    sign_out_from_the_vault(page)
    recording.assert_nothing_left_the_phone((MARKER, PARTNER_MARKER), tmp_path, caplog, capfd)


LEARNING_MARKER = "MARKER-3a9d a cousin's magazine behind the shed"
HARASSED_MARKER = "MARKER-c4e1 on the bus home from school"
PRESSURED_MARKER = "MARKER-58f0 I sulked until she gave in"
ELEPHANT_MARKER = "MARKER-e7b2 a younger woman asking older men"
HARASSMENT = "Sexual harassment \u2013 including in the street, school or in the workplace"
PRESSURING = (
    "Sexual pressuring \u2013 from sulking, to moodiness to pestering to verbal abuse to force"
)


def back_to_the_vault(page):
    page.get_by_role("link", name="Back to your private space").click()
    heading(page, "Preparation exercises")


def test_learning_painful_points_and_norms_are_kept_on_the_phone_only(
    context, page, live_server, tmp_path, caplog, capfd
):
    recording = Recording(context, page, live_server, caplog)
    fran_with_a_private_space(page)

    # Learning about sex: the three questions, answered privately.
    page.get_by_role("link", name="Learning about sex").click()
    expect(page.get_by_text("most useful to do as a team with your colleagues")).to_be_visible()
    expect(page.get_by_text("Only you can see this.")).to_be_visible()
    page.get_by_role("button", name="Start answering").click()
    first = "What experiences, stories and language gave you your learning about sex?"
    answer_box(page, first).fill(LEARNING_MARKER)
    answer_box(page, "From whom did you hear them?").fill("older boys at school")
    saved(page)
    reload_and_unlock(page)
    expect(answer_box(page, first)).to_have_value(LEARNING_MARKER)
    expect(answer_box(page, "From whom did you hear them?")).to_have_value("older boys at school")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-past] button")).to_contain_text("finished")
    back_to_the_vault(page)

    # Know your painful points: the content note comes first, and nothing else shows until the
    # worker chooses to go on.
    page.get_by_role("link", name="Know your painful points").click()
    heading(page, "Before you go on")
    expect(page.get_by_text("uncomfortable, painful, and even traumatic")).to_be_visible()
    expect(page.get_by_text("You don't have to share this with anyone.")).to_be_visible()
    expect(page.get_by_role("link", name="Not now: back to your private space")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_text("Most people, and almost all women")).to_be_hidden()
    page.get_by_role("button", name="Go on to the exercise").click()
    page.get_by_role("button", name="Start an inventory").click()
    heading(page, "Your inventory")
    # Every category waits, closed, to be chosen; only the two chosen are opened.
    expect(page.get_by_role("textbox", name="In your own words")).to_have_count(0)
    page.get_by_text(HARASSMENT, exact=True).click()
    answer_box(page, f"In your own words ({HARASSMENT})").fill(HARASSED_MARKER)
    page.locator("summary", has_text="Harm I may have done").click()
    answer_box(page, "Harm I may have done").fill(PRESSURED_MARKER)
    saved(page)
    reload_and_unlock(page)
    expect(answer_box(page, f"In your own words ({HARASSMENT})")).to_have_value(HARASSED_MARKER)
    expect(answer_box(page, "Harm I may have done")).to_have_value(PRESSURED_MARKER)
    page.get_by_role("button", name="Stop here for now").click()
    expect(page.locator("[data-past] button")).to_contain_text("not finished")
    back_to_the_vault(page)

    # Norms, expectations and beliefs: a reflection on the guidelines' three prompts.
    page.get_by_role("link", name="Norms, expectations and beliefs").click()
    page.get_by_role("button", name="Start a reflection").click()
    heading(page, "Naming the elephant in the room")
    elephant = answer_box(page, "Your thoughts (optional) (Naming the elephant in the room)")
    elephant.fill(ELEPHANT_MARKER)
    saved(page)
    reload_and_unlock(page)
    expect(elephant).to_have_value(ELEPHANT_MARKER)
    expect(answer_box(page, "Your thoughts (optional) (Culture)")).to_have_value("")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-past] button")).to_contain_text("finished")

    # Locked, nothing written is left in the page.
    lock(page)
    for marker in (LEARNING_MARKER, HARASSED_MARKER, PRESSURED_MARKER, ELEPHANT_MARKER):
        assert marker not in page.content()
    sign_out_from_the_vault(page)
    recording.assert_nothing_left_the_phone(
        (LEARNING_MARKER, HARASSED_MARKER, PRESSURED_MARKER, ELEPHANT_MARKER),
        tmp_path,
        caplog,
        capfd,
    )


def mark(page, line, choice):
    """The "Keep" or "Let go" choice for one line written in the inventory."""
    return page.get_by_role("group", name=line).get_by_label(choice)


def seconds_left(page):
    minutes, seconds = page.get_by_role("timer").text_content().split(":")
    return int(minutes) * 60 + int(seconds)


def test_timer_keeps_going_through_a_reload_and_review_marks_stay(page):
    fran_with_a_private_space(page)
    start_inventory(page)
    timer = page.get_by_role("timer")
    expect(timer).to_have_text("5:00")
    page.get_by_role("button", name="Start the timer").click()
    expect(timer).to_have_text(re.compile(r"^4:5[0-8]$"))
    writing(page).fill("I should be patient\nI shouldn't cry at work\n\n")
    saved(page)

    # The start time is saved with the inventory, so the countdown goes on from where it was.
    page.reload()
    unlock(page)
    expect(timer).to_have_text(re.compile(r"^4:[0-5]\d$"))
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    before = seconds_left(page)
    expect(timer).not_to_have_text(timer.text_content())
    assert seconds_left(page) < before
    page.get_by_role("button", name="Pause").click()
    paused = timer.text_content()
    page.wait_for_timeout(1100)
    expect(timer).to_have_text(paused)
    expect(page.get_by_role("button", name="Carry on")).to_be_visible()

    page.get_by_role("button", name="Go on to round 2").click()
    expect(page.get_by_role("timer")).to_have_text("5:00")
    page.get_by_role("textbox", name=ROUND_TWO, exact=True).fill("My partner should want sex")
    page.get_by_role("button", name="Go on to looking back").click()
    heading(page, "Looking back")
    expect(page.get_by_text("Which ideas would you have chosen?")).to_be_visible()
    # Blank lines are not lines to mark.
    expect(page.get_by_role("group")).to_have_count(3)
    mark(page, "I should be patient", "Keep").check()
    mark(page, "I shouldn't cry at work", "Let go").check()
    saved(page)

    page.reload()
    unlock(page)
    heading(page, "Looking back")
    expect(mark(page, "I should be patient", "Keep")).to_be_checked()
    shouldnt = page.get_by_role("group", name="I shouldn't cry at work")
    expect(shouldnt.get_by_label("Let go")).to_be_checked()
    expect(shouldnt.get_by_label("Keep")).not_to_be_checked()
    partner = page.get_by_role("group", name="My partner should want sex")
    expect(partner.get_by_label("Keep")).not_to_be_checked()
    expect(partner.get_by_label("Let go")).not_to_be_checked()

    # Finished inventories are listed by date, and open again with their marks.
    page.get_by_role("button", name="Finish").click()
    past = page.locator("[data-inventories] button")
    expect(past).to_have_count(1)
    expect(past).to_contain_text("looked back")
    past.click()
    expect(mark(page, "I should be patient", "Keep")).to_be_checked()


@pytest.mark.service_worker
def test_private_pages_open_and_keep_what_is_written_without_signal(page, live_server):
    fran_with_a_private_space(page)
    controlled_by_service_worker(page)
    page.goto("/private/shoulds")
    heading(page, "Your private space is locked")
    page.goto("/")
    # Only the private pages are kept; never home or any other page.
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
          }
          return urls;
        }"""
    )
    # The worker's own note of who is signed in on the phone is not a page (issue 21).
    pages = sorted(p for p in cached if not p.startswith(("/static/", "/worker-state/")))
    assert pages == [
        "/offline",
        "/private/",
        "/private/checklist",
        "/private/learning-about-sex",
        "/private/line",
        "/private/norms",
        "/private/painful-points",
        "/private/recovery-sheet",
        "/private/shoulds",
        "/private/stance",
    ]

    live_server.stop()
    page.goto("/private/")
    unlock(page)
    heading(page, "Preparation exercises")
    # A boosted link, from the cache too, keeps the vault unlocked.
    start_inventory(page)
    writing(page).fill(f"{MARKER}\nwritten with no signal")
    saved(page)
    page.reload()
    unlock(page)
    expect(writing(page)).to_have_value(f"{MARKER}\nwritten with no signal")


def test_vault_locks_itself_after_the_idle_time_chosen(page):
    page.clock.install()
    fran_with_a_private_space(page)
    page.get_by_label("Lock after this long without use").select_option("1")
    expect(page.get_by_text("Saved on this phone.", exact=True)).to_be_visible()
    start_inventory(page)
    writing(page).fill(MARKER)
    saved(page)

    page.clock.fast_forward("00:50")
    expect(writing(page)).to_be_visible()
    page.clock.fast_forward("00:15")
    heading(page, "Your private space is locked")
    expect(page.locator("header").get_by_role("button", name="Locked")).to_be_visible()
    assert MARKER not in page.content()
    unlock(page)
    expect(writing(page)).to_have_value(MARKER)


def test_changed_passphrase_and_backup_file_bring_the_notes_to_a_new_phone(new_context):
    page = new_context().new_page()
    sign_in(page, "facilitator")
    page.goto("/private/")
    # The warning comes before the passphrase is chosen, not afterwards.
    expect(page.get_by_text("If you lose your passphrase, your notes are lost.")).to_be_visible()
    expect(page.get_by_text("not an admin, not a supervisor, not us")).to_be_visible()
    page.get_by_label("Choose a passphrase", exact=True).fill("too short")
    page.get_by_role("button", name="Create my private space").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    page.get_by_label("Choose a passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("Type it again", exact=True).fill(PASSPHRASE + " typo")
    page.get_by_role("button", name="Create my private space").click()
    expect(page.get_by_text("The two passphrases don't match.")).to_be_visible()
    # Nothing typed is lost on an error.
    expect(page.get_by_label("Choose a passphrase", exact=True)).to_have_value(PASSPHRASE)
    page.get_by_label("Type it again", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Create my private space").click()
    heading(page, "Your private space is ready")
    expect(page.get_by_text("This browser")).to_be_visible()
    start_inventory(page)
    writing(page).fill(MARKER)
    saved(page)

    page.goto("/private/")
    unlock(page)
    page.get_by_text("Change your passphrase").click()
    page.get_by_label("Your passphrase now").fill("not my passphrase at all")
    page.get_by_label("New passphrase").fill(NEW_PASSPHRASE)
    page.get_by_label("Type the new one again").fill(NEW_PASSPHRASE)
    page.get_by_role("button", name="Change my passphrase").click()
    expect(page.get_by_text("That passphrase doesn't open your private notes.")).to_be_visible()
    page.get_by_label("Your passphrase now").fill(PASSPHRASE)
    page.get_by_role("button", name="Change my passphrase").click()
    expect(page.get_by_text("Your passphrase is changed.")).to_be_visible()
    lock(page)
    page.get_by_label("Your passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("That passphrase doesn't open your private notes.")).to_be_visible()
    unlock(page, NEW_PASSPHRASE)

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download an encrypted backup file").click()
    backup = downloading.value
    assert re.fullmatch(r"wellbeing-vault-\d{4}-\d{2}-\d{2}\.json", backup.suggested_filename)
    text = open(backup.path(), encoding="utf-8").read()
    assert json.loads(text)["format"] == "wellbeing-vault-export"
    assert "MARKER" not in text
    expect(page.get_by_text(f"({backup.suggested_filename})")).to_be_visible()
    page.get_by_role("link", name="Print a recovery sheet").click()
    heading(page, "Recovery sheet for your private notes")
    expect(page.get_by_text(backup.suggested_filename)).to_be_visible()
    assert NEW_PASSPHRASE not in page.content()

    new_phone = new_context().new_page()
    sign_in(new_phone, "facilitator")
    new_phone.goto("/private/")
    new_phone.get_by_text("Bringing your notes from another phone?").click()
    new_phone.get_by_label("Backup file").set_input_files(
        {"name": "notes.json", "mimeType": "application/json", "buffer": b'{"not": "a vault"}'}
    )
    expect(new_phone.get_by_text("That file isn't a backup of private notes.")).to_be_visible()
    new_phone.get_by_label("Backup file").set_input_files(backup.path())
    expect(new_phone.get_by_text("Your backup is on this phone now.")).to_be_visible()
    unlock(new_phone, NEW_PASSPHRASE)
    new_phone.get_by_role("link", name="Inventory of 'shoulds'").click()
    new_phone.locator("[data-inventories] button").click()
    expect(writing(new_phone)).to_have_value(MARKER)


def test_signing_out_saves_what_is_on_screen_and_locks(page):
    fran_with_a_private_space(page)
    start_inventory(page)
    saved(page)
    # Signed out at once, before the autosave: the sign-out button saves, then locks.
    writing(page).fill(MARKER)
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You're signed out.")).to_be_visible()

    sign_in(page, "facilitator")
    page.goto("/private/shoulds")
    unlock(page)
    expect(writing(page)).to_have_value(MARKER)
