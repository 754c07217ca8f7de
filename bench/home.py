"""The signed-in home page against a bare Flask "hello" (bench/hello.py), under wrk.

Budgets (issue 26): the signed-in home serves at least 1/2 of hello's requests per second, with a
p99 within 20 ms, in the worst of the rounds. Both run interleaved, round by round, after a
warm-up, on a machine whose other processes are watched: a run they disturbed is run again.
"""

import statistics

from . import wrk
from .base import check_signed_in_home
from .cpu import QUIET, Usage, cpus, wait_for_quiet
from .rounds import Machine, noise, spread

# docs/design.md asked for 1/3 and 50 ms; issue 26 asks for 1/2 and 20 ms, in the worst round.
RATIO_BUDGET = 1 / 2
P99_BUDGET_MS = 20.0
PAGES = ("hello", "home")


def warm_up(app, hello, cookie, args):
    """A --warmup run of each, not counted."""
    print(
        f"bench: loading hello and home, {args.rounds} rounds of {args.duration} s,"
        f" {args.connections} connections, granian, {args.server}",
        flush=True,
    )
    for server, target_cookie in ((hello, None), (app, cookie)):
        wrk.warm_up(server.port, "/", target_cookie, args)


def one_round(app, hello, cookie, args, round_number, runs):
    """hello, then home, appended to runs["hello"] and runs["home"]. A run disturbed by other
    processes is run again (up to --retries times), keeping the least disturbed one."""
    targets = {"hello": (hello, None), "home": (app, cookie)}
    for name, (server, target_cookie) in targets.items():
        attempts = []
        for attempt in range(args.retries + 1):
            result = one_run(server, [app, hello], target_cookie, args)
            noisy = result["others"] > QUIET
            print(
                f"  round {round_number} {name:<5} {result['rps']:7.1f} req/s"
                f"  p50 {result['p50_ms']:5.1f} ms  p99 {result['p99_ms']:5.1f} ms"
                f"  server CPU {result['cpu_ms']:.2f} ms/request"
                f"  ({noise(result)}{', again' if noisy and attempt < args.retries else ''})",
                flush=True,
            )
            attempts.append(result)
            if not noisy:
                break
        runs.setdefault(name, []).append(min(attempts, key=lambda run: run["others"]))


def finish(app, cookie, runs) -> dict:
    """{"runs": each page's kept runs, "summary": their medians and worst}."""
    check_signed_in_home(app.port, cookie)  # still signed in: no run measured a redirect
    return {"runs": runs, "summary": summarise(runs)}


def measure(app, hello, cookie, args) -> dict:
    """Warm-up, then --rounds interleaved rounds: hello, home, hello, home, …"""
    warm_up(app, hello, cookie, args)
    runs = {"hello": [], "home": []}
    for round_number in range(1, args.rounds + 1):
        one_round(app, hello, cookie, args, round_number, runs)
    return finish(app, cookie, runs)


def one_run(server, servers, cookie, args) -> dict:
    """One wrk run, with the server's CPU per request and the CPU other processes took."""
    waited = wait_for_quiet(args.quiet_wait, cpus())
    with Machine() as machine, Usage(server, servers) as usage:
        result = wrk.run(server.port, "/", cookie, args, args.duration)
    result |= machine.record()
    result["others"] = usage.others
    result["waited"] = waited
    result["cpu_ms"] = usage.server_ms(result["requests"])
    return result


def summarise(runs) -> dict:
    """hello_rps, hello_p99, hello_cpu, home_rps, …: the medians of the rounds; home_p99_worst;
    ratios (each round's home req/s over the same round's hello req/s) and their spread."""
    summary = {}
    for name in PAGES:
        summary[name + "_rps"] = statistics.median(run["rps"] for run in runs[name])
        summary[name + "_p99"] = statistics.median(run["p99_ms"] for run in runs[name])
        summary[name + "_cpu"] = statistics.median(run["cpu_ms"] for run in runs[name])
    summary["home_p99_spread"] = spread(run["p99_ms"] for run in runs["home"])
    summary["ratios"] = [
        home["rps"] / hello["rps"] for hello, home in zip(runs["hello"], runs["home"], strict=True)
    ]
    summary["ratio_spread"] = spread(summary["ratios"], higher_is_worse=False)
    return summary


def ratio(home) -> float:
    """The median of the rounds' ratios."""
    return home["summary"]["ratio_spread"]["median"]


def worst_ratio(home) -> float:
    return home["summary"]["ratio_spread"]["worst"]


def budgets(home, args) -> list[tuple[str, str, bool]]:
    summary = home["summary"]
    return [
        (
            "Signed-in home ≥ 1/2 of hello's throughput, in the worst round (issue 26)",
            f"{ratio(home):.2f}, worst {worst_ratio(home):.2f} (median {summary['home_rps']:.0f}"
            f" / {summary['hello_rps']:.0f} req/s)",
            worst_ratio(home) >= RATIO_BUDGET,
        ),
        (
            f"Home p99 ≤ {P99_BUDGET_MS:.0f} ms at {args.connections} connections,"
            " in the worst round (issue 26)",
            f"{summary['home_p99']:.1f} ms, worst {summary['home_p99_spread']['worst']:.1f} ms",
            summary["home_p99_spread"]["worst"] <= P99_BUDGET_MS,
        ),
    ]


def cpu_line(home) -> str:
    summary = home["summary"]
    return (
        f"  server CPU per request: hello {summary['hello_cpu']:.2f} ms,"
        f" home {summary['home_cpu']:.2f} ms"
    )


def line(home) -> str:
    return (
        f"bench: home/hello throughput ratio {ratio(home):.2f} (worst {worst_ratio(home):.2f}),"
        f" home p99 {home['summary']['home_p99']:.1f} ms"
    )
