"""A facilitator's check-in submit (issue 13), sent again and again with wrk, and their card.

The submit is a POST as htmx sends it (bench/scripts/checkin.lua), at --connections.
bench/supervision.py seeds a pair whose partner never answers, so every send is a 200.
"""

import re
import urllib.parse
from string import Template

from wellbeing.db import sqlite3
from wellbeing.demo import DEMO_PEOPLE

from . import wrk
from .base import BenchError, gzip_size, kb, request, script, session_cookie, sign_in_as
from .cpu import Usage
from .rounds import Machine, noise, wrk_rounds

P99_BUDGET_MS = 20.0


def prepare(app, args, tmp) -> dict:
    """Signs in as the check-in bench's person, writes the wrk script and warms up: what each
    round needs ({"cookie", "path", "submit", "pair_id"})."""
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
    status, headers, page = request(app.port, "GET", path, cookie=cookie)
    # The page's form token lives in the session the page sets, as a browser keeps it.
    cookie = session_cookie(headers) or cookie
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
    wrk.warm_up(app.port, path, cookie, args, submit)
    return {"cookie": cookie, "path": path, "submit": submit, "pair_id": pair_id}


def one_round(app, servers, prepared, args, round_number) -> dict:
    with Machine() as machine, Usage(app, servers) as usage:
        run = wrk.run(
            app.port, prepared["path"], prepared["cookie"], args, args.duration, prepared["submit"]
        )
    run |= machine.record()
    run["others"] = usage.others
    print(
        f"  round {round_number} checkin submit {run['rps']:7.1f} req/s"
        f"  p99 {run['p99_ms']:5.1f} ms  ({noise(run)})",
        flush=True,
    )
    return run


def combine(app, prepared, runs) -> dict:
    """p99_ms (median of the rounds), p99_worst_ms, rps, and card_gzip: the size of the
    before-session card."""
    status, _, card = request(
        app.port, "GET", f"/pairs/{prepared['pair_id']}/card", cookie=prepared["cookie"]
    )
    if status != 200:
        raise BenchError(f"the card gave {status}")
    return wrk_rounds(runs) | {"card_gzip": gzip_size(card)}


def measure(app, servers, args, tmp) -> dict:
    """Prepared, then --rounds runs (bench/__main__.py interleaves them with the others)."""
    prepared = prepare(app, args, tmp)
    runs = [one_round(app, servers, prepared, args, n + 1) for n in range(args.rounds)]
    return combine(app, prepared, runs)


def budget(checkin, args) -> tuple[str, str, bool]:
    return (
        f"Check-in submit p99 ≤ {P99_BUDGET_MS:.0f} ms at {args.connections} connections,"
        " in the worst round (issues 13, 26)",
        f"{checkin['p99_ms']:.1f} ms, worst {checkin['p99_worst_ms']:.1f} ms"
        f" ({checkin['rps']:.0f} req/s); the card {kb(checkin['card_gzip'])} gzip",
        checkin["p99_worst_ms"] <= P99_BUDGET_MS,
    )


def line(checkin, rate=False) -> str:
    """The summary line; with the requests per second when the check-in runs alone."""
    text = (
        f"bench: checkin submit p99 {checkin['p99_ms']:.1f} ms"
        f" (worst {checkin['p99_worst_ms']:.1f}),"
        f" card page {checkin['card_gzip'] / 1024:.1f} KB gzip"
    )
    if rate:
        text += f" ({checkin['rps']:.0f} req/s)"
    return text
