"""The name an admin gives an invitation starts the invitee's form off, and they can change it.

A tester invited "Wren Worker" and the admin's form said of the name "They can change it", but
the /invite/<token> page showed the email filled in and the name empty."""

import re
from urllib.parse import urlsplit

from conftest import csrf_token
from organisation_one import link_on, text_of

from wellbeing.db import sqlite3

PASSWORD = "a long new password"


def invite(one, **form) -> str:
    """The admin makes an invitation link on /organisation/people; returns its path."""
    response = one.client("admin").post(
        "/organisation/invitations", data=form | {"csrf_token": one.form_token("admin")}
    )
    assert response.status_code == 201, text_of(response)
    return urlsplit(link_on(response.get_data(as_text=True), "new-link")).path


def input_value(page: str, field_id: str) -> str | None:
    """The value an <input> starts with, None if it has none."""
    (tag,) = re.findall(rf'<input[^>]*\bid="{field_id}"[^>]*>', page)
    found = re.search(r'\bvalue="([^"]*)"', tag)
    return found.group(1) if found else None


def name_of(database, email) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("select name from users where email = ?", [email]).fetchall()
    finally:
        conn.close()


def test_the_name_the_admin_typed_is_filled_in_and_can_be_changed(one):
    link = invite(one, name="Wren Worker", email="wren@demo.example", roles=["womens_support"])
    wren = one.app.test_client()  # a fresh browser

    page = text_of(wren.get(link))
    assert input_value(page, "name") == "Wren Worker"
    assert input_value(page, "email") == "wren@demo.example"

    # A mistake: what she typed stays (her own name, not the admin's); passwords don't.
    form = {
        "name": "Wren W.",
        "email": "wren@demo.example",
        "password": PASSWORD,
        "confirm": PASSWORD + " not the same",
        "csrf_token": csrf_token(wren, link),
    }
    response = wren.post(link, data=form)
    assert response.status_code == 422
    page = text_of(response)
    assert input_value(page, "name") == "Wren W."
    assert input_value(page, "email") == "wren@demo.example"
    assert input_value(page, "password") in (None, "")
    assert input_value(page, "confirm") in (None, "")

    # Her own spelling is the one kept.
    response = wren.post(link, data=form | {"confirm": PASSWORD})
    assert response.status_code == 302
    assert name_of(one.database, "wren@demo.example") == [("Wren W.",)]


def test_the_name_filled_in_joins_as_it_is(one):
    link = invite(one, name="  Wren Worker ", roles=["womens_support"])
    wren = one.app.test_client()
    page = text_of(wren.get(link))
    assert input_value(page, "name") == "Wren Worker"
    form = {
        "name": input_value(page, "name"),
        "email": "wren@demo.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_token(wren, link),
    }
    response = wren.post(link, data=form)
    assert response.status_code == 302, text_of(response)
    assert name_of(one.database, "wren@demo.example") == [("Wren Worker",)]


def test_without_a_name_from_the_admin_the_name_starts_empty(one):
    link = invite(one, email="wren@demo.example", roles=["facilitator"])
    page = text_of(one.app.test_client().get(link))
    assert input_value(page, "name") in (None, "")
    assert input_value(page, "email") == "wren@demo.example"
