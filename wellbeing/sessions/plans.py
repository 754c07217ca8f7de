"""A pair's plan for a night's group: which session, when it starts, and who leads each part.

Co-worker card, "Agree who leads each part of the session" (en.json coworking.card.before, after
the guidelines' Co-worker discussion questions). One plan per pair and date. Two partners may
edit at once; `version` makes the second one see the first one's plan instead of overwriting it.
"""

import json
from datetime import UTC, date, datetime, timedelta

from ..db import first_row, get_db, now, rows, writing
from . import module

BOTH = "both"


def today() -> date:
    return datetime.now(UTC).date()


class Conflict(Exception):
    def __init__(self, current: dict):
        self.current = current


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


def save(pair: dict, member, plan: dict, base_version: int):
    """Write the plan for its date; a plan saved since `base_version` wins and is shown."""
    with writing():
        current = plan_on(pair, plan["held_on"])
        if (current["version"] if current else 0) != base_version:
            raise Conflict(current)
        get_db().execute(
            "insert into session_plans (pair_id, held_on, starts_at, session_key, leads,"
            " version, updated_by, updated_at) values (?, ?, ?, ?, ?, 1, ?, ?)"
            " on conflict (pair_id, held_on) do update set starts_at = excluded.starts_at,"
            " session_key = excluded.session_key, leads = excluded.leads,"
            " version = version + 1, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            [
                pair["id"],
                plan["held_on"].isoformat(),
                plan["starts_at"],
                plan["session_key"],
                json.dumps(plan["leads"], sort_keys=True),
                member.id,
                now(),
            ],
        )


def mark_ran(plan: dict, ran: bool):
    get_db().execute(
        "update session_plans set ran_at = ? where id = ?", [now() if ran else None, plan["id"]]
    )


def delete(plan: dict):
    get_db().execute("delete from session_plans where id = ?", [plan["id"]])


def run_sheet(plan: dict, session: dict) -> list[dict]:
    """Each running activity with its clock time from the start, as the card shows it."""
    clock = datetime.combine(date.today(), datetime.strptime(plan["starts_at"], "%H:%M").time())
    sheet = []
    for step in session["running"]:
        sheet.append(
            {**step, "at": clock.strftime("%H:%M"), "lead": plan["leads"].get(step["key"])}
        )
        clock += timedelta(minutes=step["minutes"])
    return sheet


def ends_at(plan: dict, session: dict) -> str:
    start = datetime.strptime(plan["starts_at"], "%H:%M")
    return (start + timedelta(minutes=session["total"])).strftime("%H:%M")


def with_sessions(org_id: int, plans: list[dict]) -> list[dict]:
    """Plans with their session's title and total, for lists."""
    by_key = {s["key"]: s for s in module.sessions(org_id)}
    return [dict(plan, session=by_key.get(plan["session_key"])) for plan in plans]
