"""Walks through every distinct page a person can reach, for checks that apply to all of them.

Each walk in WALKS is one person's (or one feature's) round, from a fresh database and a phone
that is signed out, so each runs alone: `walk(page, check)` calls `check(page, label)` on each
page once it has settled. The walks use the real forms (invitation and reset links are created
as an admin would), so a page that only appears after an action, such as a form with errors, is
checked too.
"""

import re

from playwright.sync_api import expect

from .conftest import authenticator
from .steps import PASSPHRASE, fran_with_a_private_space, post_form, sign_in, sign_out

SUPPORT_CONTACT = {
    "Name": "Staff support line",
    "Phone (optional)": "+44 20 7946 0000",
    "Web link (optional)": "https://support.example.org/staff",
    "When and for whom (optional)": "Weekdays 9 to 5, for everyone on the team",
}


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def walk_as_nobody(page, check):
    page.goto("/signin")
    heading(page, "Sign in")
    check(page, "sign-in")

    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Please enter your email.")).to_be_visible()
    check(page, "sign-in with errors")

    # A form token that no longer matches: the friendly "please try again" page.
    page.get_by_label("Email").fill("someone@one.example")
    page.locator("input[name=csrf_token]").evaluate("field => field.value = 'stale'")
    page.get_by_role("button", name="Sign in", exact=True).click()
    heading(page, "Please try again")
    check(page, "form expired")

    page.goto("/offline")
    heading(page, "You're offline")
    check(page, "offline")

    page.goto("/install")
    heading(page, "Put the app on your home screen")
    check(page, "install help")

    page.goto("/no-such-page")
    heading(page, "We couldn't find that page")
    check(page, "404")


def walk_as_admin(page, check):
    """The admin's pages, then the invitation and reset links they made, opened signed out."""
    links = {}
    sign_in(page, "admin")
    check(page, "home (admin)")

    page.goto("/organisation/content/support_contact")
    heading(page, "Staff support")
    check(page, "support contacts, none yet")
    for label, value in SUPPORT_CONTACT.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".entry")).to_have_count(1)
    check(page, "support contacts")
    page.get_by_role("link", name="Edit: Staff support line").click()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    check(page, "support contacts, editing")

    page.goto("/organisation/support")
    heading(page, "Support")
    check(page, "support (admin)")

    for kind, title in [
        ("practice", "Practices for the line"),
        ("situation", "Checklist situations"),
    ]:
        page.goto(f"/organisation/content/{kind}")
        heading(page, title)
        check(page, f"{kind} list")
        page.locator(".entry").first.get_by_role("link", name="Edit").click()
        expect(page.get_by_role("button", name="Save")).to_be_visible()
        check(page, f"{kind} list, editing")
        page.get_by_role("link", name="Cancel").click()
        page.locator(".entry").first.get_by_role("button", name="Remove").click()
        expect(page.get_by_role("button", name="Undo")).to_be_visible()
        check(page, f"{kind} list, removed with undo")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("Please fill this in.")).to_be_visible()
        check(page, f"{kind} list, add with errors")
        page.get_by_role("link", name="Go back to the guidelines' list…").click()
        expect(page.get_by_role("button", name="Yes, use the guidelines' list")).to_be_visible()
        check(page, f"{kind} list, reset confirmation")

    page.goto("/organisation/people")
    heading(page, "People and invitations")
    check(page, "people")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_text("Choose at least one role.")).to_be_visible()
    check(page, "people, invitation with errors")
    page.get_by_label("Supervisor: reviews what pairs choose to share").check()
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    links["invitation"] = page.locator("#new-link").input_value()
    check(page, "people, new invitation link")
    page.get_by_text("Manage Fran Facilitator").click()
    # Issue 27: switching off asks first, saying what happens to the pair and supervision.
    page.get_by_role("link", name="Switch off… Fran Facilitator").click()
    heading(page, "Switch off Fran Facilitator?")
    check(page, "switching someone off, asked first")
    page.get_by_role("link", name="Keep them on").click()
    heading(page, "People and invitations")
    page.get_by_text("Manage Fran Facilitator").click()
    page.get_by_role("button", name="Password reset link for Fran Facilitator").click()
    expect(page.locator("#reset-link")).to_be_visible()
    links["reset"] = page.locator("#reset-link").input_value()
    check(page, "people, new reset link")

    page.goto("/rooms/retention")
    heading(page, "How long rooms are kept")
    check(page, "room retention")
    page.get_by_label("Delete training-day rooms after this many days").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Choose between 1 and 365 days.")).to_be_visible()
    check(page, "room retention with errors")

    sign_out(page)
    check(page, "signed out")
    walk_with_links(page, check, links)


def walk_with_links(page, check, links):
    page.goto(links["invitation"])
    heading(page, "Join Organisation One")
    check(page, "invitation")
    page.get_by_label("Your name").fill("Sam Newcomer")
    page.get_by_label("Choose a password").fill("short")
    page.get_by_role("button", name="Join and sign in").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    check(page, "invitation with errors")

    page.goto(links["reset"])
    heading(page, "Choose a new password")
    check(page, "reset")
    page.get_by_label("Choose a password").fill("a long enough password")
    page.get_by_label("Type it again").fill("a different password")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("The two passwords don't match.")).to_be_visible()
    check(page, "reset with errors")

    page.goto("/invite/not-a-real-token")
    heading(page, "This invitation link doesn't work")
    check(page, "invitation that doesn't work")
    page.goto("/reset/not-a-real-token")
    heading(page, "This reset link doesn't work")
    check(page, "reset that doesn't work")


def walk_as_supervisor_and_facilitator(page, check):
    sign_in(page, "supervisor")
    check(page, "home (supervisor)")
    sign_out(page)

    sign_in(page, "facilitator")
    check(page, "home (facilitator)")
    page.goto("/organisation/support")
    heading(page, "Support")
    check(page, "support (facilitator)")
    page.goto("/organisation/people")
    heading(page, "This page isn't for your role")
    check(page, "403")
    page.goto("/private/why")
    heading(page, "Why this matters")
    check(page, "why this matters")
    walk_private_space(page, check)


def walk_private_space(page, check):
    """The vault screen and the inventory of 'shoulds', in each state a facilitator meets."""
    passphrase = "a quiet room with the door shut"
    page.goto("/private/")
    heading(page, "Your private space")
    expect(page.get_by_label("Choose a passphrase", exact=True)).to_be_visible()
    check(page, "private space, first use")
    page.get_by_label("Choose a passphrase", exact=True).fill("short")
    page.get_by_role("button", name="Create my private space").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    check(page, "private space, passphrase with errors")
    page.get_by_label("Choose a passphrase", exact=True).fill(passphrase)
    page.get_by_label("Type it again", exact=True).fill(passphrase)
    page.get_by_role("button", name="Create my private space").click()
    expect(page.get_by_role("heading", name="Your private space is ready")).to_be_visible()
    check(page, "private space, ready")

    # Issue 15: every way in, and a recovery key, shown once and then on the recovery sheet.
    page.get_by_text("A recovery key, for a forgotten passphrase").click()
    page.get_by_label("Your passphrase, to make a recovery key").fill(passphrase)
    page.get_by_role("button", name="Make a recovery key").click()
    expect(page.locator("[data-recovery-text]")).not_to_be_empty()
    expect(page.locator("[data-unlock-list] li")).to_have_count(2)
    check(page, "private space, ways in, the recovery key shown once")
    page.get_by_role("link", name="Print it on a recovery sheet").click()
    heading(page, "Recovery sheet for your private notes")
    expect(page.locator("[data-recovery-key]")).not_to_be_empty()
    check(page, "recovery sheet, with the recovery key")
    page.get_by_role("link", name="Back to your private space").click()
    page.get_by_role("link", name="Print a recovery sheet").click()
    heading(page, "Recovery sheet for your private notes")
    check(page, "recovery sheet")
    page.get_by_role("link", name="Back to your private space").click()
    page.get_by_text("Change your passphrase").click()
    expect(page.get_by_label("Type the new one again")).to_be_visible()
    check(page, "private space, unlocked, changing the passphrase")

    page.get_by_role("link", name="Inventory of 'shoulds'").click()
    heading(page, "Inventory of 'shoulds'")
    expect(page.get_by_role("button", name="Start a new inventory")).to_be_visible()
    check(page, "shoulds, about")
    page.get_by_role("button", name="Start a new inventory").click()
    page.get_by_role("textbox", name="I should/shouldn't...").fill("I should\nI shouldn't")
    check(page, "shoulds, round 1")
    page.get_by_role("button", name="Go on to round 2").click()
    page.get_by_role("button", name="Go on to looking back").click()
    expect(page.get_by_role("group", name="I shouldn't")).to_be_visible()
    check(page, "shoulds, looking back")

    page.locator("header").get_by_role("button", name="Lock").click()
    page.get_by_label("Your passphrase", exact=True).fill("not the passphrase")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("That passphrase doesn't open your private notes.")).to_be_visible()
    check(page, "shoulds, locked, wrong passphrase")
    page.goto("/private/")
    expect(page.get_by_role("heading", name="Your private space is locked")).to_be_visible()
    check(page, "private space, locked")
    page.get_by_label("Your passphrase", exact=True).fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    walk_prompt_exercises(page, check)


def walk_line_and_stance_alone(page, check):
    """Fran, with a private space already made, places herself on the line on her own."""
    fran_with_a_private_space(page, PASSPHRASE)
    walk_line_and_stance(page, check, PASSPHRASE)


def walk_checklist_and_coworking(page, check):
    """Fran, with a private space already made, rates the checklist, then co-works with Cole
    on a second phone (her conversation shares a situation she kept from the checklist)."""
    fran_with_a_private_space(page, PASSPHRASE)
    walk_checklist(page, check, PASSPHRASE)
    walk_coworking(page, check, PASSPHRASE)


def walk_prompt_exercises(page, check):
    """Learning about sex, Know your painful points (its content note first) and Norms,
    expectations and beliefs: each page's about screen, and its answers with some written."""
    back = "Back to your private space"
    page.get_by_role("link", name="Learning about sex").click()
    heading(page, "Learning about sex")
    page.get_by_role("button", name="Start answering").click()
    page.get_by_role("textbox", name="From whom did you hear them?").fill("friends")
    check(page, "learning about sex, answering")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-past] button")).to_have_count(1)
    check(page, "learning about sex, about, with past answers")
    page.get_by_role("link", name=back).click()

    page.get_by_role("link", name="Know your painful points").click()
    expect(page.get_by_role("heading", name="Before you go on")).to_be_visible()
    check(page, "painful points, content note")
    page.get_by_role("button", name="Go on to the exercise").click()
    expect(page.get_by_role("button", name="Start an inventory")).to_be_visible()
    check(page, "painful points, about")
    page.get_by_role("button", name="Start an inventory").click()
    page.get_by_text("Sexual disrespect and swears", exact=True).click()
    expect(
        page.get_by_role("textbox", name="In your own words (Sexual disrespect and swears)")
    ).to_be_visible()
    check(page, "painful points, inventory with one category open")
    page.get_by_role("button", name="Stop here for now").click()
    page.get_by_role("link", name=back).click()

    page.get_by_role("link", name="Norms, expectations and beliefs").click()
    page.get_by_role("button", name="Start a reflection").click()
    expect(page.get_by_role("heading", name="Naming the elephant in the room")).to_be_visible()
    check(page, "norms, reflecting")
    page.locator("header").get_by_role("button", name="Lock").click()
    expect(page.get_by_role("heading", name="Your private space is locked")).to_be_visible()
    check(page, "norms, locked")


def walk_line_and_stance(page, check, passphrase):
    """'Is this always abusive?' on your own (a second session beside the first) and the stance
    check (its history drawn after one check)."""
    page.goto("/private/line")
    page.get_by_label("Your passphrase", exact=True).fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("button", name="Place yourself on the line")).to_be_visible()
    check(page, "line, about")
    page.get_by_role("button", name="Place yourself on the line").click()
    page.get_by_role("slider").first.focus()
    page.keyboard.press("Home")
    expect(page.locator("circle.current-place")).to_have_count(1)
    check(page, "line, placing")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-past] button")).to_have_count(1)
    check(page, "line, about, with a past session")
    page.get_by_role("button", name="Place yourself on the line").click()
    expect(page.locator("circle.earlier-place")).to_have_count(1)
    check(page, "line, placing beside earlier places")
    page.get_by_role("button", name="Stop here for now").click()
    page.get_by_role("link", name="Back to your private space").click()

    page.get_by_role("link", name="Stance check after a session").click()
    expect(page.get_by_role("button", name="Check my stance after a session")).to_be_visible()
    check(page, "stance, about")
    page.get_by_role("button", name="Check my stance after a session").click()
    page.get_by_label("Neutral Useful Stance").check()
    check(page, "stance, checking")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("[data-stance-history] li")).to_have_count(1)
    check(page, "stance, about, with history")


def walk_checklist(page, check, passphrase):
    """The discomfort checklist: about, rating (an own situation added, one kept for sharing
    later), and about again with its history chart drawn in the browser."""
    page.goto("/private/checklist")
    # Issue 27: a content note first, as before the painful points.
    expect(page.get_by_role("button", name="Go on to the checklist")).to_be_visible()
    check(page, "checklist, content note")
    page.get_by_role("button", name="Go on to the checklist").click()
    page.get_by_label("Your passphrase", exact=True).fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("button", name="Start a new rating")).to_be_visible()
    check(page, "checklist, about")
    page.get_by_role("button", name="Start a new rating").click()
    page.get_by_label("Add a situation of your own").fill("A man who reminds me of someone")
    page.get_by_role("button", name="Add", exact=True).click()
    own = page.get_by_role("group", name="A man who reminds me of someone")
    own.get_by_role("radio").nth(3).check()
    own.get_by_role("checkbox").check()
    expect(own.get_by_role("button", name="Clear my answer")).to_be_visible()
    check(page, "checklist, rating")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("svg.chart")).to_have_count(1)
    check(page, "checklist, about, with history")


def walk_coworking(page, check, passphrase):
    """Co-working pairs, with the co-worker on a second phone: invitations, the pair, the
    conversation (writing, preview, shared, both shared), the agreement (not started, draft,
    conflict, agreed, changing), a version, the check-ins (form, waiting, both answered),
    sharing with supervision, tonight's card and ending a pair."""
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    other = page.context.browser.new_context(base_url=origin, viewport=page.viewport_size)
    try:
        cole = sign_in(other.new_page(), "coworker")
        walk_pairs(page, cole, check)
        pair = page.url.removeprefix(origin)
        walk_conversation(page, cole, check, passphrase, pair)
        walk_agreement(page, cole, check, pair)
        walk_checkins(page, cole, check, pair)
        page.goto(f"{pair}/sharing")
        heading(page, "What supervision sees")
        check(page, "pair sharing")
        page.get_by_text("Record it", exact=True).click()
        page.get_by_label("Same gender", exact=True).check()
        page.get_by_label("Both experienced", exact=True).check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#mixed-gender-standard")).to_be_visible()
        check(page, "pair sharing, same gender")
        page.goto(f"{pair}/card")
        page.get_by_label("Your passphrase", exact=True).fill(passphrase)
        page.get_by_role("button", name="Unlock").click()
        expect(page.locator("[data-flagged] li")).not_to_have_count(0)
        check(page, "card")
        page.locator("#reminder-collusion > summary").click()
        expect(page.get_by_text("Maintaining confidentiality for him.")).to_be_visible()
        check(page, "card, a reminder open")
        page.get_by_label("How many men took part (optional)").fill("14")
        page.get_by_role("button", name="Log the group").click()
        expect(page.locator("#group-size-signal")).to_be_visible()
        check(page, "card, a group of more than 12 logged")
        page.goto(f"{pair}/end")
        heading(page, "End this pair?")
        check(page, "pair, ending")
    finally:
        other.close()


def walk_pairs(page, cole, check):
    page.goto("/pairs/")
    heading(page, "Co-working pairs")
    check(page, "pairs")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Please give the pair a name.")).to_be_visible()
    check(page, "pairs, invitation with errors")
    page.get_by_label("Who would you like to co-work with?").select_option(label="Cole Coworker")
    page.get_by_label("Name your pair").fill("Tuesday evening group")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name="Waiting for an answer")).to_be_visible()
    check(page, "pairs, invitation sent")

    cole.goto("/")
    expect(cole.get_by_text("1 invitation to co-work is waiting for you.")).to_be_visible()
    check(cole, "home (facilitator), invited to co-work")
    cole.goto("/pairs/")
    check(cole, "pairs, invited")
    cole.get_by_role("button", name="Accept: Tuesday evening group").click()
    heading(cole, "Tuesday evening group")
    check(cole, "pair, new")
    cole.get_by_role("link", name="End this pair").click()
    cole.get_by_role("button", name="End the pair").click()
    expect(cole.get_by_text("This pair ended on")).to_be_visible()
    check(cole, "pair, ended")

    page.goto("/")
    page.get_by_role("link", name="Thursday morning group", exact=True).click()
    heading(page, "Thursday morning group")
    check(page, "pair")


def walk_conversation(page, cole, check, passphrase, pair):
    page.goto(f"{pair}/conversation")
    heading(page, "The new-partnership conversation")
    page.get_by_label("Your passphrase", exact=True).fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    question = "What kinds of situations in the groups might be difficult for me?"
    page.get_by_role("textbox", name=question, exact=True).fill("Long silences.")
    page.get_by_role("checkbox", name="A man who reminds me of someone").check()
    check(page, "conversation, writing")
    page.get_by_role("button", name="Preview what Cole Coworker will see").click()
    expect(page.locator("[data-preview] li")).to_have_count(1)
    check(page, "conversation, preview")
    page.get_by_role("button", name="Share with Cole Coworker").click()
    expect(page.get_by_text("Shared. Cole Coworker sees your answers")).to_be_visible()
    check(page, "conversation, shared, waiting")
    post_form(cole, f"{pair}/conversation", {"answer-want": "A look when you need me."})
    page.goto(f"{pair}/conversation")
    expect(page.get_by_role("heading", name="Cole Coworker's answers")).to_be_visible()
    check(page, "conversation, both shared")


def walk_agreement(page, cole, check, pair):
    signal = page.get_by_label(
        "The signal between us (A client gets confrontational with one facilitator)"
    )
    page.goto(f"{pair}/agreement")
    heading(page, "How we step in: our agreement")
    check(page, "agreement, not started")
    signal.fill("a hand on the table")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Version 1 is a draft.")).to_be_visible()
    check(page, "agreement, draft")

    cole.goto(f"{pair}/agreement")
    page.reload()
    signal.fill("a nod")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    cole.get_by_label(
        "The signal between us (A client gets confrontational with one facilitator)"
    ).fill("a look")
    cole.get_by_role("button", name="Save changes").click()
    expect(cole.get_by_text("changed the agreement while you were editing")).to_be_visible()
    check(cole, "agreement, conflict")

    page.get_by_role("button", name="I confirm version 1 as it is now").click()
    expect(page.get_by_text("Confirmed.")).to_be_visible()
    cole.goto(f"{pair}/agreement")
    cole.get_by_role("button", name="I confirm version 1 as it is now").click()
    expect(cole.get_by_text("Agreed by both of you.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Version 1 is agreed.")).to_be_visible()
    check(page, "agreement, agreed")
    page.get_by_text("Change the agreement").click()
    signal.fill("two fingers on the table")
    check(page, "agreement, agreed, changing")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Version 2 is a draft.")).to_be_visible()
    check(page, "agreement, second version, draft")
    page.get_by_role("link", name="Version 2", exact=True).click()
    heading(page, "Agreement, version 2")
    expect(page.locator("ins")).to_have_text("two fingers on the table")
    check(page, "agreement version, with changes")


def walk_checkins(page, cole, check, pair):
    page.goto(f"{pair}/checkins")
    heading(page, "Weekly check-in")
    check(page, "check-ins")
    page.get_by_label("What would you want more of from me?").fill(
        "Taking the lead on the role-plays."
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Your answers, waiting for Cole Coworker's:")).to_be_visible()
    check(page, "check-ins, waiting")
    cole.goto(f"{pair}/checkins")
    cole.get_by_role("button", name="Send my answers").click()
    expect(cole.get_by_role("heading", name="Fran Facilitator to you")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Send reply")).to_be_visible()
    check(page, "check-ins, both answered")


def walk_training_day(page, check):
    """A training-day room as its trainer runs it, and as a phone in it (the trainer joins their
    own room here, so one page can see both sides)."""
    sign_in(page, "facilitator")
    page.goto("/rooms/")
    heading(page, "Training days")
    check(page, "training days")
    page.get_by_role("button", name="Open a room").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Training day room ")
    code = page.get_by_role("heading", level=1).inner_text().rsplit(" ", 1)[1]
    room = page.url
    check(page, "room, controls")

    page.get_by_role("link", name="Adapt the practices").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Practices for room")
    check(page, "room practices")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Please fill this in.")).to_be_visible()
    check(page, "room practices, add with errors")
    page.locator(".entry").first.get_by_role("link", name="Reword").click()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    check(page, "room practices, rewording")

    page.goto(room + "/projector")
    expect(page.locator(".room-code")).to_have_text(code)
    check(page, "projector, waiting")

    page.goto("/join")
    heading(page, "Join a training day room")
    check(page, "join")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_text("Please type the code shown on the projector.")).to_be_visible()
    check(page, "join with errors")
    page.get_by_label("Room code").fill(code)
    page.get_by_role("button", name="Join", exact=True).click()
    slider = page.get_by_role("slider")
    expect(slider).to_be_visible()
    check(page, "place, not placed")
    # static/room.js is a module loaded after the page: until it runs, a move sends nothing.
    expect(page.locator("form.placement[data-live]")).to_be_attached()
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator("[data-place-state]")).to_contain_text("Placed:")
    check(page, "place, placed")

    page.goto(room)
    page.get_by_role("button", name="Show the questions").click()
    expect(page.locator("#room-status")).to_contain_text("Small groups are discussing")
    check(page, "room, questions")
    page.goto(room + "/projector")
    expect(page.locator("[data-countdown]")).to_be_visible()
    check(page, "projector, questions")
    page.goto(f"/line/{code}")
    expect(page.get_by_role("link", name="Jot private notes in your vault")).to_be_visible()
    check(page, "place, questions")

    page.goto(room)
    page.get_by_text("End the room…").click()
    check(page, "room, ending")
    page.get_by_role("button", name="End the room now").click()
    page.get_by_role("link", name="See the summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Summary of room")
    check(page, "room summary")


def walk_supervision(page, check):
    """Supervision, after the pair pages: a facilitator's own record, the admin assigning a
    supervisor and exporting, the supervisor's home, a pair, logging a session (with errors
    first) and the supervisee's record, then the facilitator's record with that session."""
    sign_in(page, "facilitator")
    page.goto("/supervision/me")
    heading(page, "Your supervision record")
    check(page, "own supervision record, empty")
    page.get_by_label("Domestic violence awareness").check()
    page.get_by_role("button", name="Save my training record").click()
    expect(page.get_by_text("Your training record is saved.")).to_be_visible()
    check(page, "own supervision record, training saved")
    sign_out(page)

    sign_in(page, "admin")
    page.goto("/supervision/assignments")
    heading(page, "Who supervises whom")
    check(page, "supervisor assignments, none")
    page.get_by_label("Supervisor", exact=True).select_option(label="Sol Supervisor")
    page.get_by_label("Supervises", exact=True).select_option(label="Fran Facilitator")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Sol Supervisor supervises Fran Facilitator")).to_be_visible()
    check(page, "supervisor assignments, one")
    page.goto("/organisation/export")
    heading(page, "Export your organisation's records")
    check(page, "export")
    # Issue 24: how the organisation reads the standards, and its team against §4.9.
    page.goto("/organisation/standards")
    heading(page, "How we read the standards")
    check(page, "how we read the standards")
    page.goto("/organisation/team")
    heading(page, "Our team")
    check(page, "our team")
    sign_out(page)

    sign_in(page, "supervisor")
    page.get_by_role("link", name="Open supervision").click()
    heading(page, "Supervision")
    check(page, "supervisor home")
    page.get_by_role("link", name="Thursday morning group").first.click()
    heading(page, "Thursday morning group")
    check(page, "supervisor, a pair")
    page.goto("/supervision/sessions/new")
    heading(page, "Log a supervision session")
    page.get_by_label("How long, in minutes").fill("")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("Please say how long it was, in minutes.")).to_be_visible()
    check(page, "log a session, with errors")
    page.get_by_label("How long, in minutes").fill("45")
    page.get_by_label("Fran Facilitator").check()
    page.get_by_label("Exploring the personal impact of the work").check()
    page.get_by_label("Notes (optional)").fill("What helped after Tuesday.")
    page.get_by_role("button", name="Save the session").click()
    heading(page, "Supervision record: Fran Facilitator")
    check(page, "supervisee record")
    sign_out(page)

    sign_in(page, "facilitator")
    page.goto("/supervision/me")
    expect(page.get_by_text("What helped after Tuesday.")).to_be_visible()
    check(page, "own supervision record, a session")

    # Issue 27: a note to bring to supervision, its preview before sharing, and the agenda.
    page.goto("/pairs/")
    page.get_by_role("link", name="Thursday morning group").first.click()
    expect(page).to_have_url(re.compile(r"/pairs/\d+$"))
    pair = re.search(r"/pairs/\d+", page.url).group(0)
    page.goto(f"{pair}/to-bring")
    heading(page, "To bring to supervision")
    check(page, "notes to bring to supervision, none")
    page.get_by_role("button", name="Keep it for me").click()
    expect(page.get_by_text("Please write the note, or leave this for now.")).to_be_visible()
    check(page, "notes to bring to supervision, with errors")
    page.get_by_label("To bring to supervision").fill("How tired I was after Tuesday.")
    page.get_by_role("button", name="Keep it for me").click()
    page.get_by_role("link", name="Share with my supervisor…").click()
    heading(page, "Share with your supervisor?")
    check(page, "a note, before sharing")
    page.get_by_role("button", name="Share this note").click()
    expect(page.get_by_text("Shared with your supervisor.")).to_be_visible()
    check(page, "notes to bring to supervision, one shared")


SESSION_TWO = "Sexual respect (2) – Sexual pressuring"


def walk_module(page, check):
    """The module (issue 12), after supervision, as Fran: the module's page, a session with
    an activity opened, an extra, the print view, the pair's plans (none, with errors, one
    planned), the card's run sheet with notes open; then the admin's timing editor (as opened,
    moved but unsaved, with errors, saved, going back to the guidelines)."""
    sign_in(page, "facilitator")
    page.goto("/module/")
    heading(page, "Sexual respect sessions")
    check(page, "module")
    page.get_by_role("link", name=SESSION_TWO, exact=True).click()
    heading(page, SESSION_TWO)
    page.locator("details.activity summary").first.click()
    expect(page.locator("details.activity .activity-body").first).to_contain_text("Source:")
    check(page, "a session, an activity open")
    page.goto("/module/activities/bdsm")
    check(page, "an extra activity")
    page.goto("/module/sexual_pressuring/print")
    check(page, "a session's print view")

    page.goto("/")
    page.get_by_role("link", name="Thursday morning group", exact=True).click()
    page.get_by_role("link", name=re.compile("^Plan a session")).click()
    heading(page, "Plan a session")
    check(page, "plans, none yet")
    page.get_by_label("Starts at").fill("")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("like 18:30")).to_be_visible()
    check(page, "plans, with errors")
    page.get_by_label("Starts at").fill("18:30")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status").filter(has_text="Planned.")).to_be_visible()
    check(page, "plans, one planned")
    page.get_by_role("link", name="Change the plan").count()  # the card links back to here
    pair = re.sub(r"/plans.*$", "", page.url)
    page.goto(f"{pair}/card")
    page.locator(".run-sheet summary").first.click()
    check(page, "card, tonight's run sheet")
    sign_out(page)

    sign_in(page, "admin")
    page.goto("/module/sexual_pressuring/timing")
    heading(page, "Adapt the timings")
    check(page, "session timings")
    page.get_by_role("button", name="Down Sexual abuse scenario").click()
    expect(page.get_by_text("Not saved yet")).to_be_visible()
    check(page, "session timings, moved, not saved")
    page.get_by_label("Minutes").first.fill("ten")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Minutes: a whole number from 1 to 240.")).to_be_visible()
    check(page, "session timings, with errors")
    page.get_by_label("Minutes").first.fill("15")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    page.get_by_role("link", name="Go back to the guidelines' version").click()
    expect(page.get_by_role("button", name="Yes, use the guidelines' version")).to_be_visible()
    check(page, "session timings, going back to the guidelines")
    sign_out(page)


def walk_safety(page, check):
    """Issue 22, her safety first: the admin's two new kinds of contact (the men's list with the
    Respect Phoneline suggested), the counts, a summary being adapted; then Fran's debrief
    answer "not yet passed on", the pair's safety page, her home with it, the men's poster, the
    module schedule and a session's page for the women's support service."""
    sign_in(page, "admin")
    page.goto("/organisation/content/womens_service")
    heading(page, "The women's support service")
    page.get_by_label("Name of the service").fill("Northside Women's Service")
    page.get_by_label("Phone (optional)").fill("0161 496 0000")
    page.get_by_label("Secure email (optional)").fill("referrals@northside.example")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".entry")).to_have_count(1)
    check(page, "the women's support service")
    page.goto("/organisation/content/men_helpline")
    heading(page, "Helplines for the men")
    check(page, "helplines for the men, the Phoneline suggested")
    page.get_by_role("button", name="Add Respect Phoneline").click()
    expect(page.locator(".entry")).to_have_count(1)
    page.goto("/organisation/safety")
    heading(page, "Safety concerns passed on")
    check(page, "safety concerns, counts")
    page.goto("/womens-service/building_intimacy/summary")
    check(page, "a summary for the women's support service")
    sign_out(page)

    sign_in(page, "facilitator")
    page.get_by_role("link", name="Thursday morning group", exact=True).click()
    expect(page).to_have_url(re.compile(r"/pairs/\d+$"))
    page.goto(f"{page.url}/card")
    debrief = page.get_by_role("region", name="First: her safety")
    debrief.get_by_label("Yes, not yet passed on").check()
    debrief.get_by_role("button", name="Answer").click()
    heading(page, "Her safety first")
    check(page, "her safety first, not yet passed on")
    page.goto("/")
    expect(page.locator("#safety-not-yet")).to_be_visible()
    check(page, "home, a concern not yet passed on")
    page.goto("/helplines/poster")
    heading(page, "Someone to talk to")
    check(page, "the helplines poster")
    page.goto("/womens-service/")
    heading(page, "For the women's support service")
    check(page, "the module schedule")
    page.goto("/womens-service/sexual_pressuring")
    check(page, "a session's page for the women's support service")
    sign_out(page)


def walk_passkeys(page, check):
    """Issue 15: the account page without and with a passkey. WebAuthn needs a domain name, so
    this phone opens the app on localhost, with Chromium's virtual authenticator."""
    page.goto("/signin")
    origin = "/".join(page.url.split("/")[:3]).replace("127.0.0.1", "localhost")
    context = page.context.browser.new_context(base_url=origin, viewport=page.viewport_size)
    try:
        phone = context.new_page()
        authenticator(context, phone)
        phone.goto("/signin")
        expect(phone.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
        sign_in(phone, "facilitator")
        phone.goto("/account")
        heading(phone, "Your account")
        expect(phone.get_by_role("button", name="Add a passkey")).to_be_visible()
        check(phone, "account, no passkeys")
        phone.get_by_role("button", name="Add a passkey").click()
        expect(phone.locator("[data-passkey-list] li")).to_have_count(1)
        check(phone, "account, with a passkey")
        sign_out(phone)
        phone.get_by_role("button", name="Sign in with a passkey").click()
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Hello")
        check(phone, "home, signed in with a passkey")
    finally:
        context.close()


# Every walk, in the order a tour would take them; each starts signed out on a fresh database.
WALKS = (
    walk_as_nobody,
    walk_as_admin,
    walk_as_supervisor_and_facilitator,
    walk_line_and_stance_alone,
    walk_checklist_and_coworking,
    walk_training_day,
    walk_supervision,
    walk_module,
    walk_safety,
    walk_passkeys,
)
