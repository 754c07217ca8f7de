"""A whole training day in real Chromium: a trainer, a projector and five phones (issue 6).

The trainer opens a room on a phone; the projector (a laptop-sized window, signed in as the
trainer) shows the picture; five people join with the code and place themselves with the
keyboard, by tapping, and through a dropped connection. Nothing is shown until the trainer
reveals it and 3 have placed; a second round shows who moved; the summary counts per stretch;
and after the retention time (the test moves the app's clock on) the room is gone.
"""

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from steps import WITHIN

from .steps import LAPTOP, SLIDER, join, open_a_room, sign_in

FIRST, SECOND = "Having sex with people outside of the relationship", "One partner always decides"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def place_with_keys(phone, *keys):
    slider = phone.get_by_role("slider", name=SLIDER)
    slider.focus()
    for key in keys:
        phone.keyboard.press(key)


def placed(phone, words):
    expect(phone.locator("[data-place-state]")).to_have_text(
        f"Placed: {words}. You can move until the trainer moves on."
    )


def tap(phone, fraction):
    """A tap on the line, `fraction` of the way from 'always abusive' to 'never abusive'."""
    box = phone.get_by_role("slider", name=SLIDER).bounding_box()
    phone.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


def control(trainer, name):
    trainer.get_by_role("button", name=name).click()


def no_serious_axe_problems(page):
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_a_whole_training_day_room(new_context, live_server):
    trainer, code = open_a_room(new_context)
    room_url = trainer.url

    projector = new_context(viewport=LAPTOP).new_page()
    sign_in(projector, "facilitator")
    projector.goto(room_url + "/projector")
    expect(projector.locator(".room-code")).to_have_text(code)
    expect(projector.locator(".qr svg")).to_be_visible()
    polls = []
    projector.on(
        "response", lambda r: polls.append(r.url) if r.request.resource_type == "fetch" else None
    )
    picture = projector.locator("#projector-picture")
    expect(picture).to_contain_text(FIRST)
    dots = projector.locator("circle.room-dot")

    # Five people join: by code as typed, no name, none with an account. The trainer sees
    # counts, never who (issue 11, finding 4).
    phones = [join(new_context, code) for _ in range(5)]
    expect(trainer.locator("#room-status")).to_contain_text("5 have joined · 0 have placed")

    # Keyboard and screen reader: Home is 'always abusive'; the slider says where, in words.
    place_with_keys(phones[0], "Home")
    placed(phones[0], "At “always abusive”")
    expect(phones[0].get_by_role("slider", name=SLIDER)).to_have_attribute(
        "aria-valuetext", "At “always abusive”"
    )
    place_with_keys(phones[1], "End")
    placed(phones[1], "At “never abusive”")

    # Revealed with only two places: still nothing by place, so nobody can be picked out.
    control(trainer, "Reveal on the projector")
    expect(picture).to_contain_text("2 of 5 have placed")
    expect(picture).to_contain_text("once at least 3 people have placed")
    expect(dots).to_have_count(0)

    # The third place draws the picture: the projector's waiting request is answered with it.
    tap(phones[2], 0.5)
    placed(phones[2], "In the middle")
    expect(dots).to_have_count(3)
    expect(picture).to_contain_text("3 of 5 have placed")

    # Hidden again while the rest place, so nobody follows the crowd.
    control(trainer, "Hide from the projector")
    expect(dots).to_have_count(0)
    expect(picture).to_contain_text("Places are hidden for now")
    place_with_keys(phones[3], "Home", "ArrowRight", "ArrowRight")
    placed(phones[3], "Very near “always abusive”")

    # A dropped connection: the phone says so honestly, keeps the move, and sends it once back.
    phones[4].context.set_offline(True)
    place_with_keys(phones[4], "End", "ArrowLeft")
    expect(phones[4].locator("[data-place-state]")).to_contain_text("Not sent yet: retrying")
    expect(picture).to_contain_text("4 of 5 have placed")
    phones[4].context.set_offline(False)
    placed(phones[4], "Very near “never abusive”")
    expect(picture).to_contain_text("5 of 5 have placed")

    control(trainer, "Reveal on the projector")
    expect(dots).to_have_count(5)
    no_serious_axe_problems(projector)
    if os.environ.get("SCREENSHOTS"):
        projector.screenshot(path=str(SCREENSHOTS / "projector.png"))
    # Participants see only their own place, never the picture.
    expect(phones[0].locator("circle")).to_have_count(0)

    # Second round, after the discussion: phones follow by themselves; two people move.
    control(trainer, "Second round, after the discussion")
    for phone in phones:
        expect(phone.get_by_text("Second round: after the discussion")).to_be_visible()
    expect(phones[2].get_by_text("In the first round you were: In the middle")).to_be_visible()
    moves = [("Home",), ("End",), ("End",), ("Home", "ArrowRight", "ArrowRight"), ("Home",)]
    for phone, keys in zip(phones, moves, strict=True):
        place_with_keys(phone, *keys)
    placed(phones[4], "At “always abusive”")
    placed(phones[2], "At “never abusive”")
    control(trainer, "Reveal on the projector")
    expect(picture).to_contain_text("After the discussion")
    expect(projector.locator("line.room-move")).to_have_count(2)
    expect(picture).to_contain_text("2 people moved")
    no_serious_axe_problems(projector)

    # The projector was live all along (issue 26): every change came to a waiting request,
    # and nothing polled.
    pictures = [url for url in polls if "/projector" in url]
    assert pictures and all(url.endswith("/projector?wait=25") for url in pictures), pictures

    # The next practice starts hidden, in its first round, on every phone.
    control(trainer, "Next practice")
    expect(picture).to_contain_text(SECOND)
    expect(phones[0].get_by_role("heading", level=1)).to_contain_text(SECOND)

    # The end, and the summary: counts per stretch of the line, nobody's own place.
    trainer.get_by_text("End the room…").click()
    control(trainer, "End the room now")
    expect(trainer.locator("#room-status")).to_contain_text("This room has ended.")
    expect(picture).to_contain_text("Thank you. This room has ended.")
    expect(phones[0].get_by_role("heading", level=1)).to_have_text("This room has ended")
    trainer.get_by_role("link", name="See the summary").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text(f"Summary of room {code}")
    first = trainer.locator(".summary-practice").first
    expect(first).to_contain_text("2 people moved after the discussion.")
    expect(first.locator(".bands li").first).to_contain_text("At or near “always abusive” 2")
    expect(trainer.locator("circle")).to_have_count(0)
    expect(trainer.get_by_role("button", name="Print")).to_be_visible()

    # Thirty days on (the app's clock, moved by the test), the room is gone.
    # One clock moves sign-ins too: the trainer's would end after 14 days, so it lasts longer.
    later = datetime.now(UTC) + timedelta(days=30, minutes=1)
    live_server.server.app.config["CLOCK"] = lambda: later
    live_server.server.app.config["SESSION_LIFETIME_HOURS"] = 31 * 24
    trainer.reload()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    phones[0].goto("/join?code=" + code)
    phones[0].get_by_role("button", name="Join", exact=True).click()
    expect(phones[0].get_by_text("We can't find an open room with that code")).to_be_visible()


EVERY_PLACE = """slider => Array.from({length: 101}, (_, n) => {
  slider.value = String(n * 10);
  slider.dispatchEvent(new Event("input"));
  return [n * 10, slider.getAttribute("aria-valuetext")];
})"""


def test_a_phone_tells_a_person_the_stretch_the_projector_counts_them_in(new_context, live_server):
    """The tester's room: three people at 420, 560 and 820 were told 'Nearer “always abusive”',
    'Nearer “never abusive”' and 'Nearer “never abusive”', and the projector counted them
    'Around the middle' twice and 'At or near “never abusive”' once."""
    trainer, code = open_a_room(new_context)
    projector = new_context(viewport=LAPTOP).new_page()
    sign_in(projector, "facilitator")
    projector.goto(trainer.url + "/projector")
    picture = projector.locator("#projector-picture")
    expect(picture).to_contain_text(FIRST)

    # Home, End, Page Up/Down (a tenth of the line) and the arrows (10 each) on a 0-1000 line.
    keys = {
        420: ("Home", "PageUp", "PageUp", "PageUp", "PageUp", "ArrowRight", "ArrowRight"),
        560: ("End", "PageDown", "PageDown", "PageDown", "PageDown", *["ArrowLeft"] * 4),
        820: ("End", "PageDown", "PageDown", "ArrowRight", "ArrowRight"),
    }
    told = {}
    for place, presses in keys.items():
        phone = join(new_context, code)
        place_with_keys(phone, *presses)
        slider = phone.get_by_role("slider", name=SLIDER)
        expect(slider).to_have_value(str(place))
        state = phone.locator("[data-place-state]")
        expect(state).to_have_text(re.compile(r"^Placed: .+\. You can move until"))
        words = state.inner_text().removeprefix("Placed: ").split(". You can move")[0]
        expect(slider).to_have_attribute("aria-valuetext", words)
        told[place] = words
    expect(picture).to_contain_text("3 of 3 have placed")
    control(trainer, "Reveal on the projector")
    expect(projector.locator("circle.room-dot")).to_have_count(3)

    bands = projector.locator(".bands li")
    counted = {
        item.locator("span").inner_text(): int(item.locator("strong").inner_text())
        for item in bands.all()
    }
    stretches = {place: WITHIN.get(words, words) for place, words in told.items()}
    assert set(stretches.values()) <= set(counted), (told, counted)
    expected = {name: list(stretches.values()).count(name) for name in counted}
    assert counted == expected, (told, counted)

    # Every place the slider can take: the phone's script says what the server says.
    with live_server.server.app.test_request_context():
        from wellbeing.line.picture import place_words
        from wellbeing.line.routes import words as line_words

        server = [[place, place_words(place, line_words())] for place in range(0, 1001, 10)]
    phone = join(new_context, code)
    assert phone.get_by_role("slider", name=SLIDER).evaluate(EVERY_PLACE) == server
