"""Every route, walked as every persona, against the rule in `access_rules.RULES`."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from access_rules import (
    DOCS,
    PARTIES,
    REGENERATE,
    ROLE_RULES,
    RULES,
    SIGNED_IN_RULES,
    SUPERVISING,
    WHO,
    form_values,
    prepared_rows,
    routes,
    url_map,
    with_route_table,
)
from conftest import roles_of
from organisation_one import (
    ORGANISATION_ONE_WORDS,
    PERSONAS,
    ROOM_PARTICIPANT,
    ROOM_TRAINER,
    path_of,
)

FRIENDLY_403 = "This page isn't for your role"
FRIENDLY_404 = "We couldn't find that page"


# The methods `send` knows how to make. A route with another fails
# `test_every_route_answers_methods_the_grid_can_send` until `send` learns it.
SENDABLE = ("GET", "POST")


@pytest.fixture
def one(fresh_one):
    """Each test asks one thing and changes no setting: one app for the module will do."""
    return fresh_one


def send(one, persona, endpoint, method, headers=None, **overrides):
    """The request the table describes, made by `persona`, with a valid form token."""
    rows = prepared_rows(one, endpoint)
    client, path = one.client(persona), path_of(one, endpoint, rows, **overrides)
    assert method in SENDABLE, method
    if method == "GET":
        return client.get(path, headers=headers)
    if RULES[endpoint].json is not None:
        # fetch() from the page: a JSON body, and the form token in the X-CSRFToken header.
        token = {"X-CSRFToken": one.form_token(persona)}
        return client.post(path, json=RULES[endpoint].json, headers=(headers or {}) | token)
    form = dict(form_values(endpoint, rows, persona), csrf_token=one.form_token(persona))
    return client.post(path, data=form, headers=headers)


def outcome(endpoint: str, persona: str) -> str:
    """What the rule promises this persona on this route."""
    rule = RULES[endpoint]
    if rule.who == "public":
        return "allowed"
    if rule.who == "token":
        return "signed_in" if persona != "anonymous" and rule.signed_in else "allowed"
    if rule.who == "participant":
        return "allowed" if persona == ROOM_PARTICIPANT else "join"
    if rule.who == "trainer":
        return trainer_outcome(persona)
    if persona == "anonymous":
        return "sign_in"
    if rule.who in PARTIES:
        if "facilitator" not in roles_of(persona):
            return "forbidden"
        # To everyone but its parties, a pair or an invitation to co-work doesn't exist.
        return "allowed" if persona in PARTIES[rule.who] else "not_found"
    if rule.who in SUPERVISING:
        if "supervisor" not in roles_of(persona):
            return "forbidden"
        if persona in SUPERVISING[rule.who]:
            return "allowed"
        # To every other supervisor, someone they don't supervise doesn't exist.
        return "not_theirs" if rule.not_theirs else "not_found"
    if persona == "outsider" and rule.org_object:
        return "not_found"
    if persona == "outsider" and rule.other_organisation:
        return "other_organisation"
    if rule.who in ROLE_RULES and rule.who not in roles_of(persona):
        return "forbidden"
    return "allowed"


def trainer_outcome(persona: str) -> str:
    """Only the facilitator who opened the room runs it; another organisation can't see it."""
    if persona == "anonymous":
        return "sign_in"
    if persona == "outsider":
        return "not_found"
    return "allowed" if persona == ROOM_TRAINER else "forbidden"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("endpoint", "method"), routes())
def test_every_route_answers_each_person_as_its_rule_says(one, endpoint, method, persona):
    response = send(one, persona, endpoint, method)
    page = html.unescape(response.get_data(as_text=True))
    expected = outcome(endpoint, persona)

    assert response.status_code != 500
    assert "Traceback" not in page
    if expected == "allowed" and persona in RULES[endpoint].answers:
        # Allowed, with an answer of its own for this person (e.g. the only admin can't go).
        assert response.status_code == RULES[endpoint].answers[persona], page
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
        assert response.status_code == RULES[endpoint].other_organisation, page
    elif expected == "not_theirs":
        assert response.status_code == RULES[endpoint].not_theirs, page
    elif expected == "join":
        # Someone who hasn't joined the room is sent to join it, with its code filled in.
        assert response.status_code == 302
        location = urlsplit(response.location)
        assert location.path == "/join"
        assert parse_qs(location.query)["code"] == [one.rows["room_code"]]
    else:
        assert response.status_code == RULES[endpoint].signed_in
        assert "You're already signed in" in page
    if persona == "outsider" and RULES[endpoint].who != "token":
        # Another organisation's people and words are never shown, not even their names.
        for word in ORGANISATION_ONE_WORDS:
            assert word not in page


@pytest.mark.parametrize(
    "endpoint", [e for e, m in routes() if RULES[e].who in SIGNED_IN_RULES and m == "GET"]
)
def test_signed_out_person_comes_back_to_the_page_they_asked_for(one, endpoint):
    path = path_of(one, endpoint)
    location = urlsplit(send(one, "anonymous", endpoint, "GET").location)
    asked_for = parse_qs(location.query).get("next")
    # Home is where sign-in leads anyway, so it needs no `next`.
    assert asked_for == (None if path == "/" else [path])


@pytest.mark.parametrize(
    ("endpoint", "method"), [(e, m) for e, m in routes() if RULES[e].who in SIGNED_IN_RULES]
)
def test_htmx_request_when_signed_out_is_sent_to_sign_in(one, endpoint, method):
    response = send(one, "anonymous", endpoint, method, headers={"HX-Request": "true"})
    # A 302 would make htmx swap the sign-in page into a fragment; it must redirect instead.
    assert response.status_code == 204
    assert urlsplit(response.headers["HX-Redirect"]).path == "/signin"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("endpoint", "method"), [r for r in routes() if RULES[r[0]].who == "token"]
)
def test_made_up_link_is_refused_for_everyone(one, endpoint, method, persona):
    response = send(one, persona, endpoint, method, token="not-a-real-link-token")
    assert response.status_code == 410
    assert "doesn't work" in html.unescape(response.get_data(as_text=True))


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(RULES) == endpoints


def test_every_route_answers_methods_the_grid_can_send():
    # The methods come from the URL map; a route answering another (PUT, DELETE) needs `send`
    # to learn to make it, or the grid would not try it.
    for endpoint, (methods, _path) in url_map().items():
        assert methods and set(methods) <= set(SENDABLE), (endpoint, methods)


def test_access_rules_are_all_known_kinds():
    assert {rule.who for rule in RULES.values()} <= set(WHO)


def test_docs_route_table_is_the_one_the_rules_make():
    page = DOCS.read_text(encoding="utf-8")
    assert page == with_route_table(page), (
        f"docs/access.md's route table differs from tests/access_rules.py: run `{REGENERATE}`"
        " to write it again from the rules"
    )
