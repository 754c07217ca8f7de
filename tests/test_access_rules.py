"""Every route, walked as every persona, against the rule in `access_rules.RULES`."""

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from access_rules import (
    PARTIES,
    ROLE_RULES,
    RULES,
    SIGNED_IN_RULES,
    SUPERVISING,
    WHO,
    form_values,
    method_of,
    prepared_rows,
)
from conftest import PEOPLE
from organisation_one import (
    ORGANISATION_ONE_WORDS,
    PERSONAS,
    ROOM_PARTICIPANT,
    ROOM_TRAINER,
    path_of,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "access.md"
FRIENDLY_403 = "This page isn't for your role"
FRIENDLY_404 = "We couldn't find that page"


def send(one, persona, endpoint, headers=None, **overrides):
    """The request the table describes, made by `persona`, with a valid form token."""
    rows = prepared_rows(one, endpoint)
    client, path = one.client(persona), path_of(one, endpoint, rows, **overrides)
    if method_of(endpoint) == "GET":
        return client.get(path, headers=headers)
    if "json" in RULES[endpoint]:
        # fetch() from the page: a JSON body, and the form token in the X-CSRFToken header.
        token = {"X-CSRFToken": one.form_token(persona)}
        return client.post(path, json=RULES[endpoint]["json"], headers=(headers or {}) | token)
    form = dict(form_values(endpoint, rows, persona), csrf_token=one.form_token(persona))
    return client.post(path, data=form, headers=headers)


def outcome(endpoint: str, persona: str) -> str:
    """What the rule promises this persona on this route."""
    rule = RULES[endpoint]
    if rule["rule"] == "public":
        return "allowed"
    if rule["rule"] == "token":
        return "signed_in" if persona != "anonymous" and "signed_in" in rule else "allowed"
    if rule["rule"] == "participant":
        return "allowed" if persona == ROOM_PARTICIPANT else "join"
    if rule["rule"] == "trainer":
        return trainer_outcome(persona)
    if persona == "anonymous":
        return "sign_in"
    if rule["rule"] in PARTIES:
        if "facilitator" not in PEOPLE[persona][2]:
            return "forbidden"
        # To everyone but its parties, a pair or an invitation to co-work doesn't exist.
        return "allowed" if persona in PARTIES[rule["rule"]] else "not_found"
    if rule["rule"] in SUPERVISING:
        if "supervisor" not in PEOPLE[persona][2]:
            return "forbidden"
        if persona in SUPERVISING[rule["rule"]]:
            return "allowed"
        # To every other supervisor, someone they don't supervise doesn't exist.
        return "not_theirs" if "not_theirs" in rule else "not_found"
    if persona == "outsider" and rule.get("org_object"):
        return "not_found"
    if persona == "outsider" and "other_organisation" in rule:
        return "other_organisation"
    if rule["rule"] in ROLE_RULES and rule["rule"] not in PEOPLE[persona][2]:
        return "forbidden"
    return "allowed"


def trainer_outcome(persona: str) -> str:
    """Only the facilitator who opened the room runs it; another organisation can't see it."""
    if persona == "anonymous":
        return "sign_in"
    if persona == "outsider":
        return "not_found"
    return "allowed" if persona == ROOM_TRAINER else "forbidden"


def docs_path(rule_path: str) -> str:
    """`/entries/<int:entry_id>` as people read it: `/entries/<entry_id>`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule_path)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_every_route_answers_each_person_as_its_rule_says(one, endpoint, persona):
    response = send(one, persona, endpoint)
    page = html.unescape(response.get_data(as_text=True))
    expected = outcome(endpoint, persona)

    assert response.status_code != 500
    assert "Traceback" not in page
    if expected == "allowed" and persona in RULES[endpoint].get("answers", {}):
        # Allowed, with an answer of its own for this person (e.g. the only admin can't go).
        assert response.status_code == RULES[endpoint]["answers"][persona], page
    elif expected == "allowed":
        assert 200 <= response.status_code < 400, page
    elif expected == "sign_in":
        assert response.status_code == 302
        assert urlsplit(response.location).path == "/signin"
    elif expected == "forbidden":
        assert response.status_code == 403
        assert FRIENDLY_403 in page
    elif expected == "not_found":
        assert response.status_code == 404
        assert FRIENDLY_404 in page
    elif expected == "other_organisation":
        assert response.status_code == RULES[endpoint]["other_organisation"], page
    elif expected == "not_theirs":
        assert response.status_code == RULES[endpoint]["not_theirs"], page
    elif expected == "join":
        # Someone who hasn't joined the room is sent to join it, with its code filled in.
        assert response.status_code == 302
        location = urlsplit(response.location)
        assert location.path == "/join"
        assert parse_qs(location.query)["code"] == [one.rows["room_code"]]
    else:
        assert response.status_code == RULES[endpoint]["signed_in"]
        assert "You're already signed in" in page
    if persona == "outsider" and RULES[endpoint]["rule"] != "token":
        # Another organisation's people and words are never shown, not even their names.
        for word in ORGANISATION_ONE_WORDS:
            assert word not in page


@pytest.mark.parametrize(
    "endpoint",
    sorted(e for e, r in RULES.items() if r["rule"] in SIGNED_IN_RULES and method_of(e) == "GET"),
)
def test_signed_out_person_comes_back_to_the_page_they_asked_for(one, endpoint):
    path = path_of(one, endpoint)
    location = urlsplit(send(one, "anonymous", endpoint).location)
    asked_for = parse_qs(location.query).get("next")
    # Home is where sign-in leads anyway, so it needs no `next`.
    assert asked_for == (None if path == "/" else [path])


@pytest.mark.parametrize(
    "endpoint", sorted(e for e, r in RULES.items() if r["rule"] in SIGNED_IN_RULES)
)
def test_htmx_request_when_signed_out_is_sent_to_sign_in(one, endpoint):
    response = send(one, "anonymous", endpoint, headers={"HX-Request": "true"})
    # A 302 would make htmx swap the sign-in page into a fragment; it must redirect instead.
    assert response.status_code == 204
    assert urlsplit(response.headers["HX-Redirect"]).path == "/signin"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(e for e, r in RULES.items() if r["rule"] == "token"))
def test_made_up_link_is_refused_for_everyone(one, endpoint, persona):
    response = send(one, persona, endpoint, token="not-a-real-link-token")
    assert response.status_code == 410
    assert "doesn't work" in html.unescape(response.get_data(as_text=True))


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(RULES) == endpoints


def test_access_rules_name_the_methods_each_route_answers(app):
    methods = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert {endpoint: RULES[endpoint]["methods"] for endpoint in methods} == methods


def test_access_rules_are_all_known_kinds():
    assert {rule["rule"] for rule in RULES.values()} <= set(WHO)


def test_docs_say_who_may_use_every_route(app):
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    for rule in app.url_map.iter_rules():
        rows = [line for line in lines if line.startswith(f"| `{rule.endpoint}` ")]
        assert len(rows) == 1, f"docs/access.md has no row for {rule.endpoint}"
        (row,) = rows
        assert f"`{docs_path(rule.rule)}`" in row, row
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method in row, row
        assert f"| {WHO[RULES[rule.endpoint]['rule']]} |" in row, row
