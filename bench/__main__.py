"""`make bench`: the performance budgets of docs/design.md, measured on this machine.

1. Builds a throwaway instance (database, secrets) with the real migrations and demo organisation
   (bench/servers.py).
2. Serves the app and a bare Flask "hello" (bench/hello.py) as `make run` serves the app
   (wellbeing/serving.py), on free localhost ports.
3. Signs in through the real /signin form and measures the gzip-compressed size of every HTML
   page (bench/pages.py) and of a first visit (bench/first_visit.py).
4. Loads the signed-in home page and "hello" with wrk, interleaved, and compares their
   throughput and the home page's p99 latency (bench/home.py); then the supervisor's home
   (bench/caseload.py) and a check-in submit (bench/checkin.py).
5. Times the vault in headless Chromium (bench/vault.py).
6. Runs a training-day room of 200 simulated phones, and one of 1,000, against the same server
   (bench/room_fanout.py) and adds the room's pages to the page sizes.
7. Runs a training day's worst moments against `make run` itself (bench/training_day.py):
   200 phones pressing Join at once, then 516 people pressing buttons at once (200 of them
   joining a room), a `kill -9` while 200
   phones write, and what `synchronous = FULL` would cost placements.
8. Writes docs/benchmarks.md from bench/benchmarks.md.j2 (bench/docs.py) and prints a one-line
   summary last.

Run it as `python -m bench` or `python bench/run.py`; --checkin-only, --room-only and
--training-day-only run one measurement alone.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from wellbeing.settings import BY_NAME

from . import (
    caseload,
    checkin,
    docs,
    first_visit,
    home,
    pages,
    room_fanout,
    rounds,
    training_day,
    vault,
)
from .base import DEMO, ROOT, BenchError, check_signed_in_home, sign_in
from .servers import machine, prepare_instance, serving


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds of each server figure"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=BY_NAME["WORKERS"].default,
        help="worker processes of each server (as `make run`)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=BY_NAME["THREADS"].default,
        help="threads of each worker (as `make run`, wellbeing/serving.py)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30,
        help="seconds to wait, before each run, for other processes to leave the CPUs idle",
    )
    parser.add_argument(
        "--retries", type=int, default=2, help="runs again when other processes took the CPUs"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument(
        "--no-training",
        action="store_true",
        help="leave out the training day's worst moments (docs/benchmarks.md says so)",
    )
    parser.add_argument("--no-docs", action="store_true", help="don't rewrite docs/benchmarks.md")
    parser.add_argument("--room-participants", type=int, default=200)
    parser.add_argument(
        "--room-duration", type=int, default=30, help="seconds of room load, each round"
    )
    parser.add_argument("--big-room-participants", type=int, default=1000)
    parser.add_argument(
        "--big-room-duration",
        type=int,
        default=20,
        help="seconds of load for the big room, each round",
    )
    parser.add_argument(
        "--checkin-only", action="store_true", help="only the check-in submit (implies --no-docs)"
    )
    parser.add_argument(
        "--training-day-only",
        action="store_true",
        help="only the training day's worst moments (implies --no-docs)",
    )
    parser.add_argument(
        "--room-only",
        action="store_true",
        help="only the training-day room fan-out (implies --no-docs)",
    )
    parser.add_argument(
        "--first-visit-only",
        action="store_true",
        help="only the bytes of a first visit (implies --no-docs)",
    )
    args = parser.parse_args(argv)
    args.server = f"{args.workers} workers of {args.threads} threads"
    args.server_settings = {
        "WELLBEING_WORKERS": str(args.workers),
        "WELLBEING_THREADS": str(args.threads),
    }
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise BenchError("wrk is missing: apt-get install -y wrk (make bench does this)")
    results = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
    info = results["machine"]
    print(f"bench: {info['nproc']} CPUs, {info['cpu']}, load {info['load']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wellbeing-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.training_day_only:
            print(training_day.line(training_day.run(tmp, args.rounds)))
            return 0
        env = prepare_instance(tmp)
        with serving(env, tmp, args.server_settings) as servers:
            app = servers[0]
            cookies = {role: sign_in(app.port, role) for role in DEMO}
            check_signed_in_home(app.port, cookies["facilitator"])
            if args.checkin_only:
                print(checkin.line(checkin.measure(app, servers, args, tmp), rate=True))
                return 0
            if args.first_visit_only:
                _, visits = first_visits(app, cookies, env)
                print("\n".join(first_visit.report(visits) + first_visit.lines(visits)))
                return 0
            if args.room_only:
                room = room_fanout.run(app, servers, cookies["facilitator"], tmp, args)
                print("\n".join(room_fanout.report(room)))
                return 0
            results |= measure_served(servers, cookies, args, tmp, env)
        results["training"] = None if args.no_training else training_day.run(tmp, args.rounds)
    results["settings"] = vars(args)
    results["budgets"] = budgets(results, args)
    report(results, args)
    missed = not all(ok for _, _, ok in results["budgets"])
    return 1 if missed and args.strict else 0


def first_visits(app, cookies, env):
    """Every page's size, then what a new person downloads (the sign-in page) and the heaviest
    first visit."""
    rows = pages.measure(app.port, cookies, pages.routes(env))
    shell = first_visit.service_worker_shell(app.port)
    visits = [
        first_visit.measure(app.port, row, shell, cookies) for row in (rows[0], pages.largest(rows))
    ]
    return rows, visits


def measure_served(servers, cookies, args, tmp, env) -> dict:
    """Everything measured on the bench's own two servers. The server figures are taken in
    --rounds interleaved rounds (home and hello, the supervisor's home, the check-in, the room
    of 200, the room of 1,000; then again), so a disturbance of the machine lands in one round
    of each rather than in every round of one (bench/rounds.py)."""
    app, hello = servers
    print(f"bench: signed in as {DEMO['facilitator'][0]}; measuring page sizes", flush=True)
    rows, visits = first_visits(app, cookies, env)
    print(f"bench: vault in headless Chromium, CPU slowed {vault.CPU_SLOWDOWN}x", flush=True)
    unlocked = vault.measure(app.port)
    trainer = cookies["facilitator"]
    home.warm_up(app, hello, trainer, args)
    caseload.warm_up(app, cookies["supervisor"], args)
    prepared = checkin.prepare(app, args, tmp)
    runs = {"home": {}, "caseload": [], "checkin": [], "room": [], "big_room": []}
    sizes = {"room": args.room_participants, "big_room": args.big_room_participants}
    durations = {"room": args.room_duration, "big_room": args.big_room_duration}
    for number in range(1, args.rounds + 1):
        print(f"bench: round {number} of {args.rounds}", flush=True)
        home.one_round(app, hello, trainer, args, number, runs["home"])
        runs["caseload"].append(
            caseload.one_round(app, servers, cookies["supervisor"], args, number)
        )
        runs["checkin"].append(checkin.one_round(app, servers, prepared, args, number))
        for name in ("room", "big_room"):
            runs[name].append(
                room_fanout.one_round(
                    app, servers, trainer, tmp, args, sizes[name], durations[name], number
                )
            )
    room = room_fanout.combine(runs["room"])
    return {
        "pages": rows + pages.rows_of(room["pages"]),
        "first_visits": visits,
        "home": home.finish(app, trainer, runs["home"]),
        "caseload": rounds.wrk_rounds(runs["caseload"]),
        "checkin": checkin.combine(app, prepared, runs["checkin"]),
        "vault": unlocked,
        "room": room,
        "big_room": room_fanout.combine(runs["big_room"]),
    }


def budgets(results, args) -> list[tuple[str, str, bool]]:
    """(budget, what was measured, met) in the order of docs/benchmarks.md's table."""
    return [
        pages.budget(results["pages"]),
        first_visit.budget(results["first_visits"]),
        *home.budgets(results["home"], args),
        caseload.budget(results["caseload"], args),
        *vault.budgets(results["vault"]),
        room_fanout.budget(results["room"]),
        room_fanout.big_budget(results["big_room"]),
        checkin.budget(results["checkin"], args),
        first_visit.sent_budget(results["first_visits"]),
        *(training_day.budgets(results["training"]) if results["training"] else []),
    ]


def report(results, args):
    """The details, each budget, docs/benchmarks.md, then one summary line per measurement."""
    lines = pages.report(results["pages"]) + first_visit.report(results["first_visits"])
    lines.append(home.cpu_line(results["home"]))
    lines += [
        f"  {'pass' if ok else 'FAIL'}  {name}: {measured}"
        for name, measured, ok in results["budgets"]
    ]
    print("\n".join(lines))
    if not args.no_docs:
        written = docs.write(results)
        print(f"bench: wrote {written.relative_to(ROOT)}")
    print(vault.line(results["vault"]))
    print(vault.passkey_line(results["vault"]))
    print("\n".join(room_fanout.report(results["room"]) + room_fanout.report(results["big_room"])))
    print(home.line(results["home"]))
    print(caseload.line(results["caseload"]))
    print(checkin.line(results["checkin"]))
    print("\n".join(first_visit.lines(results["first_visits"])))
    if results["training"]:
        print(training_day.line(results["training"]))


def cli():
    try:
        sys.exit(main())
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"bench: failed: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    cli()
