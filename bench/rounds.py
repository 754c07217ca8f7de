"""Rounds: every server figure is measured in --rounds interleaved rounds (bench/__main__.py).

A figure from one run can't guide anyone on a shared machine: the 1,000-phone room's projector
p95 once moved from 118 ms to 925 ms between two runs with no change on its path
(docs/benchmarks.md, "Why a figure moves"). So each figure is taken once per round, the rounds
interleaved with the other figures', and reported as the median beside the worst, with what
else the machine was doing during each round: other processes' share of the CPUs, the time the
hypervisor gave to other machines (steal), and the load average.
"""

import os
import statistics
import time
from pathlib import Path

from .cpu import TICK, cpus


def steal_seconds() -> float:
    """CPU time the hypervisor gave to other virtual machines since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return int(fields[7]) / TICK if len(fields) > 7 else 0.0


class Machine:
    """`with Machine() as machine: ...`, then machine.load() -> {"load", "steal"}: the load
    average when the block began and the share of the CPUs stolen by the hypervisor while it
    ran. Other processes' share comes from bench/cpu.py's Usage."""

    def __enter__(self):
        self.load = os.getloadavg()[0]
        self.steal, self.started = steal_seconds(), time.monotonic()
        return self

    def __exit__(self, *exc):
        elapsed = max(1e-6, time.monotonic() - self.started)
        self.stolen = max(0.0, (steal_seconds() - self.steal) / (elapsed * cpus()))

    def record(self) -> dict:
        return {"load": self.load, "steal": self.stolen}


def spread(values, higher_is_worse: bool = True) -> dict:
    """{"median", "worst", "best", "moved"}: moved is (worst - best) / median, how far the
    figure moved between rounds."""
    values = list(values)
    median = statistics.median(values)
    worst, best = (max(values), min(values)) if higher_is_worse else (min(values), max(values))
    moved = abs(worst - best) / median if median else 0.0
    return {"median": median, "worst": worst, "best": best, "moved": moved}


def wrk_rounds(runs) -> dict:
    """The rounds of one wrk figure (supervisor home, check-in submit): the median and the worst
    round's p99, how far it moved, and the median throughput."""
    p99 = spread(run["p99_ms"] for run in runs)
    return {
        "runs": runs,
        "p99_ms": p99["median"],
        "p99_worst_ms": p99["worst"],
        "p99_moved": p99["moved"],
        "rps": statistics.median(run["rps"] for run in runs),
    }


def noise(run: dict) -> str:
    """What else the machine did during a run, as the bench prints it."""
    return (
        f"other processes {run['others']:.0%} of the CPUs, steal {run['steal']:.0%},"
        f" load {run['load']:.1f}"
    )
