"""A person's whole time in an organisation: disabled, enabled again, deleted (issue 11).

The rule for each kind of data is written in docs/access.md ("When someone leaves"); each row
there has a test in tests/test_lifecycle.py. In short: what only the person wrote goes; what
both partners of a pair confirmed stays with the other partner, from "a former co-worker";
supervision meeting records stay for the organisation's accreditation, without their notes.
"""

from .. import people
from ..accounts import passkeys
from ..atrest import unseal
from ..clock import now
from ..coworking import conversation
from ..db import get_db, rows, secure_delete, writing
from ..permissions import pairs_of
from ..supervision import record

FORMER = "A former co-worker"


def disable(user_id: int):
    """They can't sign in; their sign-ins, passkeys and reset links end; their pairs end (read-only,
    and the partner sees they have left); their supervision assignments and open invitations
    to co-work end; the training-day rooms they run end."""
    db = get_db()
    stamp = now()
    with writing():
        db.execute(
            "update users set disabled_at = ? where id = ? and disabled_at is null",
            [stamp, user_id],
        )
        people.revoke_all_signins(user_id)
        people.cancel_password_resets(user_id)
        # Switched on again, they sign in with their password and add passkeys anew (issue 21).
        people.remove_passkeys(user_id, "switched off")
        db.execute(
            "update pairs set ended_at = ?, ended_by = ? where ended_at is null and id in"
            " (select pair_id from pair_members where user_id = ?)",
            [stamp, user_id, user_id],
        )
        db.execute(
            "delete from supervisions where supervisor_id = ? or supervisee_id = ?",
            [user_id, user_id],
        )
        db.execute(
            "delete from pair_invitations where answer is null"
            " and (inviter_id = ? or invitee_id = ?)",
            [user_id, user_id],
        )
        db.execute(
            "update rooms set ended_at = ? where trainer_id = ? and ended_at is null",
            [stamp, user_id],
        )


def consequences(user_id: int) -> dict:
    """What switching someone off (or deleting them) does to the people around them, by name,
    for the admin's confirmation (issue 27): their co-workers in pairs still running, who
    supervises them, whom they supervise, and the training-day rooms they have open. Names of
    people only: a pair's own name is pair data and never shown to an admin."""
    coworkers = rows(
        "select distinct users.name from pair_members mine"
        " join pairs on pairs.id = mine.pair_id and pairs.ended_at is null"
        " join pair_members other on other.pair_id = pairs.id and other.user_id != mine.user_id"
        " join users on users.id = other.user_id where mine.user_id = ? order by users.name",
        [user_id],
    )
    supervisors = rows(
        "select users.name from supervisions join users on users.id = supervisions.supervisor_id"
        " where supervisions.supervisee_id = ? order by users.name",
        [user_id],
    )
    supervisees = rows(
        "select users.name from supervisions join users on users.id = supervisions.supervisee_id"
        " where supervisions.supervisor_id = ? order by users.name",
        [user_id],
    )
    open_rooms = rows(
        "select count(*) as n from rooms where trainer_id = ? and ended_at is null", [user_id]
    )[0]["n"]
    return {
        "coworkers": [row["name"] for row in coworkers],
        "supervisors": [row["name"] for row in supervisors],
        "supervisees": [row["name"] for row in supervisees],
        "open_rooms": open_rooms,
    }


def enable(user_id: int):
    """They can sign in again. What ended stays ended: pairs, assignments and rooms start anew."""
    with writing():
        get_db().execute("update users set disabled_at = null where id = ?", [user_id])


def delete(user_id: int):
    """Everything only they wrote goes, overwritten in the file (secure_delete)."""
    db = get_db()
    with secure_delete(), writing():
        disable(user_id)
        mine = [user_id]
        their_pairs = "(select pair_id from pair_members where user_id = ?)"
        for sql in (
            "delete from signins where user_id = ?",
            "delete from password_resets where user_id = ?",
            # Issue 15: their passkeys can never sign in again, even if the row were restored.
            "delete from passkeys where user_id = ?",
            "delete from webauthn_challenges where user_id = ?",
            "delete from vault_backups where user_id = ?",
            "delete from user_roles where user_id = ?",
            "delete from pair_consents where user_id = ?",
            "delete from conversation_answers where user_id = ?",
            "delete from checkins where user_id = ?",
            "delete from group_logs where user_id = ?",
            "delete from supervision_notes where user_id = ?",
            "delete from training_topics where user_id = ?",
            "delete from agreement_reviews where supervisor_id = ?",
            "delete from pair_invitations where inviter_id = ? or invitee_id = ?",
            # A draft they edited that was never agreed is theirs alone.
            "delete from agreement_confirmations where version_id in (select id from"
            " agreement_versions where edited_by = ? and agreed_at is null)",
            "delete from agreement_versions where edited_by = ? and agreed_at is null",
            # Their replies to the partner's check-ins are on the partner's rows.
            "update checkins set reply_sealed = null, replied_at = null"
            f" where user_id != ? and pair_id in {their_pairs}",
            # Supervision records stay, without notes (as supervisor or as supervisee).
            "update supervision_meetings set notes_sealed = null where supervisor_id = ? or id"
            " in (select meeting_id from supervision_attendees where supervisee_id = ?)",
            "update invitations set created_by = null where created_by = ?",
            # Plans and the organisation's session timings are shared work: they stay, unsigned.
            "update session_plans set updated_by = null where updated_by = ?",
            "update session_adaptations set updated_by = null where updated_by = ?",
        ):
            db.execute(sql, mine * sql.count("?"))
        rooms = [row["id"] for row in rows("select id from rooms where trainer_id = ?", mine)]
        for room_id in rooms:
            db.execute(
                "delete from placements where participant_id in"
                " (select id from participants where room_id = ?)",
                [room_id],
            )
            for table in ("participants", "room_practices"):
                db.execute(f"delete from {table} where room_id = ?", [room_id])
            db.execute("delete from rooms where id = ?", [room_id])
        email = people.find_email(user_id)
        if email:
            db.execute("delete from signin_failures where key = ?", ["email:" + email])
        db.execute(
            # Issue 24: their own gender entry and an admin's "experienced" mark go with them.
            "update users set name = ?, email = ?, password_hash = '!', deleted_at = ?,"
            " gender_sealed = null, experienced_marked_at = null where id = ?",
            [FORMER, f"former-{user_id}@deleted.invalid", now(), user_id],
        )


def data_of(person) -> dict:
    """Everything about them that they can read, for them to download as JSON."""
    me = person.id
    pairs = []
    for pair in pairs_of(person):
        pairs.append(
            {
                "pair": pair["name"],
                "partner": pair["partner_name"],
                "began": pair["created_at"],
                "ended": pair["ended_at"],
                "my_conversation_answers": conversation.view(pair, person)["mine"],
                "check_ins": [
                    {
                        "week": row["week"],
                        "by": "me" if row["user_id"] == me else pair["partner_name"],
                        **(
                            {
                                "more_of": unseal(row["more_sealed"], "checkins.more"),
                                "less_of": unseal(row["less_sealed"], "checkins.less"),
                            }
                            if row["user_id"] == me
                            else {}
                        ),
                        "reply": unseal(row["reply_sealed"], "checkins.reply")
                        if row["reply_sealed"] and row["user_id"] != me
                        else None,
                    }
                    for row in rows(
                        "select * from checkins where pair_id = ? order by week", [pair["id"]]
                    )
                ],
                "agreement_versions": [
                    {
                        "number": row["number"],
                        "edited_at": row["edited_at"],
                        "agreed_at": row["agreed_at"],
                        "strategies": unseal(row["strategies_sealed"], "agreements.body"),
                    }
                    for row in rows(
                        "select * from agreement_versions where pair_id = ? order by number",
                        [pair["id"]],
                    )
                ],
                "session_plans": rows(
                    "select held_on, starts_at, session_key, ran_at from session_plans"
                    " where pair_id = ? order by held_on",
                    [pair["id"]],
                ),
            }
        )
    supervision = record.as_read_by(record.meetings_of(me), person)
    # Issue 24: their own optional gender entry (organisation/team.py seals it as "users.gender").
    own = rows("select gender_sealed, experienced_marked_at from users where id = ?", [me])[0]
    return {
        "about": "Everything the app keeps about you that you can read. Your private space is"
        " not here: it is encrypted on your phone, and only your passphrase opens it.",
        "me": {
            "name": person.name,
            "email": person.email,
            "roles": sorted(person.roles),
            "gender": unseal(own["gender_sealed"], "users.gender") if own["gender_sealed"] else "",
            "marked_experienced_at": own["experienced_marked_at"],
        },
        "pairs": pairs,
        "supervision_meetings": [
            {
                "held_on": s["held_on"],
                "minutes": s["minutes"],
                "format": s["format"],
                "areas": s["areas"],
                "supervisor": s["supervisor_name"],
                "notes": s["notes"] if s["notes"] is not None else "(for the supervisor only)",
            }
            for s in supervision
        ],
        "group_logs": rows(
            "select held_on, with_experienced, participants, pair_id from group_logs"
            " where user_id = ? order by held_on",
            [me],
        ),
        "to_bring_to_supervision": [
            {
                "pair_id": row["pair_id"],
                "created_at": row["created_at"],
                "shared_at": row["shared_at"],
                "text": unseal(row["text_sealed"], "supervision_notes.text"),
            }
            for row in rows("select * from supervision_notes where user_id = ? order by id", [me])
        ],
        # Issue 22: the evenings they answered the debrief's safety question, or passed a
        # concern on. Dates and fixed choices only: the app holds no client data.
        "safety_answers": rows(
            "select pair_id, held_on, concern, passed_on_at, passed_on_to, passed_on_how,"
            " answered_by = ? as answered_by_me, passed_on_by = ? as passed_on_by_me"
            " from safety_checks where answered_by = ? or passed_on_by = ? order by held_on",
            [me, me, me, me],
        ),
        "training_topics": rows(
            "select topic, ticked_at from training_topics where user_id = ? order by topic", [me]
        ),
        "sign_ins": [
            {key: value for key, value in row.items() if key != "id"}
            for row in people.signins_of(me, limit=1000)
        ],
        "password_resets": people.resets_of(me, limit=1000),
        # Names and dates only: the public key and credential id are no use to read.
        "passkeys": [
            {key: row[key] for key in ("name", "created_at", "last_used_at")}
            for row in passkeys.passkeys_of(me)
        ],
    }
