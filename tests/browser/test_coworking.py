"""Co-working pairs in real Chromium, with two facilitators on two phones (issue 4's proof).

Fran and Cole each have their own browser context: their own cookies, vault, service worker
and caches. They invite and accept; share their new-partnership answers, which neither reads
until both have shared; draft their redirection-strategy agreement, with a concurrent edit that
conflicts and a second version; answer a weekly check-in revealed to both at once; and Fran
opens the before-session card, then opens it again with the server stopped.

docs/design.md "The data rule": a conversation draft and the checklist situations not attached to
it stay in Fran's vault. Markers typed there reach no request, no database file and no log line.
"""

import re

import pytest
from conftest import PAIR_NAME, PEOPLE
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS
from .steps import (
    HOMOPHOBIC,
    Recording,
    controlled_by_service_worker,
    create_vault,
    heading,
    kept_for_later,
    open_the_pair,
    post_form,
    rating,
    saved,
    sign_in,
    sign_out,
    start_rating,
    unlock,
)

FRAN, COLE = PEOPLE["facilitator"][0], PEOPLE["coworker"][0]

MATERIALS = "Which of the materials do/don't I feel comfortable to deliver?"
SITUATIONS = "What kinds of situations in the groups might be difficult for me?"
TOGETHER = "How can we work together to ensure we are both as comfortable as possible?"
WANT = "What do I want from my co-facilitator?"
QUESTIONS = [MATERIALS, SITUATIONS, TOGETHER, WANT]

# Words Fran keeps to herself: never in a request, a database file or a log line.
UNATTACHED_MARKER = "MARKER-4b7e a man who reminds me of my brother"
DELETED_MARKER = "MARKER-d31e I can't face the session on consent"


def phone(new_context, who):
    return sign_in(new_context().new_page(), who)


def notice(page):
    return page.locator("main").get_by_role("status")


def test_a_facilitator_invites_a_colleague_who_accepts(new_context):
    fran = phone(new_context, "facilitator")
    fran.goto("/pairs/")
    heading(fran, "Co-working pairs")
    fran.get_by_label("Who would you like to co-work with?").select_option(label=COLE)
    fran.get_by_label("Name your pair").fill("Tuesday evening group")
    fran.get_by_role("button", name="Send the invitation").click()
    expect(notice(fran)).to_have_text(
        "Invitation sent. It shows on their home screen until they answer."
    )
    waiting = fran.get_by_role("region", name="Waiting for an answer")
    expect(waiting).to_contain_text("Tuesday evening group")
    expect(waiting).to_contain_text(f"Sent to {COLE}")

    cole = phone(new_context, "coworker")
    cole.get_by_role("link", name="1 invitation to co-work is waiting for you.").click()
    invitations = cole.get_by_role("region", name="Invitations to co-work")
    expect(invitations).to_contain_text(f"{FRAN} would like to co-work with you.")
    invitations.get_by_role("button", name="Accept: Tuesday evening group").click()
    heading(cole, "Tuesday evening group")
    expect(cole).to_have_url(re.compile(r"/pairs/\d+$"))
    expect(cole.locator("main")).to_contain_text(f"with {FRAN}")
    new_pair = cole.url

    # Fran has both pairs now, and nothing is waiting.
    fran.reload()
    mine = fran.get_by_role("region", name="Your pairs")
    expect(mine.get_by_role("link")).to_have_text([PAIR_NAME, "Tuesday evening group"])
    expect(fran.get_by_role("region", name="Waiting for an answer")).to_have_count(0)
    mine.get_by_role("link", name="Tuesday evening group").click()
    expect(fran).to_have_url(new_pair)


def draft(page, question):
    return page.get_by_role("textbox", name=question, exact=True)


def share_form_fields(page):
    return page.locator("[data-share-form]").evaluate(
        "form => [...new FormData(form)].filter(([name]) => name !== 'csrf_token')"
    )


def test_conversation_answers_open_only_when_both_have_shared(
    new_context, live_server, tmp_path, caplog, capfd
):
    fran_context = new_context()
    fran = fran_context.new_page()
    recording = Recording(fran_context, fran, live_server, caplog)
    sign_in(fran, "facilitator")
    create_vault(fran)

    # Two situations kept for sharing later: one she will attach, one she won't.
    fran.get_by_role("link", name="Discomfort checklist").click()
    start_rating(fran)
    fran.get_by_label("Add a situation of your own").fill(UNATTACHED_MARKER)
    fran.get_by_role("button", name="Add", exact=True).click()
    kept_for_later(fran, UNATTACHED_MARKER).check()
    kept_for_later(fran, HOMOPHOBIC).check()
    saved(fran)

    conversation = open_the_pair(fran) + "/conversation"
    fran.goto(conversation)
    heading(fran, "The new-partnership conversation")
    unlock(fran)
    heading(fran, "Your answers")
    expect(fran.get_by_text("Only you can see this.")).to_be_visible()
    # A thought typed, saved in the vault, then deleted before the preview.
    draft(fran, MATERIALS).fill(DELETED_MARKER)
    saved(fran)
    draft(fran, MATERIALS).fill("All of it, with time to prepare the session on sex.")
    draft(fran, SITUATIONS).fill("Men who laugh together at a woman's expense.")
    draft(fran, TOGETHER).fill("Plan for half an hour before, debrief for half an hour after.")
    kept = fran.get_by_role("group", name="Attach situations from your discomfort checklist")
    expect(kept.get_by_role("checkbox")).to_have_count(2)
    kept.get_by_role("checkbox", name=HOMOPHOBIC).check()
    expect(kept.get_by_role("checkbox", name=UNATTACHED_MARKER)).not_to_be_checked()
    saved(fran)

    fran.get_by_role("button", name=f"Preview what {COLE} will see").click()
    heading(fran, f"Exactly what {COLE} will see")
    preview = fran.locator("[data-preview]")
    expect(preview.locator("dt")).to_have_text(QUESTIONS)
    expect(preview.locator("dd")).to_have_text(
        [
            "All of it, with time to prepare the session on sex.",
            f"Men who laugh together at a woman's expense.{HOMOPHOBIC}",
            "Plan for half an hour before, debrief for half an hour after.",
            "Not answered",
        ]
    )
    expect(preview.locator("li")).to_have_text([HOMOPHOBIC])
    # What the form sends is exactly what the preview shows.
    assert share_form_fields(fran) == [
        ["answer-materials", "All of it, with time to prepare the session on sex."],
        ["situation", HOMOPHOBIC],
        ["answer-situations", "Men who laugh together at a woman's expense."],
        ["answer-together", "Plan for half an hour before, debrief for half an hour after."],
        ["answer-want", ""],
    ]
    fran.get_by_role("button", name=f"Share with {COLE}").click()
    expect(notice(fran)).to_have_text(f"Shared. {COLE} sees your answers once they share theirs.")
    shared = fran.get_by_role("region", name="What you have shared")
    expect(shared.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(shared.get_by_role("heading", name=f"{COLE}'s answers")).to_have_count(0)

    # Cole sees that Fran has shared, but not a word of what she wrote.
    cole = phone(new_context, "coworker")
    cole.goto(conversation)
    expect(cole.get_by_text(f"{FRAN} has shared their answers.")).to_be_visible()
    expect(cole.get_by_text("Men who laugh together")).to_have_count(0)
    assert "Men who laugh together" not in cole.content()
    assert HOMOPHOBIC not in cole.content()

    create_vault(cole, "the kettle is on before the group")
    cole.goto(conversation)
    unlock(cole, "the kettle is on before the group")
    draft(cole, SITUATIONS).fill("A man who goes silent and stares.")
    draft(cole, WANT).fill("Look at me when you need me to step in.")
    expect(cole.locator("[data-no-kept]")).to_be_visible()
    cole.get_by_role("button", name=f"Preview what {FRAN} will see").click()
    cole.get_by_role("button", name=f"Share with {FRAN}").click()
    expect(notice(cole)).to_have_text("Shared. You can both read each other's answers now.")
    theirs = cole.locator("#shared dl").nth(1)
    expect(cole.get_by_role("heading", name=f"{FRAN}'s answers")).to_be_visible()
    expect(theirs).to_contain_text("Men who laugh together at a woman's expense.")
    expect(theirs.locator("li")).to_have_text([HOMOPHOBIC])
    expect(theirs).to_contain_text("Plan for half an hour before, debrief for half an hour after.")

    fran.goto(conversation)
    expect(
        fran.get_by_text("You have both shared, so you can read each other's answers.")
    ).to_be_visible()
    expect(fran.get_by_role("heading", name=f"{COLE}'s answers")).to_be_visible()
    expect(fran.locator("#shared dl").nth(1)).to_contain_text(
        "Look at me when you need me to step in."
    )

    assert [r for r in recording.received.received if r.startswith(b"POST /pairs/")]
    recording.assert_nothing_left_the_phone(
        (UNATTACHED_MARKER, DELETED_MARKER), tmp_path, caplog, capfd
    )


CONFRONTATIONAL = "A client gets confrontational with one facilitator"


def strategy_field(page, label):
    return page.get_by_label(f"{label} ({CONFRONTATIONAL})", exact=True)


def confirm(page, number):
    page.get_by_role("button", name=f"I confirm version {number} as it is now").click()


def test_agreement_conflicts_are_shown_and_each_version_needs_both(new_context):
    fran, cole = phone(new_context, "facilitator"), phone(new_context, "coworker")
    agreement = open_the_pair(fran) + "/agreement"
    for page in (fran, cole):
        page.goto(agreement)
        expect(page.get_by_text("You haven't started your agreement yet.")).to_be_visible()

    fran.get_by_role("group", name=f"For us ({CONFRONTATIONAL})").get_by_label(
        "Use as written"
    ).check()
    strategy_field(fran, "The words we will use, in our own language").fill(
        "If I were in Fran's shoes right now I might feel a bit intimidated."
    )
    strategy_field(fran, "The signal between us").fill("a hand on the table")
    fran.get_by_role("button", name="Save changes").click()
    expect(notice(fran)).to_have_text("Saved. Both of you confirm it to make it agreed.")
    expect(fran.get_by_text("Version 1 is a draft.")).to_be_visible()

    # Cole, on the page he opened before Fran saved, saves a different change.
    cole_words = "Let's slow down. How is it for you, hearing that?"
    strategy_field(cole, "The words we will use, in our own language").fill(cole_words)
    strategy_field(cole, "The signal between us").fill("a nod")
    cole.get_by_role("button", name="Save changes").click()
    conflict = cole.get_by_role("alert").filter(
        has=cole.get_by_role("heading", name=f"{FRAN} changed the agreement while you were editing")
    )
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Theirs: a hand on the table")
    expect(conflict).to_contain_text("Yours: a nod")
    expect(conflict).to_contain_text("Theirs: Use as written")
    expect(conflict).to_contain_text(f"Yours: {cole_words}")
    # Nothing Cole typed is lost.
    expect(strategy_field(cole, "The words we will use, in our own language")).to_have_value(
        cole_words
    )
    expect(strategy_field(cole, "The signal between us")).to_have_value("a nod")

    # He saves his deliberately, keeping Fran's choice.
    cole.get_by_role("group", name=f"For us ({CONFRONTATIONAL})").get_by_label(
        "Use as written"
    ).check()
    cole.get_by_role("button", name="Save changes").click()
    expect(notice(cole)).to_have_text("Saved. Both of you confirm it to make it agreed.")
    confirm(cole, 1)
    expect(notice(cole)).to_have_text("Confirmed. It is agreed once your co-worker confirms.")

    # Fran's page still shows her own save: confirming it is refused, and she reads it again.
    confirm(fran, 1)
    expect(fran.get_by_role("alert")).to_have_text(
        "It changed before you confirmed. Please read it again, then confirm."
    )
    expect(strategy_field(fran, "The signal between us")).to_have_value("a nod")
    confirm(fran, 1)
    expect(notice(fran)).to_have_text("Agreed by both of you.")
    expect(fran.get_by_text("Version 1 is agreed.")).to_be_visible()
    cole.reload()
    expect(cole.get_by_text("Version 1 is agreed.")).to_be_visible()
    expect(cole.get_by_role("heading", name="Version 1, as agreed")).to_be_visible()

    # A change starts version 2, which needs both confirmations again; version 1 still holds.
    fran.get_by_text("Change the agreement").click()
    strategy_field(fran, "The signal between us").fill("two fingers on the table")
    fran.get_by_role("button", name="Save changes").click()
    expect(fran.get_by_text("Version 2 is a draft.")).to_be_visible()
    expect(
        fran.get_by_text("Version 1 still holds until you both confirm this one.")
    ).to_be_visible()
    confirm(fran, 2)
    expect(notice(fran)).to_have_text("Confirmed. It is agreed once your co-worker confirms.")
    cole.reload()
    status = cole.get_by_role("region", name="Where you are")
    expect(status.get_by_role("listitem")).to_have_text(
        ["You: not confirmed yet", f"{FRAN}: confirmed"]
    )
    confirm(cole, 2)
    expect(notice(cole)).to_have_text("Agreed by both of you.")
    expect(cole.get_by_text("Version 2 is agreed.")).to_be_visible()

    # Version 2's page shows what changed since version 1.
    cole.get_by_role("link", name="Version 2", exact=True).click()
    heading(cole, "Agreement, version 2")
    changes = cole.get_by_role("region", name="What changed since version 1")
    expect(changes.locator("li")).to_have_count(1)
    expect(changes).to_contain_text(CONFRONTATIONAL)
    expect(changes.locator("dt")).to_have_text(["The signal"])
    expect(changes.locator("del")).to_have_text("a nod")
    expect(changes.locator("ins")).to_have_text("two fingers on the table")
    cole.get_by_role("link", name="Back to the agreement").click()
    cole.get_by_role("link", name="Version 1", exact=True).click()
    heading(cole, "Agreement, version 1")
    expect(cole.get_by_role("heading", name="The first version")).to_be_visible()
    expect(cole.locator("ol.strategies")).to_contain_text("a nod")


def test_weekly_check_in_answers_open_to_both_at_once(new_context):
    fran, cole = phone(new_context, "facilitator"), phone(new_context, "coworker")
    checkins = open_the_pair(fran) + "/checkins"
    # The waiting page asks again every 15 s; the test moves the page's clock instead of waiting.
    fran.clock.install()
    fran.goto(checkins)
    heading(fran, "Weekly check-in")
    fran.get_by_label("What would you want more of from me?").fill(
        "Taking the lead on the role-plays."
    )
    fran.get_by_role("button", name="Send my answers").click()
    week = fran.locator("#this-week")
    expect(week.get_by_role("status")).to_have_text("Sent.")
    expect(week).to_contain_text(
        "You've answered this week. Your answers open to you both once your co-worker answers."
    )
    expect(week).to_contain_text(f"Your answers, waiting for {COLE}'s:")
    expect(week.locator("dd")).to_have_text(
        ["Taking the lead on the role-plays.", "Nothing this week"]
    )

    cole.goto(checkins)
    expect(cole.get_by_text(f"{FRAN} has answered.")).to_be_visible()
    expect(cole.get_by_text("Taking the lead")).to_have_count(0)
    assert "Taking the lead" not in cole.content()
    cole.get_by_label("What would you want more of from me?").fill(
        "Checking in with me at the break."
    )
    cole.get_by_label("What would you want less of from me?").fill("Finishing my sentences.")
    cole.get_by_role("button", name="Send my answers").click()
    answers = cole.locator(".checkin-answers")
    expect(answers.get_by_role("heading", name=f"{FRAN} to you")).to_be_visible()
    expect(answers.locator("dd")).to_have_text(
        [
            "Taking the lead on the role-plays.",
            "Nothing this week",
            "Checking in with me at the break.",
            "Finishing my sentences.",
        ]
    )

    # Fran's waiting page fetches itself again and shows both answers.
    expect(fran.locator(".checkin-answers")).to_have_count(0)
    fran.clock.run_for(15_500)
    expect(fran.locator(".checkin-answers dd")).to_have_text(
        [
            "Checking in with me at the break.",
            "Finishing my sentences.",
            "Taking the lead on the role-plays.",
            "Nothing this week",
        ]
    )
    fran.get_by_label("Reply").fill("thanks — I'll try that")
    fran.get_by_role("button", name="Send reply").click()
    expect(notice(fran)).to_have_text("Reply sent.")
    expect(fran.get_by_text("Your reply: thanks — I'll try that")).to_be_visible()
    cole.reload()
    expect(cole.get_by_text(f"{FRAN} replied: thanks — I'll try that")).to_be_visible()


# Polls in the page: after the signed-out page has loaded, the worker deletes every cache, then
# fetches the generic shell (the offline page with it) again.
CARD_CLEARED = """async ([url, timeout]) => {
  const cleared = async () => !(await caches.match(url)) && Boolean(await caches.match("/offline"));
  const deadline = Date.now() + timeout;
  while (!(await cleared()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return cleared();
}"""

OWN_FLAGGED = "A man who reminds me of my brother"
WORDS = "If I were in Fran's shoes right now I might feel a bit intimidated."


def share_and_agree(fran, cole, pair):
    """What the card shows from the pair, set up as the pair's own forms would send it."""
    post_form(fran, f"{pair}/conversation", {"answer-together": "Plan before, debrief after."})
    post_form(
        cole,
        f"{pair}/conversation",
        {"answer-situations": "When a man goes silent and stares.", "situation": HOMOPHOBIC},
    )
    strategy = {
        "s0-id": "confrontational",
        "s0-choice": "as_written",
        "s0-who": "The other facilitator",
        "s0-words": WORDS,
        "s0-signal": "a hand on the table",
        "s1-id": "humour",
        "s1-choice": "not_for_us",
    }
    post_form(fran, f"{pair}/agreement", {"number": "0", "revision": "0", **strategy})
    for page in (fran, cole):
        post_form(page, f"{pair}/agreement/confirm", {"number": "1", "revision": "1"})


@pytest.mark.service_worker
def test_the_card_opens_offline_and_goes_on_sign_out(new_context, live_server):
    fran, cole = phone(new_context, "facilitator"), phone(new_context, "coworker")
    pair = open_the_pair(fran)
    share_and_agree(fran, cole, pair)
    create_vault(fran)
    fran.get_by_role("link", name="Discomfort checklist").click()
    start_rating(fran)
    fran.get_by_label("Add a situation of your own").fill(OWN_FLAGGED)
    fran.get_by_role("button", name="Add", exact=True).click()
    kept_for_later(fran, OWN_FLAGGED).check()
    rating(fran, HOMOPHOBIC, 5).check()
    saved(fran)

    card = f"{live_server.url}{pair}/card"
    fran.goto(card)
    controlled_by_service_worker(fran)

    def the_card_is_shown():
        heading(fran, f"Tonight: {PAIR_NAME}")
        steps = fran.get_by_role("region", name="How we step in")
        expect(steps.get_by_role("heading", level=3)).to_have_text([CONFRONTATIONAL])
        expect(steps.locator("dd.words")).to_have_text(WORDS)
        expect(steps).to_contain_text("a hand on the table")
        partner = fran.get_by_role("region", name=f"What might be difficult for {COLE}")
        expect(partner).to_contain_text("When a man goes silent and stares.")
        expect(partner.locator("li")).to_have_text([HOMOPHOBIC])
        unlock(fran)
        flagged = fran.locator("[data-flagged] li")
        expect(flagged).to_have_text([OWN_FLAGGED, re.compile(rf"^{HOMOPHOBIC} \(rated 5 of 5")])

    the_card_is_shown()
    # The page kept on the phone holds only what the pair shares: the worker's own flagged
    # situations are decrypted in the page and never part of it.
    kept = fran.evaluate("async (url) => (await (await caches.match(url)).text())", card)
    assert "I might feel a bit intimidated." in kept and HOMOPHOBIC in kept
    assert OWN_FLAGGED not in kept

    live_server.stop()
    fran.reload()
    the_card_is_shown()

    live_server.start()
    fran.goto("/")
    sign_out(fran)
    assert fran.evaluate(CARD_CLEARED, [card, TIMEOUT_MS])

    # Offline again: the card is gone, and only the generic offline page opens.
    live_server.stop()
    fran.goto(card)
    heading(fran, "You're offline")
    expect(fran.get_by_text(PAIR_NAME)).to_have_count(0)
    expect(fran.get_by_text(WORDS)).to_have_count(0)
