"""The training a facilitator has had, against Respect §3.12.

§3.12: "It is the responsibility of projects and practitioners to ensure that they have sound
training relevant for their methods of working." The facilitator ticks the topics themself, on
their own supervision record: they are the one who knows what training they have had, the
standard names practitioners as responsible for it, and a record that can be disclosed in court
should say only what its subject wrote or can see (docs/design.md). Their supervisor reads it,
because §3.13 gives supervision the job of "Ensuring workers further develop skills and identify
training needs", and raises gaps there; the supervisor never ticks for them.
"""

from ..clock import now
from ..db import get_db, rows
from . import guidance


def groups() -> list[dict]:
    """§3.12's lists (for all workers; for perpetrator workers), as en.json keeps them."""
    return guidance()["training"]["groups"]


def topic_ids() -> list[str]:
    return [topic["id"] for group in groups() for topic in group["topics"]]


def ticked(user_id: int) -> dict[str, str]:
    """The topics this person ticked, each with when."""
    found = rows("select topic, ticked_at from training_topics where user_id = ?", [user_id])
    return {row["topic"]: row["ticked_at"] for row in found if row["topic"] in topic_ids()}


def record(user_id: int, chosen: list[str]):
    """Keep exactly the chosen topics; a topic ticked before keeps its first date. The caller
    holds the write transaction (db.writing), so the reads and the writes are one."""
    chosen = set(chosen) & set(topic_ids())
    kept = set(ticked(user_id))
    db = get_db()
    for topic in kept - chosen:
        db.execute("delete from training_topics where user_id = ? and topic = ?", [user_id, topic])
    db["training_topics"].insert_all(
        {"user_id": user_id, "topic": topic, "ticked_at": now()} for topic in sorted(chosen - kept)
    )
