"""The projector's live picture in real Chromium (issue 26): pushed while its stream works,
polled when the stream is lost (static/room.js, docs/design.md "A live projector")."""

import re

from playwright.sync_api import expect

from .steps import LAPTOP, join, open_a_room, sign_in

LIVE = re.compile(r"/projector\?wait=")
POLL = re.compile(r"/projector$")


def open_projector(new_context):
    """A trainer's room, and its projector on a laptop (no service worker between the page and
    the network, so what the page asks for is what the test sees)."""
    trainer, code = open_a_room(new_context)
    context = new_context(viewport=LAPTOP, service_workers="block")
    projector = context.new_page()
    sign_in(projector, "facilitator")
    answers = []
    # What the page's script asked for (not the page itself): (url, status).
    projector.on(
        "response",
        lambda r: answers.append((r.url, r.status)) if r.request.resource_type == "fetch" else None,
    )
    projector.goto(trainer.url + "/projector")
    return context, projector, code, answers


def test_the_projector_shows_each_join_as_it_happens_without_polling(new_context):
    _, projector, code, answers = open_projector(new_context)
    picture = projector.locator("#projector-picture")
    expect(projector.locator("html[data-projector=live]")).to_be_attached()
    for joined in (1, 2):
        join(new_context, code)
        expect(picture).to_contain_text(f"0 of {joined} have placed")
    # Each change came as the answer to a waiting request; nothing polled.
    assert [s for url, s in answers if LIVE.search(url)].count(200) >= 2, answers
    assert not [url for url, _ in answers if POLL.search(url)], answers


def test_a_projector_that_loses_its_stream_falls_back_to_polling(new_context):
    context, projector, code, answers = open_projector(new_context)
    picture = projector.locator("#projector-picture")
    join(new_context, code)
    expect(picture).to_contain_text("0 of 1 have placed")

    # The stream is lost: every waiting request fails from now on (a proxy that cuts them, a
    # network that drops long requests). The one already waiting is answered by the next join.
    context.route(LIVE, lambda route: route.abort())
    join(new_context, code)
    expect(picture).to_contain_text("0 of 2 have placed")
    expect(projector.locator("html[data-projector=polling]")).to_be_attached()

    # Still live enough: the next join reaches the projector through plain polls.
    join(new_context, code)
    expect(picture).to_contain_text("0 of 3 have placed")
    assert any(POLL.search(url) and status == 200 for url, status in answers), answers


def test_a_second_projector_polls_while_the_first_holds_the_thread_for_waiting(new_context):
    """WELLBEING_THREADS is 2: a worker lends one thread to waiting and keeps one for the phones.
    A second projector of the room (another tab, a second screen) is told to poll instead
    (wellbeing/line/rooms.py), and shows every join all the same."""
    context, first, code, _ = open_projector(new_context)
    expect(first.locator("html[data-projector=live]")).to_be_attached()
    second = context.new_page()
    second.goto(first.url)
    projectors = (first, second)

    def modes():
        return sorted(
            page.evaluate("document.documentElement.dataset.projector") for page in projectors
        )

    expect(second.locator("html[data-projector=polling]")).to_be_attached()
    assert modes() == ["live", "polling"]
    for joined in (1, 2):
        join(new_context, code)
        for page in projectors:
            expect(page.locator("#projector-picture")).to_contain_text(f"0 of {joined} have placed")
    assert modes() == ["live", "polling"]
