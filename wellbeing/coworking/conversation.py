"""The new-partnership conversation: the guidelines' four co-worker discussion questions.

Each partner drafts their answers in their own vault (static/screens/conversation.js); only what
they choose to share, after an exact preview, is sent here. Neither partner sees the other's answers
until both have shared: power dynamics "such as gender and experience are inevitably at work",
and the first to share shouldn't anchor the second.
"""

import json

from .. import content
from ..atrest import seal, unseal
from ..clock import now
from ..db import get_db, rows

MAX_ANSWER = 3000
MAX_SITUATIONS = 40
MAX_SITUATION = 600


def questions() -> list[dict]:
    return content.guidelines()["coworking"]["conversation"]["questions"]


def shared(pair: dict) -> dict[int, dict]:
    """What each partner has shared, by user id: {answers: {question id: text}, situations}."""
    found = rows("select * from conversation_answers where pair_id = ?", [pair["id"]])
    return {
        row["user_id"]: dict(
            json.loads(unseal(row["answers_sealed"], "conversation.answers")),
            shared_at=row["shared_at"],
        )
        for row in found
    }


def view(pair: dict, member) -> dict:
    given = shared(pair)
    revealed = len(given) == 2
    return {
        "mine": given.get(member.id),
        "theirs": given.get(pair["partner_id"]) if revealed else None,
        "partner_shared": pair["partner_id"] in given,
        "revealed": revealed,
    }


def share(pair: dict, member, answers: dict[str, str], situations: list[str]):
    body = json.dumps({"answers": answers, "situations": situations})
    get_db()["conversation_answers"].upsert(
        {
            "pair_id": pair["id"],
            "user_id": member.id,
            "answers_sealed": seal(body, "conversation.answers"),
            "shared_at": now(),
        },
        pk=("pair_id", "user_id"),
    )
