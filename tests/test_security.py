"""Form tokens, headers, cookies, sessions, sign-in limits, passwords and redirects."""

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import argon2
import pytest
from access_rules import post_endpoints
from conftest import PASSWORD, PEOPLE, csrf_token, import_map_hash, no_hashing, sign_in
from organisation_one import SESSION_COOKIE, last_segment, link_on, path_of, text_of

from wellbeing.db import sqlite3
from wellbeing.formtokens import unmask

PUBLIC_ORIGIN = "https://wellbeing.example.org"
# What a person might have typed into a form, by field name. Passwords must never come back.
TYPED = {
    "name": "Robin Typed-Name",
    "email": "robin.typed@one.example",
    "text": "A practice typed out in full",
    "note": "A footnote typed out in full",
    "direction": "down",
    "roles": "supervisor",
}
TYPED_PASSWORDS = {"password": "typed secret password", "confirm": "typed secret password"}


def form_token_on(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in_with(client, email, password, token, **query):
    return client.post(
        "/signin",
        query_string=query,
        data={"email": email, "password": password, "csrf_token": token},
    )


def stored_hash(one, who) -> str:
    with sqlite3.connect(one.database) as conn:
        (value,) = conn.execute(
            "select password_hash from users where email = ?", [PEOPLE[who][1]]
        ).fetchone()
    conn.close()
    return value


# --- form tokens (CSRF) -------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", post_endpoints())
def test_form_sent_without_its_token_is_refused_and_kept(one, endpoint):
    response = one.client("admin").post(path_of(one, endpoint), data=TYPED | TYPED_PASSWORDS)
    page = text_of(response)

    assert response.status_code == 400
    assert "Please try again" in page
    for value in TYPED.values():
        assert f'value="{value}"' in page
    assert TYPED_PASSWORDS["password"] not in page
    # The page offers to send it again, with a fresh token, to the same place.
    assert f'action="{path_of(one, endpoint)}"' in page
    assert form_token_on(page)


def test_form_sent_with_a_forged_token_is_refused(one):
    response = one.client("admin").post(
        "/organisation/invitations", data={"roles": "facilitator", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "Please try again" in text_of(response)


def test_form_token_of_another_browser_is_refused(one):
    """A token is tied to the browser session it was made for, so it can't be lifted."""
    response = one.client("admin").post(
        "/organisation/invitations",
        data={"roles": "facilitator", "csrf_token": one.form_token("facilitator")},
    )
    assert response.status_code == 400


def test_htmx_sends_the_page_token_in_a_header(one):
    admin = one.client("admin")
    page = admin.get("/organisation/people").get_data(as_text=True)
    body = re.search(r"<body[^>]*>", page).group(0)
    headers = json.loads(html.unescape(re.search(r"hx-headers='([^']*)'", body).group(1)))

    # The same token as the page's forms carry, masked for this response
    # (wellbeing/formtokens.py): never the token itself.
    assert headers["X-CSRFToken"] == form_token_on(page)
    assert "." not in headers["X-CSRFToken"] and "." in unmask(headers["X-CSRFToken"])

    response = admin.post(
        "/organisation/invitations",
        data={"roles": "facilitator"},
        headers={"X-CSRFToken": headers["X-CSRFToken"], "HX-Request": "true"},
    )
    assert response.status_code == 201
    # An htmx update gets only the part of the page it replaces.
    assert "<body" not in response.get_data(as_text=True)
    assert 'id="new-link"' in response.get_data(as_text=True)


# --- headers --------------------------------------------------------------------------

PAGES = [
    ("anonymous", "/signin"),
    ("anonymous", "/offline"),
    ("anonymous", "/invite/not-a-real-link-token"),
    ("anonymous", "/no-such-page"),
    ("facilitator", "/"),
    ("facilitator", "/organisation/support"),
    ("facilitator", "/organisation/people"),
    ("admin", "/"),
    ("admin", "/organisation/people"),
    ("admin", "/organisation/content/practice"),
]


@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_pages_forbid_inline_script_and_framing(one, persona, path):
    response = one.client(persona).get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}

    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The policy would block these anyway; a page that relied on them would be broken.
    page = response.get_data(as_text=True)
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)
    # The one inline script is the import map, and the policy allows exactly it, by its hash.
    assert directives["script-src"] == ["'self'", import_map_hash(page)]


@pytest.mark.parametrize(
    "path",
    ["/", "/organisation/people", "/organisation/support", "/organisation/content/situation"],
)
def test_signed_in_pages_are_never_stored_by_the_browser(one, path):
    response = one.client("admin").get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # A page and its htmx fragment share a URL, so caches must tell them apart.
    assert "HX-Request" in response.vary
    assert "Cookie" in response.vary


def test_versioned_assets_may_be_cached_for_a_year(one):
    page = one.client("anonymous").get("/signin").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page).group(1)
    response = one.client("anonymous").get(stylesheet)
    assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../wellbeing/__init__.py",
        "/static/%2e%2e/wellbeing/__init__.py",
        "/static/..%2fwellbeing%2f__init__.py",
        "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static//etc/passwd",
    ],
)
def test_static_files_never_reach_outside_the_static_folder(one, path):
    response = one.client("anonymous").get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"create_app" not in response.get_data()
    assert b"root:" not in response.get_data()


# --- cookies and sessions ---------------------------------------------------------------


def session_cookie_header(response) -> str:
    (header,) = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    ]
    return header


def test_session_cookie_is_secure_whatever_the_host_header(client):
    """Issue 11: Secure came from the Host header, so a proxy sending `Host: 127.0.0.1:8000`
    got a cookie that could travel over plain http. It comes from configuration now."""
    for base_url in ("http://127.0.0.1:8000", "http://localhost", PUBLIC_ORIGIN):
        response = client.get("/signin", base_url=base_url)
        attributes = [a.strip() for a in session_cookie_header(response).split(";")]
        assert "Secure" in attributes, base_url
        assert "HttpOnly" in attributes
        assert "SameSite=Lax" in attributes


def test_make_run_turns_secure_off_for_plain_http_on_this_machine(app):
    """`make run` serves plain http on localhost, where a Secure cookie would never come back:
    it sets WELLBEING_SESSION_COOKIE_SECURE=false (Makefile), read like any setting."""
    from wellbeing import create_app

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "WELLBEING_SESSION_COOKIE_SECURE=false $(PY) -m wellbeing.serving" in makefile
    os.environ["WELLBEING_SESSION_COOKIE_SECURE"] = "false"
    try:
        served = create_app({"DATABASE": app.config["DATABASE"], "TESTING": True})
    finally:
        del os.environ["WELLBEING_SESSION_COOKIE_SECURE"]
    response = served.test_client().get("/signin")
    assert "Secure" not in [a.strip() for a in session_cookie_header(response).split(";")]


def test_hsts_is_sent_over_https_only(client):
    secure = client.get("/signin", base_url=PUBLIC_ORIGIN)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/signin").headers


def test_invitation_and_reset_tokens_never_reach_a_log(app, caplog):
    """Issue 11: the error log showed /invite/<token>. Flask logs a failed request as
    "Exception on <path> [POST]"; the server (granian) and werkzeug log paths too."""
    import logging

    token = "Zk3v9Qm2LrT8xWc1NpY6aHs4"
    with caplog.at_level(logging.INFO):
        app.logger.error("Exception on /invite/%s [POST]", token)
        logging.getLogger("_granian").error(f"Error handling request /reset/{token}")
        logging.getLogger("werkzeug").info(f'"GET /invite/{token}?x=1 HTTP/1.1" 200 -')
    assert token not in caplog.text
    assert caplog.text.count("[redacted]") == 3
    assert "/invite/[redacted] [POST]" in caplog.text


def test_signed_out_cookie_is_refused(app, as_person):
    fran = as_person("facilitator")
    cookie = fran.get_cookie(SESSION_COOKIE).value
    token = csrf_token(fran, "/")

    response = fran.post("/signout", data={"csrf_token": token})
    assert urlsplit(response.location).path == "/signin"

    replayed = app.test_client()
    replayed.set_cookie(SESSION_COOKIE, cookie)
    response = replayed.get("/")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/signin"


def test_signed_out_page_tells_the_service_worker_to_clear_its_caches(one):
    fran = one.client("facilitator")
    response = fran.post("/signout", data={"csrf_token": one.form_token("facilitator")})
    page = fran.get(response.location).get_data(as_text=True)
    assert "data-signed-out" in re.search(r"<body[^>]*>", page).group(0)


# --- sign-in ---------------------------------------------------------------------------


def test_a_shared_office_network_never_locks_out_the_right_password(client):
    """Issue 11: 30 failures from one address locked out everyone there. Many people at one
    address getting their own passwords wrong must not stop a colleague with the right one."""
    token = csrf_token(client)
    for number in range(40):
        wrong = sign_in_with(client, f"someone{number}@one.example", "not the password", token)
        assert wrong.status_code == 422
    response = sign_in_with(client, PEOPLE["facilitator"][1], PASSWORD, token)
    assert response.status_code == 302 and response.location == "/"


class CountingHasher(argon2.PasswordHasher):
    """argon2's own hasher, counting how often a password is verified."""

    verified = 0

    def verify(self, hash, password):
        CountingHasher.verified += 1
        return super().verify(hash, password)


@pytest.mark.parametrize("email", [PEOPLE["facilitator"][1], "nobody-here@one.example"])
def test_an_unknown_email_costs_one_argon2_verification_like_a_wrong_password(
    client, monkeypatch, email
):
    """Issue 11: an unknown email answered in 3-37 ms, a wrong password in 160-230 ms, so the
    time said who has an account. Both now verify exactly one Argon2 hash. (Counted, not timed:
    tests must not depend on the machine's speed.)"""
    from wellbeing.people import identity

    counting = CountingHasher()
    monkeypatch.setattr(identity, "hasher", lambda: counting)
    token = csrf_token(client)
    CountingHasher.verified = 0
    response = sign_in_with(client, email, "not the password at all", token)
    assert response.status_code == 422
    assert CountingHasher.verified == 1


def test_sixth_try_after_five_wrong_passwords_must_wait(client):
    token = csrf_token(client)
    email = PEOPLE["facilitator"][1]
    for _ in range(5):
        response = sign_in_with(client, email, "not the password at all", token)
        assert response.status_code == 422
        assert "don't match" in text_of(response)

    response = sign_in_with(client, email, PASSWORD, token)
    assert response.status_code == 429
    assert "Too many tries" in text_of(response)
    assert "please wait" in text_of(response)
    assert client.get("/").status_code == 302  # still signed out

    # Someone else signing in from the same place is not held up.
    response = sign_in_with(client, PEOPLE["coworker"][1], PASSWORD, token)
    assert response.status_code == 302
    assert response.location == "/"


def test_wrong_passwords_are_limited_whatever_the_email_case(client):
    token = csrf_token(client)
    for n in range(5):
        email = PEOPLE["facilitator"][1]
        sign_in_with(client, email.upper() if n % 2 else email, "wrong password", token)
    response = sign_in_with(client, PEOPLE["facilitator"][1].title(), PASSWORD, token)
    assert response.status_code == 429


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    token = csrf_token(client)
    unknown = sign_in_with(client, "nobody@one.example", "some password", token)
    wrong = sign_in_with(client, PEOPLE["facilitator"][1], "some password", token)
    assert unknown.status_code == wrong.status_code == 422
    refusal = re.compile(r'<p class="flash error" role="alert">([^<]*)</p>')
    assert refusal.search(text_of(unknown)).group(1) == refusal.search(text_of(wrong)).group(1)


def test_old_password_hash_is_upgraded_at_sign_in(one):
    one.app.config["ARGON2_PARAMETERS"] = {}  # the strong defaults, as on a server
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with sqlite3.connect(one.database) as conn:
        conn.execute(
            "update users set password_hash = ? where email = ?", [weak, PEOPLE["coworker"][1]]
        )
    conn.close()

    sign_in(one.app.test_client(), "coworker")

    upgraded = stored_hash(one, "coworker")
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")
    defaults = argon2.PasswordHasher()
    parameters = argon2.extract_parameters(upgraded)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )
    assert defaults.verify(upgraded, PASSWORD)


def test_current_password_hash_is_left_alone_at_sign_in(one):
    before = stored_hash(one, "coworker")
    sign_in(one.app.test_client(), "coworker")
    assert stored_hash(one, "coworker") == before


def test_sign_in_goes_on_to_the_page_asked_for(client):
    response = client.get("/organisation/people")
    assert response.location == "/signin?next=/organisation/people"

    page = client.get(response.location).get_data(as_text=True)
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    response = client.post(
        action,
        data={"email": PEOPLE["admin"][1], "password": PASSWORD, "csrf_token": form_token_on(page)},
    )
    assert response.location == "/organisation/people"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/organisation/people",
        "https://evil.example",
        "https://evil.example/organisation/people",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\\/evil.example",
        "organisation/people",
    ],
)
def test_sign_in_never_sends_people_to_another_site(client, target):
    token = csrf_token(client)
    response = sign_in_with(client, PEOPLE["admin"][1], PASSWORD, token, next=target)
    assert response.status_code == 302
    assert response.location == "/"


# --- friendly error pages ---------------------------------------------------------------


def test_unknown_page_gets_a_friendly_404(one):
    response = one.client("facilitator").get("/organisation/nothing-here")
    page = text_of(response)
    assert response.status_code == 404
    assert "We couldn't find that page" in page
    assert "Go to your home screen" in page
    assert "Traceback" not in page
    assert "werkzeug" not in page.lower()


def test_page_for_another_role_gets_a_friendly_403(one):
    response = one.client("supervisor").get("/organisation/content/practice")
    page = text_of(response)
    assert response.status_code == 403
    assert "This page isn't for your role" in page
    assert "ask your admin" in page
    assert "Traceback" not in page
    assert "Forbidden" not in page


def test_wrong_method_gets_a_friendly_page(one):
    response = one.client("facilitator").get("/signout")
    assert response.status_code == 405
    assert "That doesn't work here" in text_of(response)


def test_failed_htmx_update_shows_the_whole_friendly_page(one):
    response = one.client("supervisor").post(
        "/organisation/content/practice",
        data={"text": "x", "csrf_token": one.form_token("supervisor")},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "body"


# --- password reset links -------------------------------------------------------------


def test_reset_link_sets_a_new_password_once_and_signs_the_person_out(one):
    facilitator_id = one.rows["facilitator"]
    fran_elsewhere = one.client("facilitator")
    assert fran_elsewhere.get("/").status_code == 200

    admin = one.client("admin")
    response = admin.post(
        f"/organisation/people/{facilitator_id}/reset",
        data={"csrf_token": one.form_token("admin")},
    )
    assert response.status_code == 201
    link = urlsplit(link_on(response.get_data(as_text=True), "reset-link")).path
    assert link == f"/reset/{last_segment(link)}"

    fran = one.app.test_client()
    page = fran.get(link)
    assert page.status_code == 200
    assert PEOPLE["facilitator"][0] in page.get_data(as_text=True)
    new_password = "a new password for Fran"
    response = fran.post(
        link,
        data={
            "password": new_password,
            "confirm": new_password,
            "csrf_token": form_token_on(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/signin"

    # Fran's other sign-ins end, and the old password no longer works.
    assert fran_elsewhere.get("/").status_code == 302
    token = csrf_token(fran)
    assert sign_in_with(fran, PEOPLE["facilitator"][1], PASSWORD, token).status_code == 422
    assert sign_in_with(fran, PEOPLE["facilitator"][1], new_password, token).status_code == 302
    # The admin's own sign-in is untouched.
    assert admin.get("/organisation/people").status_code == 200

    # The link works once.
    again = one.app.test_client()
    assert again.get(link).status_code == 410
    response = again.post(
        link,
        data={
            "password": "yet another password",
            "confirm": "yet another password",
            "csrf_token": csrf_token(again),
        },
    )
    assert response.status_code == 410
    assert "If you chose a new password with it a moment ago, it is saved" in text_of(response)


def test_a_reset_link_someone_is_using_this_moment_is_refused_without_hashing(one):
    """Issue 26: six people pressing Save on one reset link at once used to hash six new
    passwords; now only the request holding the link's claim hashes, and the others are told."""
    link = make_reset_link(one)
    database = one.database
    with sqlite3.connect(database) as conn:
        conn.execute("update password_resets set claimed_until = '2999-01-01T00:00:00+00:00'")
    conn.close()
    with no_hashing(one.app):
        response = use_reset_link(one.app.test_client(), link, "lantern harbour violet orchard")
    assert response.status_code == 409
    assert "Someone is using this link right now" in text_of(response)
    # The old password still works, and the link is still there to use.
    fran = one.app.test_client()
    signed_in = sign_in_with(fran, PEOPLE["facilitator"][1], PASSWORD, csrf_token(fran))
    assert signed_in.status_code == 302
    with sqlite3.connect(database) as conn:
        conn.execute("update password_resets set claimed_until = null")
    conn.close()
    answer = use_reset_link(one.app.test_client(), link, "lantern harbour violet orchard")
    assert answer.status_code == 302


def test_a_reset_link_cancelled_since_it_was_read_is_gone_not_in_use(one):
    """A newer link cancels an older one: a press on the older one, read before, is refused as
    gone (410) and hashes nothing."""
    from wellbeing import people

    link = make_reset_link(one)
    with one.app.app_context():
        read = people.find_password_reset(link.rsplit("/", 1)[1])
    make_reset_link(one)  # cancels the first
    with one.app.app_context(), no_hashing(one.app):
        assert people.use_password_reset(read, "lantern harbour violet orchard") is False
    with sqlite3.connect(one.database) as conn:
        claimed = conn.execute(
            "select count(*) from password_resets where claimed_until is not null"
        )
        assert claimed.fetchone()[0] == 0
    conn.close()


def make_reset_link(one, persona="facilitator") -> str:
    response = one.client("admin").post(
        f"/organisation/people/{one.rows[persona]}/reset",
        data={"csrf_token": one.form_token("admin")},
    )
    assert response.status_code == 201
    return urlsplit(link_on(response.get_data(as_text=True), "reset-link")).path


def use_reset_link(client, link, password):
    page = client.get(link)
    if page.status_code != 200:
        return page
    form = {"password": password, "confirm": password}
    return client.post(link, data=form | {"csrf_token": form_token_on(page.get_data(as_text=True))})


def test_an_admin_cannot_keep_a_second_reset_link_to_become_someone(one):
    """Issue 11, finding 3: an admin made two links for Fran; after the first was used the
    second still worked, and signed in as Fran the admin read the pair's check-ins. Now only
    one link is live, using it cancels every other, Fran is told, and so is her partner."""
    first = make_reset_link(one)
    second = make_reset_link(one)
    assert one.app.test_client().get(first).status_code == 410  # the new one cancelled it
    third = make_reset_link(one)
    fran = one.app.test_client()
    assert use_reset_link(fran, third, "lantern harbour violet orchard").status_code == 302
    for link in (first, second, third):
        answer = use_reset_link(one.app.test_client(), link, "admin chose this one instead")
        assert answer.status_code == 410, link

    # Fran is told at her next sign-in, with who made the link.
    token = csrf_token(fran)
    signed_in = sign_in_with(
        fran, PEOPLE["facilitator"][1], "lantern harbour violet orchard", token
    )
    assert signed_in.status_code == 302
    told = text_of(fran.get("/"))
    assert "Your password was reset on" in told and PEOPLE["admin"][0] in told
    # Her account page lists the sign-in and every link, with who made it.
    account = re.sub(r"<[^>]+>", "", text_of(fran.get("/account")))
    assert "This one, now" in account
    # Four links: Organisation One's admin made one for Fran before this test.
    assert account.count(f"Made by {PEOPLE['admin'][0]}") == 4
    assert account.count("Used on") == 1 and account.count("Cancelled on") == 3
    # The admin's people page shows who made it; so does the export.
    people = text_of(one.client("admin").get("/organisation/people"))
    assert f"Reset link made by {PEOPLE['admin'][0]}" in people
    exported = one.client("admin").get("/organisation/export.json").get_json()
    made = [r for r in exported["password_resets"] if r["person"] == PEOPLE["facilitator"][0]]
    assert len(made) >= 3 and {r["made_by"] for r in made} == {PEOPLE["admin"][0]}
    # Her partner sees it on their pair page.
    pair_page = text_of(one.client("coworker").get(f"/pairs/{one.rows['pair']}"))
    assert f"{PEOPLE['facilitator'][0]}'s password was reset by an admin on" in pair_page


def test_an_unused_reset_link_says_nothing_at_a_first_sign_in(app, client):
    """Someone who never signed in, with a link made but not used: no notice, no error."""
    from wellbeing import people

    with app.app_context():
        fran = people.find_by_email(PEOPLE["facilitator"][1])
        people.create_password_reset(fran["id"], fran["id"])
    response = sign_in_with(client, PEOPLE["facilitator"][1], PASSWORD, csrf_token(client))
    assert response.status_code == 302
    assert "password was reset" not in text_of(client.get("/"))


def test_a_person_is_not_told_of_a_reset_twice_and_others_see_no_notice(one):
    link = make_reset_link(one)
    fran = one.app.test_client()
    assert use_reset_link(fran, link, "lantern harbour violet orchard").status_code == 302
    for _ in range(2):
        token = csrf_token(fran)
        sign_in_with(fran, PEOPLE["facilitator"][1], "lantern harbour violet orchard", token)
        told = "Your password was reset on" in text_of(fran.get("/"))
        fran.post("/signout", data={"csrf_token": csrf_token(fran, "/")})
    assert not told
    # The bystander, in no pair with Fran, sees nothing about her.
    assert "password was reset" not in text_of(one.client("bystander").get("/"))


def test_reset_link_keeps_the_old_password_until_the_new_one_is_chosen(one):
    token = one.rows["reset_token"]
    fran = one.app.test_client()
    page = fran.get(f"/reset/{token}").get_data(as_text=True)
    response = fran.post(
        f"/reset/{token}",
        data={"password": "short", "confirm": "short", "csrf_token": form_token_on(page)},
    )
    assert response.status_code == 422
    assert "at least 10 characters" in text_of(response)
    # A failed try doesn't spend the link or sign anyone out.
    assert fran.get(f"/reset/{token}").status_code == 200
    assert one.client("facilitator").get("/").status_code == 200


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ('{{ _("Hello, %(name)s", name=who) }}', "Hello, &lt;b&gt;Eve&lt;/b&gt;"),
        ('{{ _("Hello, <em>you</em>") }}', "Hello, <em>you</em>"),
        ('{{ _("100%% yours, %(name)s", name="Sam") }}', "100% yours, Sam"),
        ('{{ ngettext("%(num)d pair", "%(num)d pairs", 2) }}', "2 pairs"),
        ('{{ _("Move up: %(text)s", text=who) }}', "Move up: &lt;b&gt;Eve&lt;/b&gt;"),
    ],
)
def test_template_text_escapes_what_people_typed(app, source, shown):
    # Interface text is the template's own; a name or any other value put into it is escaped.
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string(source, who="<b>Eve</b>") == shown
