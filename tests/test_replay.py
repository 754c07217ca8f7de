"""A kept page sent again without Flask's request cycle (wellbeing/replay.py, issue 26).

Through the real pages of Organisation One. Each test first has a page sent again (the replay's
count goes up), then changes one thing the replay must check afresh, and asks once more with
the very same request: these tests fail if the replay leaves that check out.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import brotli
import pytest
from conftest import PEOPLE, sign_in
from organisation_one import SESSION_COOKIE
from steps import assign, get, post, set_clock, set_time_zone, sql, url, words

from wellbeing.coworking.checkins import STATE_WORDS
from wellbeing.formtokens import unmask

FRAN, COLE = (PEOPLE[who][0] for who in ("facilitator", "coworker"))
TOKEN = b'name="csrf_token" value="'
MASKED = re.compile(rb'"([A-Za-z0-9_-]{100,})"')
SAME_ORIGIN = {"Accept-Encoding": "br", "Sec-Fetch-Site": "same-origin"}


def sent_again(one) -> int:
    """How many answers this app has sent again so far."""
    return one.app.wsgi_app.sent


def home(one, persona, **headers):
    return one.client(persona).get("/", headers=headers)


def sent_twice(one, persona, **headers):
    """The home asked for twice with the same request: Flask's answer, then the same sent
    again. Both answers."""
    before = sent_again(one)
    first, second = home(one, persona, **headers), home(one, persona, **headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert sent_again(one) == before + 1
    return first, second


def tokens_unmasked(body: bytes) -> bytes:
    """The page with each masked form token (in a form field, in htmx's headers) replaced by
    the token it hides."""
    return MASKED.sub(lambda found: f'"{unmask(found[1].decode())}"'.encode(), body)


def test_the_same_request_again_gets_flasks_answer_with_its_tokens_masked_afresh(one):
    first, second = sent_twice(one, "facilitator")
    assert second.headers == first.headers
    assert second.data != first.data  # each form token masked afresh
    assert tokens_unmasked(second.data) == tokens_unmasked(first.data)
    assert f"Hello, {FRAN}" in words(second.get_data(as_text=True))
    # The token sent again is one Flask accepts: Fran's check-in goes through with it.
    token = second.get_data(as_text=True).split(TOKEN.decode())[1].split('"')[0]
    form = {"more": "Checking in at the break", "less": "Nothing", "csrf_token": token}
    client = one.client("facilitator")
    answer = client.post(url(one, "coworking.checkin_submit", pair_id=one.rows["pair"]), data=form)
    assert answer.status_code == 200


def test_a_compressed_answer_is_sent_again_compressed(one):
    first, second = sent_twice(one, "facilitator", **SAME_ORIGIN)
    # The same headers; the length of each compressed answer is its own (its masks differ).
    assert [name for name, _ in second.headers] == [name for name, _ in first.headers]
    assert {**second.headers, "Content-Length": ""} == {**first.headers, "Content-Length": ""}
    assert second.headers["Content-Length"] == str(len(second.data))
    assert second.headers["Content-Encoding"] == "br"
    assert tokens_unmasked(brotli.decompress(second.data)) == tokens_unmasked(
        brotli.decompress(first.data)
    )


def test_two_people_with_one_worker_each_get_their_own_home_sent_again(one):
    for _ in range(3):
        fran, cole = home(one, "facilitator").data, home(one, "coworker").data
        assert f"Hello, {FRAN}".encode() in fran and f"Hello, {COLE}".encode() not in fran
        assert f"Hello, {COLE}".encode() in cole and f"Hello, {FRAN}".encode() not in cole
    assert sent_again(one) == 4


@pytest.mark.parametrize(
    "header",
    [
        {"HX-Request": "true"},
        {"Accept-Language": "de"},
        {"If-None-Match": 'W/"an-old-page"'},
        {"Sec-Fetch-Site": "same-origin"},
    ],
)
def test_a_request_that_differs_in_any_header_goes_to_flask(one, header):
    home(one, "facilitator")
    before = sent_again(one)
    assert home(one, "facilitator", **header).status_code == 200
    assert sent_again(one) == before


def test_each_answer_sent_again_has_its_tokens_masked_afresh(one):
    first, second = sent_twice(one, "facilitator")
    third = home(one, "facilitator")
    assert sent_again(one) == 2
    assert len({first.data, second.data, third.data}) == 3
    assert tokens_unmasked(third.data) == tokens_unmasked(first.data)


@pytest.mark.parametrize(
    ("method", "path", "overrides"),
    [
        ("HEAD", "/", {}),
        ("GET", "/?from=install", {}),
        ("GET", "/", {"REMOTE_ADDR": "10.0.0.9"}),
        ("GET", "/", {"wsgi.url_scheme": "https"}),
    ],
)
def test_another_method_query_address_or_scheme_goes_to_flask(one, method, path, overrides):
    sent_twice(one, "facilitator")
    before = sent_again(one)
    answer = one.client("facilitator").open(path, method=method, environ_overrides=overrides)
    assert answer.status_code == 200
    assert sent_again(one) == before


@pytest.mark.parametrize(
    "ended",
    [
        "update signins set revoked_at = '2026-01-01T00:00:00+00:00'",  # signed out elsewhere
        "update users set disabled_at = '2026-01-01T00:00:00+00:00' where email = ?",
    ],
)
def test_a_sign_in_that_ended_is_never_sent_the_page_again(one, ended):
    sent_twice(one, "facilitator")
    sql(one, ended, [PEOPLE["facilitator"][1]] if "?" in ended else [])
    answer = home(one, "facilitator")
    assert answer.status_code == 302 and "/signin" in answer.headers["Location"]
    assert not one.app.extensions["kept_answers"].items  # the answer that no longer holds


def test_a_cookie_past_its_lifetime_is_never_sent_the_page_again(one):
    client = sign_in(one.app.test_client(), "facilitator")
    one.app.permanent_session_lifetime = timedelta(seconds=2)
    # The first home shows the welcome once (the session changes): the second is kept.
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    before = sent_again(one)
    assert client.get("/").status_code == 200
    assert sent_again(one) == before + 1
    time.sleep(3.1)  # whole seconds, as the signature's timestamp counts them
    assert client.get("/").status_code == 302


def test_a_new_secret_key_is_never_sent_the_page_again(one):
    sent_twice(one, "facilitator")
    one.app.secret_key = "a key rotated after a leak"
    assert home(one, "facilitator").status_code == 302


def test_a_change_to_what_the_home_shows_is_drawn_afresh_not_sent_again(one):
    sent_twice(one, "facilitator")
    form = {"more": "Check in with me at the break", "less": "Finishing my sentences"}
    post(one, "facilitator", "coworking.checkin_submit", form, pair_id=one.rows["pair"])
    before = sent_again(one)
    fran = words(home(one, "facilitator").get_data(as_text=True))
    assert sent_again(one) == before
    assert STATE_WORDS["waiting"] in fran


@pytest.mark.parametrize(
    ("first", "later"),
    [
        # A new day in Berlin (23:30 to 00:30 there) within one stretch of token time: the day
        # alone must tell.
        (datetime(2026, 12, 1, 22, 30, tzinfo=UTC), datetime(2026, 12, 1, 23, 30, tzinfo=UTC)),
        # The same day, the next two-hour stretch a page's form tokens are kept for
        # (wellbeing/drawn.py `token_stretch`): 10:00 and 12:30 are two stretches.
        (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), datetime(2026, 12, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_a_new_day_or_stretch_of_token_time_is_drawn_afresh_not_sent_again(one, first, later):
    set_time_zone(one, "Europe/Berlin")
    set_clock(one, first)
    sent_twice(one, "facilitator")
    before = sent_again(one)
    set_clock(one, later)
    assert home(one, "facilitator").status_code == 200
    assert sent_again(one) == before
    assert home(one, "facilitator").status_code == 200
    assert sent_again(one) == before + 1  # the new page, sent again in its turn


def test_an_invitation_that_runs_out_leaves_the_admins_home_at_once(one):
    """No write counts an invitation running out: the admin's figures are read afresh for
    every request, and one that changed is drawn afresh, not sent again."""
    sql(
        one,
        "update invitations set expires_at = '2026-12-01T13:00:00+00:00'"
        " where used_at is null and revoked_at is null",
    )
    set_clock(one, datetime(2026, 12, 1, 12, 59, tzinfo=UTC))
    first, _ = sent_twice(one, "admin")
    assert "invitation" in words(first.get_data(as_text=True))
    before = sent_again(one)
    set_clock(one, datetime(2026, 12, 1, 13, 1, tzinfo=UTC))
    later = words(home(one, "admin").get_data(as_text=True))
    assert sent_again(one) == before
    assert "invitation open" not in later and "invitations open" not in later


def test_an_answer_that_set_a_cookie_is_never_sent_again(one):
    """Flask-Login marks a session asked for from another browser as not fresh: the answer
    sets the changed session's cookie. The same request again must set it again."""
    client = one.app.test_client(use_cookies=False)
    request = one.signed_in("facilitator") | {"User-Agent": "Another phone"}
    before = sent_again(one)
    for _ in range(2):
        answer = client.get("/", headers=request)
        assert answer.status_code == 200
        assert SESSION_COOKIE in answer.headers.get("Set-Cookie", "")
    assert sent_again(one) == before


# --- the supervisor's home: never a look to log, and only while a supervisor ----------------


def caseload_twice(one):
    """Sol's home asked for twice, the second sent again; Fran is Sol's supervisee."""
    assign(one)
    before = sent_again(one)
    for _ in range(2):
        assert get(one, "supervisor", "supervision.home").status_code == 200
    assert sent_again(one) == before + 1


def looks_logged(one) -> int:
    return sql(one, "select count(*) from supervision_views")[0][0]


def test_a_look_that_must_be_logged_goes_to_flask_and_is_logged(one):
    """The replay never writes: the first look in an hour, which the view logs, is Flask's."""
    set_clock(one, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    caseload_twice(one)
    assert looks_logged(one) == 1  # one pair's check-in dates, once within the hour
    set_clock(one, datetime(2026, 12, 1, 11, 30, tzinfo=UTC))
    before = sent_again(one)
    assert get(one, "supervisor", "supervision.home").status_code == 200
    assert sent_again(one) == before
    assert looks_logged(one) == 2  # an hour and a half later, the look is logged again
    assert get(one, "supervisor", "supervision.home").status_code == 200
    assert sent_again(one) == before + 1  # and a reload within the hour is sent again
    assert looks_logged(one) == 2


def test_a_supervisor_who_is_one_no_more_is_never_sent_the_caseload_again(one):
    caseload_twice(one)
    sql(
        one,
        "delete from user_roles where role = 'supervisor' and user_id = ?",
        [one.rows["supervisor"]],
    )
    assert get(one, "supervisor", "supervision.home").status_code == 403
