"""The steps tests take through the real pages of Organisation One (`organisation_one.one`).

Each is one thing a person does or sees: open a page, send a form, look in the database. Test
modules share these and never import each other (tests/test_repository.py checks).
"""

import html
import re
from datetime import date

from flask import url_for
from organisation_one import text_of

from wellbeing.db import sqlite3

# What Sol and Fran write in a supervision record's notes.
NOTE = "Talked about the weight of Tuesday's session"


def url(one, endpoint, **values) -> str:
    with one.app.test_request_context():
        return url_for(endpoint, **values)


def post(one, persona, endpoint, form=None, **values):
    """`persona` sends the form at `endpoint`, with their form token."""
    return post_to(one, persona, url(one, endpoint, **values), form)


def post_to(one, persona, path, form=None):
    data = dict(form or {}, csrf_token=one.form_token(persona))
    return one.client(persona).post(path, data=data)


def get(one, persona, endpoint, **values):
    return one.client(persona).get(url(one, endpoint, **values))


def page(one, persona, endpoint, **values) -> str:
    """The page `persona` opens at `endpoint`, entities decoded; it must open."""
    return opened(get(one, persona, endpoint, **values))


def opened(response) -> str:
    assert response.status_code == 200, response.status_code
    return text_of(response)


def read(one, persona, endpoint, **values) -> str:
    """The words `persona` reads at `endpoint`, without tags; the page must open."""
    return words(page(one, persona, endpoint, **values))


def words(markup: str) -> str:
    """A page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def sql(one, statement, params=()):
    """One statement on the test's own database file; what it wrote is committed."""
    conn = sqlite3.connect(one.database)
    try:
        found = conn.execute(statement, params).fetchall()
        conn.commit()
        return found
    finally:
        conn.close()


def set_clock(one, moment):
    """The app's clock (wellbeing/clock.py) stands at `moment` for the rest of the test."""
    one.app.config["CLOCK"] = lambda: moment
    # Everyone signed in at the real time of the run; a sign-in outlasts the moved clock here.
    one.app.config["SESSION_LIFETIME_HOURS"] = 24 * 365 * 10


def set_time_zone(one, zone):
    """The admin sets the organisation's time zone on the standards page, leaving the rest."""
    form = {
        "mentoring_reading": "at_least",
        "mentoring_target_minutes": "120",
        "group_supervision_counts": "full",
        "time_zone": zone,
    }
    assert post(one, "admin", "organisation.standards_update", form).status_code == 303


# --- co-working ---------------------------------------------------------------------------


def strategy(words, signal="A nod", who="The other facilitator", choice="adapt", number=1, rev=1):
    """The agreement form with one of the guidelines' strategies, based on a version."""
    return {
        "number": str(number),
        "revision": str(rev),
        "s0-id": "confrontational",
        "s0-choice": choice,
        "s0-who": who,
        "s0-words": words,
        "s0-signal": signal,
    }


def share_answers(one, persona, attached=(), **answers):
    """The preview's "Share" form: answers by question id, and attached checklist situations."""
    form = {f"answer-{question}": text for question, text in answers.items()}
    form["situation"] = list(attached)
    return post(one, persona, "coworking.conversation_share", form, pair_id=one.rows["pair"])


def agree_first_version(one):
    """Both partners confirm the agreement draft Organisation One starts with (version 1)."""
    for persona in ("facilitator", "coworker"):
        form = {"number": 1, "revision": 1}
        response = post(one, persona, "coworking.agreement_confirm", form, pair_id=one.rows["pair"])
        assert response.status_code == 200, text_of(response)


def consent_to_share(one, topic, *personas):
    """Each of `personas` agrees to show their supervisor this topic of the pair (consent)."""
    for persona in personas:
        pair = one.rows["pair"]
        response = post(one, persona, "coworking.consent_give", pair_id=pair, topic=topic)
        assert response.status_code == 200


# --- supervision --------------------------------------------------------------------------


def assign(one, supervisee="facilitator"):
    """Ada makes Sol the supervisor of `supervisee`, through the real page."""
    form = {"supervisor": one.rows["supervisor"], "supervisee": one.rows[supervisee]}
    response = post(one, "admin", "supervision.assignment_create", form)
    assert response.status_code == 201, text_of(response)


def log_meeting(one, **fields):
    """Sol logs an hour's individual supervision with Fran, today."""
    form = {
        "held_on": date.today().isoformat(),
        "minutes": "60",
        "format": "individual",
        "supervisees": [one.rows["facilitator"]],
        "areas": ["impact", "coworkers"],
        "notes": NOTE,
    } | fields
    return post(one, "supervisor", "supervision.meeting_create", form)


# --- passkeys -----------------------------------------------------------------------------


def stored_passkey(one, persona, name="Fran's phone"):
    """A passkey as the server stores one, written straight to the database."""
    with sqlite3.connect(one.database) as conn:
        passkey_id = conn.execute(
            "insert into passkeys (user_id, credential_id, public_key, sign_count, name,"
            " created_at) values (?, ?, x'a501', 0, ?, '2026-11-01T00:00:00+00:00')",
            [one.rows[persona], f"cred-{persona}", name],
        ).lastrowid
    conn.close()
    return passkey_id


def written(day: date) -> str:
    """A day as people write it (issue 25): "Monday 27 April", with the year if not this one."""
    shown = f"{day:%A} {day.day} {day:%B}"
    return shown if day.year == date.today().year else f"{shown} {day.year}"


# --- training days -------------------------------------------------------------------------

# A place's words on a phone, and the stretch of the projector's and the summary's counts they
# belong to: the same words, or words for a point inside that stretch.
WITHIN = {
    "At “always abusive”": "At or near “always abusive”",
    "Very near “always abusive”": "At or near “always abusive”",
    "In the middle": "Around the middle",
    "Very near “never abusive”": "At or near “never abusive”",
    "At “never abusive”": "At or near “never abusive”",
}
