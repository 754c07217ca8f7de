"""Who may use each route: the one table that `test_access_rules.py` walks for every persona,
and that renders the route table of `docs/access.md`.

Every endpoint in `app.url_map` has exactly one rule, one line in `RULES`, so a new route without a
rule fails the suite. The methods and paths come from the app's URL map, not from the table. To
add a route, add its line:

    rule("feature.thing_show", "pair", pair_id=Row("pair")),

and regenerate the docs with `make access-doc` (`PYTHONPATH=. python tests/access_rules.py`); a
test fails while docs/access.md's route table differs from the one this file renders.

A rule is `rule(endpoint, who, **url_values, **options)`. `who` is one of these kinds:
- "public": anyone, signed in or not.
- "token": a one-time link page. Anyone holding a valid link may use it (the link is the
  permission); a link that is used, withdrawn, expired or made up gets 410.
- "member": anyone signed in, in any organisation. Everyone else goes to sign-in.
- "admin": an admin of the organisation. Other signed-in people get a friendly 403, and everyone
  who isn't signed in goes to sign-in.
- "facilitator": someone with the facilitator role (the private exercises). Other signed-in
  people get a friendly 403, and everyone who isn't signed in goes to sign-in.
- "supervisor": someone with the supervisor role; the same for everyone else.
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
- "owner": a logged group, taken back only by the facilitator who logged it
  (`get_group_log`); other facilitators get 404.
- "writer": a note "to bring to supervision" (issue 27), read, shared, withdrawn or deleted only
  by the partner who wrote it (`get_supervision_note`); their partner and everyone else get 404.
- "supervisor_of": someone a supervisor supervises, or that person's pair: only Sol, whom the
  admin assigned to Fran, may use them; other supervisors get 404 (or `not_theirs`).

Keyword values that aren't options are the example URL values, as `url_for` takes them; a `Row`
is looked up in Organisation One's rows (see `organisation_one.prepare`). The options:
- `form`: the form a POST sends (`Row` values are looked up too); `form_as` changes it for one
  persona (a facilitator can't invite themselves to co-work, so the one invited is someone
  else); `json`: a body sent as JSON instead, with the form token in the X-CSRFToken header.
- `org_object`: the route is about one row of Organisation One (an invitation, a person, a
  content entry): an admin of another organisation gets 404, as if it did not exist.
- `signed_in`: the status a signed-in person gets on a token page that is only for newcomers.
- `other_organisation`: the status another organisation's person gets for a form that names one
  of Organisation One's people, who are never among their choices.
- `not_theirs`: the status another supervisor gets instead of 404.
- `answers`: the status for a person the rule allows but whose own situation answers otherwise
  (the only admin of an organisation can't delete their account: 409).
- `before`: a step (in `BEFORE`) that makes the rows the route needs, through the real pages.
- `also` and `others`: words for docs/access.md's "what others get" column. The column says
  what the kind says (`OTHERS`); `also` adds to it (a clause, or a sentence when it begins with
  a capital), and `others` replaces it.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from conftest import INVITED, PASSWORD, PEOPLE, make_app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "access.md"
REGENERATE = "make access-doc"


@dataclass(frozen=True)
class Row:
    """A URL value taken from Organisation One's rows (see `organisation_one.prepare`)."""

    name: str


@dataclass(frozen=True)
class Rule:
    endpoint: str
    who: str
    url: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    form_as: dict = field(default_factory=dict)
    json: dict | None = None
    answers: dict = field(default_factory=dict)
    org_object: bool = False
    signed_in: int | None = None
    other_organisation: int | None = None
    not_theirs: int | None = None
    before: str | None = None
    also: str | None = None
    others: str | None = None


def rule(endpoint: str, who: str, **values) -> Rule:
    """One route's rule; keywords that aren't `Rule` options are its example URL values."""
    options = {name: values.pop(name) for name in list(values) if name in Rule.__dataclass_fields__}
    return Rule(endpoint, who, url=values, **options)


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
# A passkey answer as a page's fetch() sends it, with a challenge the server never issued.
PASSKEY_ANSWER = {
    "challengeId": "made-up",
    "name": "My phone",
    "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}},
}
# The email is the one the invitation names.
INVITATION_ACCEPT_FORM = {
    "name": "Nova Newcomer",
    "email": "newcomer@one.example",
    "password": "a brand new password",
    "confirm": "a brand new password",
}
RESET_SUBMIT_FORM = {"password": "another new password", "confirm": "another new password"}
CONVERSATION_SHARE_FORM = {
    "answer-materials": "I'm not yet at ease leading the session on consent.",
    "situation": ["A client describing a partner in sexualised detail"],
}
# Based on the draft Fran saved (version 1, revision 1), so it saves without a conflict.
AGREEMENT_SAVE_FORM = {
    "number": "1",
    "revision": "1",
    "s0-id": "confrontational",
    "s0-choice": "as_written",
    "s0-who": "The other facilitator",
    "s0-words": "If I were in Fran's shoes right now I might feel a bit intimidated.",
    "s0-signal": "A hand flat on the table",
}
MEETING_CREATE_FORM = {
    "held_on": "2024-05-09",
    "minutes": "90",
    "format": "individual",
    "supervisees": Row("facilitator"),
    "areas": "impact",
}

# One line per endpoint, in the order docs/access.md lists them.
# fmt: off

# The timing editor with one activity kept, and a pair's plan, as their pages send them.
TIMING_FORM = {"count": "1", "base": "0", "action": "save", "key-0": "sexual_abuse_scenario", "minutes-0": "30", "keep-0": "yes"}
TODAY = date.today().isoformat()
PLAN_FORM = {"held_on": "2026-12-24", "starts_at": "18:30", "session_key": "sexual_pressuring", "base": "0", "action": "save"}

# What the module's old addresses (issue 25) answer everyone, in docs/access.md's words.
MOVED_GET = "nobody is refused: 301 to the same page under `/module/`, with its query string"
MOVED_POST = "nobody is refused: 308 to the same address under `/module/`, which keeps the POST and its form"
MOVED = "nobody is refused: 301 (GET) or 308 (POST, which keeps the POST and its form) to the same address under `/module/`, with its query string"

RULES = {r.endpoint: r for r in (
    rule("static", "public", filename="app.css"),
    rule("home.home", "member"),
    rule("accounts.account_show", "member", also="it shows only your own account: there is no URL for anyone else's"),
    rule("home.account_data", "member", also="only your own data"),
    rule("home.account_delete_confirm", "member"),
    rule("accounts.gender_update", "member", form={"gender": "woman"}, also="only your own; a choice that isn't offered: 422"),
    # Each organisation's only admin is asked to invite another admin first.
    rule("home.account_delete", "member", form={"password": PASSWORD}, answers={"admin": 409, "outsider": 409}, also="wrong password: 422, nothing deleted, counted with sign-in failures (429 after 5); the organisation's only admin: 409"),
    # Issue 15, passkeys. JSON with the X-CSRFToken header, as the page's fetch() sends it. A made-up answer proves no passkey: 422.
    # Issue 21: adding a passkey needs a password or passkey check in the last 5 minutes (organisation_one counts every persona as checked).
    rule("accounts.account_check", "member", form={"password": PASSWORD}, also="your own password again, for adding a passkey in the next 5 minutes; wrong: 422, counted with sign-in failures (429 after 5)"),
    rule("accounts.passkey_register_options", "member", json={}, also="a challenge for your own account only; no password or passkey check in the last 5 minutes: 403; 120 challenges from one address in 10 minutes: 429"),
    rule("accounts.passkey_add", "member", json=PASSKEY_ANSWER, answers=dict.fromkeys((*PEOPLE, *INVITED), 422), also="an answer that proves no new passkey (a made-up, used or expired challenge): 422, nothing added; no check in the last 5 minutes: 403"),
    rule("accounts.passkey_remove", "member", passkey_id=1, also="only your own passkeys: another person's passkey id removes nothing"),
    rule("accounts.passkey_signin_options", "public", json={}, others="120 challenges from one address in 10 minutes: 429"),
    rule("accounts.passkey_signin", "public", json=PASSKEY_ANSWER, answers=dict.fromkeys(("anonymous", *PEOPLE, *INVITED), 422), others="an answer that proves no passkey (made up, a used or expired challenge, a removed passkey): 422; a switched-off person: 403"),
    rule("accounts.signin_show", "public", others="signed in: 302 to home"),
    rule("accounts.signin_submit", "public", form={"email": PEOPLE["facilitator"][1], "password": PASSWORD}, others="wrong password: 422; after 5 wrong tries for one email in 15 minutes: 429"),
    rule("accounts.signout", "public", others="signed out already: 302 to sign-in"),
    rule("accounts.invitation_show", "token", token=Row("invitation_token"), others="used, withdrawn, expired or unknown link: 410; signed in: asked to sign out first"),
    # Joining is for newcomers: a signed-in person is asked to sign out first.
    rule("accounts.invitation_accept", "token", token=Row("invitation_token"), form=INVITATION_ACCEPT_FORM, signed_in=422, others="used, withdrawn, expired or unknown link: 410; signed in: 422, asked to sign out first; in use by another request at this moment: 409"),
    rule("accounts.reset_show", "token", token=Row("reset_token")),
    rule("accounts.reset_submit", "token", token=Row("reset_token"), form=RESET_SUBMIT_FORM, also="in use by another request at this moment: 409"),
    rule("organisation.people_list", "admin"),
    rule("organisation.invitation_create", "admin", form={"email": "", "roles": ["facilitator", "supervisor"]}),
    rule("organisation.invitation_revoke", "admin", invitation_id=Row("invitation"), org_object=True),
    rule("organisation.reset_create", "admin", user_id=Row("facilitator"), org_object=True),
    rule("organisation.person_disable", "admin", user_id=Row("facilitator"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation, or a deleted person: 404; yourself: 409"),
    rule("organisation.person_enable", "admin", user_id=Row("facilitator"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation, or a deleted person: 404; yourself: 409"),
    rule("organisation.person_disable_confirm", "admin", user_id=Row("facilitator"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation, or a deleted person: 404; yourself: 409"),
    rule("organisation.person_delete_confirm", "admin", user_id=Row("facilitator"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation, or a deleted person: 404; yourself: 409"),
    rule("organisation.person_delete", "admin", user_id=Row("facilitator"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation, or a deleted person: 404; yourself: 409"),
    rule("organisation.content_list", "admin", kind="practice"),
    rule("organisation.content_add", "admin", kind="practice", form={"text": "Checking a partner's phone", "note": ""}),
    rule("organisation.content_reset_confirm", "admin", kind="practice"),
    rule("organisation.content_reset", "admin", kind="practice"),
    rule("organisation.entry_update", "admin", entry_id=Row("practice"), form={"text": "Having sex outside the relationship", "note": ""}, org_object=True),
    rule("organisation.entry_move", "admin", entry_id=Row("practice"), form={"direction": "down"}, org_object=True),
    rule("organisation.entry_remove", "admin", entry_id=Row("practice"), org_object=True),
    rule("organisation.entry_restore", "admin", entry_id=Row("practice"), org_object=True),
    rule("organisation.support_show", "member"),
    rule("organisation.standards_show", "admin", also="Issue 24: how the organisation reads the Respect standards"),
    rule("organisation.standards_update", "admin", form={"mentoring_reading": "either", "mentoring_target_minutes": "150", "group_supervision_counts": "shared"}, also="a choice that isn't offered, or minutes outside 90 to 2400: 422, with what was typed kept"),
    rule("organisation.team_show", "admin", also="Issue 24: the core team and mixed-gender pairs, never anyone's gender"),
    rule("organisation.experienced_update", "admin", user_id=Row("coworker"), form={"experienced": "yes"}, org_object=True),
    rule("private.vault_show", "facilitator"),
    rule("private.why_show", "facilitator"),
    rule("private.recovery_sheet_show", "facilitator"),
    rule("private.shoulds_show", "facilitator"),
    rule("private.learning_about_sex_show", "facilitator"),
    rule("private.painful_points_show", "facilitator"),
    rule("private.checklist_show", "facilitator"),
    rule("private.norms_show", "facilitator"),
    rule("private.line_show", "facilitator"),
    rule("private.stance_show", "facilitator"),
    rule("private.backup_show", "facilitator", also="Only ever the person's own backup"),
    rule("private.backup_versions_list", "facilitator", also="Only ever the person's own backups"),
    # Sent as JSON with the X-CSRFToken header, as the page's fetch() sends it.
    rule("private.backup_upload", "facilitator", json=BACKUP_UPLOAD, also="not a vault export: 400, 411, 413, 415 or 422; a newer backup on the server: 409"),
    rule("coworking.pairs_index", "facilitator", also="Only the person's own pairs and invitations"),
    # A facilitator can't invite themselves, so Bea invites Fran; Organisation One's people are
    # no choice for another organisation's facilitator.
    rule("coworking.invitation_create", "facilitator", form={"colleague": Row("bystander"), "name": "Wednesday afternoon group"}, form_as={"bystander": {"colleague": Row("facilitator")}}, other_organisation=422, also="a colleague who isn't a facilitator of the same organisation, or no name: 422"),
    rule("coworking.invitation_accept", "invitee", invitation_id=Row("pair_invitation")),
    rule("coworking.invitation_decline", "invitee", invitation_id=Row("pair_invitation")),
    rule("coworking.invitation_withdraw", "inviter", invitation_id=Row("pair_invitation")),
    rule("coworking.pair_show", "pair", pair_id=Row("pair")),
    rule("coworking.pair_end_confirm", "pair", pair_id=Row("pair"), also="the pair has ended: 409"),
    rule("coworking.pair_end", "pair", pair_id=Row("pair"), also="the pair has ended: 409"),
    rule("coworking.sharing_show", "pair", pair_id=Row("pair")),
    rule("coworking.consent_give", "pair", pair_id=Row("pair"), topic="agreement", also="the pair has ended: 409; the power context before it is recorded: 409"),
    rule("coworking.consent_withdraw", "pair", pair_id=Row("pair"), topic="checkins", also="the pair has ended: still allowed"),
    rule("coworking.context_update", "pair", pair_id=Row("pair"), form={"gender": "Mixed gender", "experience": "Both experienced"}, also="the pair has ended: 409; not one of the choices: 422"),
    rule("coworking.context_forget", "pair", pair_id=Row("pair"), also="the pair has ended: 409"),
    rule("coworking.conversation_show", "pair", pair_id=Row("pair"), also="The partner's answers only once both have shared"),
    rule("coworking.conversation_share", "pair", pair_id=Row("pair"), form=CONVERSATION_SHARE_FORM, also="the pair has ended: 409; nothing to share, or too long: 422"),
    rule("coworking.agreement_show", "pair", pair_id=Row("pair")),
    rule("coworking.agreement_save", "pair", pair_id=Row("pair"), form=AGREEMENT_SAVE_FORM, also="the pair has ended: 409; too long or not a choice: 422; the partner saved first: 409, with both versions shown"),
    rule("coworking.agreement_confirm", "pair", pair_id=Row("pair"), form={"number": "1", "revision": "1"}, also="the pair has ended: 409; it changed since it was read, or nothing to confirm: 409"),
    rule("coworking.agreement_version_show", "pair", pair_id=Row("pair"), number=1, also="no such version: 404"),
    rule("coworking.checkins_show", "pair", pair_id=Row("pair"), also="The partner's answers only once both have answered"),
    rule("coworking.checkin_submit", "pair", pair_id=Row("pair"), form={"more": "Asking me how I'm arriving", "less": ""}, also="the pair has ended: 409; this week's answers already open to both: 409; too long: 422"),
    rule("coworking.checkin_reply", "pair", pair_id=Row("pair"), week=Row("checkin_week"), form={"reply": "thanks — I'll try that"}, also="the pair has ended: 409; `<week>` not a Monday, or a week not yet open to both: 404; empty or too long: 422"),
    rule("coworking.checkin_day_update", "pair", pair_id=Row("pair"), form={"day": "3"}, also="the pair has ended: 409; not a day of the week: 422"),
    rule("coworking.card_show", "pair", pair_id=Row("pair")),
    rule("coworking.group_log_add", "pair", pair_id=Row("pair"), form={"held_on": "2024-05-09", "with_experienced": "y"}, also="the pair has ended: 409; no date: 422. A second send of the same form (its `key`) logs nothing more"),
    rule("coworking.group_log_undo", "owner", pair_id=Row("pair"), log_id=Row("group_log"), before="log_group", also="the pair has ended: 409"),
    rule("coworking.to_bring_show", "pair", pair_id=Row("pair"), also="Only the person's own notes, never the partner's"),
    rule("coworking.to_bring_add", "pair", pair_id=Row("pair"), form={"text": "How I felt when the group laughed"}, also="the pair has ended: 409; empty or too long: 422"),
    rule("coworking.to_bring_preview", "writer", pair_id=Row("pair"), note_id=Row("supervision_note"), before="write_note"),
    rule("coworking.to_bring_share", "writer", pair_id=Row("pair"), note_id=Row("supervision_note"), before="write_note", also="the pair has ended: 409; no supervisor assigned: 409"),
    rule("coworking.to_bring_withdraw", "writer", pair_id=Row("pair"), note_id=Row("supervision_note"), before="write_note", also="A note can still be withdrawn after the pair ended"),
    rule("coworking.to_bring_delete", "writer", pair_id=Row("pair"), note_id=Row("supervision_note"), before="write_note", also="A note can still be deleted after the pair ended"),
    rule("module.module_show", "member", also="Each person sees their own organisation's version of the sessions"),
    rule("module.session_show", "member", key="sexual_pressuring", also="a session the module doesn't have: 404"),
    rule("module.activity_show", "member", activity_key="bdsm", also="an activity the module doesn't have: 404"),
    rule("module.session_print", "member", key="sexual_pressuring", also="a session the module doesn't have: 404"),
    rule("module.timing_show", "admin", key="sexual_pressuring"),
    rule("module.timing_save", "admin", key="sexual_pressuring", form=TIMING_FORM, also="a minute that isn't 1 to 240, an activity of its own without a title, or nothing kept: 422; another admin saved first: 409, with what was typed kept"),
    rule("module.timing_total", "admin", key="sexual_pressuring", form=TIMING_FORM, also="Writes nothing: the total of what was typed"),
    rule("module.timing_reset_confirm", "admin", key="sexual_pressuring"),
    rule("module.timing_reset", "admin", key="sexual_pressuring"),
    rule("module.plans_show", "pair", pair_id=Row("pair")),
    rule("module.plan_save", "pair", pair_id=Row("pair"), form=PLAN_FORM, also="the pair has ended: 409; no date, a time that isn't hh:mm, or no such session: 422; the partner saved that date first: 409, with what was typed kept"),
    rule("module.plan_ran", "pair", pair_id=Row("pair"), plan_id=Row("session_plan"), form={"ran": "yes"}, before="plan_a_session", also="the pair has ended: 409; another pair's plan: 404"),
    rule("module.plan_delete", "pair", pair_id=Row("pair"), plan_id=Row("session_plan"), before="plan_a_session", also="the pair has ended: 409; another pair's plan: 404"),
    # Issue 25: the module's pages were under /sessions/. Each old address leads for good to its page under /module/, which asks for its own rule; a form sent to an old one is sent on as it was (308).
    rule("module.moved_module", "public", others=MOVED_GET),
    rule("module.moved_session", "public", key="sexual_pressuring", others=MOVED_GET),
    rule("module.moved_activity", "public", activity_key="bdsm", others=MOVED_GET),
    rule("module.moved_print", "public", key="sexual_pressuring", others=MOVED_GET),
    rule("module.moved_timing", "public", key="sexual_pressuring", others=MOVED),
    rule("module.moved_timing_total", "public", key="sexual_pressuring", others=MOVED_POST),
    rule("module.moved_timing_reset", "public", key="sexual_pressuring", others=MOVED),
    # Issue 22: her safety first. The debrief's safety question is the pair's; the admin sees counts only.
    rule("safety.pair_show", "pair", pair_id=Row("pair")),
    rule("safety.answer", "pair", pair_id=Row("pair"), form={"held_on": TODAY, "answer": "not_yet"}, also="the pair has ended: 409; no date, a date more than a year away, or not one of the three answers: 422"),
    rule("safety.passed_on", "pair", pair_id=Row("pair"), check_id=Row("safety_check"), form={}, before="raise_a_concern", also="the pair has ended: still allowed; another pair's answer, or an evening with no concern: 404; a service or way that isn't one of the choices: 422"),
    rule("safety.overview", "admin", also="Counts only: no pair, no date of a group, no person"),
    rule("safety.poster", "member", also="Each person sees their own organisation's helplines for the men"),
    rule("safety.womens_index", "member", also="Dates of the organisation's sessions, never a pair's name or who leads; a women's support worker reads this"),
    rule("safety.womens_page", "member", key="sexual_pressuring", also="a session the module doesn't have: 404; a women's support worker reads this"),
    rule("safety.summary_edit", "admin", key="sexual_pressuring", also="a session the module doesn't have: 404"),
    rule("safety.summary_save", "admin", key="sexual_pressuring", form={"summary": "What the men talk about, in our words.", "base": "0"}, also="a session the module doesn't have: 404; empty or too long: 422; another admin saved first: 409, with what was typed kept"),
    rule("supervision.home", "supervisor", also="Only the supervisor's own supervisees and their pairs; looking logs the pairs' check-in dates as seen"),
    rule("supervision.pair_show", "supervisor_of", pair_id=Row("pair"), also="Check-in content and power context only when both partners share them; every look is logged for the pair"),
    rule("supervision.agreement_show", "supervisor_of", pair_id=Row("pair"), before="share_agreement", others="signed out: 302 to sign-in; other roles: 403; any other supervisor, or an agreement not shared by both partners (or withdrawn): 404; every look is logged for the pair"),
    rule("supervision.review_add", "supervisor_of", pair_id=Row("pair"), form={"kind": "comment", "text": "Good to see the signal agreed."}, before="share_agreement", others="as `supervision.agreement_show`; a comment or change request without words: 422"),
    rule("supervision.meeting_new", "supervisor"),
    # Fran isn't someone Sid or Otto supervises, so she isn't a choice in their form.
    rule("supervision.meeting_create", "supervisor_of", form=MEETING_CREATE_FORM, not_theirs=422, others="signed out: 302 to sign-in; other roles: 403; someone the supervisor doesn't supervise is not a choice: 422 (as is a bad date, length or format)"),
    rule("supervision.meeting_remove", "supervisor_of", meeting_id=Row("supervision_meeting"), before="log_supervision_meeting", others="signed out: 302 to sign-in; other roles: 403; a meeting another supervisor logged: 404"),
    rule("supervision.supervisee_show", "supervisor_of", user_id=Row("facilitator"), others="signed out: 302 to sign-in; other roles: 403; anyone the supervisor doesn't supervise: 404"),
    rule("supervision.target_update", "supervisor_of", user_id=Row("facilitator"), form={"minutes": "120"}, others="as `supervision.supervisee_show`; a target under 90 minutes: 422"),
    rule("supervision.mine_show", "facilitator", also="Only the person's own record"),
    rule("supervision.training_update", "facilitator", form={"topics": "dv_awareness"}, also="Only the person's own training record; a topic that isn't one of §3.12's: 422"),
    rule("supervision.group_log_remove", "owner", log_id=Row("group_log"), before="log_group"),
    rule("supervision.assignments_list", "admin"),
    # Another organisation's admin can't choose Organisation One's people.
    rule("supervision.assignment_create", "admin", form={"supervisor": Row("supervisor"), "supervisee": Row("coworker")}, other_organisation=422, also="people not of the admin's organisation are not choices: 422"),
    rule("supervision.assignment_remove", "admin", link_id=Row("supervision_link"), org_object=True, others="signed out: 302 to sign-in; other roles: 403; another organisation's: 404"),
    rule("organisation.export_show", "admin"),
    rule("organisation.export_json", "admin", also="The admin's own organisation only; never vaults, pair writing or supervision notes"),
    rule("organisation.export_csv", "admin", table="people", others="as `organisation.export_json`; a table that isn't exported: 404"),
    rule("line.room_list", "facilitator"),
    rule("line.room_open", "facilitator", form={"opened_with": "a-second-room"}, also="A second tap with the same form opens no second room"),
    rule("line.room_show", "trainer", room_id=Row("room"), also="A poll with its ETag gets 304 while nothing changed"),
    rule("line.room_control", "trainer", room_id=Row("room"), form={"action": "reveal"}, also="A repeated button changes nothing twice"),
    rule("line.projector_show", "trainer", room_id=Row("room"), also="A poll with its ETag gets 304 while nothing changed"),
    rule("line.summary_show", "trainer", room_id=Row("room")),
    rule("line.practices_show", "trainer", room_id=Row("room")),
    rule("line.practice_add", "trainer", room_id=Row("room"), form={"text": "Checking a partner's phone", "note": ""}, also="empty or too long: 422"),
    rule("line.practice_update", "trainer", room_id=Row("room"), practice_id=Row("room_practice"), form={"text": "Sex with someone outside the relationship", "note": ""}, also="empty or too long: 422"),
    rule("line.practice_move", "trainer", room_id=Row("room"), practice_id=Row("room_practice"), form={"direction": "down"}),
    rule("line.practice_remove", "trainer", room_id=Row("room"), practice_id=Row("room_practice")),
    rule("line.practices_save", "trainer", room_id=Row("room")),
    rule("line.retention_show", "admin"),
    rule("line.retention_update", "admin", form={"days": "14"}, also="not 1 to 365 days: 422"),
    rule("line.join_show", "public"),
    rule("line.join_submit", "public", form={"code": Row("room_code")}, others="unknown, deleted or ended room: 422 with the same words for all three; too many codes tried: 429; the room is full: 422; too many seats from one address: 429"),
    rule("line.place_show", "participant", code=Row("room_code")),
    rule("line.placement_submit", "participant", code=Row("room_code"), form={"practice": Row("room_practice"), "round": "1", "position": "250"}, also="off the line: 422; the trainer has moved on: 409; the room has ended: 410"),
    rule("pwa.manifest", "public"),
    rule("pwa.sw", "public"),
    rule("pwa.offline", "public"),
    rule("pwa.install", "public"),
    rule("pwa.tonight", "member"),
    rule("health.healthz", "public"),)}
# fmt: on

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
    "writer": "the partner who wrote it",
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
    "writer",
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
    "writer": ("facilitator",),
}
# Rules about someone a supervisor supervises, or that person's pair: only Sol, whom the admin
# assigned to Fran, may use them. Other supervisors get 404 (or `not_theirs`), as if it did not
# exist; people without the supervisor role get 403.
SUPERVISING = {"supervisor_of": ("supervisor",)}


# --- the methods and paths, from the app's URL map ---------------------------------------------


@cache
def url_map() -> dict[str, tuple[tuple[str, ...], str]]:
    """{endpoint: (its methods, its path as people read it)}, from an app that is only built,
    never started: its database is never opened."""
    app = make_app(":memory:")
    found = {}
    for url_rule in app.url_map.iter_rules():
        methods = tuple(sorted(url_rule.methods - {"HEAD", "OPTIONS"}))
        found[url_rule.endpoint] = (methods, docs_path(url_rule.rule))
    return found


def docs_path(rule_path: str) -> str:
    """`/entries/<int:entry_id>` as people read it: `/entries/<entry_id>`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule_path)


def methods_of(endpoint: str) -> tuple[str, ...]:
    return url_map()[endpoint][0]


def method_of(endpoint: str) -> str:
    (method,) = methods_of(endpoint)
    return method


def routes() -> list[tuple[str, str]]:
    """Every (endpoint, method) that has a rule, for the tests to walk."""
    return [(e, m) for e in sorted(RULES) if e in url_map() for m in methods_of(e)]


def post_endpoints() -> list[str]:
    return sorted(e for e, m in routes() if m == "POST")


# --- docs/access.md's route table --------------------------------------------------------------

SIGNED_OUT = "signed out: 302 to sign-in"
ROLE = SIGNED_OUT + "; other roles: 403"
# What everybody else gets from a kind of rule, as docs/access.md says it: what the access test
# checks, in words.
OTHERS = {
    "public": "(nobody else)",
    "token": "used, expired or unknown link: 410",
    "member": SIGNED_OUT,
    "admin": ROLE,
    "facilitator": ROLE,
    "supervisor": ROLE,
    "pair": ROLE + "; anyone but the two partners: 404",
    "invitee": ROLE + "; anyone else: 404, as is an invitation already answered",
    "inviter": ROLE + "; anyone else: 404, as is an invitation already answered",
    "owner": ROLE + "; anyone else's: 404",
    "writer": ROLE + "; anyone else, their partner included: 404",
    "supervisor_of": ROLE + "; any other supervisor: 404",
    "trainer": SIGNED_OUT + "; colleagues: 403; another organisation: 404",
    "participant": "not joined, or a code that is unknown, deleted or ended: the same 302 to the"
    " join page; too many codes tried: 429",
}
TABLE_START = (
    "<!-- The route table is made from tests/access_rules.py by `make access-doc`:"
    " change the rules there, not here. -->"
)
TABLE_END = "<!-- The end of the route table made from tests/access_rules.py. -->"


def others_of(r: Rule) -> str:
    """The "what others get" cell: the kind's words, what the rule adds, or its own words."""
    if r.others:
        return r.others
    words = OTHERS[r.who] + ("; another organisation: 404" if r.org_object else "")
    if not r.also:
        return words
    return words + (". " if r.also[0].isupper() else "; ") + r.also


def route_table() -> str:
    lines = [
        "| endpoint | method | path | who may use it | what others get |",
        "|---|---|---|---|---|",
    ]
    for endpoint, r in RULES.items():
        methods, path = url_map().get(endpoint, ((), "(no such route)"))
        lines.append(
            f"| `{endpoint}` | {', '.join(methods)} | `{path}` | {WHO[r.who]} | {others_of(r)} |"
        )
    return "\n".join(lines)


def with_route_table(page: str) -> str:
    """The page with the rendered table between its two markers, and the rest as it was."""
    before, start, rest = page.partition(TABLE_START)
    _, end, after = rest.partition(TABLE_END)
    assert start and end, f"docs/access.md has lost a marker: {TABLE_START} or {TABLE_END}"
    return f"{before}{TABLE_START}\n\n{route_table()}\n\n{TABLE_END}{after}"


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
    from wellbeing.db import sqlite3

    with sqlite3.connect(one.database) as conn:
        (found,) = conn.execute(f"select max(id) from {table}").fetchone()
    conn.close()
    return found


def log_supervision_meeting(one) -> dict:
    """Sol logs a supervision meeting with Fran."""
    form = {"held_on": "2024-05-02", "minutes": "60", "format": "individual"}
    post_as(
        one, "supervisor", "/supervision/sessions", form | {"supervisees": one.rows["facilitator"]}
    )
    return {"supervision_meeting": newest_id(one, "supervision_meetings")}


def log_group(one) -> dict:
    """Fran logs a group from her card."""
    post_as(
        one, "facilitator", f"/pairs/{one.rows['pair']}/group-sessions", {"held_on": "2024-05-02"}
    )
    return {"group_log": newest_id(one, "group_logs")}


def plan_a_session(one) -> dict:
    """Fran plans a session for the pair."""
    post_as(one, "facilitator", f"/pairs/{one.rows['pair']}/plans", PLAN_FORM)
    return {"session_plan": newest_id(one, "session_plans")}


def write_note(one) -> dict:
    """Fran keeps a note to bring to supervision, from her card."""
    post_as(one, "facilitator", f"/pairs/{one.rows['pair']}/to-bring", {"text": "Tonight's laugh"})
    return {"supervision_note": newest_id(one, "supervision_notes")}


def raise_a_concern(one) -> dict:
    """Fran answers tonight's safety question "Yes, not yet passed on" (issue 22)."""
    form = {"held_on": TODAY, "answer": "not_yet"}
    post_as(one, "facilitator", f"/pairs/{one.rows['pair']}/safety", form)
    return {"safety_check": newest_id(one, "safety_checks")}


BEFORE = {
    "raise_a_concern": raise_a_concern,
    "plan_a_session": plan_a_session,
    "share_agreement": share_agreement,
    "log_supervision_meeting": log_supervision_meeting,
    "log_group": log_group,
    "write_note": write_note,
}


def prepared_rows(one, endpoint: str) -> dict:
    """Organisation One's rows, and any the route's `before` step made. The step runs once per
    test, so asking twice gives the same rows."""
    step = RULES[endpoint].before
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
        for name, value in RULES[endpoint].url.items()
    }


def form_values(endpoint: str, rows: dict, persona: str) -> dict:
    """The form the table describes for this persona, with `Row` names looked up."""
    rule = RULES[endpoint]
    form = rule.form | rule.form_as.get(persona, {})
    return {
        name: str(rows[value.name]) if isinstance(value, Row) else value
        for name, value in form.items()
    }


if __name__ == "__main__":
    # `make access-doc`: docs/access.md with the route table this file renders.
    DOCS.write_text(with_route_table(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
