"""The session cookie's check, kept once it passed (wellbeing/sessions.py, issue 26): it refuses
what Flask's own check refuses, every time, and never shares one request's session with
another."""

import time
from datetime import timedelta

from flask import request
from organisation_one import SESSION_COOKIE

from wellbeing.sessions import CheckedOnceSessions


def home_of(one, cookie, **headers):
    """The home as a phone with this cookie sees it: 200 signed in, 302 to sign in if not."""
    return one.app.test_client(use_cookies=False).get(
        "/", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"} | headers
    )


def test_the_app_checks_each_cookie_once(one):
    assert isinstance(one.app.session_interface, CheckedOnceSessions)
    cookie = one.prepared.cookies["facilitator"]
    assert home_of(one, cookie).status_code == 200
    checked = CheckedOnceSessions.checked.cache_info()
    # Another request with the same cookie: the very same request again would be answered
    # without opening the session at all (wellbeing/replay.py).
    assert home_of(one, cookie, **{"Accept-Language": "en-GB"}).status_code == 200
    again = CheckedOnceSessions.checked.cache_info()
    assert (again.hits, again.misses) == (checked.hits + 1, checked.misses)  # the kept check


def test_an_altered_cookie_is_refused_every_time_while_the_real_one_is_kept(one):
    cookie = one.prepared.cookies["facilitator"]
    assert home_of(one, cookie).status_code == 200
    payload, stamp, signature = cookie.rsplit(".", 2)
    altered = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for _ in range(2):
        assert home_of(one, altered).status_code == 302
    assert home_of(one, cookie).status_code == 200


def test_a_new_secret_key_refuses_a_cookie_kept_under_the_old_one(one):
    cookie = one.prepared.cookies["facilitator"]
    assert home_of(one, cookie).status_code == 200
    old_key = one.app.secret_key
    one.app.secret_key = "a key rotated after a leak"
    try:
        assert home_of(one, cookie).status_code == 302
        # Kept as a fallback while phones move to the new key, it still opens.
        one.app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert home_of(one, cookie).status_code == 200
    finally:
        one.app.secret_key = old_key
        one.app.config["SECRET_KEY_FALLBACKS"] = []


def test_a_kept_cookie_is_refused_once_it_is_older_than_the_lifetime(one):
    cookie = one.prepared.cookies["facilitator"]
    assert home_of(one, cookie).status_code == 200
    lifetime = one.app.permanent_session_lifetime
    one.app.permanent_session_lifetime = timedelta(seconds=1)
    try:
        time.sleep(2.1)  # whole seconds, as the signature's timestamp counts them
        assert home_of(one, cookie).status_code == 302
    finally:
        one.app.permanent_session_lifetime = lifetime
    assert home_of(one, cookie).status_code == 200


def test_two_requests_with_one_cookie_never_share_a_session(one):
    """A message flashed while one request runs (a save in one tab) is not in the session of
    another request sent with the same cookie (the same phone's other tab, at that moment)."""
    interface = one.app.session_interface
    signer = interface.get_signing_serializer(one.app)
    content = signer.loads(one.prepared.cookies["facilitator"])
    # A cookie that already holds a message waiting to be shown: a list inside the session.
    cookie = signer.dumps({**content, "_flashes": [("info", "Welcome back.")]})
    header = {"HTTP_COOKIE": f"{SESSION_COOKIE}={cookie}"}
    with one.app.test_request_context("/", environ_base=header):
        first = interface.open_session(one.app, request)
        first["_flashes"].append(("info", "Saved."))
        first["csrf_token"] = "changed"
    with one.app.test_request_context("/", environ_base=header):
        second = interface.open_session(one.app, request)
    assert second["_flashes"] == [("info", "Welcome back.")]
    assert second["csrf_token"] == content["csrf_token"]
    assert second["_user_id"] == first["_user_id"]
