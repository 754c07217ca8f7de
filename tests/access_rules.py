"""Who may use each route: the one table that `test_access_rules.py` walks for every persona.

Every endpoint in `app.url_map` has exactly one rule, so a new route without a rule fails the
suite. `docs/access.md` says the same for people, and a test keeps the two in step.

Rules:
- "public": anyone, signed in or not.
- "token": a one-time link page. Anyone holding a valid link may use it (the link is the
  permission); a link that is used, withdrawn, expired or made up gets 410.
- "member": anyone signed in, in any organisation. Everyone else goes to sign-in.
- "admin": an admin of the organisation. Other signed-in people get a friendly 403, and everyone
  who isn't signed in goes to sign-in.
- "facilitator": someone with the facilitator role (the private exercises). Other signed-in
  people get a friendly 403, and everyone who isn't signed in goes to sign-in.
- "trainer": the facilitator who opened this training-day room. Colleagues in the same
  organisation get a friendly 403, another organisation gets 404, and everyone who isn't signed
  in goes to sign-in. Participants never can: they have no account in the room, only a seat.
- "participant": someone who has joined this room (its seat is in their cookie). Everyone else,
  the trainer included, is sent to the room's join page.

- "pair": a pair's own pages (`get_pair`). Only the pair's two partners, the facilitator and
  the co-worker, may use them. A third facilitator of the organisation and anyone of another
  organisation get 404, as if the pair did not exist; supervisors and admins who aren't
  facilitators get the friendly 403 (supervisors see what a pair shares through the
  supervision pages, never through these).
- "invitee": an open invitation to co-work, answered (accepted or declined) only by the
  colleague it was sent to (`get_pair_invitation(…, "invitee")`), here the co-worker.
- "inviter": the same invitation, withdrawn only by the facilitator who sent it.
  For both invitation rules every other facilitator, including the other side of the
  invitation, gets 404, and people without the facilitator role get 403.

`org_object` marks routes about one row of Organisation One (an invitation, a person, a content
entry): an admin of another organisation gets 404, as if it did not exist. `signed_in` is the
status a signed-in person gets on a token page that is only for newcomers. `form` values
that are a `Row` are looked up like URL values, and `form_as` changes the form for one persona
(a facilitator can't invite themselves to co-work, so the one invited is someone else).
`other_organisation` is the status another organisation's facilitator gets for a form that
names one of Organisation One's people, who are never among their choices. `answers` gives the
status for a person the rule allows but whose own situation answers otherwise (the only admin
of an organisation can't delete their account: 409).
"""

from dataclasses import dataclass

from conftest import PASSWORD, PEOPLE


@dataclass(frozen=True)
class Row:
    """A URL value taken from Organisation One's rows (see `organisation_one.prepare`)."""

    name: str


# A vault backup as the browser uploads it: the export file's shape, with random bytes where
# the ciphertext would be (the server can't tell the difference, and mustn't need to).
BACKUP_UPLOAD = {
    "basedOn": 0,
    "file": {
        "format": "wellbeing-vault-export",
        "version": 1,
        "exportedAt": "2024-05-01T09:30:00.000Z",
        "header": {
            "version": 1,
            "kdf": "PBKDF2-SHA256",
            "iterations": 600000,
            "salt": "AAECAwQFBgcICQoLDA0ODw",
        },
        "keyWrap": {"iv": "AAECAwQFBgcICQoL", "wrappedKey": "A" * 64},
        "records": [
            {
                "id": "shoulds-2024-05-01T09:30:00.000Z",
                "kind": "shoulds",
                "version": 1,
                "iv": "AAECAwQFBgcICQoL",
                "ciphertext": "B" * 40,
                "updatedAt": "2024-05-01T09:30:00.000Z",
            }
        ],
    },
}

RULES = {
    "static": {
        "methods": {"GET"},
        "url": {"filename": "app.css"},
        "rule": "public",
    },
    "accounts.home": {
        "methods": {"GET"},
        "url": {},
        "rule": "member",
    },
    "accounts.account_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "member",
    },
    "accounts.account_data": {
        "methods": {"GET"},
        "url": {},
        "rule": "member",
    },
    "accounts.account_delete_confirm": {
        "methods": {"GET"},
        "url": {},
        "rule": "member",
    },
    "accounts.account_delete": {
        "methods": {"POST"},
        "url": {},
        "rule": "member",
        "form": {"password": PASSWORD},
        # Each organisation's only admin is asked to invite another admin first.
        "answers": {"admin": 409, "outsider": 409},
    },
    "accounts.signin_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
    "accounts.signin_submit": {
        "methods": {"POST"},
        "url": {},
        "rule": "public",
        "form": {"email": PEOPLE["facilitator"][1], "password": PASSWORD},
    },
    "accounts.signout": {
        "methods": {"POST"},
        "url": {},
        "rule": "public",
    },
    "accounts.invitation_show": {
        "methods": {"GET"},
        "url": {"token": Row("invitation_token")},
        "rule": "token",
    },
    "accounts.invitation_accept": {
        "methods": {"POST"},
        "url": {"token": Row("invitation_token")},
        "rule": "token",
        "form": {
            "name": "Nova Newcomer",
            "email": "newcomer@one.example",  # the email the invitation names
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
        # Joining is for newcomers: a signed-in person is asked to sign out first.
        "signed_in": 422,
    },
    "accounts.reset_show": {
        "methods": {"GET"},
        "url": {"token": Row("reset_token")},
        "rule": "token",
    },
    "accounts.reset_submit": {
        "methods": {"POST"},
        "url": {"token": Row("reset_token")},
        "rule": "token",
        "form": {"password": "another new password", "confirm": "another new password"},
    },
    "organisation.people_list": {
        "methods": {"GET"},
        "url": {},
        "rule": "admin",
    },
    "organisation.invitation_create": {
        "methods": {"POST"},
        "url": {},
        "rule": "admin",
        "form": {"email": "", "roles": ["facilitator", "supervisor"]},
    },
    "organisation.invitation_revoke": {
        "methods": {"POST"},
        "url": {"invitation_id": Row("invitation")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.person_disable": {
        "methods": {"POST"},
        "url": {"user_id": Row("facilitator")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.person_enable": {
        "methods": {"POST"},
        "url": {"user_id": Row("facilitator")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.person_delete_confirm": {
        "methods": {"GET"},
        "url": {"user_id": Row("facilitator")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.person_delete": {
        "methods": {"POST"},
        "url": {"user_id": Row("facilitator")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.reset_create": {
        "methods": {"POST"},
        "url": {"user_id": Row("facilitator")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.content_list": {
        "methods": {"GET"},
        "url": {"kind": "practice"},
        "rule": "admin",
    },
    "organisation.content_add": {
        "methods": {"POST"},
        "url": {"kind": "practice"},
        "rule": "admin",
        "form": {"text": "Checking a partner's phone", "note": ""},
    },
    "organisation.content_reset_confirm": {
        "methods": {"GET"},
        "url": {"kind": "practice"},
        "rule": "admin",
    },
    "organisation.content_reset": {
        "methods": {"POST"},
        "url": {"kind": "practice"},
        "rule": "admin",
    },
    "organisation.entry_update": {
        "methods": {"POST"},
        "url": {"entry_id": Row("practice")},
        "rule": "admin",
        "org_object": True,
        "form": {"text": "Having sex outside the relationship", "note": ""},
    },
    "organisation.entry_move": {
        "methods": {"POST"},
        "url": {"entry_id": Row("practice")},
        "rule": "admin",
        "org_object": True,
        "form": {"direction": "down"},
    },
    "organisation.entry_remove": {
        "methods": {"POST"},
        "url": {"entry_id": Row("practice")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.entry_restore": {
        "methods": {"POST"},
        "url": {"entry_id": Row("practice")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.support_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "member",
    },
    "exercises.vault_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.why_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.recovery_sheet_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.shoulds_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.learning_about_sex_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.painful_points_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.checklist_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.norms_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.line_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.stance_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.backup_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.backup_versions_list": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "exercises.backup_upload": {
        "methods": {"POST"},
        "url": {},
        "rule": "facilitator",
        # Sent as JSON with the X-CSRFToken header, as the page's fetch() sends it.
        "json": BACKUP_UPLOAD,
    },
    "coworking.pairs_index": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "coworking.invitation_create": {
        "methods": {"POST"},
        "url": {},
        "rule": "facilitator",
        "form": {"colleague": Row("bystander"), "name": "Wednesday afternoon group"},
        "form_as": {"bystander": {"colleague": Row("facilitator")}},
        # Organisation One's people are no choice for another organisation's facilitator.
        "other_organisation": 422,
    },
    "coworking.invitation_accept": {
        "methods": {"POST"},
        "url": {"invitation_id": Row("pair_invitation")},
        "rule": "invitee",
    },
    "coworking.invitation_decline": {
        "methods": {"POST"},
        "url": {"invitation_id": Row("pair_invitation")},
        "rule": "invitee",
    },
    "coworking.invitation_withdraw": {
        "methods": {"POST"},
        "url": {"invitation_id": Row("pair_invitation")},
        "rule": "inviter",
    },
    "coworking.pair_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.pair_end_confirm": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.pair_end": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.sharing_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.consent_give": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair"), "topic": "agreement"},
        "rule": "pair",
    },
    "coworking.consent_withdraw": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair"), "topic": "checkins"},
        "rule": "pair",
    },
    "coworking.context_update": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {"gender": "Mixed gender", "experience": "Both experienced"},
    },
    "coworking.context_forget": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.conversation_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.conversation_share": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {
            "answer-materials": "I'm not yet at ease leading the session on consent.",
            "situation": ["A client describing a partner in sexualised detail"],
        },
    },
    "coworking.agreement_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.agreement_save": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        # Based on the draft Fran saved (version 1, revision 1), so it saves without a conflict.
        "form": {
            "number": "1",
            "revision": "1",
            "s0-id": "confrontational",
            "s0-choice": "as_written",
            "s0-who": "The other facilitator",
            "s0-words": "If I were in Fran's shoes right now I might feel a bit intimidated.",
            "s0-signal": "A hand flat on the table",
        },
    },
    "coworking.agreement_confirm": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {"number": "1", "revision": "1"},
    },
    "coworking.agreement_version_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair"), "number": 1},
        "rule": "pair",
    },
    "coworking.checkins_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.checkin_submit": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {"more": "Asking me how I'm arriving", "less": ""},
    },
    "coworking.checkin_reply": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair"), "week": Row("checkin_week")},
        "rule": "pair",
        "form": {"reply": "thanks — I'll try that"},
    },
    "coworking.checkin_day_update": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {"day": "3"},
    },
    "coworking.card_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
    },
    "coworking.group_session_log": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "pair",
        "form": {"held_on": "2024-05-09", "with_experienced": "y"},
    },
    "supervision.home": {
        "methods": {"GET"},
        "url": {},
        "rule": "supervisor",
    },
    "supervision.pair_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "supervisor_of",
    },
    "supervision.agreement_show": {
        "methods": {"GET"},
        "url": {"pair_id": Row("pair")},
        "rule": "supervisor_of",
        "before": "share_agreement",
    },
    "supervision.review_add": {
        "methods": {"POST"},
        "url": {"pair_id": Row("pair")},
        "rule": "supervisor_of",
        "before": "share_agreement",
        "form": {"kind": "comment", "text": "Good to see the signal agreed."},
    },
    "supervision.session_new": {
        "methods": {"GET"},
        "url": {},
        "rule": "supervisor",
    },
    "supervision.session_create": {
        "methods": {"POST"},
        "url": {},
        "rule": "supervisor_of",
        "form": {
            "held_on": "2024-05-09",
            "minutes": "90",
            "format": "individual",
            "supervisees": Row("facilitator"),
            "areas": "impact",
        },
        # Fran isn't someone Sid or Otto supervises, so she isn't a choice in their form.
        "not_theirs": 422,
    },
    "supervision.session_remove": {
        "methods": {"POST"},
        "url": {"session_id": Row("supervision_session")},
        "rule": "supervisor_of",
        "before": "log_supervision_session",
    },
    "supervision.supervisee_show": {
        "methods": {"GET"},
        "url": {"user_id": Row("facilitator")},
        "rule": "supervisor_of",
    },
    "supervision.target_update": {
        "methods": {"POST"},
        "url": {"user_id": Row("facilitator")},
        "rule": "supervisor_of",
        "form": {"minutes": "120"},
    },
    "supervision.mine_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "supervision.training_update": {
        "methods": {"POST"},
        "url": {},
        "rule": "facilitator",
        "form": {"topics": "dv_awareness"},
    },
    "supervision.group_session_remove": {
        "methods": {"POST"},
        "url": {"session_id": Row("group_session")},
        "rule": "owner",
        "before": "log_group_session",
    },
    "supervision.assignments_list": {
        "methods": {"GET"},
        "url": {},
        "rule": "admin",
    },
    "supervision.assignment_create": {
        "methods": {"POST"},
        "url": {},
        "rule": "admin",
        "form": {"supervisor": Row("supervisor"), "supervisee": Row("coworker")},
        # Another organisation's admin can't choose Organisation One's people.
        "other_organisation": 422,
    },
    "supervision.assignment_remove": {
        "methods": {"POST"},
        "url": {"link_id": Row("supervision_link")},
        "rule": "admin",
        "org_object": True,
    },
    "organisation.export_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "admin",
    },
    "organisation.export_json": {
        "methods": {"GET"},
        "url": {},
        "rule": "admin",
    },
    "organisation.export_csv": {
        "methods": {"GET"},
        "url": {"table": "people"},
        "rule": "admin",
    },
    "line.room_list": {
        "methods": {"GET"},
        "url": {},
        "rule": "facilitator",
    },
    "line.room_open": {
        "methods": {"POST"},
        "url": {},
        "rule": "facilitator",
        "form": {"opened_with": "a-second-room"},
    },
    "line.room_show": {
        "methods": {"GET"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
    },
    "line.room_control": {
        "methods": {"POST"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
        "form": {"action": "reveal"},
    },
    "line.projector_show": {
        "methods": {"GET"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
    },
    "line.summary_show": {
        "methods": {"GET"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
    },
    "line.practices_show": {
        "methods": {"GET"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
    },
    "line.practice_add": {
        "methods": {"POST"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
        "form": {"text": "Checking a partner's phone", "note": ""},
    },
    "line.practice_update": {
        "methods": {"POST"},
        "url": {"room_id": Row("room"), "practice_id": Row("room_practice")},
        "rule": "trainer",
        "form": {"text": "Sex with someone outside the relationship", "note": ""},
    },
    "line.practice_move": {
        "methods": {"POST"},
        "url": {"room_id": Row("room"), "practice_id": Row("room_practice")},
        "rule": "trainer",
        "form": {"direction": "down"},
    },
    "line.practice_remove": {
        "methods": {"POST"},
        "url": {"room_id": Row("room"), "practice_id": Row("room_practice")},
        "rule": "trainer",
    },
    "line.practices_save": {
        "methods": {"POST"},
        "url": {"room_id": Row("room")},
        "rule": "trainer",
    },
    "line.retention_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "admin",
    },
    "line.retention_update": {
        "methods": {"POST"},
        "url": {},
        "rule": "admin",
        "form": {"days": "14"},
    },
    "line.join_show": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
    "line.join_submit": {
        "methods": {"POST"},
        "url": {},
        "rule": "public",
        "form": {"code": Row("room_code")},
    },
    "line.place_show": {
        "methods": {"GET"},
        "url": {"code": Row("room_code")},
        "rule": "participant",
    },
    "line.placement_submit": {
        "methods": {"POST"},
        "url": {"code": Row("room_code")},
        "rule": "participant",
        "form": {"practice": Row("room_practice"), "round": "1", "position": "250"},
    },
    "pwa.manifest": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
    "pwa.sw": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
    "pwa.offline": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
    "health.healthz": {
        "methods": {"GET"},
        "url": {},
        "rule": "public",
    },
}

# How docs/access.md says each rule, in the "who may use it" column.
WHO = {
    "public": "anyone",
    "token": "anyone with a valid link",
    "member": "any signed-in member",
    "admin": "admins",
    "facilitator": "facilitators",
    "pair": "the two partners of the pair",
    "invitee": "the colleague who was invited",
    "inviter": "the facilitator who sent the invitation",
    "owner": "the facilitator who logged it",
    "supervisor": "supervisors",
    "supervisor_of": "their assigned supervisor",
    "trainer": "the room's trainer",
    "participant": "people who joined the room",
}
# Rules that need someone signed in; the role rules also need that role.
SIGNED_IN_RULES = (
    "member",
    "admin",
    "facilitator",
    "supervisor",
    "pair",
    "invitee",
    "inviter",
    "owner",
    "supervisor_of",
    "trainer",
)
ROLE_RULES = ("admin", "facilitator", "supervisor")
# Rules about one pair or invitation: facilitators who aren't its parties get 404, as if it
# did not exist, and people without the facilitator role get 403.
PARTIES = {
    "pair": ("facilitator", "coworker"),
    "invitee": ("coworker",),
    "inviter": ("facilitator",),
    "owner": ("facilitator",),
}
# Rules about someone a supervisor supervises, or that person's pair: only Sol, whom the admin
# assigned to Fran, may use them. Other supervisors get 404 (or `not_theirs`), as if it did not
# exist; people without the supervisor role get 403.
SUPERVISING = {"supervisor_of": ("supervisor",)}


# --- what some rows need first, done through the real pages ------------------------------------


def post_as(one, persona, path, data) -> str:
    response = one.client(persona).post(path, data=data | {"csrf_token": one.form_token(persona)})
    assert response.status_code < 400, response.status_code
    return response.get_data(as_text=True)


def share_agreement(one) -> dict:
    """Fran and Cole confirm their first draft and both share it with supervision."""
    pair = one.rows["pair"]
    for persona in ("facilitator", "coworker"):
        post_as(one, persona, f"/pairs/{pair}/agreement/confirm", {"number": 1, "revision": 1})
        post_as(one, persona, f"/pairs/{pair}/consents/agreement", {})
    return {}


def newest_id(one, table: str) -> int:
    import sqlite3

    with sqlite3.connect(one.database) as conn:
        (found,) = conn.execute(f"select max(id) from {table}").fetchone()
    conn.close()
    return found


def log_supervision_session(one) -> dict:
    """Sol logs a session with Fran."""
    form = {"held_on": "2024-05-02", "minutes": "60", "format": "individual"}
    post_as(
        one, "supervisor", "/supervision/sessions", form | {"supervisees": one.rows["facilitator"]}
    )
    return {"supervision_session": newest_id(one, "supervision_sessions")}


def log_group_session(one) -> dict:
    """Fran logs a group from her card."""
    post_as(
        one, "facilitator", f"/pairs/{one.rows['pair']}/group-sessions", {"held_on": "2024-05-02"}
    )
    return {"group_session": newest_id(one, "group_sessions")}


BEFORE = {
    "share_agreement": share_agreement,
    "log_supervision_session": log_supervision_session,
    "log_group_session": log_group_session,
}


def prepared_rows(one, endpoint: str) -> dict:
    """Organisation One's rows, and any the route's `before` step made. The step runs once per
    test, so asking twice gives the same rows."""
    step = RULES[endpoint].get("before")
    if not step:
        return one.rows
    made = one.__dict__.setdefault("made_before", {})
    if step not in made:
        made[step] = BEFORE[step](one)
    return one.rows | made[step]


def url_values(endpoint: str, rows: dict) -> dict:
    """The URL values for an endpoint, with `Row` names looked up in Organisation One."""
    return {
        name: rows[value.name] if isinstance(value, Row) else value
        for name, value in RULES[endpoint]["url"].items()
    }


def form_values(endpoint: str, rows: dict, persona: str) -> dict:
    """The form the table describes for this persona, with `Row` names looked up."""
    rule = RULES[endpoint]
    form = rule.get("form", {}) | rule.get("form_as", {}).get(persona, {})
    return {
        name: str(rows[value.name]) if isinstance(value, Row) else value
        for name, value in form.items()
    }


def method_of(endpoint: str) -> str:
    (method,) = RULES[endpoint]["methods"]
    return method


def post_endpoints() -> list[str]:
    return sorted(name for name, rule in RULES.items() if "POST" in rule["methods"])
