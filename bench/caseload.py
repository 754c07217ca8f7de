"""The supervisor's home (issue 5) with the full caseload bench/supervision.py seeds, under wrk."""

import statistics

from . import wrk
from .home import P99_BUDGET_MS

CASELOAD = "50 supervisees and 52 weeks of check-ins"
PATH = "/supervision/"


def measure(app, cookie, args) -> dict:
    """The median of --rounds runs, after a warm-up, with the same wrk settings as the home
    page."""
    wrk.run(app.port, PATH, cookie, args, args.warmup)  # not counted
    runs = [wrk.run(app.port, PATH, cookie, args, args.duration) for _ in range(args.rounds)]
    for run in runs:
        print(f"  supervisor home {run['rps']:7.1f} req/s  p99 {run['p99_ms']:5.1f} ms", flush=True)
    return {
        "p99_ms": statistics.median(run["p99_ms"] for run in runs),
        "rps": statistics.median(run["rps"] for run in runs),
    }


def budget(caseload, args) -> tuple[str, str, bool]:
    return (
        f"Supervisor home p99 ≤ {P99_BUDGET_MS:.0f} ms with {CASELOAD}, at"
        f" {args.connections} connections",
        f"{caseload['p99_ms']:.1f} ms ({caseload['rps']:.0f} req/s)",
        caseload["p99_ms"] <= P99_BUDGET_MS,
    )


def line(caseload) -> str:
    return f"bench: supervisor home p99 {caseload['p99_ms']:.1f} ms with {CASELOAD}"
