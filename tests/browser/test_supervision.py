"""A supervisor's work in a real browser, with the pair on their own phones (issue 5).

The admin assigns Sol to supervise Fran; Fran and Cole agree and share their agreement; Sol
comments, marks it reviewed and then asks for a change, which the pair sees; Sol logs a meeting
and the month view shows the shortfall against Respect §3.13's 1.5 hours a month.
"""

import re
from datetime import date

from conftest import PEOPLE
from playwright.sync_api import expect

from .steps import sign_in

SOL, FRAN, COLE = (PEOPLE[who][0] for who in ("supervisor", "facilitator", "coworker"))


def pair_page(page, link):
    """From home, the pair's page: the pair's name is its link."""
    page.goto("/")
    page.get_by_role("link", name="Thursday morning group").first.click()
    page.get_by_role("link", name=link).click()


def agree_and_share(page, first):
    """A partner confirms the agreement and shares it; the first saves the guidelines'
    strategies as they are before confirming."""
    pair_page(page, "How we step in: our agreement")
    if first:
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text("Saved. Both of you confirm it")).to_be_visible()
    page.get_by_role("button", name=re.compile("I confirm version")).click()
    expect(page.locator("main").get_by_role("status")).to_contain_text(
        re.compile("Confirmed|Agreed by both")
    )
    pair_page(page, "What supervision sees")
    agreement = page.locator("section", has=page.get_by_role("heading", name="Our agreement"))
    agreement.get_by_role("button", name="Yes, share this").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text(
        "Your co-worker sees that you said yes"
    )


def test_supervisor_assigns_reviews_asks_for_a_change_and_logs_a_meeting(new_context):
    admin, sol, fran, cole = (new_context().new_page() for _ in range(4))
    sign_in(admin, "admin")
    for who, page in (("supervisor", sol), ("facilitator", fran), ("coworker", cole)):
        sign_in(page, who)

    # The admin assigns Sol to Fran.
    admin.get_by_role("link", name="Who supervises whom").click()
    admin.get_by_label("Supervisor", exact=True).select_option(label=SOL)
    admin.get_by_label("Supervises", exact=True).select_option(label=FRAN)
    admin.get_by_role("button", name="Assign").click()
    expect(admin.get_by_text(f"{SOL} supervises {FRAN}")).to_be_visible()

    # Sol sees Fran and her pair, but no agreement until both partners share it.
    sol.get_by_role("link", name="Open supervision").click()
    expect(sol.get_by_role("link", name=FRAN)).to_be_visible()
    expect(sol.get_by_role("link", name="Thursday morning group")).to_be_visible()
    expect(sol.get_by_text("waiting for your review")).to_have_count(0)

    agree_and_share(fran, first=True)
    agree_and_share(cole, first=False)
    expect(cole.get_by_text("Your co-worker sees that you said yes")).to_be_visible()

    sol.reload()
    sol.get_by_role("link", name=re.compile("waiting for your review")).click()
    expect(sol.get_by_role("heading", name=re.compile("Agreement: Thursday"))).to_be_visible()

    # A comment, then "reviewed": both go to the pair, by htmx, without leaving the page.
    sol.get_by_label("Comment", exact=True).check()
    sol.get_by_label("Your words to the pair").fill("Good to see you chose the words together.")
    sol.get_by_role("button", name="Send to the pair").click()
    expect(sol.get_by_text("Good to see you chose the words together.")).to_be_visible()
    sol.get_by_label("Mark this version reviewed").check()
    sol.get_by_role("button", name="Send to the pair").click()
    reviews = sol.locator("#reviews")
    expect(reviews.get_by_text("Reviewed", exact=True)).to_be_visible()

    # Asking for a change needs words: the form says so and keeps the choice.
    sol.get_by_label("Ask for a change").check()
    sol.get_by_role("button", name="Send to the pair").click()
    expect(sol.get_by_text("Please write what you'd like to say to the pair.")).to_be_visible()
    expect(sol.get_by_label("Ask for a change")).to_be_checked()
    sol.get_by_label("Your words to the pair").fill("Please agree who steps in on humour.")
    sol.get_by_role("button", name="Send to the pair").click()
    expect(reviews.get_by_text("Please agree who steps in on humour.")).to_be_visible()

    # The pair sees all three on their agreement, and Sol's look in their log.
    pair_page(cole, "How we step in: our agreement")
    from_supervision = cole.locator(
        "section", has=cole.get_by_role("heading", name="From supervision")
    )
    expect(from_supervision).to_contain_text("Good to see you chose the words together.")
    expect(from_supervision).to_contain_text("Reviewed")
    expect(from_supervision).to_contain_text("A change asked for")
    expect(from_supervision).to_contain_text("Please agree who steps in on humour.")
    pair_page(fran, "What supervision sees")
    expect(fran.get_by_text(f"{SOL}: your agreement")).to_be_visible()

    # Sol logs a 45-minute meeting: the month view shows it under the 1.5 hour minimum.
    sol.goto("/supervision/")
    sol.get_by_role("link", name=FRAN).click()
    sol.get_by_role("link", name=f"Log a session with {FRAN}").click()
    sol.get_by_label("How long, in minutes").fill("45")
    sol.get_by_label("Exploring the personal impact of the work").check()
    sol.get_by_label("Notes (optional)").fill("Tuesday's disclosure; what helped afterwards.")
    sol.get_by_role("button", name="Save the session").click()
    this_month = date.today().strftime("%B %Y")
    figures = sol.locator(".chart-figures")
    expect(figures).to_contain_text(f"{this_month}: 0.8 hours so far this month")
    expect(sol.locator("svg .bar-short")).not_to_have_count(0)
    expect(sol.get_by_text("Tuesday's disclosure; what helped afterwards.")).to_be_visible()

    # Fran reads the note about her in her own record.
    fran.goto("/")
    fran.get_by_role("link", name="Open your record").click()
    expect(fran.get_by_text("Tuesday's disclosure; what helped afterwards.")).to_be_visible()
    expect(fran.locator(".chart-figures")).to_contain_text(f"{this_month}: 0.8 hours")
