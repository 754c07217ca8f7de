"""docs/benchmarks.md and the bench's summary lines, from fixed results: nothing is measured.

bench/benchmarks.md.j2 is rendered from a fake but complete set of results, with figures chosen
so that each can be found; every section and every figure must appear, as `make bench` writes
them. The summary lines (`bench: ...`) are read by people and scripts alike: their wording is
checked word for word.
"""

import copy
from types import SimpleNamespace

import jinja2
import pytest

from bench import checkin, docs, home, room_fanout, rounds, training_day
from bench.__main__ import budgets, report

SETTINGS = {
    "server": "2 workers of 4 threads",
    "workers": 2,
    "threads": 4,
    "wrk_threads": 2,
    "connections": 32,
    "warmup": 2,
    "rounds": 3,
    "duration": 10,
    "quiet_wait": 30.0,
    "retries": 2,
    "no_docs": True,
}


def run(rps, p50, p99, max_us, cpu, others, steal=0.0, load=0.5):
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "max_us": max_us,
        "cpu_ms": cpu,
        "others": others,
        "steal": steal,
        "load": load,
    }


RUNS = {
    "hello": [
        run(7509.1, 4.2, 5.4, 9000, 0.18, 0.01),
        run(7789.8, 4.0, 5.2, 9500, 0.17, 0.01),
        run(7439.7, 4.3, 5.5, 9400, 0.19, 0.0),
    ],
    "home": [
        run(2291.7, 13.8, 17.1, 39400, 0.75, 0.0),
        run(2249.2, 14.1, 16.5, 21900, 0.77, 0.01),
        run(2258.3, 14.0, 16.9, 21100, 0.78, 0.0),
    ],
}

ROUND = {
    "participants": 200,
    "duration": 60,
    "accepted": 12345,
    "posts_per_s": 197.4,
    "p50_ms": 51.2,
    "p95_ms": 96.3,
    "max_ms": 116.4,
    "post_p95_ms": 2.4,
    "projector_polls": 630,
    "projector_304": 29,
    "phone_polls": 6001,
    "phone_304": 5999,
    "failed": 1,
    "unseen": 2,
    "mismatched": 3,
    "lost": 6,
    "cpu_ms": 0.86,
    "others": 0.03,
    "join_errors": 0,
    "join_retries": 1,
    "join_seconds": 1.2,
    "client_cpu_ms": 0.51,
    "cpus_needed": 0.62,
    "steal": 0.02,
    "load": 1.5,
    "status_polls": 60,
    "elapsed": 60.0,
    "pages": [],
}


def room(**changes):
    """A room of three rounds: the same round, its projector p95 at 96.3, then 80.1 and 130.4."""
    rounds = [dict(ROUND, **changes) for _ in range(3)]
    for each, p95 in zip(rounds, (96.3, 80.1, 130.4), strict=True):
        each["p95_ms"] = p95 + changes.get("p95_ms", 96.3) - 96.3
    return room_fanout.combine(rounds)


def burst(join_p95_ms, alone_p95_ms):
    return {
        "sent": 516,
        "errors": 0,
        "statuses": [200, 302, 410],
        "acknowledged": 502,
        "lost": 0,
        "join_errors": 0,
        "join_p95_ms": join_p95_ms,
        "all_p95_ms": 732.6,
        "seconds": 0.91,
        "server_cpu_ms": 3.41,
        "bench_cpu_ms": 0.72,
        "alone_errors": 0,
        "alone_p95_ms": alone_p95_ms,
        "steal": 0.01,
        "load": 2.0,
    }


def visit(page, items, sent):
    return {
        "page": page,
        "items": items,
        "page_total": sum(size for _, _, size, by_worker in items if not by_worker),
        "total": sum(size for _, _, size, _ in items),
        "sent": sent,
    }


def fake_results() -> dict:
    results = {
        "when": "2026-01-02 03:04 UTC",
        "machine": {
            "nproc": 2,
            "cpu": "Test CPU 9000",
            "kernel": "6.1.0-test",
            "python": "3.11.9",
            "granian": "2.8.9",
            "wrk": "wrk 4.2.0",
            "load": "0.11 0.22 0.33",
        },
        "settings": dict(SETTINGS),
        "home": {"runs": RUNS, "summary": home.summarise(RUNS)},
        "pages": [
            ("Sign in", "/signin", 200, 2560, 1229, b""),
            ("Home (facilitator)", "/", 200, 4403, 1843, b""),
            ("Huge (admin)", "/huge", 200, 81920, 15360, b""),
            ("A phone in the room (participant)", "/line/ABC123", 200, 3891, 1741, b""),
        ],
        "first_visits": [
            visit(
                "Sign in",
                [("Sign in (HTML)", 2560, 1229, False), ("`/static/app.css`", 21197, 5632, False)]
                + [("`/sw.js`", 4505, 1946, True)],
                30720,
            ),
            visit(
                "Huge (admin)",
                [("Huge (admin) (HTML)", 81920, 15360, False)]
                + [
                    ("`/static/exercises.js`", 38912, 11366, False),
                    ("`/offline`", 1843, 1024, True),
                ],
                53453,
            ),
        ],
        "caseload": rounds.wrk_rounds(
            [run(2200.4, 9.0, p99, 30000, 0.9, 0.01) for p99 in (20.2, 18.3, 31.7)]
        ),
        "checkin": dict(
            rounds.wrk_rounds(
                [run(713.2, 40.0, p99, 99000, 1.1, 0.0) for p99 in (96.1, 90.2, 120.5)]
            ),
            card_gzip=3379,
        ),
        "vault": {
            1: {
                "unlock": 64.2,
                "save": 1.34,
                "passkey": 21.5,
                "runs": {"unlock": [64.2, 72.1, 67.4], "save": [2.2, 1.4], "passkey": [21.5]},
            },
            4: {
                "unlock": 66.3,
                "save": 4.12,
                "passkey": 23.4,
                "runs": {"unlock": [131.2, 66.3], "save": [8.1, 6.2], "passkey": [23.4, 30.1]},
            },
        },
        "room": room(),
        "big_room": room(
            participants=1000,
            duration=30,
            p95_ms=118.2,
            lost=0,
            join_errors=4,
            accepted=30000,
            posts_per_s=1000.0,
        ),
        "training": {
            "burst": training_day.combine_bursts(
                [burst(*p95) for p95 in ((729.4, 412.3), (650.2, 388.0), (1210.8, 640.9))]
            ),
            "crash": {
                "writers": 200,
                "killed_after_s": 0.94,
                "lost": [],
                "acknowledged": 604,
                "integrity": "ok",
            },
            "cost": {
                "runs": {"NORMAL": [{}, {}, {}], "FULL": [{}, {}, {}]},
                "median": {
                    "NORMAL": {"per_s": 1821.3, "p95_ms": 118.4},
                    "FULL": {"per_s": 1279.2, "p95_ms": 161.3},
                },
                "throughput_ratio": 0.7024,
                "p95_ratio": 1.3623,
            },
        },
    }
    results = copy.deepcopy(results)
    results["budgets"] = budgets(results, SimpleNamespace(**SETTINGS))
    return results


HEADINGS = [
    "# Benchmarks",
    "## Budgets",
    "## Machine",
    "## Method",
    "## Throughput and latency",
    "## The vault in the browser",
    "## Training-day room fan-out",
    "## A training day's worst moments (`make run`, bench/training_day.py)",
    "## Page sizes",
    "### First visit: Sign in",
    "### First visit: Huge (admin)",
]

# Whole lines of the page, as `make bench` wrote them before docs/benchmarks.md had a template.
LINES = [
    "Measured on 2026-01-02 03:04 UTC by `make bench` (`bench/run.py`), which rewrites this page."
    " Run it",
    "| Every HTML page ≤ 14 KB gzip | largest 15.0 KB (Huge (admin)) | **FAIL** |",
    "| First visit ≤ about 60 KB gzip (a page and what it loads) | 26.1 KB (Huge (admin)); with"
    " the service worker's install 27.1 KB | pass |",
    "| Signed-in home ≥ 1/2 of hello's throughput, in the worst round (issue 26) | 0.30, worst"
    " 0.29 (median 2258 / 7509 req/s) | **FAIL** |",
    "| Home p99 ≤ 20 ms at 32 connections, in the worst round (issue 26) | 16.9 ms, worst 17.1 ms"
    " | pass |",
    "| Supervisor home p99 ≤ 20 ms with 50 supervisees and 52 weeks of check-ins, at 32"
    " connections, in the worst round (issue 26) | 20.2 ms, worst 31.7 ms (2200 req/s)"
    " | **FAIL** |",
    "| Vault unlock ≤ 1000 ms at 4x CPU slowdown | 66 ms (unthrottled 64 ms) | pass |",
    "| Vault save ≤ 20 ms for 5,000 characters at 4x CPU slowdown | 4.1 ms (unthrottled 1.3 ms)"
    " | pass |",
    "| A room of 200 phones: a moved dot on the projector within 50 ms (p95, worst round), no"
    " placement lost (issue 26) | p95 96 ms, worst 130 ms (p50 51 ms), lost 18 of 37035 accepted"
    " | **FAIL** |",
    "| A room of 1000 phones (issues 13, 26): projector p95 ≤ 100 ms in the worst round, 0 lost,"
    " 0 join errors, all joined within 10 s | p95 118 ms, worst 152 ms, lost 0 of 90000"
    " accepted, 12 join errors, joined in 1.2 s | **FAIL** |",
    "| Check-in submit p99 ≤ 20 ms at 32 connections, in the worst round (issues 13, 26) | 96.1"
    " ms, worst 120.5 ms (713 req/s); the card 3.3 KB gzip | **FAIL** |",
    "| A first visit as `make run` sends it ≤ 45 KB (issue 13) | 52.2 KB | **FAIL** |",
    "| 200 phones press Join at once: all in (docs/design.md), p95 ≤ 1000 ms in the worst round"
    " (issue 26) | 0 errors, p95 412 ms, worst 641 ms | pass |",
    "| The same 200 joins among the worst moment's 516 requests at once: no errors"
    " (docs/design.md, writing), p95 ≤ 1000 ms in the worst round | 0 errors, p95 729 ms, worst"
    " 1211 ms | **FAIL** |",
    "| A crash loses no acknowledged write | 0 of 604 lost | pass |",
    "- 2 CPUs (`nproc`), Test CPU 9000, Linux 6.1.0-test",
    "- Python 3.11.9, granian 2.8.9, wrk 4.2.0",
    "- Load average when the run started: 0.11 0.22 0.33",
    "| 1 | hello | 7509.1 | 4.2 ms | 5.4 ms | 9.0 ms | 0.18 ms | 1% |",
    "| 1 | home | 2291.7 | 13.8 ms | 17.1 ms | 39.4 ms | 0.75 ms | 0% |",
    "| 2 | hello | 7789.8 | 4.0 ms | 5.2 ms | 9.5 ms | 0.17 ms | 1% |",
    "| 2 | home | 2249.2 | 14.1 ms | 16.5 ms | 21.9 ms | 0.77 ms | 1% |",
    "| 3 | hello | 7439.7 | 4.3 ms | 5.5 ms | 9.4 ms | 0.19 ms | 0% |",
    "| 3 | home | 2258.3 | 14.0 ms | 16.9 ms | 21.1 ms | 0.78 ms | 0% |",
    "| median | hello | 7509.1 | | 5.4 ms | | 0.18 ms | |",
    "| median | home | 2258.3 | | 16.9 ms | | 0.77 ms | |",
    "| as it is | 64 ms | 22 ms | 1.3 ms | 64, 72, 67 ms | 22 ms | 2, 1 ms |",
    "| slowed 4x | 66 ms | 23 ms | 4.1 ms | 131, 66 ms | 23, 30 ms | 8, 6 ms |",
    "| Places accepted | 37,035 (197 a second) | 90,000 (1000 a second) |",
    "| Moved dot on the projector, p50 | 51 ms | 51 ms |",
    "| Moved dot on the projector, p95 (X) | 96 ms (worst 130 ms) | 118 ms (worst 152 ms) |",
    "| Moved dot on the projector, max | 116 ms | 116 ms |",
    "| A phone's POST answered, p95 | 2 ms | 2 ms |",
    "| Projector polls (answered 304) | 1,890 (87) | 1,890 (87) |",
    "| Phone polls (answered 304) | 18,003 (17,997) | 18,003 (17,997) |",
    "| Never accepted / never shown / not as last placed | 3 / 6 / 9 | 3 / 6 / 9 |",
    "| Lost placements (L) | 18 | 0 |",
    "| Join errors (joins sent again after a busy answer, as `static/room.js` does) | 0 (3)"
    " | 12 (3) |",
    "| Server CPU per request (all of the above) | 0.86 ms | 0.86 ms |",
    "| CPUs the room asked of the machine (server and phones) | 0.62 of 2 | 0.62 of 2 |",
    "| Other processes' share of the CPUs, worst round | 3% | 3% |",
    "| Figure | Median | Worst | Moved |",
    "| Home ÷ hello throughput | 0.30 | 0.29 | 5% |",
    "| Supervisor home p99 | 20.2 ms | 31.7 ms | 66% |",
    "| Projector p95, 1000 phones | 118 ms | 152 ms | 43% |",
    "| 200 joins at once, alone, p95 (`make run`) | 412 ms | 641 ms | 61% |",
    "| 200 joins among 516 requests at once, p95 (`make run`) | 729 ms | 1211 ms | 77% |",
    "| Supervisor home p99 | 3 | 31.7 ms | 1% | 0% | 0.50 |",
    "| Projector p95, 200 phones | 2 | 80 ms | 3% | 2% | 1.50 |",
    "| 200 joins at once, alone, p95 (`make run`) | 3 | 641 ms | not measured | 1% | 2.00 |",
    "| 200 joins among 516 requests at once, p95 (`make run`) | 3 | 1211 ms | not measured | 1%"
    " | 2.00 |",
    "| 516 requests released at once: 200 joins, 200 placements, 50 check-ins, 50 agreement saves,"
    " 10 accepts of one invitation, 6 uses of one reset link | 0 errors (≥ 500 or no answer);"
    " statuses [200, 302, 410]; 1506 acknowledged, 0 lost |",
    "| 200 phones press Join in a new room at the same moment, nothing else happening"
    " (docs/design.md's budget as written; before the burst, on the same server) | 0 not admitted;"
    " p95 412 ms, worst round 641 ms |",
    "| The 200 joins among them | 0 not admitted; p95 729 ms, worst round 1211 ms (all requests:"
    " p95 733 ms) |",
    "| What the moment cost (median of the rounds) | all answered in 910 ms; CPU per request: the"
    " server 3.41 ms, the bench's own 0.72 ms, on 2 CPUs |",
    "| `kill -9` of the process group while 200 phones join and place, then `make run` again |"
    " killed after 0.9 s (median); 0 of 604 acknowledged writes lost; integrity_check ok |",
    "What `synchronous = FULL` would cost placements (200 phones, 15 placements each, all at once;"
    " median of 3 interleaved rounds):",
    "| `NORMAL` (as shipped) | 1821 | 118 ms |",
    "| `FULL` | 1279 | 161 ms |",
    "| FULL / NORMAL | 0.70 | 1.36 |",
    "| Sign in | `/signin` | 200 | 2.5 KB | 1.2 KB | pass |",
    "| Home (facilitator) | `/` | 200 | 4.3 KB | 1.8 KB | pass |",
    "| Huge (admin) | `/huge` | 200 | 80.0 KB | 15.0 KB | **FAIL** |",
    "| A phone in the room (participant) | `/line/ABC123` | 200 | 3.8 KB | 1.7 KB | pass |",
    "| Sign in (HTML) | page | 2.5 KB | 1.2 KB |",
    "| `/static/app.css` | page | 20.7 KB | 5.5 KB |",
    "| `/sw.js` | service worker | 4.4 KB | 1.9 KB |",
    "| Huge (admin) (HTML) | page | 80.0 KB | 15.0 KB |",
    "| `/static/exercises.js` | page | 38.0 KB | 11.1 KB |",
    "| `/offline` | service worker | 1.8 KB | 1.0 KB |",
    "| The page and its assets | | | 6.7 KB |",
    "| **Total, with the service worker's install** | | | **8.6 KB** |",
    "| The page and its assets | | | 26.1 KB |",
    "| **Total, with the service worker's install** | | | **27.1 KB** |",
]

# Figures of the Method and room sections, whose lines are wrapped: found in the words.
WORDS = [
    "each as `make run` serves the app (`python -m wellbeing.serving`: granian, 2 workers of 4"
    " threads, no access log)",
    "The bench signs in as the demo facilitator (alex@demo.example)",
    "wrk, 2 threads and 32 connections, on the same machine: a 2 s warm-up of each, then 3"
    " interleaved rounds of 10 s each",
    "the bench waits (up to 30 s) for the CPUs to be idle",
    "took more than 10% of the CPUs is run again (up to 2 times)",
    "compressed with gzip level 6",
    "locks and unlocks it 5 times, and saves a shoulds inventory holding 5,000 characters 15 times",
    "once with the CPU slowed 4x",
    "a full caseload, 50 supervisees and 52 weeks of check-ins:",
    "a warm-up and then 3 runs of 10 s;",
    "reveals it; 200 simulated phones",
    "once a second for 60 s",
]


@pytest.fixture
def page():
    return docs.render(fake_results())


def test_every_section_appears_in_order(page):
    found = [page.splitlines().index(heading) for heading in HEADINGS]
    assert found == sorted(found)


def test_every_figure_appears(page):
    lines = page.splitlines()
    missing = [line for line in LINES if line not in lines]
    assert missing == []
    words = " ".join(page.split())
    assert [figure for figure in WORDS if figure not in words] == []


def test_the_page_is_markdown_as_make_bench_writes_it(page):
    assert page.startswith("# Benchmarks\n\nMeasured on ")
    assert page.endswith("| **Total, with the service worker's install** | | | **27.1 KB** |\n")
    assert "\n\n\n" not in page
    assert "{{" not in page and "{%" not in page
    method = page.split("## Method\n\n")[1].split("\n\n")[0].splitlines()
    assert len([line for line in method if line.startswith("- ")]) == 9
    assert max(len(line) for line in method) <= 100


def test_a_quiet_machine_is_not_mentioned_and_a_busy_one_is():
    assert "Other processes took up to" not in docs.render(fake_results())
    busy = fake_results()
    busy["home"]["runs"] = copy.deepcopy(RUNS)
    busy["home"]["runs"]["home"][1]["others"] = 0.27
    page = docs.render(busy)
    assert (
        "| A crash loses no acknowledged write | 0 of 604 lost | pass |\n"
        "\n"
        "Other processes took up to 27% of the CPUs during a run (see the\n"
        "throughput table), so throughput and latency here are worse than on a quiet machine.\n"
        "\n"
        "## Machine\n"
    ) in page


def test_a_missing_figure_is_an_error_not_a_blank():
    results = fake_results()
    del results["room"]["p95_ms"]
    # The template's StrictUndefined, or bench/docs.py's rounds table reading the results.
    with pytest.raises((jinja2.UndefinedError, KeyError)):
        docs.render(results)


def test_the_summary_lines_keep_their_words(capsys):
    report(fake_results(), SimpleNamespace(**SETTINGS))
    printed = capsys.readouterr().out.splitlines()
    assert [line for line in printed if line.startswith("bench: ")] == [
        "bench: vault unlock 66 ms at 4x CPU slowdown, save 4.1 ms for 5,000 characters",
        "bench: passkey unlock 23 ms at 4x CPU slowdown (sign-in assertion to the vault open,"
        " in the page)",
        "bench: room fan-out p95 96 ms (worst 130) with 200 participants, lost placements 18",
        "bench: room fan-out p95 118 ms (worst 152) with 1000 participants, lost placements 0,"
        " join errors 12",
        "bench: home/hello throughput ratio 0.30 (worst 0.29), home p99 16.9 ms",
        "bench: supervisor home p99 20.2 ms (worst 31.7) with 50 supervisees and 52 weeks of"
        " check-ins",
        "bench: checkin submit p99 96.1 ms (worst 120.5), card page 3.3 KB gzip",
        "bench: first visit 27.1 KB gzip with the service worker's install",
        "bench: first visit as make run sends it, 52.2 KB (Huge (admin))",
        "bench: 200 simultaneous joins, 0 errors, p95 412 ms (worst 641); crash with 200 writers,"
        " 0 of 604 acknowledged writes lost",
        "bench: 516 requests at once, 200 joins among them, 0 join errors, joins p95 729 ms"
        " (worst 1211)",
    ]
    assert "  FAIL  Every HTML page ≤ 14 KB gzip: largest 15.0 KB (Huge (admin))" in printed
    assert "  server CPU per request: hello 0.18 ms, home 0.77 ms" in printed
    assert checkin.line(fake_results()["checkin"], rate=True) == (
        "bench: checkin submit p99 96.1 ms (worst 120.5), card page 3.3 KB gzip (713 req/s)"
    )
