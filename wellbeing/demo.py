"""The demo organisation that `make run` creates on an empty database."""

from .accounts import people
from .atrest import seal
from .db import get_db, now

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


def create_demo() -> bool:
    """Create the demo organisation if the database has no organisation yet."""
    db = get_db()
    if db["organisations"].count:
        return False
    with db.atomic():
        org_id = people.create_organisation(DEMO_ORGANISATION)
        ids = {
            email: people.create_person(org_id, email, name, password, roles)
            for name, email, password, roles in DEMO_PEOPLE
        }
        pair_id = (
            db["pairs"]
            .insert(
                {
                    "org_id": org_id,
                    "name_sealed": seal(DEMO_PAIR, "pairs.name"),
                    "created_at": now(),
                }
            )
            .last_pk
        )
        for email in ("alex@demo.example", "sam@demo.example"):
            db["pair_members"].insert({"pair_id": pair_id, "user_id": ids[email]})
        for position, contact in enumerate(DEMO_SUPPORT):
            db["content_entries"].insert(
                {"org_id": org_id, "kind": "support_contact", "position": position, **contact}
            )
    return True


def demo_sign_ins() -> str:
    lines = [f"Demo sign-ins for '{DEMO_ORGANISATION}':"]
    for name, email, password, roles in DEMO_PEOPLE:
        lines.append(f"  {', '.join(roles):<12} {email:<26} password: {password}   ({name})")
    lines.append(f"  Alex and Sam co-work as the pair '{DEMO_PAIR}'.")
    return "\n".join(lines)
