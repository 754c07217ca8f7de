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

`org_object` marks routes about one row of Organisation One (an invitation, a person, a content
entry): an admin of another organisation gets 404, as if it did not exist. `signed_in` is the
status a signed-in person gets on a token page that is only for newcomers.
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
            "email": "nova@one.example",
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
        "form": {"code": Row("room_code"), "first_name": "Sam"},
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
}

# How docs/access.md says each rule, in the "who may use it" column.
WHO = {
    "public": "anyone",
    "token": "anyone with a valid link",
    "member": "any signed-in member",
    "admin": "admins",
    "facilitator": "facilitators",
    "trainer": "the room's trainer",
    "participant": "people who joined the room",
}
# Rules that need someone signed in; the role rules also need that role.
SIGNED_IN_RULES = ("member", "admin", "facilitator", "trainer")
ROLE_RULES = ("admin", "facilitator")


def url_values(endpoint: str, rows: dict) -> dict:
    """The URL values for an endpoint, with `Row` names looked up in Organisation One."""
    return looked_up(RULES[endpoint]["url"], rows)


def form_values(endpoint: str, rows: dict) -> dict:
    """The form an endpoint is sent, with `Row` names looked up in Organisation One."""
    return looked_up(RULES[endpoint].get("form", {}), rows)


def looked_up(values: dict, rows: dict) -> dict:
    return {
        name: rows[value.name] if isinstance(value, Row) else value
        for name, value in values.items()
    }


def method_of(endpoint: str) -> str:
    (method,) = RULES[endpoint]["methods"]
    return method


def post_endpoints() -> list[str]:
    return sorted(name for name, rule in RULES.items() if "POST" in rule["methods"])
