"""The discomfort checklist in real Chromium (issue 3, exercise 4).

Guidelines, "Know your painful points": "go through the checklist of these below and scale from
1-5 how uncomfortable they would be for you". The worker rates the organisation's situations and
their own, dated; the history chart is drawn in the browser from the vault; "Keep for sharing
later" marks stay in the vault. And, as for every private exercise, a marker written here reaches
no request, no database file and no log line.
"""

import re
from datetime import datetime

from playwright.sync_api import expect

from .steps import (
    HOMOPHOBIC,
    NO_IDLE_LOCK,
    Recording,
    fran_with_a_private_space,
    heading,
    kept_for_later,
    lock,
    past_the_content_note,
    rating,
    reload_and_unlock,
    saved,
    sign_in,
    sign_out,
    sign_out_from_the_vault,
    start_rating,
)

OWN_MARKER = "MARKER-9d4c a man who reminds me of my father"
FRANKLY = "Having to speak frankly about sex, masturbation etc. with a group of men"


def test_ratings_are_dated_charted_and_kept_only_on_the_phone(
    context, page, live_server, tmp_path, caplog, capfd
):
    recording = Recording(context, page, live_server, caplog)
    page.clock.install(time=datetime(2024, 5, 1, 9, 30))
    fran_with_a_private_space(page)
    page.evaluate(NO_IDLE_LOCK)
    page.get_by_role("link", name="Discomfort checklist").click()
    past_the_content_note(page)
    expect(page.get_by_text("Only you can see this.")).to_be_visible()
    instruction = page.get_by_text("scale from 1-5 how uncomfortable they would be for you")
    expect(instruction.first).to_be_visible()
    start_rating(page)
    # The organisation's 13 situations, each skippable, plus an own situation.
    expect(page.locator("[data-checklist] fieldset")).to_have_count(13)
    page.get_by_label("Add a situation of your own").fill(OWN_MARKER)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to your own situations.")).to_be_visible()
    rating(page, OWN_MARKER, 5).check()
    rating(page, HOMOPHOBIC, 2).check()
    kept_for_later(page, OWN_MARKER).check()
    saved(page)

    # A reload forgets the key; unlocking brings back the open rating, own situation and mark.
    reload_and_unlock(page)
    expect(rating(page, OWN_MARKER, 5)).to_be_checked()
    expect(rating(page, HOMOPHOBIC, 2)).to_be_checked()
    expect(rating(page, FRANKLY, 1)).not_to_be_checked()
    expect(kept_for_later(page, OWN_MARKER)).to_be_checked()
    expect(kept_for_later(page, HOMOPHOBIC)).not_to_be_checked()
    page.get_by_role("button", name="Finish").click()
    heading(page, "How it has changed")

    # A month later, a second time through: the own situation is still on the list.
    page.clock.set_system_time(datetime(2024, 6, 3, 18, 0))
    start_rating(page)
    rating(page, OWN_MARKER, 3).check()
    rating(page, HOMOPHOBIC, 2).check()
    rating(page, FRANKLY, 4).check()
    # Skipping is always possible, even after choosing.
    page.get_by_role("button", name=f"Clear my answer ({FRANKLY})").click()
    expect(rating(page, FRANKLY, 4)).not_to_be_checked()
    saved(page)
    page.get_by_role("button", name="Finish").click()

    reload_and_unlock(page)
    history = page.locator("[data-history] > li")
    expect(history).to_have_count(2)  # only what was rated
    own = history.filter(has=page.get_by_role("heading", name=OWN_MARKER))
    # The chart, drawn in the browser: one dot per dated rating, joined by a line.
    expect(own.locator("svg.chart circle.chart-dot")).to_have_count(2)
    expect(own.locator("svg.chart path.chart-line")).to_have_count(1)
    expect(own.locator("svg.chart text")).to_contain_text(["1", "3", "5", "May 1", "Jun 3"])
    # ...and its text alternative.
    expect(own.locator(".history-points li")).to_have_text(
        [
            re.compile(r"^May 1, 2024.*: 5, very uncomfortable$"),
            re.compile(r"^Jun 3, 2024.*: 3, somewhat uncomfortable$"),
        ]
    )
    expect(page.locator("[data-kept] li")).to_have_text([OWN_MARKER])
    expect(page.locator("[data-past] button")).to_have_count(2)
    expect(page.get_by_text("Nothing is shared until you choose to").first).to_be_visible()

    lock(page)
    assert OWN_MARKER not in page.content()
    sign_out_from_the_vault(page)
    recording.assert_nothing_left_the_phone((OWN_MARKER,), tmp_path, caplog, capfd)


def test_the_organisations_changes_to_the_situations_reach_the_checklist(page):
    sign_in(page, "admin")
    page.goto("/organisation/content/situation")
    page.locator(".entry").first.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    page.get_by_label("Situation").first.fill("A man who laughs off a partner's fear")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("A man who laughs off a partner's fear")).to_be_visible()
    sign_out(page)

    fran_with_a_private_space(page)
    page.get_by_role("link", name="Discomfort checklist").click()
    start_rating(page)
    situations = page.locator("[data-checklist] legend")
    expect(situations).to_have_count(13)
    expect(situations.last).to_have_text("A man who laughs off a partner's fear")
    expect(page.get_by_role("group", name=FRANKLY, exact=True)).to_have_count(0)


def test_a_mark_kept_for_later_says_saving_until_it_is_saved(page, live_server):
    """The marks and own situations are a record of their own. Its note said "Saved" (the last
    save's) while a new mark was still on its way, so a person, or a test, could leave before it
    was kept: a fresh clone's run lost both marks that way."""
    fran_with_a_private_space(page)
    page.evaluate(NO_IDLE_LOCK)
    page.get_by_role("link", name="Discomfort checklist").click()
    start_rating(page)
    page.get_by_label("Add a situation of your own").fill(OWN_MARKER)
    page.get_by_role("button", name="Add", exact=True).click()
    rating(page, HOMOPHOBIC, 2).check()  # a rating begun: a reload brings it back
    saved(page)
    # Marked, and the notes read in the same moment, before the encrypted save can finish.
    notes = kept_for_later(page, HOMOPHOBIC).evaluate(
        "(box) => { box.click();"
        " return [...document.querySelectorAll('[data-saved]')].map((n) => n.textContent); }"
    )
    assert notes and set(notes) == {"Saving…"}, notes
    saved(page)
    reload_and_unlock(page)
    expect(kept_for_later(page, HOMOPHOBIC)).to_be_checked()
