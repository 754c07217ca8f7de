"""The supervision record: meetings against Respect §3.13.

§3.13: "One and a half hour's supervision a month is a minimum. Inexperienced staff will require
more than this." The eight areas a meeting covers are the standard's own list, kept as data in
wellbeing/content/<language>.json (`supervision.areas`).
"""

import json
from datetime import date

from .. import clock, standards, workload
from ..atrest import seal, unseal
from ..clock import now
from ..db import first_row, get_db, rows, writing
from ..permissions import reads_note
from . import guidance

MONTHS_SHOWN = 6
AREA_MONTHS = 3  # "which areas have not been touched in the last three months"
MAX_NOTES = 10_000


def area_ids() -> list[str]:
    return [area["id"] for area in guidance()["areas"]]


def minimum_minutes() -> int:
    return guidance()["minimum_minutes"]


def log_meeting(supervisor, fields: dict, supervisee_ids: list[int]) -> int:
    """A meeting and who was in it, written together or not at all."""
    db = get_db()
    with writing():
        meeting_id = (
            db["supervision_meetings"]
            .insert(
                {
                    "org_id": supervisor.org_id,
                    "supervisor_id": supervisor.id,
                    "held_on": fields["held_on"].isoformat(),
                    "minutes": fields["minutes"],
                    "format": fields["format"],
                    "areas": json.dumps(fields["areas"]),
                    "notes_sealed": seal(fields["notes"], "supervision.notes")
                    if fields["notes"]
                    else None,
                    "supervisor_only": int(bool(fields["supervisor_only"])),
                    "external": fields.get("external"),
                    "created_at": now(),
                }
            )
            .last_pk
        )
        db["supervision_attendees"].insert_all(
            {"meeting_id": meeting_id, "supervisee_id": who} for who in supervisee_ids
        )
    return meeting_id


def remove_meeting(meeting: dict) -> list[int]:
    """Removes a meeting and who was in it; returns who was in it."""
    db = get_db()
    attendees = [
        row["supervisee_id"]
        for row in rows(
            "select supervisee_id from supervision_attendees where meeting_id = ?",
            [meeting["id"]],
        )
    ]
    with writing():
        db.execute("delete from supervision_attendees where meeting_id = ?", [meeting["id"]])
        db.execute("delete from supervision_meetings where id = ?", [meeting["id"]])
    return attendees


def meetings_of(supervisee_id: int, supervisor_id: int | None = None) -> list[dict]:
    """A supervisee's meetings, newest first: all of them, or one supervisor's."""
    found = rows(
        "select supervision_meetings.*, users.name as supervisor_name,"
        " (select group_concat(u.name, ', ') from supervision_attendees a"
        "  join users u on u.id = a.supervisee_id where a.meeting_id = supervision_meetings.id)"
        " as attendees,"
        " (select count(*) from supervision_attendees a"
        "  where a.meeting_id = supervision_meetings.id) as attendee_count"
        " from supervision_meetings"
        " join supervision_attendees mine on mine.meeting_id = supervision_meetings.id"
        " join users on users.id = supervision_meetings.supervisor_id"
        " where mine.supervisee_id = ? and (? is null or supervision_meetings.supervisor_id = ?)"
        " order by held_on desc, supervision_meetings.id desc",
        [supervisee_id, supervisor_id, supervisor_id],
    )
    for row in found:
        sealed = row.pop("notes_sealed")
        row["notes"] = unseal(sealed, "supervision.notes") if sealed else ""
        row["areas"] = json.loads(row["areas"])
        row["counted_minutes"] = counted_minutes(row)
    return found


def counted_minutes(meeting: dict) -> float:
    """How much of a meeting counts towards each person's month. A group meeting counts in
    full for each person in it, or shared between them, as the organisation chose (issue 24:
    §3.13 says nothing of group supervision, so it is the organisation's choice, not ours)."""
    counting = standards.of(meeting["org_id"])["group_supervision_counts"]
    if meeting["format"] == "group" and counting == "shared" and meeting["attendee_count"]:
        return meeting["minutes"] / meeting["attendee_count"]
    return meeting["minutes"]


def as_read_by(meetings: list[dict], reader=None) -> list[dict]:
    """The meetings as `reader` may read them: a note they may not read (permissions.reads_note)
    becomes None, so they see that it exists but not its words (docs/design.md: never surprised by
    what is kept)."""
    return [m if reads_note(m, reader) else dict(m, notes=None) for m in meetings]


def month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def months(meetings: list[dict], today: date, target: int, count: int = MONTHS_SHOWN) -> list:
    """Minutes of supervision in each of the last `count` months, oldest first. The month in
    progress is "so far", never "under the target": it isn't over (issue 24)."""
    shown = []
    for back in range(count - 1, -1, -1):
        start, end = month_start(today, back), month_start(today, back - 1)
        minutes = sum(
            m["counted_minutes"]
            for m in meetings
            if start.isoformat() <= m["held_on"] < end.isoformat()
        )
        minutes = round(minutes)
        in_progress = back == 0
        shown.append(
            {
                "month": start,
                "minutes": minutes,
                "in_progress": in_progress,
                "short": minutes < target and not in_progress,
            }
        )
    return shown


def area_months(today: date) -> list[date]:
    """The first days of the months the areas view covers, oldest first."""
    return [month_start(today, back) for back in range(AREA_MONTHS - 1, -1, -1)]


def areas_by_month(meetings: list[dict], today: date) -> list[dict]:
    """For each Respect §3.13 area, whether a meeting touched it in each of the last 3 months."""
    starts = area_months(today)
    ends = [*starts[1:], month_start(today, -1)]
    covered = []
    for area in guidance()["areas"]:
        touched = [
            any(
                area["id"] in m["areas"] and start.isoformat() <= m["held_on"] < end.isoformat()
                for m in meetings
            )
            for start, end in zip(starts, ends, strict=True)
        ]
        covered.append(dict(area, months=touched, untouched=not any(touched)))
    return covered


def target(supervisee_id: int, today: date) -> dict:
    """The monthly target, in minutes, and why it is that figure. The one place a target is
    read: the record, the supervisor's home and the admin's export all ask here.

    §3.13: "One and a half hour's supervision a month is a minimum. Inexperienced staff will
    require more than this." So: the highest a supervisor set, never below the minimum, and
    while the worker is in mentoring (§3.12) at least the organisation's figure (2 hours unless
    it sets another). `why` is "minimum", "set" or "mentoring"."""
    person = first_row(
        "select users.id, users.org_id, users.experienced_marked_at,"
        " (select max(target_minutes) from supervisions where supervisee_id = users.id) as set_to"
        " from users where users.id = ?",
        [supervisee_id],
    )
    candidates = [(minimum_minutes(), "minimum")]
    if person and person["set_to"]:
        candidates.append((person["set_to"], "set"))
    if person and not workload.experienced(person, today):
        readings = standards.of(person["org_id"])
        candidates.append((readings["mentoring_target_minutes"], "mentoring"))
    minutes, why = max(candidates, key=lambda c: c[0])
    return {"minutes": minutes, "why": why}


def target_of(supervisee_id: int, today: date | None = None) -> int:
    return target(supervisee_id, today or clock.today())["minutes"]


def set_target(link_id: int, minutes: int | None):
    get_db()["supervisions"].update(link_id, {"target_minutes": minutes})


def this_month_minutes(supervisee_ids: list[int], today: date) -> dict[int, int]:
    """Minutes of supervision each supervisee had this month, counted as `counted_minutes`
    counts them, from one query."""
    totals = {who: 0 for who in supervisee_ids}
    found = rows(
        "select a.supervisee_id, sum(case when s.format = 'group'"
        "  and coalesce(o.group_supervision_counts, 'full') = 'shared'"
        "  then s.minutes * 1.0 / (select count(*) from supervision_attendees c"
        "   where c.meeting_id = s.id) else s.minutes end) as minutes"
        " from supervision_attendees a"
        " join supervision_meetings s on s.id = a.meeting_id"
        " join organisations o on o.id = s.org_id"
        f" where a.supervisee_id in ({', '.join('?' * len(supervisee_ids))}) and s.held_on >= ?"
        " group by a.supervisee_id",
        [*supervisee_ids, month_start(today).isoformat()],
    )
    for row in found:
        totals[row["supervisee_id"]] = round(row["minutes"])
    return totals
