"""The debrief's safety question: one answer per pair and evening, no client data.

docs/design.md "Her safety first": the app records only that a concern was raised, and when and
how it was passed on. Every value here is a date, a time, a user id, or an id from a fixed list
(SERVICES, WAYS): nothing anyone types as words is ever stored, so no details of the man, the
woman or the children can be.
"""

from datetime import date, timedelta

from .. import clock, content
from ..clock import now
from ..db import first_row, get_db, rows, storable, writing

ANSWERS = ("no", "passed_on", "not_yet")
# Respect §4.4 asks for "immediately"; the admin's count of concerns still open after this long
# is for the organisation's accountability, never shown to the pair as a countdown.
OVERDUE = timedelta(hours=24)


def services() -> list[dict]:
    return content.safety()["services"]


def ways() -> list[dict]:
    return content.safety()["ways"]


SERVICES = tuple(s["id"] for s in content.safety()["services"])
WAYS = tuple(w["id"] for w in content.safety()["ways"])


def of_pair(pair: dict, limit: int = 20) -> list[dict]:
    """The pair's answers, newest evening first, with who answered and who passed it on."""
    return rows(
        "select safety_checks.*, answerer.name as answered_by_name,"
        " passer.name as passed_on_by_name from safety_checks"
        " left join users answerer on answerer.id = safety_checks.answered_by"
        " left join users passer on passer.id = safety_checks.passed_on_by"
        " where safety_checks.pair_id = ? order by held_on desc limit ?",
        [pair["id"], limit],
    )


def for_evening(pair: dict, held_on: date) -> dict | None:
    return first_row(
        "select * from safety_checks where pair_id = ? and held_on = ?",
        [pair["id"], held_on.isoformat()],
    )


def get(pair: dict, check_id: int) -> dict | None:
    if not storable(check_id):
        return None  # a made-up id too big for SQLite is simply not this pair's
    return first_row(
        "select * from safety_checks where id = ? and pair_id = ?", [check_id, pair["id"]]
    )


def open_concerns(pair_ids: list[int]) -> list[dict]:
    """Concerns raised and not yet passed on, for these pairs (a facilitator's home)."""
    if not pair_ids:
        return []
    return rows(
        "select * from safety_checks where concern = 1 and passed_on_at is null"
        f" and pair_id in ({', '.join('?' * len(pair_ids))}) order by held_on",
        pair_ids,
    )


def answer(pair: dict, member, held_on: date, choice: str, to=None, how=None, at=None):
    """Record the evening's answer. Answering again changes it (a mistaken "No" can become
    "Yes"); a concern already passed on stays passed on, whoever answers after."""
    assert choice in ANSWERS
    with writing():
        found = for_evening(pair, held_on)
        at_now = now()
        fields = {"concern": int(choice != "no"), "answered_by": member.id, "answered_at": at_now}
        # When the concern was first raised: answering "Yes" again doesn't restart the clock.
        raised = found["raised_at"] if found and found["concern"] else None
        fields["raised_at"] = (raised or at_now) if choice != "no" else None
        if choice == "passed_on":
            fields |= passing_on(member, to, how, at)
        elif found and found["passed_on_at"] and choice == "not_yet":
            fields = {}  # already passed on: "not yet" can't take that back
        else:
            fields |= {
                "passed_on_at": None,
                "passed_on_to": None,
                "passed_on_how": None,
                "passed_on_by": None,
            }
        table = get_db()["safety_checks"]
        if found is None:
            table.insert({"pair_id": pair["id"], "held_on": held_on.isoformat(), **fields})
        elif fields:
            table.update(found["id"], fields)


def passing_on(member, to: str, how: str, at: str | None) -> dict:
    assert to in SERVICES and how in WAYS
    return {
        "concern": 1,
        "passed_on_at": at or now(),
        "passed_on_to": to,
        "passed_on_how": how,
        "passed_on_by": member.id,
    }


def mark_passed_on(check: dict, member, to: str, how: str, at: str | None):
    """Mark it passed on, unless the partner did a moment earlier: theirs stands."""
    fields = passing_on(member, to, how, at)
    with writing():
        get_db().execute(
            "update safety_checks set concern = 1, passed_on_at = ?, passed_on_to = ?,"
            " passed_on_how = ?, passed_on_by = ? where id = ? and passed_on_at is null",
            [
                fields["passed_on_at"],
                fields["passed_on_to"],
                fields["passed_on_how"],
                fields["passed_on_by"],
                check["id"],
            ],
        )


def counts(org_id: int, since_days: int = 365) -> dict:
    """What the organisation's admin sees (Respect §4.4 is the organisation's duty): counts
    only, never a pair, a date of a pair's group or who answered."""
    since = (clock.today() - timedelta(days=since_days)).isoformat()
    overdue_before = clock.stamp(clock.moment() - OVERDUE)
    (found,) = rows(
        "select count(*) as evenings,"
        " coalesce(sum(concern), 0) as raised,"
        " coalesce(sum(concern = 1 and passed_on_at is not null), 0) as passed_on,"
        " coalesce(sum(concern = 1 and passed_on_at is null), 0) as not_yet,"
        " coalesce(sum(concern = 1 and passed_on_at is null and raised_at < ?), 0) as overdue"
        " from safety_checks join pairs on pairs.id = safety_checks.pair_id"
        " where pairs.org_id = ? and held_on >= ?",
        [overdue_before, org_id, since],
    )
    return found
