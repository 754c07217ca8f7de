"""The demo organisation that `make run` creates on an empty database."""

from datetime import timedelta
from types import SimpleNamespace

from . import people, workload
from .atrest import seal
from .clock import now
from .coworking import agreement, checkins, conversation, pairs
from .db import get_db, writing
from .module import plans
from .supervision import record

DEMO_ORGANISATION = "Demo organisation"
# Demo sign-ins are printed by `make run`. They exist only in the demo database.
DEMO_PEOPLE = [
    ("Ash Admin", "admin@demo.example", "demo-admin-pass", ["admin"]),
    ("Sky Supervisor", "supervisor@demo.example", "demo-supervisor-pass", ["supervisor"]),
    ("Alex Facilitator", "alex@demo.example", "demo-alex-pass", ["facilitator"]),
    ("Sam Facilitator", "sam@demo.example", "demo-sam-pass", ["facilitator"]),
]
DEMO_PAIR = "Tuesday evening group"
DEMO_SUPPORT = [
    {
        "text": "Samaritans",
        "phone": "116 123",
        "link": "https://www.samaritans.org",
        "note": "Free, any time, day or night (UK and Ireland)",
    },
    {
        "text": "Employee assistance programme (demo)",
        "phone": "0800 000 000",
        "link": "",
        "note": "Confidential counselling for staff, 24 hours",
    },
]
# Issue 22: the women's support service and the helplines for the men (docs/design.md "Her
# safety first"). The Respect Phoneline is also what the men's list suggests to an admin.
DEMO_CONTACTS = {
    "womens_service": [
        {
            "text": "Women's support service (demo)",
            "phone": "0800 000 111",
            "email": "referrals@womens-service.example",
            "note": "Weekdays 9am to 5pm",
        }
    ],
    "men_helpline": [
        {
            "text": "Respect Phoneline",
            "phone": "0808 802 4040",
            "note": "For perpetrators and for professionals",
        },
        {"text": "Samaritans", "phone": "116 123", "note": "Free, any time, day or night"},
    ],
}


def create_demo() -> bool:
    """Create the demo organisation if the database has no organisation yet."""
    db = get_db()
    if db["organisations"].count:
        return False
    with writing():
        org_id = people.create_organisation(DEMO_ORGANISATION)
        ids = {
            email: people.create_person(org_id, email, name, password, roles)
            for name, email, password, roles in DEMO_PEOPLE
        }
        # The pair began ten weeks ago, so its pages have a history to show.
        began = (checkins.today() - timedelta(weeks=10)).isoformat() + "T09:00:00+00:00"
        pair_id = (
            db["pairs"]
            .insert(
                {
                    "org_id": org_id,
                    "name_sealed": seal(DEMO_PAIR, "pairs.name"),
                    "created_at": began,
                    "checkin_day": 1,  # Tuesday, the day of their group
                }
            )
            .last_pk
        )
        for email in ("alex@demo.example", "sam@demo.example"):
            db["pair_members"].insert({"pair_id": pair_id, "user_id": ids[email]})
        alex, sam = (
            SimpleNamespace(id=ids[email], org_id=org_id)
            for email in ("alex@demo.example", "sam@demo.example")
        )
        demo_pair_history(pair_id, began, alex, sam)
        sky = SimpleNamespace(id=ids["supervisor@demo.example"], org_id=org_id)
        demo_supervision(pair_id, sky, alex, sam)
        for position, contact in enumerate(DEMO_SUPPORT):
            db["content_entries"].insert(
                {"org_id": org_id, "kind": "support_contact", "position": position, **contact}
            )
        # Issue 22: the other two kinds of contact.
        for kind, contacts in DEMO_CONTACTS.items():
            for position, contact in enumerate(contacts):
                db["content_entries"].insert(
                    {"org_id": org_id, "kind": kind, "position": position, **contact}
                )
    return True


def demo_pair_history(pair_id: int, began: str, alex, sam):
    """Alex and Sam's conversation, an agreed agreement and nine weeks of check-ins."""
    pair = {"id": pair_id, "created_at": began, "checkin_day": 1}
    as_alex, as_sam = dict(pair, partner_id=sam.id), dict(pair, partner_id=alex.id)
    conversation.share(
        as_alex,
        alex,
        {"situations": "Graphic detail told for effect; being ignored when I ask a question."},
        ["A man who has shared explicit images of his partner"],
    )
    conversation.share(
        as_sam, sam, {"want": "A nod when you're about to step in, so I'm not caught out."}, []
    )
    strategies = agreement.starting_point()
    for strategy in strategies:
        strategy["choice"] = "as_written"
    strategies[0]["signal"] = "Alex taps the table twice"
    strategies[1].update(choice="adapt", who="Whoever is not being addressed")
    strategies[1]["words"] = strategies[1]["words"].replace("NAME's", "Alex's")
    agreement.save(as_alex, alex, agreement.Base(0, 0), strategies)
    agreement.confirm(as_alex, alex, agreement.Base(1, 1))
    agreement.confirm(as_sam, sam, agreement.Base(1, 1))
    # Sam has since proposed a change, which waits for Alex: version 1 holds until then.
    strategies[2]["signal"] = "Sam turns a page of the session plan"
    strategies[3]["who"] = "Alex, when the humour is aimed at Sam"
    agreement.save(as_sam, sam, agreement.Base(1, 1), strategies)
    agreement.confirm(as_sam, sam, agreement.Base(2, 1))
    this_week = checkins.monday_of(checkins.today())
    for back in range(9, 0, -1):
        if back == 4:
            continue  # a week without a check-in: shown gently, never as a failure
        week = this_week - timedelta(weeks=back)
        checkins.submit(as_alex, alex, week, "Taking the lead on the opening round.", "")
        checkins.submit(as_sam, sam, week, "", "Finishing my sentences in the group.")


def demo_supervision(pair_id: int, sky, alex, sam):
    """Sky supervises Alex and Sam, who shared their agreement; meetings and groups logged."""
    db = get_db()
    for who in (alex, sam):
        db["supervisions"].insert(
            {
                "org_id": sky.org_id,
                "supervisor_id": sky.id,
                "supervisee_id": who.id,
                "assigned_at": now(),
            }
        )
    for who in (alex, sam):
        pairs.give_consent({"id": pair_id}, "agreement", who)
    today = checkins.today()
    # Alex is newer to the work, so Sky set a higher target (Respect §3.13).
    db.execute("update supervisions set target_minutes = 120 where supervisee_id = ?", [alex.id])
    meetings = [
        (60, "individual", ["impact", "own_issues"], [alex.id], 70),
        (90, "group", ["coworkers", "clients", "diversity"], [alex.id, sam.id], 40),
        (45, "individual", ["impact", "skills"], [alex.id], 12),
        (90, "individual", ["accountability", "delivery", "impact"], [sam.id], 20),
    ]
    for minutes, format_, areas, people_ids, days_ago in meetings:
        fields = {
            "held_on": today - timedelta(days=days_ago),
            "minutes": minutes,
            "format": format_,
            "areas": areas,
            "notes": "Talked about the weight of last week's group and what helps.",
            "supervisor_only": False,
        }
        record.log_meeting(sky, fields, people_ids)
    for weeks_ago in range(9, 0, -1):
        held_on = today - timedelta(weeks=weeks_ago)
        held_on -= timedelta(days=held_on.weekday() - 1)  # their Tuesday group
        workload.log(alex, pair_id, held_on, with_experienced=True)
        workload.log(sam, pair_id, held_on, with_experienced=False)
    demo_sessions(pair_id, alex, sam)


def demo_sessions(pair_id: int, alex, sam):
    """Alex and Sam ran session 1 last week and plan session 2 tonight, sharing both with Sky."""
    pair = {"id": pair_id}
    today = checkins.today()
    last_week = {"held_on": today - timedelta(weeks=1), "starts_at": "18:30", "leads": {}}
    plans.save(pair, alex, dict(last_week, session_key="learning_about_sex"), 0)
    plans.mark_ran(plans.plan_on(pair, last_week["held_on"]), True)
    leads = {
        "sexual_abuse_scenario": str(sam.id),
        "what_we_want_from_sex": str(alex.id),
        "sexual_pressure": plans.BOTH,
        "impacts_of_sexual_pressuring": str(sam.id),
        "tea_and_consent": str(alex.id),
        "consent_within_a_scary_relationship": plans.BOTH,
    }
    tonight = {"held_on": today, "starts_at": "18:30", "session_key": "sexual_pressuring"}
    plans.save(pair, sam, dict(tonight, leads=leads), 0)
    for who in (alex, sam):
        pairs.give_consent(pair, "sessions", who)


def demo_sign_ins() -> str:
    lines = [f"Demo sign-ins for '{DEMO_ORGANISATION}':"]
    for name, email, password, roles in DEMO_PEOPLE:
        lines.append(f"  {', '.join(roles):<12} {email:<26} password: {password}   ({name})")
    lines.append(f"  Alex and Sam co-work as the pair '{DEMO_PAIR}'.")
    return "\n".join(lines)
