"""Passkeys on the server (issue 15): challenges are single-use and expire, answers that prove
nothing sign nobody in, and a person removes only their own passkeys. The whole ceremony, with
Chromium's virtual authenticator, is in tests/browser/test_passkeys.py."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_token
from steps import stored_passkey

from wellbeing.accounts import passkeys
from wellbeing.db import sqlite3


def test_a_challenge_opens_once_only(one):
    with one.app.test_request_context():
        challenge_id, challenge = passkeys.issue_challenge("signin")
        assert passkeys.take_challenge(challenge_id, "signin") == challenge
        with pytest.raises(passkeys.Refused):
            passkeys.take_challenge(challenge_id, "signin")


def test_a_challenge_is_refused_after_two_minutes(one):
    with one.app.test_request_context():
        challenge_id, _ = passkeys.issue_challenge("signin")
    old = (datetime.now(UTC) - timedelta(seconds=passkeys.CHALLENGE_SECONDS + 5)).isoformat()
    with sqlite3.connect(one.database) as conn:
        conn.execute("update webauthn_challenges set created_at = ?", [old])
    conn.close()
    with one.app.test_request_context(), pytest.raises(passkeys.Refused, match="expired"):
        passkeys.take_challenge(challenge_id, "signin")


def test_a_challenge_for_adding_a_passkey_cannot_sign_in_or_serve_another_person(one):
    with one.app.test_request_context():
        challenge_id, _ = passkeys.issue_challenge("register", one.rows["facilitator"])
        with pytest.raises(passkeys.Refused):
            passkeys.take_challenge(challenge_id, "signin")
        challenge_id, _ = passkeys.issue_challenge("register", one.rows["facilitator"])
        with pytest.raises(passkeys.Refused):
            passkeys.take_challenge(challenge_id, "register", one.rows["coworker"])


def test_a_made_up_passkey_answer_signs_nobody_in(one):
    stored_passkey(one, "facilitator")
    client = one.app.test_client()
    token = csrf_token(client)
    options = client.post("/signin/passkey/options", json={}, headers={"X-CSRFToken": token})
    assert options.status_code == 200
    publickey = options.get_json()["publicKey"]
    assert publickey["userVerification"] == "required"
    assert publickey["rpId"] == "localhost"
    answer = {
        "challengeId": options.get_json()["challengeId"],
        "credential": {"id": "cred-facilitator", "rawId": "cred-facilitator", "response": {}},
    }
    refused = client.post("/signin/passkey", json=answer, headers={"X-CSRFToken": token})
    assert refused.status_code == 422
    assert client.get("/").status_code == 302  # still signed out
    # And the challenge was spent by the failed try: it can't be tried again.
    again = client.post("/signin/passkey", json=answer, headers={"X-CSRFToken": token})
    assert again.status_code == 422
    with sqlite3.connect(one.database) as conn:
        assert conn.execute("select count(*) from webauthn_challenges").fetchone()[0] == 0
    conn.close()


def test_the_relying_party_comes_from_configuration(one):
    one.app.config["WEBAUTHN_RP_ID"] = "wellbeing.example"
    client = one.app.test_client()
    token = csrf_token(client)
    options = client.post("/signin/passkey/options", json={}, headers={"X-CSRFToken": token})
    assert options.get_json()["publicKey"]["rpId"] == "wellbeing.example"


def test_a_person_removes_their_own_passkey_and_never_anothers(one):
    frans = stored_passkey(one, "facilitator")
    coles = stored_passkey(one, "coworker", name="Cole's phone")
    page = one.client("facilitator").get("/account").get_data(as_text=True)
    assert "Fran&#39;s phone" in page and "Cole&#39;s phone" not in page
    form = {"csrf_token": one.form_token("facilitator")}
    assert one.client("facilitator").post(f"/account/passkeys/{coles}/remove", data=form)
    assert one.client("facilitator").post(f"/account/passkeys/{frans}/remove", data=form)
    with sqlite3.connect(one.database) as conn:
        left = [row[0] for row in conn.execute("select id from passkeys")]
    conn.close()
    assert left == [coles]
