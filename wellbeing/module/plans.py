"""A pair's plan for a night's group: which session, when it starts, and who leads each part.

Co-worker card, "Agree who leads each part of the session" (en.json coworking.card.before, after
the guidelines' Co-worker discussion questions). One plan per pair and date. Two partners may
edit at once; `version` makes the second one see the first one's plan instead of overwriting it.
"""

import json
from datetime import date, datetime, timedelta

from ..clock import now
from ..clock import today as today  # the sessions' pages ask plans for the day
from ..db import first_row, get_db, new_version, rows, writing
from . import adapted

BOTH = "both"


Conflict = adapted.Conflict


def decoded(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "leads": json.loads(row["leads"])}


def plans_of(pair: dict) -> list[dict]:
    """Every plan of the pair, the latest date first."""
    found = rows(
        "select * from session_plans where pair_id = ? order by held_on desc", [pair["id"]]
    )
    return [decoded(row) for row in found]


def plan_on(pair: dict, day: date) -> dict | None:
    return decoded(
        first_row(
            "select * from session_plans where pair_id = ? and held_on = ?",
            [pair["id"], day.isoformat()],
        )
    )


def next_plan(pair: dict, today: date) -> dict | None:
    """Tonight's plan, or else the next one planned: what the card shows."""
    return decoded(
        first_row(
            "select * from session_plans where pair_id = ? and held_on >= ?"
            " order by held_on limit 1",
            [pair["id"], today.isoformat()],
        )
    )


def save(pair: dict, member, plan: dict, base_version: int, original_on: date | None = None):
    """Write the plan for its date. `original_on` is the date the form was opened for: when the
    date changed, the plan moves. Whatever was saved since `base_version` wins and is shown
    (Conflict), and a move never lands on a date that already has a plan."""
    moving = original_on is not None and original_on != plan["held_on"]
    with writing():
        current = plan_on(pair, original_on if moving else plan["held_on"])
        if (current["version"] if current else 0) != base_version:
            raise Conflict(current)
        if moving and plan_on(pair, plan["held_on"]):
            raise Conflict(plan_on(pair, plan["held_on"]))
        if moving and current:
            get_db().execute("delete from session_plans where id = ?", [current["id"]])
        get_db().execute(
            "insert into session_plans (pair_id, held_on, starts_at, session_key, leads,"
            " version, updated_by, updated_at, ran_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " on conflict (pair_id, held_on) do update set starts_at = excluded.starts_at,"
            " session_key = excluded.session_key, leads = excluded.leads,"
            " version = excluded.version, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            [
                pair["id"],
                plan["held_on"].isoformat(),
                plan["starts_at"],
                plan["session_key"],
                json.dumps(plan["leads"], sort_keys=True),
                new_version(),
                member.id,
                now(),
                current["ran_at"] if moving and current else None,
            ],
        )


def mark_ran(plan: dict, ran: bool):
    get_db().execute(
        "update session_plans set ran_at = ? where id = ?", [now() if ran else None, plan["id"]]
    )


def delete(plan: dict):
    get_db().execute("delete from session_plans where id = ?", [plan["id"]])


def run_sheet(plan: dict, session: dict) -> list[dict]:
    """Each running activity with its clock time from the start, as the card shows it. A time
    past midnight is marked as the next day rather than wrapping to look like the morning."""
    start = datetime.combine(date.min, datetime.strptime(plan["starts_at"], "%H:%M").time())
    clock, sheet = start, []
    for step in session["running"]:
        lead = plan["leads"].get(step["key"])
        at = {"at": clock.strftime("%H:%M"), "next_day": clock.date() > start.date()}
        sheet.append({**step, **at, "lead": lead})
        clock += timedelta(minutes=step["minutes"])
    return sheet


# Respect §3.14: "half hour planning time immediately before a group" and "half hour de-brief
# time immediately after a group". The plan and the run sheet show both around the clock times.
HALF_HOUR = timedelta(minutes=30)


def around(starts_at: str, minutes: int) -> dict:
    """The session's clock times with §3.14's half hours around them: preparation from, the end,
    and the debrief until ("next_day" marks a time past midnight)."""
    start = datetime.combine(date.min, datetime.strptime(starts_at, "%H:%M").time())
    base = datetime.combine(date.min.replace(day=2), start.time())
    prepare, end = base - HALF_HOUR, base + timedelta(minutes=minutes)
    debrief = end + HALF_HOUR

    def clock(moment):
        return {"at": moment.strftime("%H:%M"), "next_day": moment.date() > base.date()}

    return {"prepare_from": clock(prepare), "ends": clock(end), "debrief_until": clock(debrief)}


def tonight(pair: dict, org_id: int, day: date) -> dict:
    """The card's plan: tonight's, or the next one; its session as the organisation runs it
    (None if the module no longer has it), the run sheet and the end time."""
    plan = next_plan(pair, day)
    session = adapted.session(org_id, plan["session_key"]) if plan else None
    if session is None:
        return {"plan": plan, "session": None, "sheet": [], "ends": None}
    start = datetime.combine(date.min, datetime.strptime(plan["starts_at"], "%H:%M").time())
    end = start + timedelta(minutes=session["total"])
    ends = {"at": end.strftime("%H:%M"), "next_day": end.date() > start.date()}
    times = around(plan["starts_at"], session["total"])
    return {
        "plan": plan,
        "session": session,
        "sheet": run_sheet(plan, session),
        "ends": ends,
        "prepare_from": times["prepare_from"],
        "debrief_until": times["debrief_until"],
    }


def with_sessions(sessions: list[dict], plans: list[dict]) -> list[dict]:
    """Plans with their session (as the organisation runs it), for lists."""
    by_key = {s["key"]: s for s in sessions}
    found = []
    for plan in plans:
        session = by_key.get(plan["session_key"])
        # The supervisor's list carries no clock time: only what the pair shares.
        starts_at = plan.get("starts_at")
        times = around(starts_at, session["total"]) if session and starts_at else None
        found.append(dict(plan, session=session, times=times))
    return found
