"""An admin runs their organisation: invitations, local content, support contacts, commands."""

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from access_rules import RULES
from conftest import PEOPLE, csrf_token, no_hashing
from organisation_one import NEWCOMER_EMAIL, link_on, text_of

from wellbeing import create_app
from wellbeing.content import guidelines
from wellbeing.db import get_db, migrate, sqlite3
from wellbeing.demo import DEMO_PEOPLE

NEW_PASSWORD = "a long new password"
SECTIONS = {
    "facilitator": 'id="pairs-heading"',
    "supervisor": 'id="supervision-heading"',
    "admin": 'id="admin-heading"',
}


@pytest.fixture
def own_instance(tmp_path, monkeypatch):
    """An app whose secrets and database live in a folder of their own, as on a server."""
    monkeypatch.setenv("WELLBEING_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({"TESTING": True})


def query(database, sql, params=()):
    conn = sqlite3.connect(database)
    rows = conn.execute(sql, params).fetchall()
    conn.close()
    return rows


def count(database, rows_where, *params) -> int:
    """count(db, "users where email = ?", email): how many rows match."""
    return query(database, f"select count(*) from {rows_where}", params)[0][0]


def cli(app, *args):
    """`flask --app app <args>`; the flask command pushes an app context, so this does too."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def run(app, *args) -> str:
    result = cli(app, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


# --- invitations -------------------------------------------------------------------------


def invite(one, roles, email=""):
    """The admin makes an invitation link; returns its path."""
    response = one.client("admin").post(
        "/organisation/invitations",
        data={"email": email, "roles": roles, "csrf_token": one.form_token("admin")},
    )
    assert response.status_code == 201, text_of(response)
    return urlsplit(link_on(response.get_data(as_text=True), "new-link")).path


def join(client, link, name="Nova Newcomer", email="nova@one.example", password=NEW_PASSWORD):
    # The token comes from the sign-in page: a dead link's page has no form to take it from.
    token = csrf_token(client)
    return client.post(
        link,
        data={
            "name": name,
            "email": email,
            "password": password,
            "confirm": password,
            "csrf_token": token,
        },
    )


def roles_of(database, email) -> set[str]:
    rows = query(
        database,
        "select role from user_roles join users on users.id = user_id where email = ?",
        [email],
    )
    return {role for (role,) in rows}


def test_invited_person_with_two_roles_joins_and_sees_both_on_home(one):
    link = invite(one, ["facilitator", "supervisor"], email="Nova@One.example")
    nova = one.app.test_client()

    page = text_of(nova.get(link))
    assert "Join Organisation One" in page
    assert "You've been invited as: facilitator, supervisor." in page
    assert 'value="nova@one.example"' in page  # the admin's email is filled in

    response = join(nova, link)
    assert response.status_code == 302
    assert response.location == "/"
    home = text_of(nova.get("/"))
    assert "Welcome, Nova Newcomer." in home
    assert SECTIONS["facilitator"] in home
    assert SECTIONS["supervisor"] in home
    assert SECTIONS["admin"] not in home
    assert roles_of(one.database, "nova@one.example") == {"facilitator", "supervisor"}
    assert "Nova Newcomer" in text_of(one.client("admin").get("/organisation/people"))


@pytest.mark.parametrize("role", ["facilitator", "supervisor", "admin"])
def test_invited_person_lands_on_a_home_for_their_role(one, role):
    link = invite(one, [role])
    nova = one.app.test_client()
    assert join(nova, link).status_code == 302
    home = text_of(nova.get("/"))
    for section_role, section in SECTIONS.items():
        assert (section in home) == (section_role == role), section_role


def test_an_invitation_for_a_named_email_accepts_only_that_email(one):
    """Issue 11: a link the admin made for Nova can't be used by whoever it was forwarded to."""
    link = invite(one, ["facilitator"], email="Nova@One.example")
    other = one.app.test_client()
    response = join(other, link, name="Forwarded To", email="forwarded@one.example")
    assert response.status_code == 422
    assert "This invitation is for another email address." in text_of(response)
    assert "Forwarded To" in response.get_data(as_text=True)  # what they typed is kept
    assert count(one.database, "users where email = ?", "forwarded@one.example") == 0
    assert join(one.app.test_client(), link, email="NOVA@one.example").status_code == 302


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "password1234", "nova@one.example"])
def test_a_weak_password_is_refused_kindly_and_the_form_kept(one, weak):
    link = invite(one, ["facilitator"])
    response = join(one.app.test_client(), link, password=weak)
    assert response.status_code == 422
    assert "That password would be easy for someone else to guess." in text_of(response)
    assert "Nova Newcomer" in response.get_data(as_text=True)
    assert count(one.database, "users where email = ?", "nova@one.example") == 0


def test_invitation_link_works_once(one):
    link = invite(one, ["facilitator"])
    assert join(one.app.test_client(), link).status_code == 302

    someone_else = one.app.test_client()
    assert someone_else.get(link).status_code == 410
    response = join(someone_else, link, name="Second Go", email="second@one.example")
    assert response.status_code == 410
    assert "doesn't work" in text_of(response)
    assert "If you joined with it a moment ago, your account is ready" in text_of(response)
    assert count(one.database, "users where email = ?", "second@one.example") == 0


def claim(database, table, until):
    """Another request is (or was, until `until`) setting a password with the link."""
    with sqlite3.connect(database) as conn:
        conn.execute(f"update {table} set claimed_until = ?", [until])
    conn.close()


IN_USE = "Someone is using this link right now"


def test_a_link_someone_is_using_this_moment_is_refused_without_hashing(one):
    """Issue 26: of ten people pressing Join on one link at once, only the request holding the
    link's claim hashes a password; the others are told at once, with their name and email
    kept and a way to sign in for whoever pressed twice, and can try again once the claim is
    let go or runs out."""
    link = invite(one, ["facilitator"])
    claim(one.database, "invitations", "2999-01-01T00:00:00+00:00")
    open_links = count(one.database, "invitations where used_at is null")
    nova = one.app.test_client()
    with no_hashing(one.app):
        response = join(nova, link, name="Second Press")
    assert response.status_code == 409
    assert IN_USE in text_of(response)
    assert 'href="/signin"' in response.get_data(as_text=True)
    assert "Second Press" in response.get_data(as_text=True)
    assert count(one.database, "users where email = ?", "nova@one.example") == 0
    assert count(one.database, "invitations where used_at is null") == open_links

    claim(one.database, "invitations", "2020-01-01T00:00:00+00:00")  # its process died
    assert join(nova, link).status_code == 302
    assert count(one.database, "users where email = ?", "nova@one.example") == 1


@pytest.mark.parametrize(
    "meanwhile",
    [
        "update invitations set used_at = '2026-01-01T00:00:00+00:00'",
        "update invitations set revoked_at = '2026-01-01T00:00:00+00:00'",
        "update invitations set expires_at = '2020-01-01T00:00:00+00:00'",
    ],
    ids=["used", "withdrawn", "expired"],
)
def test_a_link_that_stopped_working_since_it_was_read_is_gone_not_in_use(one, meanwhile):
    """The claim reads the link again: one used, withdrawn or expired after the request read it
    answers as gone (the route's 410), not as in use, and nothing is hashed for it."""
    from wellbeing import people

    link = invite(one, ["facilitator"])
    with one.app.app_context():
        read = people.find_invitation(link.rsplit("/", 1)[1])
    with sqlite3.connect(one.database) as conn:
        conn.execute(f"{meanwhile} where id = ?", [read["id"]])
    conn.close()
    with one.app.app_context(), no_hashing(one.app):
        assert people.accept_invitation(read, "nova@one.example", "Nova", NEW_PASSWORD) is None
    assert count(one.database, "invitations where claimed_until is not null") == 0


def test_a_refused_join_lets_go_of_the_link_at_once(one):
    """A taken email is corrected and sent again straight away: the first try's claim is gone."""
    link = invite(one, ["facilitator"])
    nova = one.app.test_client()
    taken = join(nova, link, email=PEOPLE["facilitator"][1])
    assert taken.status_code == 422
    assert count(one.database, "invitations where claimed_until is not null") == 0
    assert join(nova, link).status_code == 302


def test_expired_invitation_is_refused(one):
    link = invite(one, ["facilitator"])
    with sqlite3.connect(one.database) as conn:
        conn.execute("update invitations set expires_at = '2020-01-01T00:00:00+00:00'")
    conn.close()
    nova = one.app.test_client()
    assert nova.get(link).status_code == 410
    assert join(nova, link).status_code == 410


def test_withdrawn_invitation_is_refused(one):
    token = one.rows["invitation_token"]
    admin = one.client("admin")
    assert NEWCOMER_EMAIL in text_of(admin.get("/organisation/people"))

    response = admin.post(
        f"/organisation/invitations/{one.rows['invitation']}/revoke",
        data={"csrf_token": one.form_token("admin")},
    )
    assert response.status_code == 200
    assert "Invitation withdrawn" in text_of(response)
    assert NEWCOMER_EMAIL not in text_of(response)

    nova = one.app.test_client()
    assert nova.get(f"/invite/{token}").status_code == 410
    assert join(nova, f"/invite/{token}").status_code == 410


def test_joining_with_mistakes_keeps_what_was_typed(one):
    link = invite(one, ["facilitator"])
    nova = one.app.test_client()
    token = csrf_token(nova, link)
    response = nova.post(
        link,
        data={
            "name": "Nova Newcomer",
            "email": "nova-at-one.example",
            "password": "short pw",
            "confirm": "other pw",
            "csrf_token": token,
        },
    )
    page = text_of(response)
    assert response.status_code == 422
    assert 'value="Nova Newcomer"' in page
    assert 'value="nova-at-one.example"' in page
    assert "That doesn't look like an email address." in page
    assert "Use at least 10 characters." in page
    assert "The two passwords don't match." in page
    assert "short pw" not in page
    assert "other pw" not in page
    # A mistake doesn't spend the link.
    assert join(nova, link).status_code == 302


def test_joining_with_only_spaces_for_a_name_is_refused(one):
    link = invite(one, ["facilitator"])
    response = join(one.app.test_client(), link, name="   ")
    assert response.status_code == 422
    assert "Please tell us your name." in text_of(response)


def test_joining_with_an_email_already_in_use_is_refused(one):
    link = invite(one, ["facilitator"])
    response = join(one.app.test_client(), link, email=PEOPLE["coworker"][1].upper())
    assert response.status_code == 422
    assert "That email already has an account." in text_of(response)


def test_signed_in_person_cannot_join_as_someone_else(one):
    link = invite(one, ["admin"])
    fran = one.client("facilitator")
    assert "You're already signed in" in text_of(fran.get(link))
    response = fran.post(
        link,
        data={
            "name": "Fran Again",
            "email": "fran.again@one.example",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": one.form_token("facilitator"),
        },
    )
    assert response.status_code == 422
    assert roles_of(one.database, "fran.again@one.example") == set()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": "nova@one.example"}, "Choose at least one role."),
        ({"email": "nova@one.example", "roles": ["owner"]}, "not a valid choice"),
        ({"email": "not an email", "roles": ["facilitator"]}, "doesn't look like an email"),
    ],
)
def test_invitation_with_mistakes_is_refused_and_kept(one, form, message):
    response = one.client("admin").post(
        "/organisation/invitations", data=form | {"csrf_token": one.form_token("admin")}
    )
    page = text_of(response)
    assert response.status_code == 422
    assert message in page
    assert f'value="{form["email"]}"' in page
    assert 'id="new-link"' not in page


# --- adapting content to local context -------------------------------------------------


def listed(client, kind) -> list[str]:
    """The entries as the admin sees them, in order."""
    page = client.get(f"/organisation/content/{kind}").get_data(as_text=True)
    texts = re.findall(r'<div class="entry-text">\s*<span>(.*?)</span>', page, re.S)
    return [html.unescape(text) for text in texts]


def entry_ids(database, kind, org="Organisation One") -> list[int]:
    rows = query(
        database,
        "select content_entries.id from content_entries"
        " join organisations on organisations.id = org_id"
        " where organisations.name = ? and kind = ? and removed_at is null"
        " order by position, content_entries.id",
        [org, kind],
    )
    return [entry_id for (entry_id,) in rows]


def post(one, path, **form):
    return one.client("admin").post(path, data=form | {"csrf_token": one.form_token("admin")})


def default_texts(kind) -> list[str]:
    return [entry["text"] for entry in guidelines()[kind]["entries"]]


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_lists_start_with_the_guidelines_wording(one, kind):
    assert listed(one.client("admin"), kind) == default_texts(kind)


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_admin_adds_an_entry_at_the_end(one, kind):
    response = post(one, f"/organisation/content/{kind}", text="Reading a partner's messages")
    assert response.status_code == 302
    assert response.location == f"/organisation/content/{kind}"
    assert listed(one.client("admin"), kind) == default_texts(kind) + [
        "Reading a partner's messages"
    ]


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_admin_edits_an_entry(one, kind):
    first = entry_ids(one.database, kind)[0]
    page = text_of(one.client("admin").get(f"/organisation/content/{kind}?edit={first}"))
    assert f'action="/organisation/entries/{first}"' in page
    assert default_texts(kind)[0] in page

    response = post(one, f"/organisation/entries/{first}", text="Reworded for our area")
    assert response.status_code == 302
    assert listed(one.client("admin"), kind) == ["Reworded for our area"] + default_texts(kind)[1:]


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_admin_moves_an_entry_up_and_down(one, kind):
    defaults = default_texts(kind)
    second = entry_ids(one.database, kind)[1]
    post(one, f"/organisation/entries/{second}/move", direction="up")
    assert listed(one.client("admin"), kind)[:3] == [defaults[1], defaults[0], defaults[2]]
    post(one, f"/organisation/entries/{second}/move", direction="down")
    post(one, f"/organisation/entries/{second}/move", direction="down")
    assert listed(one.client("admin"), kind)[:3] == [defaults[0], defaults[2], defaults[1]]


def test_moving_the_first_entry_up_changes_nothing(one):
    first = entry_ids(one.database, "practice")[0]
    assert post(one, f"/organisation/entries/{first}/move", direction="up").status_code == 302
    assert listed(one.client("admin"), "practice") == default_texts("practice")


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_admin_removes_an_entry_and_can_undo(one, kind):
    defaults = default_texts(kind)
    second = entry_ids(one.database, kind)[1]
    response = post(one, f"/organisation/entries/{second}/remove")
    assert response.status_code == 302
    assert response.location == f"/organisation/content/{kind}?removed={second}"

    page = text_of(one.client("admin").get(response.location))
    assert "Removed “" in page
    assert f'action="/organisation/entries/{second}/restore"' in page
    assert listed(one.client("admin"), kind) == defaults[:1] + defaults[2:]

    assert post(one, f"/organisation/entries/{second}/restore").status_code == 302
    assert listed(one.client("admin"), kind) == defaults


@pytest.mark.parametrize("kind", ["practice", "situation"])
def test_admin_goes_back_to_the_guidelines_list(one, kind):
    ids = entry_ids(one.database, kind)
    post(one, f"/organisation/content/{kind}", text="Our own entry")
    post(one, f"/organisation/entries/{ids[0]}", text="Reworded")
    post(one, f"/organisation/entries/{ids[1]}/remove")

    page = text_of(one.client("admin").get(f"/organisation/content/{kind}/reset"))
    assert "Put back the guidelines' own list?" in page
    response = post(one, f"/organisation/content/{kind}/reset")
    assert response.status_code == 302
    assert listed(one.client("admin"), kind) == default_texts(kind)


def test_support_contacts_have_no_guidelines_list_to_go_back_to(one):
    post(one, "/organisation/content/support_contact", text="Staff helpline")
    response = post(one, "/organisation/content/support_contact/reset")
    assert response.status_code == 404
    assert listed(one.client("admin"), "support_contact") == ["Staff helpline"]


def test_resetting_one_list_leaves_the_other_alone(one):
    post(one, "/organisation/content/situation", text="Our own situation")
    post(one, "/organisation/content/practice/reset")
    assert listed(one.client("admin"), "situation")[-1] == "Our own situation"


@pytest.mark.parametrize(
    ("kind", "form", "message"),
    [
        ("practice", {"text": ""}, "Please fill this in."),
        ("practice", {"text": "   "}, "Please fill this in."),
        ("practice", {"text": "x" * 301}, "Please keep it shorter."),
        ("situation", {"text": "y" * 601}, "Please keep it shorter."),
        ("practice", {"text": "Kept text", "note": "n" * 301}, "Please keep it shorter."),
    ],
)
def test_entry_with_mistakes_is_refused_and_kept(one, kind, form, message):
    response = post(one, f"/organisation/content/{kind}", **form)
    page = text_of(response)
    assert response.status_code == 422
    assert message in page
    assert "Everything you typed is still here." in page
    for value in form.values():
        assert value.strip() in page
    assert listed(one.client("admin"), kind) == default_texts(kind)


def test_edit_with_mistakes_is_refused_and_kept(one):
    first = entry_ids(one.database, "practice")[0]
    response = post(one, f"/organisation/entries/{first}", text="", note="A note I typed")
    page = text_of(response)
    assert response.status_code == 422
    assert f'action="/organisation/entries/{first}"' in page
    assert "A note I typed" in page
    assert listed(one.client("admin"), "practice") == default_texts("practice")


def test_htmx_change_replaces_only_the_list(one):
    response = one.client("admin").post(
        "/organisation/content/practice",
        data={"text": "Added in place", "csrf_token": one.form_token("admin")},
        headers={"HX-Request": "true"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="entries">')
    assert "Added in place" in page
    assert "<body" not in page


# --- support contacts -------------------------------------------------------------------

CONTACT = {
    "text": "Riverside staff helpline",
    "phone": "+44 (0)20 7946-0000",
    "link": "https://help.riverside.example/staff",
    "note": "Weekdays, 9 to 5",
}


@pytest.mark.parametrize("member", ["facilitator", "coworker", "supervisor", "admin"])
def test_support_contacts_are_one_tap_away_for_every_member(one, member):
    assert post(one, "/organisation/content/support_contact", **CONTACT).status_code == 302
    page = text_of(one.client(member).get("/organisation/support"))
    assert CONTACT["text"] in page
    assert CONTACT["note"] in page
    assert 'href="tel:+44(0)207946-0000"' in page
    assert f'href="{CONTACT["link"]}"' in page
    # Only admins are offered the page to change them.
    assert ("Change these contacts" in page) == (member == "admin")


def test_support_page_before_any_contacts_points_to_people(one):
    page = text_of(one.client("facilitator").get("/organisation/support"))
    assert "hasn't added support contacts yet" in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("link", "http://help.riverside.example", "starting with https://"),
        ("link", "javascript:alert(1)", "starting with https://"),
        ("link", "https://", "starting with https://"),
        ("link", "https://help example", "starting with https://"),
        ("phone", "call reception", "Use digits, spaces and + only."),
        ("phone", "12", "Use digits, spaces and + only."),
        ("text", "", "Please fill this in."),
    ],
)
def test_support_contact_with_mistakes_is_refused_and_kept(one, field, typed, message):
    form = CONTACT | {field: typed}
    response = post(one, "/organisation/content/support_contact", **form)
    page = text_of(response)
    assert response.status_code == 422
    assert message in page
    for value in form.values():
        assert value in page
    assert listed(one.client("admin"), "support_contact") == []


def test_admin_changes_a_support_contact(one):
    post(one, "/organisation/content/support_contact", **CONTACT)
    (contact,) = entry_ids(one.database, "support_contact")
    changed = CONTACT | {"phone": "0800 123 456", "link": ""}
    assert post(one, f"/organisation/entries/{contact}", **changed).status_code == 302

    page = text_of(one.client("coworker").get("/organisation/support"))
    assert 'href="tel:0800123456"' in page
    assert CONTACT["link"] not in page


# --- organisations are kept apart -------------------------------------------------------


def test_other_organisation_sees_none_of_our_content(one):
    post(one, "/organisation/content/support_contact", **CONTACT)
    post(one, "/organisation/content/practice", text="Only in Organisation One")
    outsider = one.client("outsider")

    assert CONTACT["text"] not in text_of(outsider.get("/organisation/support"))
    assert "Only in Organisation One" not in listed(outsider, "practice")
    people = text_of(outsider.get("/organisation/people"))
    assert PEOPLE["outsider"][0] in people
    for who in ("admin", "facilitator", "coworker", "supervisor"):
        assert PEOPLE[who][1] not in people
    assert NEWCOMER_EMAIL not in people


def test_other_organisation_cannot_change_our_entries(one):
    first = entry_ids(one.database, "practice")[0]
    outsider = one.client("outsider")
    token = one.form_token("outsider")
    for action, form in [
        ("", {"text": "Changed by Organisation Two"}),
        ("/move", {"direction": "down"}),
        ("/remove", {}),
        ("/restore", {}),
    ]:
        response = outsider.post(
            f"/organisation/entries/{first}{action}", data=form | {"csrf_token": token}
        )
        assert response.status_code == 404, action
    assert outsider.get(f"/organisation/content/practice?edit={first}").status_code == 404
    assert listed(one.client("admin"), "practice") == default_texts("practice")


def test_other_organisation_cannot_withdraw_our_invitations_or_reset_our_people(one):
    outsider, token = one.client("outsider"), one.form_token("outsider")
    invitation, fran = one.rows["invitation"], one.rows["facilitator"]
    revoke = outsider.post(
        f"/organisation/invitations/{invitation}/revoke", data={"csrf_token": token}
    )
    reset = outsider.post(f"/organisation/people/{fran}/reset", data={"csrf_token": token})

    assert revoke.status_code == reset.status_code == 404
    assert one.app.test_client().get(f"/invite/{one.rows['invitation_token']}").status_code == 200
    assert count(one.database, "password_resets where created_by = ?", one.rows["outsider"]) == 0


def test_invitation_from_another_organisation_joins_that_organisation(one):
    outsider = one.client("outsider")
    response = outsider.post(
        "/organisation/invitations",
        data={"roles": ["facilitator"], "csrf_token": one.form_token("outsider")},
    )
    link = urlsplit(link_on(response.get_data(as_text=True), "new-link")).path
    assert "Join Organisation Two" in text_of(one.app.test_client().get(link))
    join(one.app.test_client(), link, email="tess@two.example")
    ((org,),) = query(
        one.database,
        "select organisations.name from users join organisations on organisations.id = org_id"
        " where email = ?",
        ["tess@two.example"],
    )
    assert org == "Organisation Two"
    assert "tess@two.example" not in text_of(one.client("admin").get("/organisation/people"))


# --- commands ---------------------------------------------------------------------------


def test_create_organisation_prints_a_link_for_its_first_admin(app):
    output = run(app, "create-organisation", "Riverside Project")
    assert "Created 'Riverside Project'" in output
    (link,) = re.findall(r"http://127\.0\.0\.1:5000/invite/\S+", output)

    path = urlsplit(link).path
    riley = app.test_client()
    assert "Join Riverside Project" in text_of(riley.get(path))
    assert join(riley, path, name="Riley Admin", email="riley@riverside.example").status_code == 302
    home = text_of(riley.get("/"))
    assert "Running Riverside Project" in home
    assert listed(riley, "practice") == default_texts("practice")


def test_create_organisation_link_uses_the_public_address(app):
    output = run(
        app, "create-organisation", "Hillside", "--base-url", "https://wb.hillside.example"
    )
    (link,) = re.findall(r"https://wb\.hillside\.example/invite/(\S+)", output)
    assert app.test_client().get(f"/invite/{link}").status_code == 200


def test_backup_writes_a_sqlite_copy_with_everyone_in_it(app, tmp_path):
    target = tmp_path / "backups" / "wellbeing-copy.db"
    target.parent.mkdir()
    output = run(app, "backup", str(target))
    assert "Backed up to" in output

    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("select count(*) from users").fetchone() == (len(PEOPLE),)
    emails = {email for (email,) in conn.execute("select email from users")}
    conn.close()
    assert emails == {email for _, email, _ in PEOPLE.values()}


def test_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "precious.db"
    target.write_bytes(b"keep me")
    result = cli(app, "backup", str(target))
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert target.read_bytes() == b"keep me"


def test_demo_is_created_once_and_prints_its_sign_ins(own_instance):
    instance = Path(own_instance.instance_path)
    first = run(own_instance, "demo")
    second = run(own_instance, "demo")

    assert "Created the demo organisation." in first
    assert "Created the demo organisation." not in second
    for output in (first, second):
        for _, email, password, _ in DEMO_PEOPLE:
            assert email in output
            assert password in output
        # The instance secrets are never printed.
        for secret_file in ("secret_key", "atrest-keys.json"):
            for secret in re.findall(r"[A-Za-z0-9+/=]{32,}", (instance / secret_file).read_text()):
                assert secret not in output
    database = own_instance.config["DATABASE"]
    assert query(database, "select count(*) from organisations") == [(1,)]
    assert query(database, "select count(*) from users") == [(len(DEMO_PEOPLE),)]

    client = own_instance.test_client()
    _, email, password, _ = DEMO_PEOPLE[0]
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302


def test_demo_leaves_a_database_with_organisations_alone(app):
    run(app, "demo")
    assert query(app.config["DATABASE"], "select count(*) from organisations") == [(2,)]


def test_migrations_can_run_again_without_harm(own_instance):
    run(own_instance, "migrate")
    database = own_instance.config["DATABASE"]
    before = query(database, "select name, sql from sqlite_master order by name")
    assert "Database is up to date." in run(own_instance, "migrate")
    with own_instance.app_context():
        migrate(get_db())
    assert query(database, "select name, sql from sqlite_master order by name") == before


def test_database_uses_wal_and_waits_for_other_writers(own_instance):
    with own_instance.app_context():
        db = get_db()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    # WAL is a property of the file, so every other connection sees it too.
    assert query(own_instance.config["DATABASE"], "PRAGMA journal_mode") == [("wal",)]


def test_every_admin_page_is_a_tap_or_two_from_the_admins_home(one):
    # An admin-only page that nothing links to is one no admin finds: "How long rooms are kept"
    # was linked only from the training-day rooms page, which admins who don't facilitate can't
    # open. Every admin page without URL values is linked from the home or a page it links to.
    admin = one.client("admin")
    home = text_of(admin.get("/"))
    links = set(re.findall(r'href="(/[^"]*)"', home))
    for path in sorted(links):
        answer = admin.get(path)
        if answer.status_code == 200 and answer.mimetype == "text/html":
            links |= set(re.findall(r'href="(/[^"]*)"', text_of(answer)))
    links = {html.unescape(link).split("#")[0] for link in links}
    admin_pages = {
        rule.rule
        for rule in one.app.url_map.iter_rules()
        if RULES[rule.endpoint].who == "admin" and "GET" in rule.methods and "<" not in rule.rule
    }
    assert admin_pages and admin_pages <= links, admin_pages - links
