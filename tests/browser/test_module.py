"""The module in real Chromium (issue 12): an admin re-times the guidelines' second
Sexual Respect session to 90 minutes, watching the total as they type; Fran plans tonight's
session with Cole and who leads each part; the card shows the run sheet, and again with the
server stopped; the printed session fits A4 paper.
"""

import re

import pytest
from conftest import PAIR_NAME, PEOPLE
from playwright.sync_api import expect

from .steps import controlled_by_service_worker, heading, open_the_pair, sign_in

COLE = PEOPLE["coworker"][0]
SESSION_TWO = "Sexual respect (2) – Sexual pressuring"
# A4 is 210 mm wide; at CSS's 96 px to the inch that is 793.7 px, 680 px inside 15 mm margins.
A4_WIDTH_PX = 794


def retime_session_two_to_90_minutes(admin):
    admin.goto("/module/")
    heading(admin, "Sexual respect sessions")
    admin.get_by_role("link", name=f"Adapt timings {SESSION_TWO}").click()
    heading(admin, "Adapt the timings")
    total = admin.locator("#timing-total")
    expect(total).to_contain_text("Total: 110 minutes")
    # The scenario from 30 minutes to 20, and "Tea and consent" (10) left out: 90.
    admin.get_by_label("Minutes").first.fill("20")
    expect(total).to_contain_text("Total: 100 minutes")
    admin.locator(".timing-step").filter(has_text="Tea and consent").get_by_label(
        "In the session"
    ).uncheck()
    expect(total).to_contain_text("Total: 90 minutes")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    admin.goto("/module/sexual_pressuring")
    expect(admin.locator(".session-total")).to_contain_text("90 minutes in all")


def test_minutes_typed_before_htmx_has_started_are_counted(page):
    """On a slow phone the page shows before its scripts run: what is typed then still counts."""
    sign_in(page, "admin")
    held = []
    page.route(re.compile(r"/static/htmx-[^/?]+\.js"), lambda route: held.append(route))
    page.goto("/module/sexual_pressuring/timing", wait_until="commit")
    heading(page, "Adapt the timings")
    page.get_by_label("Minutes").first.fill("20")
    expect(page.locator("#timing-total")).to_contain_text("Total: 110 minutes")
    assert held, "htmx was not held back"
    for route in held:
        route.continue_()
    expect(page.locator("#timing-total")).to_contain_text("Total: 100 minutes")


def plan_tonight(fran, pair):
    fran.goto(f"{pair}/plans")
    heading(fran, "Plan a session")
    fran.get_by_label("Starts at").fill("18:30")
    # Choosing the session brings its parts in, through htmx, without saving anything.
    fran.get_by_label("Session", exact=True).select_option(value="sexual_pressuring")
    leads = fran.locator("fieldset.leads")
    expect(leads).to_contain_text("90 minutes in all")
    expect(leads.get_by_label(re.compile("^Tea and consent"))).to_have_count(0)
    leads.get_by_label(re.compile("^Sexual abuse scenario")).select_option(label=COLE)
    leads.get_by_label(re.compile("^What we want from sex")).select_option(label="Both of you")
    fran.get_by_role("button", name="Save the plan").click()
    expect(fran.get_by_role("status").filter(has_text="Planned.")).to_be_visible()


@pytest.mark.service_worker
def test_an_admin_retimes_a_session_and_a_pair_runs_it_from_the_card_offline(
    new_context, live_server
):
    retime_session_two_to_90_minutes(sign_in(new_context().new_page(), "admin"))
    fran = sign_in(new_context().new_page(), "facilitator")
    pair = open_the_pair(fran, PAIR_NAME)
    plan_tonight(fran, pair)

    card = f"{live_server.url}{pair}/card"
    fran.goto(card)
    controlled_by_service_worker(fran)

    def the_run_sheet_is_shown():
        tonight = fran.get_by_role("region", name="Tonight's session")
        expect(tonight).to_contain_text(SESSION_TWO)
        expect(tonight).to_contain_text("18:30 to 20:00, 90 minutes")
        # Respect §3.14 (issue 24): the half hour before and after, around the clock times.
        expect(tonight.locator("#run-sheet-preparation")).to_contain_text("Preparation from 18:00")
        expect(tonight.locator("#run-sheet-debrief")).to_contain_text("Debrief until 20:30")
        rows = tonight.locator(".run-sheet > li:not(.run-sheet-half-hour)")
        expect(rows).to_have_count(5)
        expect(rows.nth(0)).to_contain_text("18:30")
        expect(rows.nth(0)).to_contain_text(f"Leads: {COLE}")
        expect(rows.nth(1)).to_contain_text("18:50")
        expect(rows.nth(1)).to_contain_text("Leads: Both of you")
        # An activity's notes are one tap away, in the page itself.
        rows.nth(0).get_by_text("Notes").click()
        expect(rows.nth(0)).to_contain_text("Johnny and Sheila")

    the_run_sheet_is_shown()
    live_server.stop()
    fran.reload()
    the_run_sheet_is_shown()
    live_server.start()


def test_the_printed_session_fits_a4(page):
    sign_in(page, "facilitator")
    page.goto("/module/sexual_pressuring/print")
    heading(page, SESSION_TWO)
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".map((e) => e.tagName + '.' + e.className)"
    )
    assert overflow == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= A4_WIDTH_PX
    # Everything is on the paper: the handout in full, nothing folded away.
    expect(
        page.get_by_text("Johnny and Sheila have been together for three years.")
    ).to_be_visible()
    expect(page.locator("header")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 20, pages
