"""Who is in an organisation, and who is still to join. Plain functions."""

from ..db import get_db, now, rows


def members(org_id: int) -> list[dict]:
    found = rows(
        "select users.id, users.name, users.email, group_concat(user_roles.role) as roles"
        " from users left join user_roles on user_roles.user_id = users.id"
        " where users.org_id = ? group by users.id order by users.name collate nocase",
        [org_id],
    )
    return [dict(row, roles=sorted((row["roles"] or "").split(","))) for row in found]


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
        "members": db["users"].count_where("org_id = ?", [org_id]),
        "invitations": len(pending_invitations(org_id)),
    }
