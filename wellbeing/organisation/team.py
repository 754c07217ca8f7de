"""The organisation's team against Respect §4.9 (issue 24), for its admins.

§4.9: "All groups should have a consistent core team with a minimum of two co-workers" and
"Programmes should always be delivered by a mixed gender team". The core team is the people who
ran groups in the last 3 months. Gender is each worker's own optional entry (their account
page), sealed at rest; this view never shows it as a label on a person, only whether a pair is
mixed, not mixed, or can't be told because someone hasn't said.
"""

from datetime import date, timedelta

from .. import content, workload
from ..clock import now
from ..db import get_db, rows
from ..people.identity import gender_of

# Entries that say which gender; "own" (described another way) is the person's, and not compared.
COMPARED = ("woman", "man")


def rule() -> dict:
    return content.guidelines()["coworking"]["groups"]


def core_team(org_id: int, today: date) -> list[dict]:
    """Who ran groups in the last months, with how many: the core team."""
    since = (today - timedelta(days=round(rule()["core_team_months"] * 30.44))).isoformat()
    return rows(
        "select users.id, users.name, count(*) as groups from group_logs"
        " join users on users.id = group_logs.user_id"
        " where users.org_id = ? and users.deleted_at is null and held_on >= ? and held_on <= ?"
        " group by users.id order by users.name",
        [org_id, since, today.isoformat()],
    )


def pair_mixes(org_id: int) -> list[dict]:
    """Each current pair: "mixed", "not_mixed" or "unknown" (someone hasn't said, or describes
    it another way). Only the mix, never who is which."""
    found = rows(
        "select pairs.id as pair_id, users.name, users.gender_sealed from pairs"
        " join pair_members on pair_members.pair_id = pairs.id"
        " join users on users.id = pair_members.user_id"
        " where pairs.org_id = ? and pairs.ended_at is null order by pairs.id, users.name",
        [org_id],
    )
    by_pair = {}
    for row in found:
        by_pair.setdefault(row["pair_id"], []).append(row)
    mixes = []
    for pair_id, members in by_pair.items():
        genders = [gender_of(m) for m in members]
        if any(g not in COMPARED for g in genders):
            mix = "unknown"
        else:
            mix = "mixed" if len(set(genders)) > 1 else "not_mixed"
        mixes.append({"pair_id": pair_id, "names": [m["name"] for m in members], "mix": mix})
    return mixes


def people(org_id: int, today: date) -> list[dict]:
    """Facilitators, and whether each is experienced for §3.12 (through mentoring, or marked)."""
    found = rows(
        "select users.id, users.name, users.org_id, users.experienced_marked_at from users"
        " join user_roles on user_roles.user_id = users.id and user_roles.role = 'facilitator'"
        " where users.org_id = ? and users.deleted_at is null and users.disabled_at is null"
        " order by users.name",
        [org_id],
    )
    for person in found:
        person["through_mentoring"] = workload.mentoring_of(person["id"], org_id, today)["complete"]
    return found


def mark_experienced(user_id: int, marked: bool):
    """Called inside the request's `writing()`."""
    get_db()["users"].update(user_id, {"experienced_marked_at": now() if marked else None})
