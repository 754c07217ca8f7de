"""Who is in an organisation, and who is still to join. Plain functions."""

import json

from ..clock import now
from ..db import get_db, rows


def members(org_id: int) -> list[dict]:
    """Everyone in the organisation, with their roles and their latest password reset link
    and who made it (issue 11, finding 3: every reset is visible to every admin)."""
    found = rows(
        "select users.id, users.name, users.email, users.disabled_at,"
        " group_concat(user_roles.role) as roles,"
        " (select json_object('made_by', maker.name, 'created_at', r.created_at,"
        "  'used_at', r.used_at, 'cancelled_at', r.cancelled_at) from password_resets r"
        "  left join users maker on maker.id = r.created_by where r.user_id = users.id"
        "  order by r.created_at desc, r.id desc limit 1) as last_reset"
        " from users left join user_roles on user_roles.user_id = users.id"
        " where users.org_id = ? and users.deleted_at is null"
        " group by users.id order by users.name collate nocase",
        [org_id],
    )
    return [
        dict(
            row,
            roles=sorted((row["roles"] or "").split(",")),
            last_reset=json.loads(row["last_reset"]) if row["last_reset"] else None,
        )
        for row in found
    ]


def pending_invitations(org_id: int) -> list[dict]:
    found = rows(
        "select * from invitations where org_id = ? and used_at is null"
        " and revoked_at is null and expires_at > ? order by created_at desc",
        [org_id, now()],
    )
    return [dict(row, roles=row["roles"].split(",")) for row in found]


def revoke_invitation(invitation_id: int):
    get_db()["invitations"].update(invitation_id, {"revoked_at": now()})


def summary(org_id: int) -> dict:
    db = get_db()
    return {
        "organisation": db["organisations"].get(org_id)["name"],
        "members": db["users"].count_where("org_id = ? and deleted_at is null", [org_id]),
        "invitations": len(pending_invitations(org_id)),
    }


def last_admin(user_id: int, org_id: int) -> bool:
    """Whether this person is the organisation's only admin who can still sign in: they can't
    go, or nobody could run the organisation any more."""
    found = rows(
        "select users.id from users join user_roles on user_roles.user_id = users.id"
        " where users.org_id = ? and role = 'admin' and users.disabled_at is null",
        [org_id],
    )
    return [row["id"] for row in found] == [user_id]
