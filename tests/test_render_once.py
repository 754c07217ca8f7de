"""Render once per change (issue 26): the signed-in home, the supervisor's home and a pair's
card are drawn once for each state of what they show and kept in the worker's memory
(wellbeing/drawn.py), and answer 304 to a browser that holds the page as it is.

Through the real pages of Organisation One, one app (one worker's memory) per test. Each
person's pages are loaded in turns, so that a drawing one person made is there to be (wrongly)
handed to the other: these tests fail if a kept drawing's key leaves out its reader.
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from conftest import PEOPLE, sign_in
from steps import page, post, read, set_clock, set_time_zone, share_answers, sql, url

from wellbeing import clock, drawn
from wellbeing.coworking.checkins import STATE_WORDS
from wellbeing.db import get_db, writing
from wellbeing.drawn import Kept
from wellbeing.module import adapted

FRAN, COLE, SOL = (PEOPLE[who][0] for who in ("facilitator", "coworker", "supervisor"))
SESSION_TWO = "sexual_pressuring"
# A Sunday evening in London is already Monday 30 November in Berlin (tests/test_clock.py).
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


def card(one, persona) -> str:
    return read(one, persona, "coworking.card_show", pair_id=one.rows["pair"])


def drawings(one) -> int:
    """How many drawings this app (this worker) has made so far."""
    return one.app.extensions["kept_drawings"].draws


def check_in(one, persona):
    form = {"more": "Check in with me at the break", "less": "Finishing my sentences"}
    answer = post(one, persona, "coworking.checkin_submit", form, pair_id=one.rows["pair"])
    assert answer.status_code == 200, answer.status_code


def plan_tonight(one, day: str):
    """Fran plans the second session for `day` at 18:30, through the real page."""
    form = {"held_on": day, "starts_at": "18:30", "session_key": SESSION_TWO, "base": 0}
    response = post(
        one,
        "facilitator",
        "module.plan_save",
        form | {"action": "save"},
        pair_id=one.rows["pair"],
    )
    assert response.status_code == 200, response.status_code


# --- two people, one worker: each sees only their own -------------------------------------------


def test_two_partners_each_see_their_own_card_and_home_never_the_others(one):
    share_answers(one, "facilitator", situations="Fran finds graphic detail hard")
    share_answers(one, "coworker", situations="Cole finds jokes about consent hard")
    for _ in range(2):  # the second round is served from what the first drew
        fran, cole = card(one, "facilitator"), card(one, "coworker")
        assert f"Co-working with {COLE}" in fran and f"What might be difficult for {COLE}" in fran
        assert "Cole finds jokes about consent hard" in fran
        assert f"Co-working with {FRAN}" not in fran and "Fran finds graphic" not in fran
        assert f"Co-working with {FRAN}" in cole and f"What might be difficult for {FRAN}" in cole
        assert "Fran finds graphic detail hard" in cole
        assert f"Co-working with {COLE}" not in cole and "Cole finds jokes" not in cole
        fran_home = read(one, "facilitator", "home.home")
        cole_home = read(one, "coworker", "home.home")
        assert f"Hello, {FRAN}" in fran_home and f"With {COLE}" in fran_home
        assert COLE not in fran_home.replace(f"With {COLE}", "")
        assert f"Hello, {COLE}" in cole_home and f"With {FRAN}" in cole_home
        assert f"Hello, {FRAN}" not in cole_home
    made = drawings(one)
    card(one, "facilitator"), card(one, "coworker")
    assert drawings(one) == made, "nothing changed, so nothing was drawn again"


def test_two_supervisors_each_see_their_own_caseload_never_the_others(one):
    # Sol supervises Fran; Sid supervises nobody.
    for _ in range(2):
        sol = read(one, "supervisor", "supervision.home")
        sid = read(one, "other_supervisor", "supervision.home")
        assert FRAN in sol
        assert FRAN not in sid and COLE not in sid
        assert f"Hello, {SOL}" in read(one, "supervisor", "home.home")
        assert SOL not in read(one, "other_supervisor", "home.home")


# --- a change shows on the next request ------------------------------------------------------


def test_a_check_in_shows_on_both_homes_at_once(one):
    waiting, done = (STATE_WORDS[state] for state in ("waiting", "done"))
    assert waiting not in read(one, "facilitator", "home.home")
    assert done not in read(one, "coworker", "home.home")
    check_in(one, "facilitator")
    assert waiting in read(one, "facilitator", "home.home")
    check_in(one, "coworker")
    assert done in read(one, "facilitator", "home.home")
    assert done in read(one, "coworker", "home.home")


def test_an_admins_content_edit_shows_on_the_card_at_once(one):
    with one.app.app_context():
        day = clock.today(one.rows["organisation_one"]).isoformat()
    plan_tonight(one, day)
    assert "18:30 to 20:20, 110 minutes" in card(one, "facilitator")
    assert "18:30 to 20:20, 110 minutes" in card(one, "coworker")
    # Ada cuts "Sexual abuse scenario" from 30 minutes to 20 (the session's first activity).
    with one.app.app_context():
        steps = adapted.session(one.rows["organisation_one"], SESSION_TWO)["steps"]
    form = {"count": len(steps), "base": 0, "action": "save"}
    for i, step in enumerate(steps):
        form |= {f"key-{i}": step["key"], f"minutes-{i}": str(step["minutes"]), f"keep-{i}": "yes"}
    form["minutes-0"] = "20"
    assert post(one, "admin", "module.timing_save", form, key=SESSION_TWO).status_code == 200
    assert "18:30 to 20:10, 100 minutes" in card(one, "facilitator")
    assert "18:30 to 20:10, 100 minutes" in card(one, "coworker")


def test_a_time_zone_change_moves_tonight_on_home_and_the_card_at_once(one):
    # Sunday 23:30 in London is Monday 00:30 in Berlin, and the plan is for Monday.
    set_clock(one, SUNDAY_NIGHT)
    plan_tonight(one, "2026-11-30")
    assert "Tonight at 18:30" not in read(one, "facilitator", "home.home")
    assert "(the next one planned)" in card(one, "facilitator")
    set_time_zone(one, "Europe/Berlin")
    assert "Tonight at 18:30" in read(one, "facilitator", "home.home")
    assert "(the next one planned)" not in card(one, "facilitator")


def test_a_name_change_shows_on_the_partners_card_and_the_supervisors_home(one):
    assert f"Co-working with {FRAN}" in card(one, "coworker")
    assert FRAN in read(one, "supervisor", "supervision.home")
    with one.app.app_context():
        with writing():
            get_db().execute(
                "update users set name = 'Frankie Facilitator' where id = ?",
                [one.rows["facilitator"]],
            )
    assert "Co-working with Frankie Facilitator" in card(one, "coworker")
    assert "Frankie Facilitator" in read(one, "supervisor", "supervision.home")
    assert "Hello, Frankie Facilitator" in read(one, "facilitator", "home.home")


# --- ETags: 304 when nothing changed, for the same person only ---------------------------------


PAGES = [
    ("facilitator", "home.home", {}),
    ("facilitator", "coworking.card_show", {"pair_id": "pair"}),
    ("supervisor", "supervision.home", {}),
]


def path(one, endpoint, values) -> str:
    return url(one, endpoint, **{name: one.rows[row] for name, row in values.items()})


def test_a_repeat_visit_with_the_etag_is_answered_304_with_no_body(one):
    for persona, endpoint, values in PAGES:
        client = one.client(persona)
        first = client.get(path(one, endpoint, values))
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag.startswith('W/"'), endpoint
        again = client.get(path(one, endpoint, values), headers={"If-None-Match": etag})
        assert again.status_code == 304, endpoint
        assert again.get_data() == b"" and again.headers["ETag"] == etag


@pytest.mark.parametrize(
    ("accepts", "coding", "suffix"), [("gzip", "gzip", "-gz"), ("br", "br", "-br")]
)
def test_a_repeat_visit_to_the_compressed_page_is_answered_304_too(one, accepts, coding, suffix):
    browser = {"Accept-Encoding": accepts, "Sec-Fetch-Site": "same-origin"}
    client = one.client("facilitator")
    first = client.get("/", headers=browser)
    assert first.headers["Content-Encoding"] == coding
    assert first.headers["ETag"].endswith(f'{suffix}"')
    again = client.get("/", headers=browser | {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_after_a_change_the_old_etag_gets_the_new_page_and_a_new_etag(one):
    pair = one.rows["pair"]
    share_answers(one, "facilitator", situations="Fran finds graphic detail hard")
    old = {
        path: one.client("facilitator").get(path).headers["ETag"]
        for path in ("/", url(one, "coworking.card_show", pair_id=pair))
    }
    # Cole shares his answers too: Fran's card shows them; a check-in changes her home.
    share_answers(one, "coworker", situations="Cole finds jokes about consent hard")
    check_in(one, "facilitator")
    for path_, etag in old.items():
        answer = one.client("facilitator").get(path_, headers={"If-None-Match": etag})
        assert answer.status_code == 200, path_
        assert answer.headers["ETag"] != etag
    assert "Cole finds jokes about consent hard" in card(one, "facilitator")


def test_another_persons_etag_never_gets_them_a_304(one):
    pair = one.rows["pair"]
    for mine, theirs, path_ in [
        ("facilitator", "coworker", "/"),
        ("facilitator", "coworker", url(one, "coworking.card_show", pair_id=pair)),
        ("supervisor", "other_supervisor", url(one, "supervision.home")),
        ("supervisor", "other_supervisor", "/"),
    ]:
        etag = one.client(mine).get(path_).headers["ETag"]
        answer = one.client(theirs).get(path_, headers={"If-None-Match": etag})
        assert answer.status_code == 200, (theirs, path_)
        assert answer.headers["ETag"] != etag


def test_a_new_sign_in_never_gets_a_page_kept_from_the_last_one(one):
    """The same person on the same phone, signed in again: their form token is new, so the page
    their browser kept (with the old sign-in's tokens in its forms) is never reused."""
    etag = one.client("facilitator").get("/").headers["ETag"]
    again = sign_in(one.app.test_client(), "facilitator")
    answer = again.get("/", headers={"If-None-Match": etag})
    assert answer.status_code == 200 and answer.headers["ETag"] != etag


def test_a_kept_page_is_not_reused_once_its_form_tokens_are_hours_old(one):
    """The ETag names the stretch of time (2 of the token's 8 hours) the page's tokens were
    made in, so a 304 never tells a browser to keep forms whose tokens are about to expire."""
    client = one.client("facilitator")
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    set_clock(one, datetime.now(UTC) + timedelta(hours=2, minutes=1))
    answer = client.get("/", headers={"If-None-Match": etag})
    assert answer.status_code == 200 and answer.headers["ETag"] != etag
    assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', answer.get_data(as_text=True))


def test_no_form_token_is_ever_kept_in_a_drawing(one):
    """Tokens are per response: two loads of the same kept drawing carry different tokens,
    and both send."""
    pair = one.rows["pair"]
    client = one.client("facilitator")
    path_ = url(one, "coworking.card_show", pair_id=pair)
    pages = [client.get(path_).get_data(as_text=True) for _ in range(2)]
    tokens = [re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', text) for text in pages]
    assert tokens[0] and len(tokens[0]) == len(tokens[1])
    assert not set(tokens[0]) & set(tokens[1])
    assert "Log the group" in page(one, "facilitator", "coworking.card_show", pair_id=pair)


# --- whole pages, form tokens and all --------------------------------------------------------

FORM_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TRAINING = "/supervision/me/training"  # a form any signed-in person may send (302)


def pages_drawn(one) -> int:
    return one.app.extensions["kept_pages"].draws


def test_a_whole_page_is_kept_for_one_sign_in_and_its_tokens_always_send(one):
    client = one.client("facilitator")
    first = client.get("/").get_data(as_text=True)
    made = pages_drawn(one)
    second = client.get("/").get_data(as_text=True)
    assert pages_drawn(one) == made, "nothing changed, so the page was not drawn again"
    tokens = [FORM_TOKEN.search(text)[1] for text in (first, second)]
    assert tokens[0] != tokens[1], "masked afresh on every response, kept page or not"
    for token in tokens:
        assert client.post(TRAINING, data={"csrf_token": token}).status_code == 302
    # The same person signed in again (another phone): a page drawn for that sign-in, whose
    # token sends there, and the first sign-in's token does not. Its first page makes the new
    # session's form secret, so that one is drawn and not kept.
    again = sign_in(one.app.test_client(), "facilitator")
    again.get("/")
    third = again.get("/").get_data(as_text=True)
    assert pages_drawn(one) == made + 1
    assert again.post(TRAINING, data={"csrf_token": FORM_TOKEN.search(third)[1]}).status_code == 302
    assert again.post(TRAINING, data={"csrf_token": tokens[0]}).status_code == 400
    # Two hours on, the kept page's tokens would have less than 6 of their 8 hours left.
    set_clock(one, datetime.now(UTC) + timedelta(hours=2, minutes=1))
    later = client.get("/").get_data(as_text=True)
    assert pages_drawn(one) == made + 2
    assert (
        client.post(TRAINING, data={"csrf_token": FORM_TOKEN.search(later)[1]}).status_code == 302
    )


def test_a_session_without_a_form_secret_is_never_handed_a_kept_page(one):
    """Two tabs sent the cookie of the sign-in itself, which holds no form secret yet: each
    page makes its own. The second must not get the first one's page, whose token belongs to
    the other secret and would be sent unmasked (formtokens.py masks this session's tokens)."""
    first = sign_in(one.app.test_client(), "facilitator")
    second = one.app.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    for client in (first, second):
        token = FORM_TOKEN.search(client.get("/").get_data(as_text=True))[1]
        assert "." not in token, "a token sent as itself, not masked"
        assert client.post(TRAINING, data={"csrf_token": token}).status_code == 302


def test_a_kept_page_keeps_its_etag_when_the_seconds_of_its_tokens_move_on(one):
    """A token's timestamp is in seconds: the page kept from a request a second ago holds an
    older token than this response's own, and the ETag takes out both."""
    client = one.client("facilitator")
    etag = client.get("/").headers["ETag"]
    time.sleep(1.1)
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag


def test_a_message_waiting_to_be_shown_once_shows_on_the_kept_page_and_then_is_gone(one):
    client = one.client("facilitator")
    client.get("/"), client.get("/")  # kept
    form = {"gender": "woman", "csrf_token": one.form_token("facilitator")}
    assert client.post(url(one, "accounts.gender_update"), data=form).status_code == 303
    saved = "Only you see it"
    assert saved in client.get("/").get_data(as_text=True)
    assert saved not in client.get("/").get_data(as_text=True)
    assert saved not in client.get("/").get_data(as_text=True)


def test_a_page_holding_a_once_only_key_is_never_kept(one):
    def draw(what, key):
        with one.app.test_request_context("/", headers=one.signed_in("facilitator")):
            if key:
                return drawn.page(what, (), lambda: f"<input value='{drawn.per_response(key)}'>")
            return drawn.page(what, (), lambda: f"<p>{time.monotonic_ns()}</p>")

    assert draw("once-only", "first") == "<input value='first'>"
    assert draw("once-only", "second") == "<input value='second'>"
    assert draw("plain", None) == draw("plain", None), "a page without one is kept"


def test_a_drawing_many_threads_ask_for_at_once_is_drawn_once():
    """After a change, a worker's 16 threads asked for the new caseload together and each drew
    it, sharing one interpreter: 16 draws, each 16 times slower. Now one draws, the rest wait."""
    kept, start = Kept(), threading.Barrier(8)

    def draw():
        time.sleep(0.5)  # long enough that the other threads ask while it is drawn
        return "the caseload"

    def ask(_):
        start.wait()
        return kept.get(("caseload", 1), draw)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert answers == ["the caseload"] * 8
    assert kept.draws == 1


def test_a_drawing_that_failed_is_drawn_by_the_next_request_and_then_kept():
    kept, key = Kept(), ("caseload", 1)

    def fails():
        raise RuntimeError("the database was busy")

    def never():
        raise AssertionError("drawn again, though it was kept")

    with pytest.raises(RuntimeError):
        kept.get(key, fails)
    assert kept.get(key, lambda: "the caseload") == "the caseload"
    assert kept.get(key, never) == "the caseload"


def test_a_role_given_to_a_supervisor_shows_on_their_kept_home_at_once(one):
    """The top bar turns on the reader's roles (base.html): the supervisor's home, kept whole,
    is kept for their roles too, which the caseload's own count of changes leaves out."""
    sol_home = page(one, "supervisor", "supervision.home")
    assert "data-vault=" not in sol_home
    sql(
        one,
        "insert into user_roles (user_id, role) values (?, 'facilitator')",
        [one.rows["supervisor"]],
    )
    assert "data-vault=" in page(one, "supervisor", "supervision.home")
