"""Trust, part two (issue 21), on the server: a reset takes every passkey back and adding one
needs a fresh check; a room behind one address isn't locked by its typos; and the lows: the
largest body, malformed JSON on every JSON endpoint, compression by allow-list, trusted hosts
and links from the base URL, the delete page's password check throttled, the form token new at
sign-in, and passkey challenges limited. The passkey ceremony itself, and HTTPS, are in
tests/browser/test_passkeys.py and tests/browser/test_https.py."""

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from access_rules import RULES
from conftest import PASSWORD, PEOPLE, csrf_token, make_app, sign_in
from organisation_one import text_of
from steps import stored_passkey

from wellbeing import NotConfigured, create_app, people
from wellbeing.db import sqlite3
from wellbeing.home import lifecycle
from wellbeing.private.backup import MAX_BODY_BYTES


def query(database, sql, params=()):
    conn = sqlite3.connect(database)
    found = conn.execute(sql, params).fetchall()
    conn.close()
    return found


def execute(database, sql, params=()):
    with sqlite3.connect(database) as conn:
        conn.execute(sql, params)
    conn.close()


def minutes_ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


# --- H2: a reset takes every key back ---------------------------------------------------------


def test_a_password_reset_removes_every_passkey_and_tells_the_person(one):
    """Issue 21, H2. The ceremony through Chromium is in tests/browser/test_passkeys.py; here,
    the rows: after the reset no passkey of Fran's is left to sign in with, Cole's is untouched,
    and Fran's next sign-in and account page say what happened."""
    stored_passkey(one, "facilitator")
    stored_passkey(one, "coworker", name="Cole's phone")
    new_password = "a brand new horse battery staple"
    anyone = one.app.test_client()
    path = f"/reset/{one.rows['reset_token']}"
    sent = anyone.post(
        path,
        data={
            "password": new_password,
            "confirm": new_password,
            "csrf_token": csrf_token(anyone, path),
        },
    )
    assert sent.status_code == 302, text_of(sent)
    owners = [row[0] for row in query(one.database, "select user_id from passkeys")]
    assert owners == [one.rows["coworker"]]
    # A passkey answer naming the removed credential finds nothing (the same query signs in).
    assert not query(
        one.database, "select 1 from passkeys where credential_id = 'cred-facilitator'"
    )

    fran = one.app.test_client()

    def fran_signs_in():
        form = {"email": PEOPLE["facilitator"][1], "password": new_password}
        form["csrf_token"] = csrf_token(fran)
        return fran.post("/signin", data=form, follow_redirects=True)

    signed_in = fran_signs_in()
    assert "Your passkeys were removed on" in text_of(signed_in)
    account = text_of(fran.get("/account"))
    assert "when your password was reset" in account
    assert "No passkeys yet." in account
    # Told once: the next sign-in says nothing more of it.
    fran.post("/signout", data={"csrf_token": csrf_token(fran, "/")})
    again = fran_signs_in()
    assert again.request.path == "/"  # signed in
    assert "Your passkeys were removed on" not in text_of(again)


def test_switching_someone_off_removes_their_passkeys_for_good(one):
    stored_passkey(one, "facilitator")
    with one.app.app_context():
        lifecycle.disable(one.rows["facilitator"])
        lifecycle.enable(one.rows["facilitator"])
    assert not query(one.database, "select 1 from passkeys")
    fran = sign_in(one.app.test_client(), "facilitator")
    assert "when your account was switched off" in text_of(fran.get("/account"))


def test_a_passkey_cannot_be_added_without_a_check_in_the_last_five_minutes(one):
    """Issue 21, H2 ("sudo mode"): a signed-in session alone, from an unlocked phone or a
    stolen cookie, can't add a passkey. Typing the password again opens five minutes."""
    assert make_app(one.database).config["RECENT_CHECK_MINUTES"] == 5
    one.app.config["RECENT_CHECK_MINUTES"] = 5
    fran = one.client("facilitator")
    token = {"X-CSRFToken": one.form_token("facilitator")}
    execute(one.database, "update signins set checked_at = ?", [minutes_ago(6)])
    refused = fran.post("/account/passkeys/new", json={}, headers=token)
    assert refused.status_code == 403
    assert "type your password again" in refused.get_json()["message"]
    assert (
        fran.post("/account/passkeys", json={"challengeId": "x"}, headers=token).status_code == 403
    )
    assert not query(one.database, "select 1 from webauthn_challenges")
    page = text_of(fran.get("/account"))
    assert "To add a passkey, type your password again." in page
    assert "data-passkey-add" not in page

    form = {"csrf_token": one.form_token("facilitator")}
    wrong = fran.post("/account/check", data={**form, "password": "not my password"})
    assert wrong.status_code == 422
    assert "That isn't your password." in text_of(wrong)
    assert fran.post("/account/passkeys/new", json={}, headers=token).status_code == 403
    right = fran.post("/account/check", data={**form, "password": PASSWORD})
    assert right.status_code == 302
    assert "data-passkey-add" in text_of(fran.get("/account"))
    options = fran.post("/account/passkeys/new", json={}, headers=token)
    assert options.status_code == 200
    assert options.get_json()["publicKey"]["user"]["name"] == PEOPLE["facilitator"][1]


def test_the_recheck_counts_with_sign_in_failures(one):
    fran = one.client("facilitator")
    form = {"csrf_token": one.form_token("facilitator"), "password": "wrong"}
    statuses = [fran.post("/account/check", data=form).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # The same account's sign-in waits too: one limit, however the password is guessed.
    stranger = one.app.test_client()
    blocked = stranger.post(
        "/signin",
        data={
            "email": PEOPLE["facilitator"][1],
            "password": PASSWORD,
            "csrf_token": csrf_token(stranger),
        },
    )
    assert blocked.status_code == 429


# --- M1: rooms can't be locked by typos -------------------------------------------------------


def test_two_hundred_phones_behind_one_address_with_twenty_typos_all_join(one):
    """Issue 21, M1: twenty wrong codes from a venue's one address locked a whole room out.
    Two hundred phones on one address, twenty of them mistyping first: all join, and only the
    twenty wrong codes were counted."""
    code = one.rows["room_code"]
    before = query(one.database, "select count(*) from participants")[0][0]
    joined = 0
    for n in range(200):
        phone = one.app.test_client()
        phone.environ_base["REMOTE_ADDR"] = "192.0.2.10"
        token = csrf_token(phone, "/join")
        if n % 10 == 0:
            typo = phone.post("/join", data={"code": "XXXXXX", "csrf_token": token})
            assert typo.status_code == 422
        answer = phone.post("/join", data={"code": code, "csrf_token": token})
        assert answer.status_code == 302, (n, text_of(answer))
        # Each phone then opens its seat, as the redirect does: never counted.
        assert phone.get(f"/line/{code}").status_code == 200
        joined += 1
    assert joined == 200
    after = query(one.database, "select count(*) from participants")[0][0]
    assert after == before + 200
    counted = query(one.database, "select count(*) from room_lookups where key like 'code:%'")
    assert counted[0][0] == 20


def test_a_phone_without_its_seat_and_the_right_code_is_never_counted(one):
    code = one.rows["room_code"]
    phone = one.app.test_client()
    phone.environ_base["REMOTE_ADDR"] = "192.0.2.11"
    for _ in range(30):
        assert phone.get(f"/line/{code}").status_code == 302  # to the join page
    assert not query(one.database, "select 1 from room_lookups where key like 'code%'")
    token = csrf_token(phone, "/join")
    assert phone.post("/join", data={"code": code, "csrf_token": token}).status_code == 302


def test_wrong_codes_are_still_limited_per_address_and_per_phone(one):
    code = one.rows["room_code"]
    # One phone: 20 wrong codes in an hour, then it waits, right code included.
    phone = one.app.test_client()
    phone.environ_base["REMOTE_ADDR"] = "192.0.2.12"
    token = csrf_token(phone, "/join")
    statuses = [
        phone.post("/join", data={"code": f"WRONG{n}", "csrf_token": token}).status_code
        for n in range(21)
    ]
    assert statuses == [422] * 20 + [429]
    assert phone.post("/join", data={"code": code, "csrf_token": token}).status_code == 429
    # Another phone at the same address is not held up by that one's typos.
    other = one.app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.12"
    token = csrf_token(other, "/join")
    assert other.post("/join", data={"code": code, "csrf_token": token}).status_code == 302

    # One address: 200 wrong codes an hour from new phones, then every code from it waits.
    for n in range(180):
        guesser = one.app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = "192.0.2.12"
        guesser.get(f"/line/GUESS{n}")
    late = one.app.test_client()
    late.environ_base["REMOTE_ADDR"] = "192.0.2.12"
    token = csrf_token(late, "/join")
    refused = late.post("/join", data={"code": code, "csrf_token": token})
    assert refused.status_code == 429
    assert "Too many codes tried" in text_of(refused)
    # Elsewhere, the right code joins.
    elsewhere = one.app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    token = csrf_token(elsewhere, "/join")
    assert elsewhere.post("/join", data={"code": code, "csrf_token": token}).status_code == 302


# --- L1: the largest body, and malformed JSON on every JSON endpoint ----------------------------


def test_no_request_body_may_be_larger_than_a_backup(one):
    assert one.app.config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES == 5 * 1024 * 1024
    client = one.app.test_client()
    token = csrf_token(client)
    body = b'{"challengeId": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    answer = client.post(
        "/signin/passkey",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    form = client.post("/signin", data={"csrf_token": token, "email": "x" * (MAX_BODY_BYTES + 1)})
    assert form.status_code == 413


DEEP = 50_000
MALFORMED = {
    "deep array": "[" * DEEP + "]" * DEEP,
    "deep object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "deep in credential": '{"challengeId": "CHALLENGE", "credential": '
    + "[" * DEEP
    + "]" * DEEP
    + "}",
    "not json": "{nope",
    "truncated": '{"challengeId": "',
    "a list": "[1, 2, 3]",
    "a string": '"text"',
    "null": "null",
    "a number": "12",
    "credential.id a list": json.dumps(
        {"challengeId": "CHALLENGE", "credential": {"id": ["a", "b"]}}
    ),
    "credential.id an object": json.dumps(
        {"challengeId": "CHALLENGE", "credential": {"id": {"a": 1}}}
    ),
    "credential a list": json.dumps({"challengeId": "CHALLENGE", "credential": [1, 2]}),
    "credential a string": json.dumps({"challengeId": "CHALLENGE", "credential": "x"}),
    "challengeId a list": json.dumps({"challengeId": ["x"], "credential": {"id": "x"}}),
    "challengeId an object": json.dumps({"challengeId": {"x": 1}, "credential": {}}),
    "name an object": json.dumps({"challengeId": "CHALLENGE", "name": {"a": 1}, "credential": {}}),
    "response a list": json.dumps(
        {
            "challengeId": "CHALLENGE",
            "credential": {"id": "cred-facilitator", "rawId": "x", "response": []},
        }
    ),
    "basedOn a string": json.dumps({"basedOn": "1", "file": {}}),
    "file a list": json.dumps({"basedOn": 0, "file": []}),
    "not utf-8": b"\xff\xfe{\x00",
}


# Where a live challenge for each passkey endpoint comes from.
CHALLENGES = {
    "accounts.passkey_signin": "/signin/passkey/options",
    "accounts.passkey_add": "/account/passkeys/new",
}


def headers(one, persona):
    return {"X-CSRFToken": one.form_token(persona)}


def json_endpoints():
    """Every route a page's fetch() sends JSON to: those the access rules send JSON, and the
    private space's backup."""
    found = [endpoint for endpoint, rule in RULES.items() if rule.json is not None]
    return sorted({*found, "private.backup_upload"})


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_json_is_a_400_or_422_on_every_json_endpoint(one, name):
    """Issue 21, L1: 50,000 levels of nesting raised a RecursionError, and a list for
    credential.id reached SQLite: both were 500s. Every JSON endpoint, as its own persona."""
    from organisation_one import path_of

    body = MALFORMED[name]
    stored_passkey(one, "facilitator")  # a credential id that finds a passkey
    endpoints = json_endpoints()
    assert {"accounts.passkey_signin", "accounts.passkey_add"} <= set(endpoints)
    for endpoint in endpoints:
        persona = "anonymous" if RULES[endpoint].who == "public" else "facilitator"
        client = one.client(persona)
        path = path_of(one, endpoint)
        sent = body
        if endpoint in CHALLENGES and isinstance(body, str) and "CHALLENGE" in body:
            # A live challenge, so the answer's other parts are read (a made-up one is
            # refused before them).
            made = client.post(CHALLENGES[endpoint], json={}, headers=headers(one, persona))
            sent = body.replace("CHALLENGE", made.get_json()["challengeId"])
        answer = client.post(
            path,
            data=sent,
            headers={
                "X-CSRFToken": one.form_token(persona),
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        # The options endpoints ignore their body: a challenge is the right answer there.
        allowed = {200} if endpoint.endswith("options") else {400, 409, 413, 415, 422}
        assert answer.status_code in allowed, (endpoint, name, answer.status_code)


# --- L2: compression only by an allow-list ----------------------------------------------------


# Asked for as the app's own pages ask (issue 26 compresses HTML then; tests/test_compression.py).
GZIP = {"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"}


def test_only_static_files_the_service_worker_and_the_manifest_are_compressed(one):
    """Issue 21, L2: data.json puts partner-editable text beside a person's own notes, and
    was gzipped: a BREACH-shaped oracle. Of what is not HTML, only the allow-list is
    compressed, even when asked for same-origin."""
    fran = one.client("facilitator")
    data = fran.get("/account/data.json", headers=GZIP)
    assert data.status_code == 200 and len(data.get_data()) > 512
    assert "Content-Encoding" not in data.headers
    export = one.client("admin").get("/organisation/export.json", headers=GZIP)
    assert export.status_code == 200, export.status_code
    assert "Content-Encoding" not in export.headers
    assert "Content-Encoding" not in one.client("anonymous").get("/healthz", headers=GZIP).headers
    for path in ("/sw.js", "/manifest.webmanifest", "/static/app.css"):
        sent = one.client("anonymous").get(path, headers=GZIP)
        assert sent.headers.get("Content-Encoding") == "gzip", path
        assert gzip.decompress(sent.get_data())


# --- L3: trusted hosts and the base URL -------------------------------------------------------


def production(database, **settings):
    return create_app(
        {
            "DATABASE": str(database),
            "SECRET_KEY": "production-test-key",
            "SESSION_COOKIE_SECURE": True,
            **settings,
        }
    )


def test_production_refuses_to_start_without_trusted_hosts_and_a_base_url(
    one, tmp_path, monkeypatch
):
    monkeypatch.setenv("WELLBEING_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(NotConfigured, match="WELLBEING_TRUSTED_HOSTS and WELLBEING_BASE_URL"):
        production(one.database)
    with pytest.raises(NotConfigured, match="WELLBEING_BASE_URL"):
        production(one.database, TRUSTED_HOSTS="wellbeing.example")
    # `make run` and tests (Secure off, or TESTING) need neither.
    assert create_app({"DATABASE": str(one.database), "SESSION_COOKIE_SECURE": False})


def test_another_host_is_refused_and_links_come_from_the_base_url(one, tmp_path, monkeypatch):
    monkeypatch.setenv("WELLBEING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WELLBEING_TRUSTED_HOSTS", "wellbeing.example, www.wellbeing.example")
    monkeypatch.setenv("WELLBEING_BASE_URL", "https://wellbeing.example/")
    app = production(one.database, ATREST_KEYS=one.app.config["ATREST_KEYS"])
    assert app.config["TRUSTED_HOSTS"] == ["wellbeing.example", "www.wellbeing.example"]
    client = app.test_client()
    refused = client.get("/signin", base_url="https://evil.example")
    assert refused.status_code == 400
    assert b"evil.example" not in refused.get_data()
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.get("/signin", base_url="https://wellbeing.example").status_code == 200
    # Signed in as the admin (through the real form, on a trusted host other than the base
    # URL's), a new invitation and a reset link still point at the base URL.
    admin = app.test_client()
    base = "https://www.wellbeing.example"
    page = admin.get("/signin", base_url=base).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = admin.post(
        "/signin",
        data={"email": PEOPLE["admin"][1], "password": PASSWORD, "csrf_token": token},
        base_url=base,
        headers={"Referer": base + "/signin"},
    )
    assert signed_in.status_code == 302, text_of(signed_in)
    people_page = admin.get("/organisation/people", base_url=base).get_data(as_text=True)
    token = people_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    made = admin.post(
        f"/organisation/people/{one.rows['coworker']}/reset",
        data={"csrf_token": token},
        base_url=base,
        headers={"Referer": base + "/organisation/people"},
    )
    assert made.status_code == 201, text_of(made)
    assert 'value="https://wellbeing.example/reset/' in made.get_data(as_text=True)


def test_in_development_links_use_the_request_host(one):
    admin = one.client("admin")
    made = admin.post(
        f"/organisation/people/{one.rows['coworker']}/reset",
        data={"csrf_token": one.form_token("admin")},
        headers={"Host": "localhost:5000"},
    )
    assert 'value="http://localhost:5000/reset/' in made.get_data(as_text=True)


def test_the_relying_party_follows_the_base_url(one):
    one.app.config["BASE_URL"] = "https://wellbeing.example"
    client = one.app.test_client()
    token = csrf_token(client)
    options = client.post(
        "/signin/passkey/options", json={}, headers={"X-CSRFToken": token}
    ).get_json()
    assert options["publicKey"]["rpId"] == "wellbeing.example"
    with one.app.test_request_context(base_url="http://evil.example"):
        from wellbeing.accounts.passkeys import relying_party

        assert relying_party() == ("wellbeing.example", "https://wellbeing.example")


# --- L4: deleting your account checks your password under the sign-in limit -------------------


def test_guessing_the_password_on_the_delete_page_is_counted_with_sign_in_failures(one):
    fran = one.client("facilitator")
    form = {"csrf_token": one.form_token("facilitator"), "password": "a guess"}
    statuses = [fran.post("/account/delete", data=form).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # Even the right password waits now, and nothing was deleted.
    right = fran.post("/account/delete", data={**form, "password": PASSWORD})
    assert right.status_code == 429
    assert "Too many tries" in text_of(right)
    assert query(
        one.database, "select deleted_at from users where id = ?", [one.rows["facilitator"]]
    ) == [(None,)]


# --- L5: the form token is new at sign-in -----------------------------------------------------


def test_a_form_token_from_before_sign_in_is_refused_after_it(app):
    client = app.test_client()
    before = csrf_token(client)
    sign_in(client, "facilitator")
    # The sign-out form, with the token the sign-in page gave before signing in.
    stale = client.post("/signout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/").status_code == 200  # still signed in
    fresh = csrf_token(client, "/")
    assert client.post("/signout", data={"csrf_token": fresh}).status_code == 302


# --- L6: passkey challenges are limited, and swept by an index ---------------------------------


def test_challenges_are_limited_per_address(one):
    client = one.app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.40"
    token = {"X-CSRFToken": csrf_token(client)}
    statuses = [
        client.post("/signin/passkey/options", json={}, headers=token).status_code
        for _ in range(121)
    ]
    assert statuses == [200] * 120 + [429]
    assert query(one.database, "select count(*) from webauthn_challenges") == [(120,)]
    # Another address is not held up.
    other = one.app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.41"
    token = {"X-CSRFToken": csrf_token(other)}
    assert other.post("/signin/passkey/options", json={}, headers=token).status_code == 200


def test_expired_challenges_are_swept_by_an_index(one):
    plan = query(
        one.database,
        "explain query plan delete from webauthn_challenges where created_at < ?",
        ["2026-01-01"],
    )
    assert any("USING INDEX" in row[-1] or "USING COVERING INDEX" in row[-1] for row in plan), plan


def test_a_person_row_has_no_passkey_notice_until_one_is_removed(one):
    with one.app.app_context():
        assert people.remove_passkeys(one.rows["facilitator"], "reset") == 0
    assert query(
        one.database,
        "select passkeys_removed_at from users where id = ?",
        [one.rows["facilitator"]],
    ) == [(None,)]


def test_make_app_is_development(tmp_path):
    assert make_app(tmp_path / "x.db").config["TRUSTED_HOSTS"] is None


def test_through_the_real_server_two_hundred_phones_behind_one_address_all_join(tmp_path):
    """The same room through `make run` (granian, two workers), the phones sending at once
    from 127.0.0.1, as a venue's one address: twenty mistype first, and all 200 join."""
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from bench.room_fanout import Browser, form_token, open_room
    from bench.training_day import Server
    from bench.training_day import sign_in as sign_in_there

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Server(tmp_path / "instance", port) as server:
        trainer = sign_in_there(port, "alex@demo.example", "demo-alex-pass")
        _trainer, _room, code = open_room(port, trainer.cookie)

        def phone(number):
            browser = Browser(port)
            _, _, page = browser.send("GET", f"/join?code={code}")
            token = form_token(page)
            typo = None
            if number % 10 == 0:
                typo = browser.send("POST", "/join", {"code": "XXXXXX", "csrf_token": token})[0]
            joined = browser.send("POST", "/join", {"code": code, "csrf_token": token})[0]
            return typo, joined

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(phone, range(200)))
        errors = server.errors_logged()
    assert [typo for typo, _ in answers if typo is not None] == [422] * 20
    assert [joined for _, joined in answers] == [302] * 200
    assert errors == []
    seated = query(tmp_path / "instance" / "wellbeing.db", "select count(*) from participants")
    assert seated == [(200,)]
