"""The groups a facilitator logged: mentoring (Respect §3.12) and workload (§4.9).

§3.12: "mentored by an experienced co-worker for at least 6 months or 26 sessions before working
without an experienced co-worker". §4.9: "Workers should run no more than two groups per day or
three groups per week." Going over is shown to the worker and their supervisor as a wellbeing
signal, never as a block: logging a group always works.
"""

from collections import Counter
from datetime import date, timedelta

from . import content, standards
from .clock import now
from .db import first_row, get_db, rows

FLAG_WEEKS = 8


def guidance() -> dict:
    """The guidelines' supervision section, which holds the mentoring and workload rules."""
    return content.guidelines()["supervision"]


def over_maximum(participants) -> bool:
    return size_signal(participants) == "over"


def size_signal(participants) -> str | None:
    """§4.9: "Ideal group numbers are 8-10 with a maximum of 12 men". 11 or 12 is above the
    ideal ("above"), more than 12 over the maximum ("over"): gentle signals, because facilitators
    "should not be pressurised to work with more than they feel comfortable or safe to work with
    effectively". Never a refusal. None when there is nothing to say."""
    if participants is None:
        return None
    groups = content_groups()
    if participants > groups["maximum"]:
        return "over"
    if participants > groups["ideal_high"]:
        return "above"
    return None


def content_groups() -> dict:
    return content.guidelines()["coworking"]["groups"]


def log(
    member, pair_id: int, held_on: date, with_experienced: bool, participants=None, key=None
) -> int:
    """Logs the group and marks the pair's plan for that night as run (issue 27: one "we ran
    it"). `key` is the form's idempotency key: a second send of the same form (a second tap on
    a bad signal) finds the first and logs nothing more. Call inside `writing()`."""
    if key:
        again = first_row(
            "select id from group_logs where idempotency_key = ? and user_id = ?",
            [key, member.id],
        )
        if again:
            return again["id"]
    log_id = (
        get_db()["group_logs"]
        .insert(
            {
                "user_id": member.id,
                "pair_id": pair_id,
                "held_on": held_on.isoformat(),
                "with_experienced": int(with_experienced),
                "participants": participants,
                "created_at": now(),
                "idempotency_key": key or None,
            }
        )
        .last_pk
    )
    get_db().execute(
        "update session_plans set ran_at = ? where pair_id = ? and held_on = ? and ran_at is null",
        [now(), pair_id, held_on.isoformat()],
    )
    return log_id


def remove(log: dict):
    """Takes back a group's log (undo): one the member logged (`get_group_log`). The plan for
    that night stays marked as run while the partner's log of it stands."""
    get_db().execute("delete from group_logs where id = ?", [log["id"]])
    if log["pair_id"] is not None and not logged_on(log["pair_id"], log["held_on"]):
        get_db().execute(
            "update session_plans set ran_at = null where pair_id = ? and held_on = ?",
            [log["pair_id"], log["held_on"]],
        )


def logged_on(pair_id: int, held_on: str, user_id: int | None = None) -> list[dict]:
    """The logs of the pair's group on that night: either partner's, or one person's."""
    mine = " and user_id = ?" if user_id is not None else ""
    return rows(
        f"select * from group_logs where pair_id = ? and held_on = ?{mine}",
        [pair_id, held_on] + ([user_id] if user_id is not None else []),
    )


def with_experienced_default(user_id: int, pair_id: int, unmentored: list[dict]) -> bool:
    """The tick "with an experienced co-worker" before anyone touches it: the answer this person
    gave last time they logged a group with this pair, so a mentored night isn't lost to an
    unticked box (issue 27); unticked while the app itself knows neither partner is experienced
    (`unmentored`, what `unmentored_pairs` found for the pair), where a copied tick would count
    a night that wasn't towards §3.12."""
    if unmentored:
        return False
    last = first_row(
        "select with_experienced from group_logs where user_id = ? and pair_id = ?"
        " order by held_on desc, id desc limit 1",
        [user_id, pair_id],
    )
    return bool(last and last["with_experienced"])


def logs_of(user_id: int) -> list[dict]:
    """The groups a facilitator logged, the latest first."""
    return rows(
        "select id, pair_id, held_on, with_experienced, participants from group_logs"
        " where user_id = ? order by held_on desc, id desc",
        [user_id],
    )


def mentoring(logs: list[dict], today: date, reading: str = "at_least") -> dict:
    """Progress towards §3.12's 26 groups and 6 months with an experienced co-worker.

    §3.12: "mentored by an experienced co-worker for at least 6 months or 26 sessions". The app
    reads "at least" as both, unless the organisation chooses "either" (wellbeing/standards.py).
    The months run from the first mentored group to today (issue 24: counting to the latest
    group made two groups six months apart read "Done"). A group logged ahead of time is not
    counted before it happens."""
    rule = guidance()["mentoring"]
    mentored = sorted(log["held_on"] for log in logs if log["with_experienced"])
    mentored = [day for day in mentored if day <= today.isoformat()]
    first = date.fromisoformat(mentored[0]) if mentored else None
    months = ((today - first).days / 30.44) if first else 0.0
    enough_groups, enough_months = len(mentored) >= rule["groups"], months >= rule["months"]
    if reading == "either":
        done = enough_groups or enough_months
    else:
        done = enough_groups and enough_months
    return {
        "groups": len(mentored),
        "months": round(months, 1),
        "first": first,
        "today": today,
        "target_groups": rule["groups"],
        "target_months": rule["months"],
        "reading": reading,
        "complete": done,
    }


def mentoring_of(user_id: int, org_id: int, today: date) -> dict:
    """A worker's mentoring, read as their organisation reads §3.12."""
    reading = standards.of(org_id)["mentoring_reading"]
    return mentoring(logs_of(user_id), today, reading)


def experienced(user: dict, today: date) -> bool:
    """§3.12's "experienced co-worker": through mentoring, or marked experienced by an admin
    (someone who came with experience from elsewhere). `user` needs id, org_id and
    experienced_marked_at."""
    if user.get("experienced_marked_at"):
        return True
    return mentoring_of(user["id"], user["org_id"], today)["complete"]


def unmentored_pairs(org_id: int, today: date, pair_ids: list[int] | None = None) -> list[dict]:
    """Pairs where someone not yet through mentoring logs or plans groups with a co-worker who
    isn't experienced either: the very thing §3.12 guards against. A gentle signal for the pair,
    their supervisor and the admin; never a block. Each is {"pair_id", "names"}."""
    found = rows(
        "select pairs.id as pair_id, users.id, users.name, users.org_id,"
        " users.experienced_marked_at from pairs"
        " join pair_members on pair_members.pair_id = pairs.id"
        " join users on users.id = pair_members.user_id"
        " where pairs.org_id = ? and pairs.ended_at is null"
        " and (exists (select 1 from group_logs where pair_id = pairs.id)"
        "  or exists (select 1 from session_plans where pair_id = pairs.id))"
        " order by pairs.id, users.name",
        [org_id],
    )
    members = {}
    for row in found:
        if pair_ids is None or row["pair_id"] in pair_ids:
            members.setdefault(row["pair_id"], []).append(row)
    return [
        {"pair_id": pair_id, "names": [m["name"] for m in people]}
        for pair_id, people in members.items()
        if len(people) > 1 and not any(experienced(m, today) for m in people)
    ]


def flags(logs: list[dict], today: date) -> list[dict]:
    """Days with more than two groups and weeks with more than three, in the last weeks."""
    rule = guidance()["workload"]
    since = (today - timedelta(weeks=FLAG_WEEKS)).isoformat()
    recent = [log["held_on"] for log in logs if log["held_on"] >= since]
    found = []
    for day, count in sorted(Counter(recent).items(), reverse=True):
        if count > rule["per_day"]:
            found.append({"kind": "day", "start": date.fromisoformat(day), "count": count})
    weeks = Counter(monday(date.fromisoformat(day)) for day in recent)
    for week, count in sorted(weeks.items(), reverse=True):
        if count > rule["per_week"]:
            found.append({"kind": "week", "start": week, "count": count})
    return found


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def flagged_people(user_ids: list[int], today: date) -> set[int]:
    """Who of these people ran more groups than §4.9 advises in the last weeks, counted by
    SQLite in one query (the supervisor's home lists everyone they supervise)."""
    rule = guidance()["workload"]
    since = (today - timedelta(weeks=FLAG_WEEKS)).isoformat()
    people = ", ".join("?" * len(user_ids))
    found = rows(
        "select user_id from group_logs"
        f" where user_id in ({people}) and held_on >= ? group by user_id, held_on"
        " having count(*) > ?"
        " union select user_id from group_logs"
        f" where user_id in ({people}) and held_on >= ?"
        # The Monday that starts each group's week, as `monday` counts weeks.
        " group by user_id, date(held_on, '+1 day', 'weekday 1', '-7 days')"
        " having count(*) > ?",
        [*user_ids, since, rule["per_day"], *user_ids, since, rule["per_week"]],
    )
    return {row["user_id"] for row in found}
