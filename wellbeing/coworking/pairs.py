"""Pairs: inviting a colleague to co-work, ending a pair, and what both partners agree to.

A pair is two facilitators of one organisation. Either can end it; its history stays,
read-only. Wider sharing (with the supervisor) and the power context are "topics" that need a
yes from both partners: one row each in `pair_consents`, withdrawn by either of them.
"""

import json

from ..atrest import seal, unseal
from ..clock import later, now
from ..db import get_db, rows, writing
from ..people.links import reset_used_since

# What both partners can agree to. docs/design.md "The data rule": sharing with supervision is a
# deliberate act by the pair, it can be withdrawn, and nothing moves on its own.
TOPICS = ("context", "agreement", "checkins", "sessions")


def colleagues_to_invite(member) -> list[dict]:
    """Facilitators of the member's organisation they could co-work with: everyone but them."""
    return rows(
        "select users.id, users.name from users join user_roles"
        " on user_roles.user_id = users.id and user_roles.role = 'facilitator'"
        " where users.org_id = ? and users.id != ? and users.disabled_at is null"
        " order by users.name",
        [member.org_id, member.id],
    )


def invite(member, invitee_id: int, name: str) -> int:
    return (
        get_db()["pair_invitations"]
        .insert(
            {
                "org_id": member.org_id,
                "inviter_id": member.id,
                "invitee_id": invitee_id,
                "name_sealed": seal(name, "pair_invitations.name"),
                "created_at": now(),
            }
        )
        .last_pk
    )


def open_invitations(member) -> list[dict]:
    """Open invitations the member sent or received, each with the other person's name."""
    found = rows(
        "select pair_invitations.*, other.name as other_name,"
        " pair_invitations.invitee_id = ? as to_me from pair_invitations"
        " join users other on other.id = case when pair_invitations.inviter_id = ?"
        "   then pair_invitations.invitee_id else pair_invitations.inviter_id end"
        " where pair_invitations.org_id = ? and pair_invitations.answer is null"
        " and ? in (pair_invitations.inviter_id, pair_invitations.invitee_id)"
        " order by pair_invitations.id",
        [member.id, member.id, member.org_id, member.id],
    )
    return [dict(row, name=unseal(row["name_sealed"], "pair_invitations.name")) for row in found]


def invitations_waiting(member) -> int:
    """How many open invitations to co-work are waiting for the member's answer."""
    found = rows(
        "select count(*) as waiting from pair_invitations"
        " where invitee_id = ? and org_id = ? and answer is null",
        [member.id, member.org_id],
    )
    return found[0]["waiting"]


def answer_invitation(invitation: dict, answer: str) -> int | None:
    """Accept (which starts the pair), decline or withdraw. Returns the new pair's id."""
    db = get_db()
    with writing():
        pair_id = None
        if answer == "accepted":
            name = unseal(invitation["name_sealed"], "pair_invitations.name")
            pair_id = (
                db["pairs"]
                .insert(
                    {
                        "org_id": invitation["org_id"],
                        "name_sealed": seal(name, "pairs.name"),
                        "created_at": now(),
                    }
                )
                .last_pk
            )
            db["pair_members"].insert_all(
                {"pair_id": pair_id, "user_id": who}
                for who in (invitation["inviter_id"], invitation["invitee_id"])
            )
        db["pair_invitations"].update(
            invitation["id"], {"answer": answer, "answered_at": now(), "pair_id": pair_id}
        )
    return pair_id


def end(pair: dict, member):
    get_db()["pairs"].update(pair["id"], {"ended_at": now(), "ended_by": member.id})


# --- what both partners agree to -----------------------------------------------------------


def consents(pair: dict) -> dict[str, set[int]]:
    """For each topic, the ids of the partners who said yes."""
    said = {topic: set() for topic in TOPICS}
    for row in rows("select topic, user_id from pair_consents where pair_id = ?", [pair["id"]]):
        said.setdefault(row["topic"], set()).add(row["user_id"])
    return said


def give_consent(pair: dict, topic: str, member):
    get_db()["pair_consents"].insert(
        {"pair_id": pair["id"], "topic": topic, "user_id": member.id, "given_at": now()},
        replace=True,
    )


def withdraw_consent(pair: dict, topic: str, member):
    get_db().execute(
        "delete from pair_consents where pair_id = ? and topic = ? and user_id = ?",
        [pair["id"], topic, member.id],
    )


def _forget_consents(pair: dict, topic: str):
    get_db().execute(
        "delete from pair_consents where pair_id = ? and topic = ?", [pair["id"], topic]
    )


def context(pair: dict) -> dict:
    """The power context the pair recorded: gender mix and experience, or empty."""
    if not pair.get("context_sealed"):
        return {}
    return json.loads(unseal(pair["context_sealed"], "pairs.context"))


def record_context(pair: dict, gender: str, experience: str, member):
    """New words need both partners again: the one who wrote them says yes by writing them."""
    db = get_db()
    value = json.dumps({"gender": gender, "experience": experience})
    with writing():
        db["pairs"].update(pair["id"], {"context_sealed": seal(value, "pairs.context")})
        _forget_consents(pair, "context")
        give_consent(pair, "context", member)


def forget_context(pair: dict):
    db = get_db()
    with writing():
        db["pairs"].update(pair["id"], {"context_sealed": None})
        _forget_consents(pair, "context")


# Issue 11, finding 3: a partner is told when the other's password was reset by an admin, so
# an admin who reset it to read the pair's words would be seen doing it.
PARTNER_RESET_NOTICE_DAYS = 30


def partner_reset(pair: dict) -> dict | None:
    """The partner's latest password reset in the last 30 days, if any."""
    return reset_used_since(pair["partner_id"], later(days=-PARTNER_RESET_NOTICE_DAYS))
