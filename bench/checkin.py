"""A facilitator's check-in submit (issue 13), sent again and again with wrk, and their card.

The submit is a POST as htmx sends it (bench/scripts/checkin.lua), at --connections.
bench/supervision.py seeds a pair whose partner never answers, so every send is a 200.
"""

import re
import statistics
import urllib.parse
from string import Template

from wellbeing.db import sqlite3
from wellbeing.demo import DEMO_PEOPLE

from . import wrk
from .base import BenchError, gzip_size, kb, request, script, sign_in_as

P99_BUDGET_MS = 20.0


def measure(app, args, tmp) -> dict:
    """p99_ms and rps of the submit (medians of --rounds runs), card_gzip: the size of the
    before-session card."""
    from .supervision import CHECKIN_EMAIL, FACILITATOR_EMAIL

    password = next(p for _, email, p, _ in DEMO_PEOPLE if email == FACILITATOR_EMAIL)
    cookie = sign_in_as(app.port, CHECKIN_EMAIL, password)
    database = sqlite3.connect(tmp / "instance" / "wellbeing.db")
    (pair_id,) = database.execute(
        "select pair_id from pair_members join users on users.id = user_id where email = ?",
        [CHECKIN_EMAIL],
    ).fetchone()
    database.close()
    path = f"/pairs/{pair_id}/checkins"
    status, _, page = request(app.port, "GET", path, cookie=cookie)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode(
        {
            "more": "Checking in with me at the break",
            "less": "Nothing this week",
            "csrf_token": token,
        }
    )
    submit = tmp / "checkin.lua"
    submit.write_text(Template(script("checkin.lua")).substitute(body=body) + script("report.lua"))
    wrk.run(app.port, path, cookie, args, args.warmup, submit)  # not counted
    runs = [
        wrk.run(app.port, path, cookie, args, args.duration, submit) for _ in range(args.rounds)
    ]
    status, _, card = request(app.port, "GET", f"/pairs/{pair_id}/card", cookie=cookie)
    if status != 200:
        raise BenchError(f"the card gave {status}")
    return {
        "p99_ms": statistics.median(run["p99_ms"] for run in runs),
        "rps": statistics.median(run["rps"] for run in runs),
        "card_gzip": gzip_size(card),
    }


def budget(checkin, args) -> tuple[str, str, bool]:
    return (
        f"Check-in submit p99 ≤ {P99_BUDGET_MS:.0f} ms at {args.connections} connections"
        " (issue 13)",
        f"{checkin['p99_ms']:.1f} ms ({checkin['rps']:.0f} req/s);"
        f" the card {kb(checkin['card_gzip'])} gzip",
        checkin["p99_ms"] <= P99_BUDGET_MS,
    )


def line(checkin, rate=False) -> str:
    """The summary line; with the requests per second when the check-in runs alone."""
    text = (
        f"bench: checkin submit p99 {checkin['p99_ms']:.1f} ms,"
        f" card page {checkin['card_gzip'] / 1024:.1f} KB gzip"
    )
    if rate:
        text += f" ({checkin['rps']:.0f} req/s)"
    return text
