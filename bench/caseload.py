"""The supervisor's home (issue 5) with the full caseload bench/supervision.py seeds, under wrk."""

from . import wrk
from .cpu import Usage
from .rounds import Machine, noise, wrk_rounds

CASELOAD = "50 supervisees and 52 weeks of check-ins"
PATH = "/supervision/"
P99_BUDGET_MS = 20.0  # issue 26, in the worst round


def warm_up(app, cookie, args):
    wrk.warm_up(app.port, PATH, cookie, args)


def one_round(app, servers, cookie, args, round_number) -> dict:
    """One run with the same wrk settings as the home page, and what else the machine did."""
    with Machine() as machine, Usage(app, servers) as usage:
        run = wrk.run(app.port, PATH, cookie, args, args.duration)
    run |= machine.record()
    run["others"] = usage.others
    print(
        f"  round {round_number} supervisor home {run['rps']:7.1f} req/s"
        f"  p99 {run['p99_ms']:5.1f} ms  ({noise(run)})",
        flush=True,
    )
    return run


def measure(app, servers, cookie, args) -> dict:
    """A warm-up and then --rounds runs (bench/__main__.py interleaves them with the others)."""
    warm_up(app, cookie, args)
    return wrk_rounds([one_round(app, servers, cookie, args, n + 1) for n in range(args.rounds)])


def budget(caseload, args) -> tuple[str, str, bool]:
    return (
        f"Supervisor home p99 ≤ {P99_BUDGET_MS:.0f} ms with {CASELOAD}, at"
        f" {args.connections} connections, in the worst round (issue 26)",
        f"{caseload['p99_ms']:.1f} ms, worst {caseload['p99_worst_ms']:.1f} ms"
        f" ({caseload['rps']:.0f} req/s)",
        caseload["p99_worst_ms"] <= P99_BUDGET_MS,
    )


def line(caseload) -> str:
    return (
        f"bench: supervisor home p99 {caseload['p99_ms']:.1f} ms"
        f" (worst {caseload['p99_worst_ms']:.1f}) with {CASELOAD}"
    )
