"""Seeds the bench's demo instance with a supervisor's full caseload (issue 5).

`make bench` runs this after `flask demo`, in the same throwaway instance, so that the line
"bench: supervisor home p99 X ms with 50 supervisees and 52 weeks of check-ins" measures real
volume: the demo supervisor supervises 50 facilitators in 25 pairs, every pair has a year of
weekly check-ins from both partners (sealed at rest, as the app writes them), an agreed agreement
shared with supervision, a year of logged groups and monthly supervision meetings.
"""

import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wellbeing import create_app  # noqa: E402
from wellbeing.atrest import seal  # noqa: E402
from wellbeing.clock import now  # noqa: E402
from wellbeing.coworking import agreement, checkins, pairs  # noqa: E402
from wellbeing.db import get_db, writing  # noqa: E402
from wellbeing.supervision import record  # noqa: E402

SUPERVISEES = 50
WEEKS = 52
SUPERVISOR_EMAIL = "supervisor@demo.example"
# bench/checkin.py signs in as this person, with the demo facilitator's password, and sends
# this week's answer again and again: their partner never answers, so the week is never
# revealed and every send is a 200.
CHECKIN_EMAIL = "checkin-bench@demo.example"
FACILITATOR_EMAIL = "alex@demo.example"


def add_facilitator(db, org_id: int, number: int) -> int:
    # Nobody signs in as these people, so they get no password hash worth the Argon2 time.
    user_id = (
        db["users"]
        .insert(
            {
                "org_id": org_id,
                "email": f"caseload-{number}@demo.example",
                "name": f"Caseload Person {number:02d}",
                "password_hash": "not-a-password",
                "created_at": now(),
            }
        )
        .last_pk
    )
    db["user_roles"].insert({"user_id": user_id, "role": "facilitator"})
    return user_id


def seed():
    db = get_db()
    supervisor = db.execute(
        "select id, org_id from users where email = ?", [SUPERVISOR_EMAIL]
    ).fetchone()
    sky = SimpleNamespace(id=supervisor[0], org_id=supervisor[1])
    already = {row[0] for row in db.execute("select supervisee_id from supervisions")}
    today = checkins.today()
    began = (today - timedelta(weeks=WEEKS)).isoformat() + "T09:00:00+00:00"
    with writing():
        people = [add_facilitator(db, sky.org_id, n) for n in range(SUPERVISEES - len(already))]
        for who in people:
            db["supervisions"].insert(
                {
                    "org_id": sky.org_id,
                    "supervisor_id": sky.id,
                    "supervisee_id": who,
                    "assigned_at": now(),
                }
            )
        for first, second in zip(people[::2], people[1::2], strict=True):
            seed_pair(db, sky.org_id, began, first, second, today)
        for who in [*people, *already]:
            seed_record(sky, who, today)
        seed_checkin_pair(db, sky.org_id)


def seed_checkin_pair(db, org_id):
    password_hash = db.execute(
        "select password_hash from users where email = ?", [FACILITATOR_EMAIL]
    ).fetchone()[0]
    members = []
    for side in ("", "-partner"):
        user_id = (
            db["users"]
            .insert(
                {
                    "org_id": org_id,
                    "email": CHECKIN_EMAIL.replace("@", f"{side}@"),
                    "name": f"Check-in Bench{side}",
                    "password_hash": password_hash,
                    "created_at": now(),
                }
            )
            .last_pk
        )
        db["user_roles"].insert({"user_id": user_id, "role": "facilitator"})
        members.append(user_id)
    pair_id = (
        db["pairs"]
        .insert(
            {
                "org_id": org_id,
                "name_sealed": seal("Check-in bench pair", "pairs.name"),
                "created_at": now(),
                "checkin_day": 1,
            }
        )
        .last_pk
    )
    db["pair_members"].insert_all({"pair_id": pair_id, "user_id": u} for u in members)


def seed_pair(db, org_id, began, first, second, today):
    pair_id = (
        db["pairs"]
        .insert(
            {
                "org_id": org_id,
                "name_sealed": seal(f"Group {first}", "pairs.name"),
                "created_at": began,
                "checkin_day": first % 7,
            }
        )
        .last_pk
    )
    db["pair_members"].insert_all({"pair_id": pair_id, "user_id": u} for u in (first, second))
    a, b = SimpleNamespace(id=first), SimpleNamespace(id=second)
    pair = {"id": pair_id, "created_at": began, "checkin_day": first % 7}
    as_a, as_b = dict(pair, partner_id=second), dict(pair, partner_id=first)
    agreement.save(as_a, a, agreement.Base(0, 0), agreement.starting_point())
    agreement.confirm(as_a, a, agreement.Base(1, 1))
    agreement.confirm(as_b, b, agreement.Base(1, 1))
    for who in (a, b):
        pairs.give_consent(pair, "agreement", who)
    monday = checkins.monday_of(today)
    for back in range(WEEKS, 0, -1):
        week = monday - timedelta(weeks=back)
        checkins.submit(as_a, a, week, "More of the opening round.", "")
        checkins.submit(as_b, b, week, "", "Less talking over me.")


def seed_record(sky, who, today):
    for month in range(12):
        fields = {
            "held_on": today - timedelta(days=30 * month + 3),
            "minutes": 90,
            "format": "individual",
            "areas": ["impact", "coworkers"],
            "notes": "A year of supervision for the bench.",
            "supervisor_only": False,
        }
        record.log_meeting(sky, fields, [who])
    get_db()["group_logs"].insert_all(
        {
            "user_id": who,
            "held_on": (today - timedelta(weeks=week)).isoformat(),
            "with_experienced": 1,
            "created_at": now(),
        }
        for week in range(WEEKS)
    )


if __name__ == "__main__":
    with create_app().app_context():
        seed()
