"""Issue 27, "In their shoes": each person's journey walked on a 360 × 740 phone, asserting what
the person sees. A facilitator after a group, alone in the private space, a trainer running a
room, an admin, and a supervisor preparing supervision; then every page as every demo user,
read for placeholder text a person should never meet.

`SCREENSHOTS=1 pytest tests/browser/test_journeys.py` also writes the README's screenshots of
the screens this issue changed (docs/screenshots/).
"""

import os
import re
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import PAIR_NAME, PEOPLE, make_app
from playwright.sync_api import expect

from wellbeing.db import sqlite3
from wellbeing.demo import DEMO_PEOPLE

from .conftest import PHONE, LiveServer
from .steps import (
    create_vault,
    fran_with_a_private_space,
    heading,
    lock,
    open_the_pair,
    post_form,
    sign_in,
    sign_in_as,
    unlock,
)

FRAN, COLE, SOL = (PEOPLE[who][0] for who in ("facilitator", "coworker", "supervisor"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SLIDER = "Your place on the line from “always abusive” to “never abusive”"
TIMEOUT_MS = 10_000

# Words a person should never read on a screen: placeholders, a doubled word, a promise nobody
# keeps, and what a template or a script prints when a value is missing.
PLACEHOLDERS = [
    "(none)",
    "(left blank)",
    "(not decided)",
    "(no email given)",
    "week week",
    "being checked",
    "undefined",
    "NaN",
    "[object Object]",
    "{date}",
    "{place}",
    "{name}",
    "%(",
    "Lorem",
    "TODO",
]
# "None" alone, as Python prints a missing value ("None yet." and "None logged yet." are words).
PYTHON_NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z ])")


def database_of(tmp_path):
    return tmp_path / "wellbeing.db"


def query(tmp_path, sql, params=()):
    with sqlite3.connect(database_of(tmp_path)) as conn:
        found = conn.execute(sql, params).fetchall()
    conn.close()
    return found


def user_id(tmp_path, who):
    ((found,),) = query(tmp_path, "select id from users where email = ?", [PEOPLE[who][1]])
    return found


def assign_sol_to_fran(new_context, tmp_path):
    admin = sign_in(new_context().new_page(), "admin")
    form = {
        "supervisor": user_id(tmp_path, "supervisor"),
        "supervisee": user_id(tmp_path, "facilitator"),
    }
    post_form(admin, "/supervision/assignments", {k: str(v) for k, v in form.items()})


# --- a facilitator after the group ------------------------------------------------------------


def test_a_logged_group_shows_as_run_to_the_supervisor_and_a_double_tap_logs_once(
    new_context, tmp_path
):
    assign_sol_to_fran(new_context, tmp_path)
    fran = sign_in(new_context().new_page(), "facilitator")
    cole = sign_in(new_context().new_page(), "coworker")
    pair = open_the_pair(fran)
    pair_id = pair.rsplit("/", 1)[1]
    # Both share their sessions with supervision; Fran plans tonight.
    for page in (fran, cole):
        post_form_to(page, f"{pair}/sharing", f"{pair}/consents/sessions")
    fran.goto(f"{pair}/card")
    tonight = fran.locator("#group-log input[name=held_on]").input_value()
    post_form_to(
        fran,
        f"{pair}/plans",
        f"{pair}/plans",
        {
            "held_on": tonight,
            "starts_at": "18:30",
            "session_key": "sexual_pressuring",
            "base": "0",
            "action": "save",
        },
    )
    # Cole came with experience (the admin marked it), and last week's group was with him:
    # tonight's tick starts that way. (While neither is experienced, it starts unticked.)
    admin = sign_in(new_context().new_page(), "admin")
    cole_id = user_id(tmp_path, "coworker")
    post_form_to(
        admin,
        "/organisation/team",
        f"/organisation/people/{cole_id}/experienced",
        {"experienced": "yes"},
    )
    post_form_to(
        fran,
        f"{pair}/card",
        f"{pair}/group-sessions",
        {"held_on": "2026-01-06", "with_experienced": "y", "key": "last-week-key"},
    )

    fran.goto(f"{pair}/card")
    log = fran.locator("#group-log")
    expect(log.get_by_label("With an experienced co-worker")).to_be_checked()
    expect(log).to_contain_text("Kept: the date, the pair, whether an experienced co-worker")
    expect(log).to_contain_text("how many men took part")
    key = log.locator("input[name=key]").input_value()
    assert len(key) >= 16
    # A double tap on a bad signal: one group logged, and the form gives way to "Logged ✓".
    log.get_by_role("button", name="Log the group").dblclick()
    expect(log.get_by_text("Logged ✓")).to_be_visible()
    expect(log.get_by_role("button", name="Undo")).to_be_visible()
    expect(log.get_by_role("button", name="Log the group")).to_have_count(0)
    # The same form sent once more, as a phone's retry would: still one.
    again = fran.request.post(
        f"{pair}/group-sessions",
        form={"csrf_token": csrf_of(fran, f"{pair}/plans"), "held_on": tonight, "key": key},
    )
    # Honoured, not refused: the phone hears "logged", as it did the first time.
    assert again.ok and "Logged ✓" in again.text(), again.status
    logged = query(tmp_path, "select count(*) from group_logs where held_on = ?", [tonight])
    assert logged == [(1,)]

    # The plan is run, for the pair and for their supervisor.
    fran.goto(f"{pair}/plans")
    expect(fran.locator("#planned .plan").filter(has_text=tonight)).to_contain_text("run")
    sol = sign_in(new_context().new_page(), "supervisor")
    sol.goto(f"/supervision/pairs/{pair_id}")
    sessions = sol.locator("section[aria-labelledby=sessions-heading]")
    expect(sessions.get_by_text(re.compile(rf"{tonight} · .* · run"))).to_be_visible()

    # Undo takes the log back and the plan with it; the form comes back, ready again.
    fran.goto(f"{pair}/card")
    fran.locator("#group-log").get_by_role("button", name="Undo").click()
    expect(fran.locator("#group-log").get_by_role("button", name="Log the group")).to_be_visible()
    sol.reload()
    expect(sessions.get_by_text(re.compile(rf"{tonight} · .* · planned"))).to_be_visible()

    # And the reverse: "We ran it" on the plan logs the group on Fran's record.
    fran.goto(f"{pair}/plans")
    fran.get_by_role("button", name=f"We ran it {tonight}").click()
    expect(fran.get_by_text("Marked as run, and logged on your record.")).to_be_visible()
    assert query(
        tmp_path, "select with_experienced from group_logs where held_on = ?", [tonight]
    ) == [(1,)]
    fran.goto("/supervision/me")
    expect(fran.get_by_text(re.compile(rf"{tonight} · {PAIR_NAME}"))).to_be_visible()
    expect(fran.get_by_text("one tick are kept")).to_have_count(0)


def csrf_of(page, path):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.request.get(path).text()).group(
        1
    )


def post_form_to(page, form_page, path, data=None):
    """A form post with this phone's session and a form token read from `form_page`."""
    response = page.request.post(
        path, form={"csrf_token": csrf_of(page, form_page), **(data or {})}
    )
    assert response.ok, response.status
    return response


# --- the supervisor's agenda ----------------------------------------------------------------------


def test_the_supervisors_agenda_shows_a_shared_note_and_never_an_unshared_one(
    new_context, tmp_path
):
    assign_sol_to_fran(new_context, tmp_path)
    fran = sign_in(new_context().new_page(), "facilitator")
    pair = open_the_pair(fran)
    fran.goto(f"{pair}/card")
    fran.get_by_role("link", name="Note something to bring to supervision").click()
    heading(fran, "To bring to supervision")
    expect(fran.locator(".audience")).to_contain_text("Only you, until you share a note")
    note = fran.get_by_label("To bring to supervision")
    note.fill("I froze when the group laughed at the joke about her.")
    fran.get_by_role("button", name="Keep it for me").click()
    expect(fran.get_by_text("Kept. Only you can read it.")).to_be_visible()
    note.fill("Kept for me: how tired I was tonight.")
    fran.get_by_role("button", name="Keep it for me").click()

    # Sharing is one act, after an exact preview that names who will read it.
    shared = fran.locator(".notes li").filter(has_text="I froze")
    shared.get_by_role("link", name="Share with my supervisor…").click()
    heading(fran, "Share with your supervisor?")
    expect(fran.locator("#note-preview")).to_have_text(
        "I froze when the group laughed at the joke about her."
    )
    expect(fran.locator(".audience")).to_contain_text(SOL)
    fran.get_by_role("button", name="Share this note").click()
    expect(fran.get_by_text("Shared with your supervisor.")).to_be_visible()

    # Cole, her partner, never sees her notes.
    cole = sign_in(new_context().new_page(), "coworker")
    cole.goto(f"{pair}/to-bring")
    expect(cole.get_by_text("I froze")).to_have_count(0)

    sol = sign_in(new_context().new_page(), "supervisor")
    sol.goto(f"/supervision/people/{user_id(tmp_path, 'facilitator')}")
    agenda = sol.locator("#agenda")
    expect(agenda).to_contain_text("I froze when the group laughed at the joke about her.")
    expect(agenda).not_to_contain_text("how tired I was")
    # The look is logged for the pair, like every other.
    fran.goto(f"{pair}/sharing")
    expect(
        fran.get_by_text(f"{SOL}: notes one of you shared to bring to supervision")
    ).to_be_visible()
    # What stays between them is said beside what is shared.
    sol.goto(f"/supervision/pairs/{pair.rsplit('/', 1)[1]}")
    shared_box = sol.get_by_role("heading", name="Shared with you").bounding_box()
    kept_box = sol.get_by_role("heading", name="Kept between them").bounding_box()
    assert abs(shared_box["y"] - kept_box["y"]) < 2 and shared_box["x"] < kept_box["x"]
    expect(sol.locator("#shared-and-kept")).to_contain_text(
        "Their answers to the new-partnership questions"
    )

    # Withdrawn: off the agenda at once.
    fran.goto(f"{pair}/to-bring")
    fran.get_by_role("button", name=re.compile("Withdraw the note")).click()
    expect(fran.get_by_text("Withdrawn. Only you can read it again.")).to_be_visible()
    sol.goto(f"/supervision/people/{user_id(tmp_path, 'facilitator')}")
    expect(sol.locator("#agenda")).to_contain_text("Nothing shared for the next supervision.")
    # Sealed at rest like all pair and supervision free text.
    texts = [t for (t,) in query(tmp_path, "select text_sealed from supervision_notes")]
    assert len(texts) == 2 and all(t.startswith("aes1.") and "froze" not in t for t in texts)


# --- alone in the private space ----------------------------------------------------------------


def test_a_new_private_space_shows_no_backup_reminder(page):
    # The phone's clock runs as usual, so two weeks can pass in the middle of the test.
    page.clock.install()
    sign_in(page, "facilitator")
    # No private space yet: no lock in the top bar to read like an account problem.
    expect(page.locator("header [data-lock]")).to_be_hidden()
    create_vault(page)
    reminder = page.locator("[data-backup-reminder]")
    expect(page.get_by_role("heading", name="Keep a copy safe")).to_be_visible()
    expect(reminder).to_be_hidden()
    lock(page)
    expect(
        page.locator("header").get_by_role("button", name="Private notes: locked")
    ).to_be_visible()
    # Still one row of the top bar at 360 px, and nothing off the side.
    assert page.locator("header").bounding_box()["height"] <= 60
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Two weeks on, still empty, unlocked again: still nothing to remind about.
    page.clock.set_system_time(datetime.now() + timedelta(days=15))
    page.reload()
    unlock(page)
    expect(page.get_by_role("heading", name="Keep a copy safe")).to_be_visible()
    expect(reminder).to_be_hidden()
    # The setup's passphrase boxes have "Show", and the recovery sheet is linked.
    # Only once a note has waited two weeks outside any backup does it say so, gently.
    page.evaluate(
        """async () => {
          const holder = document.querySelector("[data-vault]");
          const vault = (await import("vault")).openVault(holder.dataset.vault);
          await vault.put("shoulds", "shoulds-old", { lines: ["a note"] });
          localStorage.setItem("wellbeing:vault-unsaved-since:" + holder.dataset.vault,
            new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString());
        }"""
    )
    page.reload()
    unlock(page)
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("more than two weeks old and aren't in a backup yet")


def test_setting_up_the_private_space_shows_the_passphrase_on_request(page):
    sign_in(page, "facilitator")
    page.goto("/private/")
    heading(page, "Before you start: choose a passphrase")
    box = page.get_by_label("Choose a passphrase", exact=True)
    box.fill("a quiet room with the door shut")
    expect(box).to_have_attribute("type", "password")
    page.locator("[data-show-passphrase=new-passphrase]").click()
    expect(page.locator("[data-show-passphrase=new-passphrase]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(box).to_have_attribute("type", "text")
    page.get_by_role("link", name="The recovery sheet").click()
    expect(page).to_have_url(re.compile("/private/recovery-sheet$"))


def test_the_checklist_opens_with_its_content_note(page):
    fran_with_a_private_space(page)
    page.get_by_role("link", name="Discomfort checklist").click()
    note = page.locator("[data-when=note]")
    expect(note.get_by_role("heading", name="Before you go on")).to_be_visible()
    expect(note).to_contain_text("this material can be uncomfortable, painful, and even traumatic")
    expect(page.get_by_role("button", name="Start a new rating")).to_be_hidden()
    expect(note.get_by_role("link", name="Not now: back to your private space")).to_be_visible()
    page.get_by_role("button", name="Go on to the checklist").click()
    expect(page.get_by_role("heading", name="About this checklist")).to_be_visible()

    # Opened and left without a rating: nothing is kept, not even "not finished".
    page.get_by_role("button", name="Start a new rating").click()
    items = page.locator(".checklist-item fieldset")
    expect(items.first).to_be_visible()
    # At 360 px each situation stays inside its card: its text starts below the card's top edge.
    for i in range(items.count()):
        card, text = items.nth(i).bounding_box(), items.nth(i).locator("legend").bounding_box()
        assert text["y"] >= card["y"] + 1 and text["x"] + text["width"] <= card["x"] + card["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Stop here for now").click()
    expect(page.get_by_role("heading", name="About this checklist")).to_be_visible()
    expect(page.locator("[data-past] li")).to_have_count(0)
    expect(page.locator("[data-no-past]")).to_be_visible()


# --- a trainer running a room --------------------------------------------------------------------


def open_room(trainer):
    trainer.goto("/rooms/")
    trainer.get_by_role("button", name="Open a room").click()
    title = trainer.get_by_role("heading", level=1)
    expect(title).to_contain_text("Training day room ")
    return title.inner_text().rsplit(" ", 1)[1]


def test_the_line_cant_be_placed_without_a_first_tap(new_context, tmp_path):
    trainer = sign_in(new_context().new_page(), "facilitator")
    code = open_room(trainer)
    phone = new_context().new_page()
    phone.goto(f"/join?code={code}")
    phone.get_by_role("button", name="Join", exact=True).click()
    slider = phone.get_by_role("slider", name=SLIDER)
    expect(phone.locator("form.placement[data-live]")).to_be_attached()
    button = phone.get_by_role("button", name="Place me here")
    expect(button).to_be_disabled()
    expect(phone.locator("[data-place-state]")).to_have_text(
        "Not placed yet. Tap the line where you stand; you can drag to adjust."
    )
    expect(phone.get_by_text("arrow keys")).to_have_count(0)
    # No knob until the tap; a knob of at least 44 px once there is one.
    expect(slider).to_have_class(re.compile("unplaced"))
    assert slider.bounding_box()["height"] >= 44
    thumb = phone.evaluate(
        """() => getComputedStyle(document.querySelector('input.place'), '::-webkit-slider-thumb')
        .height"""
    )
    assert float(thumb.rstrip("px")) >= 44, thumb
    # Nothing is recorded yet: the projector's count is of people who chose.
    assert query(tmp_path, "select count(*) from placements") == [(0,)]

    box = slider.bounding_box()
    phone.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2)
    expect(phone.locator("[data-place-state]")).to_contain_text("Placed: ")
    expect(button).to_be_enabled()
    expect(slider).not_to_have_class(re.compile("unplaced"))
    ((position,),) = query(tmp_path, "select position from placements")
    assert position < 400

    # A first place sent without a tap (no script, or a stale form) is refused, never kept.
    other = new_context().new_page()
    other.goto(f"/join?code={code}")
    other.get_by_role("button", name="Join", exact=True).click()
    expect(other.get_by_role("slider", name=SLIDER)).to_be_visible()
    form = other.locator("form.placement")
    fields = {
        name: form.locator(f"input[name={name}]").input_value()
        for name in ("csrf_token", "practice", "round", "position")
    }
    sent = other.request.post(
        f"/line/{code}/placement",
        form=fields | {"unchosen": "yes"},
        headers={"Accept": "application/json"},
    )
    assert sent.status == 422
    assert query(tmp_path, "select count(*) from placements") == [(1,)]


def test_the_projector_page_has_no_top_bar(new_context):
    trainer = sign_in(new_context().new_page(), "facilitator")
    code = open_room(trainer)
    # The trainer's page opens with the code, the QR and "Open the projector", on one screen.
    for thing in (
        trainer.locator(".room-code"),
        trainer.locator(".qr svg"),
        trainer.get_by_role("link", name="Open the projector"),
    ):
        expect(thing).to_be_visible()
        assert thing.bounding_box()["y"] + thing.bounding_box()["height"] <= PHONE["height"] * 1.6
    kept = trainer.locator(".audience").inner_text()
    retention = re.search(r"Everything in a room is deleted \d+ days? after it was opened\.", kept)
    assert retention, kept
    expect(trainer.get_by_text("first name")).to_have_count(0)

    trainer.get_by_role("link", name="Open the projector").click()
    expect(trainer.locator(".room-code")).to_have_text(code)
    expect(trainer.locator("header")).to_have_count(0)
    expect(trainer.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(trainer.get_by_role("button", name="Support")).to_have_count(0)
    expect(trainer.get_by_role("button", name="Full screen")).to_be_visible()
    expect(trainer.get_by_role("link", name="Back to the controls")).to_be_visible()

    # The join page says the same retention figure, the same way, and nothing about names.
    phone = new_context().new_page()
    phone.goto("/join")
    expect(phone.locator("#what-is-kept")).to_contain_text(retention.group(0))
    expect(phone.locator("#what-is-kept")).not_to_contain_text("name")
    expect(phone.get_by_text("some days")).to_have_count(0)


# --- an admin ----------------------------------------------------------------------------------


def test_switching_off_asks_first(new_context, tmp_path):
    assign_sol_to_fran(new_context, tmp_path)
    admin = sign_in(new_context().new_page(), "admin")
    admin.goto("/organisation/people")
    fran_card = admin.locator("li.member").filter(has_text=FRAN)
    fran_card.get_by_text(f"Manage {FRAN}").click()
    # Delete is set apart and quieter than the rest: never a solid red button on the card.
    expect(fran_card.locator(".button.danger")).to_have_count(0)
    expect(
        fran_card.locator(".set-apart").get_by_role("link", name=f"Delete {FRAN}…")
    ).to_be_visible()
    fran_card.get_by_role("link", name=re.compile("^Switch off…")).click()
    heading(admin, f"Switch off {FRAN}?")
    happens = admin.locator("#what-happens")
    expect(happens).to_contain_text(f"co-working with {COLE} ends")
    expect(happens).to_contain_text(f"{SOL} no longer supervises {FRAN}")
    # Nothing happened yet; keeping them changes nothing.
    admin.get_by_role("link", name="Keep them on").click()
    heading(admin, "People and invitations")
    assert query(tmp_path, "select disabled_at from users where name = ?", [FRAN]) == [(None,)]
    # Confirmed: switched off, and said so.
    admin.goto(f"/organisation/people/{user_id(tmp_path, 'facilitator')}/disable")
    admin.get_by_role("button", name=f"Switch off {FRAN}").click()
    expect(admin.get_by_text(f"{FRAN} is switched off")).to_be_visible()
    expect(admin.locator("li.member").filter(has_text=FRAN)).to_contain_text("switched off")
    # Delete asks too, and says the same about the people around them.
    admin.goto(f"/organisation/people/{user_id(tmp_path, 'facilitator')}/delete")
    expect(admin.locator("#what-happens")).to_contain_text("Their pair:")


def test_a_made_invitation_says_whom_which_role_and_when_it_expires(page):
    sign_in(page, "admin")
    page.goto("/organisation/people")
    page.get_by_label("Their name (optional)").fill("Jo")
    page.get_by_label("Their email (optional)").fill("jo@one.example")
    page.get_by_label("Facilitator: runs groups, prepares, co-works").check()
    page.get_by_role("button", name="Create invitation link").click()
    label = page.locator("label[for=new-link]")
    expect(label).to_have_text(
        re.compile(r"^Link for Jo \(jo@one\.example\) · facilitator · expires \d{1,2} [A-Z][a-z]+$")
    )
    expect(page.locator("#open-heading + ul")).to_contain_text("Link for Jo (jo@one.example)")


# --- every page as every demo user ---------------------------------------------------------


@pytest.fixture
def demo_server(tmp_path):
    """The demo organisation `make run` serves, on a live server of its own."""
    from wellbeing.db import get_db, migrate
    from wellbeing.demo import create_demo

    database = tmp_path / "demo.db"
    app = make_app(database)
    app.config["SESSION_COOKIE_SECURE"] = False
    with app.app_context():
        migrate(get_db())
        create_demo()
    server = LiveServer(app)
    yield server
    server.stop()


# Links a crawl must not follow: they sign out, download, or leave the site.
SKIP = re.compile(r"/signout|/export\.|/data$|/backup|/sw\.js|/static/|\.json$|\.csv$|/join")
PAGES_PER_PERSON = 60


def placeholders_on(text: str) -> list[str]:
    found = [word for word in PLACEHOLDERS if word in text]
    found += [
        f"None in “{m.string[max(0, m.start() - 30) : m.end() + 30]}”"
        for m in PYTHON_NONE.finditer(text)
    ]
    return found


# Each demo person's crawl is a test of its own, so that the four can run side by side.
@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=[person[0] for person in DEMO_PEOPLE])
def test_no_page_as_any_demo_user_shows_a_placeholder(browser, demo_server, person):
    name, email, password, _roles = person
    problems = {}
    context = browser.new_context(base_url=demo_server.url, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = sign_in_as(context.new_page(), name, email, password)
    seen, queue = set(), deque(["/"])
    while queue and len(seen) < PAGES_PER_PERSON:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue
        # Loaded, and no htmx request still on its way in. (Not "networkidle": that waits
        # 500 ms on every page, two thirds of this crawl's time.)
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        text = page.locator("body").inner_text()
        found = placeholders_on(text)
        if found:
            problems[path] = found
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(urljoin(demo_server.url + path, href))
            if url.netloc != urlparse(demo_server.url).netloc or SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen:
                queue.append(target)
    context.close()
    assert len(seen) > 5, f"{name} reached only {sorted(seen)}"
    assert not problems, problems


def test_the_placeholder_check_catches_each_placeholder():
    # The check itself can fail: every listed word is found, and "None yet." is not.
    for word in PLACEHOLDERS:
        assert placeholders_on(f"Before {word} after")
    assert placeholders_on("The signal: None")
    assert not placeholders_on("None yet. None logged yet.")


# --- the README's screenshots of the screens this issue changed ---------------------------------

README_PHONE = {"width": 360, "height": 640}


def demo_phone(browser, demo_server, who):
    name, email, password, _roles = next(p for p in DEMO_PEOPLE if p[1].startswith(who))
    context = browser.new_context(base_url=demo_server.url, viewport=README_PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    return sign_in_as(context.new_page(), name, email, password)


def scrolled_to(page, selector):
    """The element just under the sticky top bar, as the README's screenshots frame it."""
    page.evaluate(
        "(selector) => { const top = document.querySelector(selector).getBoundingClientRect().top;"
        " window.scrollBy(0, top - 60); }",
        selector,
    )


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="SCREENSHOTS=1 writes them")
def test_readme_screenshots_of_the_changed_screens(browser, demo_server):
    alex = demo_phone(browser, demo_server, "alex")
    alex.get_by_role("link", name=re.compile("Tonight's card")).first.click()
    expect(alex.get_by_role("heading", name="How we step in")).to_be_visible()
    scrolled_to(alex, "#card-agreement-heading")
    alex.screenshot(path=str(SCREENSHOTS / "card.png"))

    admin = demo_phone(browser, demo_server, "admin")
    admin.goto("/organisation/people")
    admin.get_by_label("Their name (optional)").fill("Jo")
    admin.get_by_label("Their email (optional)").fill("jo@demo.example")
    admin.get_by_label("Facilitator: runs groups, prepares, co-works").check()
    admin.get_by_role("button", name="Create invitation link").click()
    expect(admin.get_by_role("button", name="Copy link")).to_be_visible()
    scrolled_to(admin, "#invite-heading")
    admin.screenshot(path=str(SCREENSHOTS / "invite.png"))
