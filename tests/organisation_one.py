"""Organisation One with everyone already signed in: built once per run, copied for each test.

Signing in checks an Argon2id hash, which takes about 0.2 s on purpose. Walking every route as
every persona would take minutes if each test signed in again. So each persona signs in once,
through the real sign-in form, and each test gets its own copy of the database file holding those
live sign-ins, together with the cookie and form token that go with each of them.
"""

import html
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from conftest import INVITED, PASSWORD, PEOPLE, csrf_token, make_app, sign_in

from wellbeing import drawn
from wellbeing.coworking import checkins
from wellbeing.db import forget_kept_connection, sqlite3
from wellbeing.people import token_hash
from wellbeing.permissions import get_pair

PERSONAS = (
    "anonymous",
    "facilitator",
    "coworker",
    "bystander",
    "supervisor",
    "other_supervisor",
    "admin",
    "outsider",
    # Issue 22: a women's support worker, invited through the real invitation flow.
    "womens_worker",
)
SESSION_COOKIE = "session"
NEWCOMER_EMAIL = "newcomer@one.example"
# The facilitator opens a training-day room; this persona has joined it as a participant.
ROOM_TRAINER = "facilitator"
ROOM_PARTICIPANT = "coworker"
# Fran asks Cole to co-work a second group with her; Cole hasn't answered yet.
PAIR_INVITATION_NAME = "Monday evening group"
# What Fran and Cole wrote to each other last week.
LAST_WEEK_MORE = "Checking in with me at the break"
LAST_WEEK_LESS = "Finishing my sentences in the group"

# Words that only someone in Organisation One could know. The outsider must never see them.
ORGANISATION_ONE_WORDS = (
    ("Organisation One", "@one.example")
    + tuple(PEOPLE[who][0] for who in PEOPLE if who != "outsider")
    + tuple(name for name, _email, _roles in INVITED.values())
)


@dataclass(frozen=True)
class Prepared:
    database: Path
    cookies: dict  # persona -> session cookie value
    form_tokens: dict  # persona -> the CSRF token that goes with that cookie
    rows: dict  # what Organisation One holds: ids of its rows and its one-time link tokens


def link_on(page: str, field_id: str) -> str:
    """The one-time link an admin is shown in a read-only field, to copy to someone."""
    return re.search(rf'id="{field_id}" type="text" value="([^"]+)"', page).group(1)


def last_segment(link: str) -> str:
    return urlsplit(link).path.rsplit("/", 1)[1]


def join_room(client, room_id: int, form_token: str) -> str:
    """Join the room through the real join form, as a phone would; returns the room's code."""
    with sqlite3.connect(client.application.config["DATABASE"]) as conn:
        (code,) = conn.execute("select code from rooms where id = ?", [room_id]).fetchone()
    conn.close()
    response = client.post("/join", data={"code": code, "csrf_token": form_token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return code


@cache
def prepare(template_db: Path) -> Prepared:
    database = template_db.parent / "organisation-one.db"
    shutil.copy(template_db, database)
    app = make_app(database)
    with sqlite3.connect(database) as conn:
        user_ids = dict(conn.execute("select email, id from users"))
        org_ids = dict(conn.execute("select name, id from organisations"))
        practice_id = conn.execute(
            "select min(id) from content_entries where org_id = ? and kind = 'practice'",
            [org_ids["Organisation One"]],
        ).fetchone()[0]
    conn.close()

    # The facilitator opens a training-day room through the real pages; the co-worker joins it
    # as a participant (a signed-in person joins the same way as anyone else).
    trainer = sign_in(app.test_client(), "facilitator")
    opened = trainer.post(
        "/rooms/", data={"csrf_token": csrf_token(trainer, "/rooms/"), "opened_with": "grid-room"}
    )
    room_id = int(opened.location.rsplit("/", 1)[1])

    invite_through_the_real_pages(app)

    cookies, form_tokens = {}, {}
    for persona in PERSONAS:
        client = app.test_client()
        if persona == "anonymous":
            form_tokens[persona] = csrf_token(client, "/signin")
        else:
            sign_in(client, persona)
            # Every signed-in page carries a token in its sign-out form.
            form_tokens[persona] = csrf_token(client, "/")
        if persona == ROOM_PARTICIPANT:
            room_code = join_room(client, room_id, form_tokens[persona])
        cookies[persona] = client.get_cookie(SESSION_COOKIE).value

    # The admin makes an invitation and a reset link through the real pages.
    admin = app.test_client()
    admin.set_cookie(SESSION_COOKIE, cookies["admin"])
    page = admin.post(
        "/organisation/invitations",
        data={
            "email": NEWCOMER_EMAIL,
            "roles": ["facilitator"],
            "csrf_token": form_tokens["admin"],
        },
    ).get_data(as_text=True)
    invitation_token = last_segment(link_on(page, "new-link"))
    facilitator_id = user_ids[PEOPLE["facilitator"][1]]
    page = admin.post(
        f"/organisation/people/{facilitator_id}/reset",
        data={"csrf_token": form_tokens["admin"]},
    ).get_data(as_text=True)
    reset_token = last_segment(link_on(page, "reset-link"))

    pair_id, pair_invitation_id, checkin_week = prepare_pair(app, cookies, form_tokens, user_ids)

    # The admin assigns Sol to supervise Fran through the real page; Sid supervises nobody.
    admin.post(
        "/supervision/assignments",
        data={
            "supervisor": user_ids[PEOPLE["supervisor"][1]],
            "supervisee": facilitator_id,
            "csrf_token": form_tokens["admin"],
        },
    )

    with sqlite3.connect(database) as conn:
        invitation_id = conn.execute(
            "select id from invitations where token_hash = ?", [token_hash(invitation_token)]
        ).fetchone()[0]
        (supervision_link,) = conn.execute("select id from supervisions").fetchone()
        room_practice = conn.execute(
            "select practice_id from rooms where id = ?", [room_id]
        ).fetchone()[0]
        # Every write is in the main file, so one copied file is the whole database.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    rows = {
        "room": room_id,
        "room_code": room_code,
        "room_practice": room_practice,
        "organisation_one": org_ids["Organisation One"],
        "organisation_two": org_ids["Organisation Two"],
        "invitation": invitation_id,
        "invitation_token": invitation_token,
        "reset_token": reset_token,
        "practice": practice_id,
        "pair": pair_id,
        "pair_invitation": pair_invitation_id,
        "checkin_week": checkin_week,
        "supervision_link": supervision_link,
        "facilitator": facilitator_id,
        **{who: user_ids[PEOPLE[who][1]] for who in PEOPLE if who != "facilitator"},
    }
    return Prepared(database, cookies, form_tokens, rows)


def invite_through_the_real_pages(app):
    """The admin invites each of INVITED with their roles, and each accepts their link, as a
    newcomer would: the invitation page, the form, and a first sign-in."""
    admin = sign_in(app.test_client(), "admin")
    for name, email, roles in INVITED.values():
        page = admin.post(
            "/organisation/invitations",
            data={"email": email, "roles": roles, "csrf_token": csrf_token(admin, "/")},
        ).get_data(as_text=True)
        link = urlsplit(link_on(page, "new-link")).path
        newcomer = app.test_client()
        form = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD}
        response = newcomer.post(link, data=form | {"csrf_token": csrf_token(newcomer, link)})
        assert response.status_code == 302, response.get_data(as_text=True)


def prepare_pair(app, cookies, form_tokens, user_ids):
    """Fran and Cole's pair as a few weeks in: an open invitation to a second pair (Fran to
    Cole), a first draft of their agreement, and last week's check-in, answered by both.

    The invitation and the draft go through the real pages. Last week can't be answered from a
    page (a check-in is always for this week), so it is written by the same function the page
    calls, sealed as the page would seal it."""
    fran_id, cole_id = (user_ids[PEOPLE[who][1]] for who in ("facilitator", "coworker"))
    fran = app.test_client()
    fran.set_cookie(SESSION_COOKIE, cookies["facilitator"])
    token = form_tokens["facilitator"]
    response = fran.post(
        "/pairs/invitations",
        data={"colleague": cole_id, "name": PAIR_INVITATION_NAME, "csrf_token": token},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    pair_invitation_id = int(
        re.search(r"/pairs/invitations/(\d+)/withdraw", response.get_data(as_text=True)).group(1)
    )
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        pair_id, org_id = conn.execute("select id, org_id from pairs").fetchone()
    conn.close()
    response = fran.post(
        f"/pairs/{pair_id}/agreement",
        data={
            "number": 0,
            "revision": 0,
            "s0-id": "confrontational",
            "s0-choice": "adapt",
            "s0-who": "The other facilitator",
            "s0-words": "I wonder how that question lands for my colleague.",
            "s0-signal": "A hand flat on the table",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    last_week = checkins.monday_of(checkins.today()) - timedelta(weeks=1)
    with app.app_context():
        for who in (fran_id, cole_id):
            member = SimpleNamespace(id=who, org_id=org_id)
            pair = get_pair(pair_id, member=member)
            assert checkins.submit(pair, member, last_week, LAST_WEEK_MORE, LAST_WEEK_LESS)
    return pair_id, pair_invitation_id, last_week.isoformat()


class OrganisationOne:
    """A test's own copy of Organisation One: `client("admin")` is already signed in."""

    def __init__(self, template_db: Path, tmp_path: Path):
        self.prepared = prepare(template_db)
        self.database = tmp_path / "wellbeing.db"
        self.restore()
        self.app = make_app(self.database)
        # Everyone signed in when the run began, which may be longer ago than the 5 minutes
        # within which a passkey may be added (issue 21); tests of that rule set it back to 5.
        self.app.config["RECENT_CHECK_MINUTES"] = 24 * 60
        self.rows = self.prepared.rows

    def restore(self):
        """Put the database back as it was prepared, dropping whatever a test wrote.

        As after a restore on a server (docs/operations.md), the app forgets its kept
        drawings: the database's version counters go back to values it may have drawn."""
        forget_kept_connection()
        for leftover in ("-wal", "-shm"):
            Path(f"{self.database}{leftover}").unlink(missing_ok=True)
        shutil.copy(self.prepared.database, self.database)
        if hasattr(self, "app"):
            drawn.forget(self.app)
        # Rows a route's `before` step made (access_rules.prepared_rows) went with the copy.
        self.__dict__.pop("made_before", None)

    def client(self, persona: str):
        client = self.app.test_client()
        client.set_cookie(SESSION_COOKIE, self.prepared.cookies[persona])
        return client

    def signed_in(self, persona: str) -> dict:
        """The header that signs a request in as `persona`, for a client without a cookie jar:
        the fuzzer's very long URLs would cost the jar a slow parse of each one, twice."""
        return {"Cookie": f"{SESSION_COOKIE}={self.prepared.cookies[persona]}"}

    def form_token(self, persona: str) -> str:
        return self.prepared.form_tokens[persona]


def path_of(one, endpoint, rows=None, **overrides):
    from access_rules import prepared_rows, url_values
    from flask import url_for

    rows = rows or prepared_rows(one, endpoint)
    with one.app.test_request_context():
        return url_for(endpoint, **(url_values(endpoint, rows) | overrides))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def one(template_db, tmp_path):
    """Organisation One with everyone signed in, on a fresh copy of the database."""
    return OrganisationOne(template_db, tmp_path)


@pytest.fixture(scope="module")
def shared_one(template_db, tmp_path_factory):
    """One Organisation One for a whole module of tests that leave the app's settings alone,
    each of them on a fresh copy of the database (`fresh_one`)."""
    return OrganisationOne(template_db, tmp_path_factory.mktemp("one"))


@pytest.fixture
def fresh_one(shared_one):
    """Organisation One as `one` gives it, with the module's app: building an app registers
    its 190 routes again, which was a third of each access-rule test's time."""
    shared_one.restore()
    return shared_one
