"""docs/benchmarks.md, rendered from bench/benchmarks.md.j2 and the results of a run.

The results are one dict (bench/__main__.py builds it; tests/test_bench_docs.py fakes one):
when, machine, settings (the command line's options), budgets [(name, measured, ok)],
home {"runs", "summary"} (bench/home.py), pages (bench/pages.py's rows), first_visits,
vault, room (the room of --room-participants) and training (bench/training_day.py).
"""

import textwrap
from pathlib import Path

import jinja2

from .base import DEMO, GZIP_LEVEL, ROOT, kb
from .caseload import CASELOAD
from .cpu import QUIET
from .home import PAGES
from .pages import PAGE_BUDGET
from .vault import CPU_SLOWDOWN, SAVE_CHARACTERS, VAULT_RUNS

DOCS = ROOT / "docs" / "benchmarks.md"
TEMPLATE = "benchmarks.md.j2"


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def figure(value, spec: str) -> str:
    """`x|f(".1f")`: format(x, ".1f"). A figure missing from the results is an error."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError, naming the figure
    return format(value, spec)


def bullet(text: str) -> str:
    """One Markdown list item: its words, wrapped at 100 columns."""
    return textwrap.fill(" ".join(text.split()), 100, initial_indent="- ", subsequent_indent="  ")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, written for people reading the repository
    )
    env.filters.update(kb=kb, verdict=verdict, f=figure, bullet=lambda text: bullet(text) + "\n")
    return env


def figures(results: dict) -> list[dict]:
    """Each server figure round by round: {"name", "unit", "rounds": [(value, run)], "median",
    "worst", "moved"}, run holding what else the machine did (others, steal, load)."""
    home, training = results["home"], results["training"]
    ratio = home["summary"]["ratio_spread"]
    p99 = home["summary"]["home_p99_spread"]
    found = [
        (
            "Home ÷ hello throughput",
            "",
            ".2f",
            home["summary"]["ratios"],
            home["runs"]["home"],
            ratio,
        ),
        (
            "Home p99",
            " ms",
            ".1f",
            [r["p99_ms"] for r in home["runs"]["home"]],
            home["runs"]["home"],
            p99,
        ),
    ]
    for name, key in (("Supervisor home p99", "caseload"), ("Check-in submit p99", "checkin")):
        runs = results[key]["runs"]
        found.append(
            (
                name,
                " ms",
                ".1f",
                [r["p99_ms"] for r in runs],
                runs,
                {
                    "median": results[key]["p99_ms"],
                    "worst": results[key]["p99_worst_ms"],
                    "moved": results[key]["p99_moved"],
                },
            )
        )
    for key in ("room", "big_room"):
        room = results[key]
        found.append(
            (
                f"Projector p95, {room['participants']} phones",
                " ms",
                ".0f",
                [r["p95_ms"] for r in room["rounds"]],
                room["rounds"],
                {
                    "median": room["p95_ms"],
                    "worst": room["p95_worst_ms"],
                    "moved": room["p95_moved"],
                },
            )
        )
    if training:
        burst = training["burst"]
        found.append(
            (
                "200 joins at once, alone, p95 (`make run`)",
                " ms",
                ".0f",
                [b["alone_p95_ms"] for b in burst["rounds"]],
                burst["rounds"],
                {
                    "median": burst["alone_p95_ms"],
                    "worst": burst["alone_p95_worst_ms"],
                    "moved": burst["alone_p95_moved"],
                },
            )
        )
        found.append(
            (
                "200 joins among 516 requests at once, p95 (`make run`)",
                " ms",
                ".0f",
                [b["join_p95_ms"] for b in burst["rounds"]],
                burst["rounds"],
                {
                    "median": burst["join_p95_ms"],
                    "worst": burst["join_p95_worst_ms"],
                    "moved": burst["join_p95_moved"],
                },
            )
        )
    return [
        {
            "name": name,
            "rounds": [(format(v, spec) + unit, run) for v, run in zip(values, runs, strict=True)],
            "median": format(spread["median"], spec) + unit,
            "worst": format(spread["worst"], spec) + unit,
            "moved": spread["moved"],
        }
        for name, unit, spec, values, runs, spread in found
    ]


def render(results: dict) -> str:
    settings = results["settings"]
    runs = results["home"]["runs"]
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            results,
            server=settings["server"],
            noisiest=max(run["others"] for name in runs for run in runs[name]),
            quiet=QUIET,
            facilitator=DEMO["facilitator"][0],
            gzip_level=GZIP_LEVEL,
            vault_runs=VAULT_RUNS,
            save_characters=SAVE_CHARACTERS,
            cpu_slowdown=CPU_SLOWDOWN,
            caseload=CASELOAD,
            page_budget=PAGE_BUDGET,
            pages_loaded=PAGES,
            figures=figures(results),
        )
    )


def write(results: dict, path: Path | None = None) -> Path:
    path = path or DOCS
    path.parent.mkdir(exist_ok=True)
    path.write_text(render(results))
    return path
