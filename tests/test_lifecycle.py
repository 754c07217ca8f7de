"""People come and go (issue 11): switched off and on, deleted by an admin, deleting their own
account, downloading their own data. One test per row of docs/access.md "When someone leaves".

Organisation One: Fran and Cole pair (Fran's trainer room is open, both answered last week's
check-in); Sol supervises Fran once `assign` runs.
"""

import json
import re

from conftest import PASSWORD, PEOPLE, csrf_token
from organisation_one import LAST_WEEK_LESS, LAST_WEEK_MORE, text_of
from steps import (
    NOTE,
    agree_first_version,
    assign,
    consent_to_share,
    log_meeting,
    post,
    read,
    share_answers,
    sql,
    strategy,
)

from wellbeing.db import sqlite3

FRAN, COLE = PEOPLE["facilitator"][0], PEOPLE["coworker"][0]
FRAN_SAYS = "Fran's own answer about the consent session QX-71"
FRAN_DRAFT = "Fran's draft words nobody agreed QX-72"
FORMER = "A former co-worker"


def count(one, query, params=()) -> int:
    return sql(one, f"select count(*) from {query}", params)[0][0]


def admin_does(one, action, persona="facilitator"):
    path = f"/organisation/people/{one.rows[persona]}/{action}"
    return one.client("admin").post(path, data={"csrf_token": one.form_token("admin")})


def sign_in_as(one, persona, password=PASSWORD):
    client = one.app.test_client()
    token = csrf_token(client)
    form = {"email": PEOPLE[persona][1], "password": password, "csrf_token": token}
    return client, client.post("/signin", data=form)


def fran_wrote_everything(one):
    """Fran's words in every kind of place, and a supervision note about her."""
    assign(one)
    assert log_meeting(one).status_code == 302
    agree_first_version(one)  # version 1, confirmed by both
    saved = post(
        one,
        "facilitator",
        "coworking.agreement_save",
        strategy(FRAN_DRAFT),
        pair_id=one.rows["pair"],
    )
    assert saved.status_code == 200  # version 2, a draft only Fran edited
    assert share_answers(one, "facilitator", **{"materials": FRAN_SAYS}).status_code == 200
    for topic in ("checkins", "agreement"):
        post(one, "facilitator", "coworking.consent_give", pair_id=one.rows["pair"], topic=topic)
    form = {"held_on": "2026-11-02", "with_experienced": "y"}
    post(one, "facilitator", "coworking.group_log_add", form, pair_id=one.rows["pair"])
    # Issue 27: a note to bring to supervision, shared with Sol.
    form = {"text": "What I carry from tonight"}
    post(one, "facilitator", "coworking.to_bring_add", form, pair_id=one.rows["pair"])
    with sqlite3.connect(one.database) as conn:
        conn.execute(
            "insert into vault_backups (user_id, version, file, size, created_at)"
            " values (?, 1, '{}', 2, '2026-11-01T00:00:00+00:00')",
            [one.rows["facilitator"]],
        )
        # Issue 15: a passkey, as adding one through the browser leaves it (tests/browser).
        conn.execute(
            "insert into passkeys (user_id, credential_id, public_key, sign_count, name,"
            " created_at, last_used_at) values (?, 'cred-QX-75', x'a5010203', 0,"
            " 'Fran''s phone', '2026-11-01T00:00:00+00:00', '2026-11-02T00:00:00+00:00')",
            [one.rows["facilitator"]],
        )
    conn.close()


# --- switched off -------------------------------------------------------------------------------


def test_a_switched_off_person_is_signed_out_and_cannot_sign_in(one):
    fran = one.client("facilitator")
    assert fran.get("/").status_code == 200
    assert admin_does(one, "disable").status_code == 303  # from the confirmation: back to the list
    assert fran.get("/").status_code == 302  # her sign-in ended at once
    _, refused = sign_in_as(one, "facilitator")
    assert refused.status_code == 403
    assert "This account is switched off" in text_of(refused)
    assert "switched off" in text_of(one.client("admin").get("/organisation/people"))


def test_switching_off_ends_pairs_assignments_invitations_and_rooms(one):
    assign(one)
    assert admin_does(one, "disable").status_code == 303  # from the confirmation: back to the list
    pair = one.rows["pair"]
    cole_sees = text_of(one.client("coworker").get(f"/pairs/{pair}"))
    assert f"{FRAN} has left the organisation." in cole_sees
    assert (
        post(one, "coworker", "coworking.agreement_save", strategy("new"), pair_id=pair).status_code
        == 409
    )
    assert count(one, "supervisions where supervisee_id = ?", [one.rows["facilitator"]]) == 0
    fran_page = one.client("supervisor").get(f"/supervision/people/{one.rows['facilitator']}")
    assert fran_page.status_code == 404
    assert sql(one, "select ended_at from rooms where id = ?", [one.rows["room"]])[0][0]
    # Fran's open invitation to Cole for a second group is withdrawn.
    fran = one.rows["facilitator"]
    open_ones = "pair_invitations where answer is null and (inviter_id = ? or invitee_id = ?)"
    assert count(one, open_ones, [fran, fran]) == 0
    # Nobody can pick her to co-work with or supervise any more.
    invite_page = text_of(one.client("bystander").get("/pairs/"))
    assert FRAN not in invite_page
    assignments = text_of(one.client("admin").get("/supervision/assignments"))
    assert f'value="{one.rows["facilitator"]}"' not in assignments


def test_switching_off_keeps_what_they_wrote_and_switching_on_lets_them_back(one):
    assert admin_does(one, "disable").status_code == 303  # from the confirmation: back to the list
    assert count(one, "checkins where user_id = ?", [one.rows["facilitator"]]) >= 1
    assert admin_does(one, "enable").status_code == 303
    _, signed_in = sign_in_as(one, "facilitator")
    assert signed_in.status_code == 302
    # What ended stays ended: the pair is read-only history.
    assert "Its history stays here, read-only." in read(
        one, "coworker", "coworking.pair_show", pair_id=one.rows["pair"]
    )


def test_an_admin_cannot_switch_off_or_delete_themselves_here(one):
    for action in ("disable", "delete"):
        answer = admin_does(one, action, persona="admin")
        assert answer.status_code == 409
        assert "Use your account page" in text_of(answer)
    assert one.client("admin").get("/").status_code == 200


# --- deleted ------------------------------------------------------------------------------------


def test_deleting_a_person_follows_each_row_of_the_table(one):
    fran_wrote_everything(one)
    fran_id = one.rows["facilitator"]
    sealed_checkin = sql(one, "select more_sealed from checkins where user_id = ?", [fran_id])[0][0]
    answer = one.client("admin").post(
        f"/organisation/people/{fran_id}/delete", data={"csrf_token": one.form_token("admin")}
    )
    assert answer.status_code == 303
    rows_about_fran = {
        "signins": count(one, "signins where user_id = ?", [fran_id]),
        "password_resets": count(one, "password_resets where user_id = ?", [fran_id]),
        "checkins": count(one, "checkins where user_id = ?", [fran_id]),
        "conversation_answers": count(one, "conversation_answers where user_id = ?", [fran_id]),
        "pair_consents": count(one, "pair_consents where user_id = ?", [fran_id]),
        "group_logs": count(one, "group_logs where user_id = ?", [fran_id]),
        "vault_backups": count(one, "vault_backups where user_id = ?", [fran_id]),
        "drafts": count(
            one, "agreement_versions where edited_by = ? and agreed_at is null", [fran_id]
        ),
        "supervisions": count(one, "supervisions where supervisee_id = ?", [fran_id]),
        "rooms": count(one, "rooms where trainer_id = ?", [fran_id]),
        "user_roles": count(one, "user_roles where user_id = ?", [fran_id]),
        "passkeys": count(one, "passkeys where user_id = ?", [fran_id]),
        "supervision_notes": count(one, "supervision_notes where user_id = ?", [fran_id]),
    }
    assert count(one, "supervision_notes") == 0
    assert rows_about_fran == dict.fromkeys(rows_about_fran, 0)
    # Her replies on Cole's check-ins are gone; Cole's own words stay.
    assert count(one, "checkins where user_id != ? and reply_sealed is not null", [fran_id]) == 0
    assert count(one, "checkins where user_id = ?", [one.rows["coworker"]]) >= 1
    # What both confirmed stays with Cole, from "a former co-worker".
    assert count(one, "agreement_versions where agreed_at is not null") == 1
    assert sql(one, "select name, email, password_hash from users where id = ?", [fran_id])[0] == (
        FORMER,
        f"former-{fran_id}@deleted.invalid",
        "!",
    )
    cole_pair = text_of(one.client("coworker").get(f"/pairs/{one.rows['pair']}"))
    assert FORMER in cole_pair and FRAN not in cole_pair
    # The supervision meeting stays for accreditation, without its notes or her name.
    assert sql(one, "select minutes, notes_sealed from supervision_meetings")[0] == (60, None)
    exported = one.client("admin").get("/organisation/export.json").get_data(as_text=True)
    assert FRAN not in exported and PEOPLE["facilitator"][1] not in exported
    # She is gone from the people page, and her words are not left in the file's free pages.
    assert FRAN not in text_of(one.client("admin").get("/organisation/people"))
    with sqlite3.connect(one.database) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    assert sealed_checkin.encode() not in open(one.database, "rb").read()
    _, refused = sign_in_as(one, "facilitator")
    assert refused.status_code == 422


def test_deleting_a_supervisor_keeps_meeting_records_without_notes_or_their_comments(one):
    assign(one)
    assert log_meeting(one).status_code == 302
    agree_first_version(one)
    consent_to_share(one, "agreement", "facilitator", "coworker")
    form = {"kind": "comment", "text": "Sol's comment QX-75"}
    assert (
        post(
            one, "supervisor", "supervision.review_add", form, pair_id=one.rows["pair"]
        ).status_code
        == 200
    )
    assert admin_does(one, "delete", persona="supervisor").status_code == 303
    assert count(one, "agreement_reviews") == 0
    assert "QX-75" not in read(
        one, "coworker", "coworking.agreement_show", pair_id=one.rows["pair"]
    )
    record = read(one, "facilitator", "supervision.mine_show")
    assert f"With {FORMER}" in record and NOTE not in record and "60 minutes" in record


def test_links_a_deleted_admin_made_stay_as_made_by_a_former_co_worker(one):
    """An organisation's only admin can't go, so this deletes the admin through the same
    function the pages use, after another admin was made (as an invitation would)."""
    from wellbeing.home import lifecycle

    admin_id = one.rows["admin"]
    with sqlite3.connect(one.database) as conn:
        conn.execute(
            "insert into user_roles (user_id, role) values (?, 'admin')", [one.rows["supervisor"]]
        )
    conn.close()
    with one.app.app_context():
        lifecycle.delete(admin_id)
    assert count(one, "invitations where created_by = ?", [admin_id]) == 0
    account = re.sub(r"<[^>]+>", "", text_of(one.client("facilitator").get("/account")))
    assert f"Made by {FORMER}" in account  # Organisation One's reset link for Fran


def test_a_deleted_person_no_longer_exists_for_admin_pages(one):
    admin_does(one, "delete")
    assert admin_does(one, "disable").status_code == 404
    reset = one.client("admin").post(
        f"/organisation/people/{one.rows['facilitator']}/reset",
        data={"csrf_token": one.form_token("admin")},
    )
    assert reset.status_code == 404


def test_a_person_deletes_their_own_account_after_typing_their_password(one):
    fran = one.client("facilitator")
    confirm = text_of(fran.get("/account/delete"))
    assert "This can't be undone." in confirm and "Download your data first" in confirm
    token = csrf_token(fran, "/account/delete")
    wrong = fran.post("/account/delete", data={"password": "not my password", "csrf_token": token})
    assert wrong.status_code == 422
    assert "That isn't your password. Nothing was deleted." in text_of(wrong)
    assert "not my password" not in wrong.get_data(as_text=True)
    assert count(one, "users where id = ? and deleted_at is null", [one.rows["facilitator"]]) == 1
    gone = fran.post("/account/delete", data={"password": PASSWORD, "csrf_token": token})
    assert gone.status_code == 302 and gone.location.endswith("/signin")
    assert fran.get("/").status_code == 302
    assert (
        count(one, "users where id = ? and deleted_at is not null", [one.rows["facilitator"]]) == 1
    )
    _, refused = sign_in_as(one, "facilitator")
    assert refused.status_code == 422


def test_the_only_admin_cannot_delete_their_account(one):
    admin = one.client("admin")
    token = csrf_token(admin, "/account/delete")
    answer = admin.post("/account/delete", data={"password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 409
    assert "only admin" in text_of(answer)
    assert admin.get("/").status_code == 200


# --- downloading your own data ------------------------------------------------------------------


def test_a_person_downloads_what_they_may_read_and_nothing_else(one):
    fran_wrote_everything(one)
    assert log_meeting(one, supervisor_only="y", notes="Sol's own note QX-73").status_code == 302
    assert (
        share_answers(
            one, "coworker", **{"materials": "Cole's unrevealed answer QX-74"}
        ).status_code
        == 200
    )
    response = one.client("facilitator").get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    body = json.dumps(data)
    assert data["me"]["email"] == PEOPLE["facilitator"][1]
    assert LAST_WEEK_MORE in body and LAST_WEEK_LESS in body and FRAN_SAYS in body
    assert FRAN_DRAFT in body and NOTE in body
    assert data["to_bring_to_supervision"][0]["text"] == "What I carry from tonight"
    # Cole's answers are shared both ways now, but Fran's download holds her own words only.
    assert "QX-74" not in body
    assert "QX-73" not in body and "(for the supervisor only)" in body
    assert data["sign_ins"] and "id" not in data["sign_ins"][0]
    # Her passkeys by name and dates, never the key material or the credential's id.
    assert data["passkeys"] == [
        {
            "name": "Fran's phone",
            "created_at": "2026-11-01T00:00:00+00:00",
            "last_used_at": "2026-11-02T00:00:00+00:00",
        }
    ]
    assert "QX-75" not in body


def test_the_people_page_offers_the_controls_and_the_account_page_links_to_leaving(one):
    people = one.client("admin").get("/organisation/people").get_data(as_text=True)
    assert re.search(r"Manage Fran Facilitator", people)
    assert f"/organisation/people/{one.rows['facilitator']}/disable" in people
    account = one.client("facilitator").get("/account").get_data(as_text=True)
    assert "/account/data.json" in account and "/account/delete" in account


def test_a_deleted_persons_gender_entry_and_experienced_mark_go_with_them(one):
    # Issue 24: the gender entry is their own; the admin's "experienced" mark is about them.
    fran_id = one.rows["facilitator"]
    token = one.form_token("facilitator")
    answer = one.client("facilitator").post(
        "/account/gender", data={"gender": "woman", "csrf_token": token}
    )
    assert answer.status_code == 303
    admin = one.client("admin")
    marked = admin.post(
        f"/organisation/people/{fran_id}/experienced",
        data={"experienced": "yes", "csrf_token": one.form_token("admin")},
    )
    assert marked.status_code == 303
    query = (
        "select gender_sealed is not null, experienced_marked_at is not null"
        " from users where id = ?"
    )
    assert sql(one, query, [fran_id]) == [(1, 1)]
    assert admin_does(one, "disable").status_code == 303  # from the confirmation: back to the list
    assert sql(one, query, [fran_id]) == [(1, 1)]
    assert admin_does(one, "delete").status_code == 303
    assert sql(one, query, [fran_id]) == [(0, 0)]
