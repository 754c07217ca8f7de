"""CPU taken by the servers measured, and by other processes sharing the machine (from /proc)."""

import os
import resource
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
QUIET = 0.10  # share of the CPUs other processes may use without a warning


def cpus() -> int:
    return len(os.sched_getaffinity(0))


def busy_seconds() -> float:
    """CPU time every process on the machine has used since boot (idle and iowait aside)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def stat_fields(path: Path) -> list[str] | None:
    """The fields of a /proc/<pid>/stat after the process's name; None if it is gone."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def process_seconds(pid: int) -> float:
    fields = stat_fields(Path(f"/proc/{pid}/stat"))
    return cpu_seconds(fields) if fields else 0.0


def group_seconds(group: int) -> float:
    """CPU used by every process in a process group (`make run`: make, the server, its workers)."""
    found = (
        stat_fields(entry / "stat") for entry in Path("/proc").iterdir() if entry.name.isdigit()
    )
    return sum(cpu_seconds(fields) for fields in found if fields and int(fields[2]) == group)


def server_seconds(server) -> float:
    """CPU used by a server's main process and its workers."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children")
    workers = children.read_text().split() if children.exists() else []
    return sum(process_seconds(p) for p in [pid, *map(int, workers)])


def our_seconds(servers) -> float:
    """CPU used by the bench: its servers and their workers, wrk, and this process."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(map(server_seconds, servers)) + sum(u.ru_utime + u.ru_stime for u in usage)


def wait_for_quiet(limit: float, cpus: int) -> float:
    """Wait up to `limit` seconds for a second in which the CPUs are nearly idle."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = busy_seconds()
        time.sleep(1)
        if (busy_seconds() - before) / cpus < QUIET:
            break
    return time.monotonic() - started


class Usage:
    """What a measured run cost: `with Usage(server, servers) as usage: ...`, then
    `usage.others` (other processes' share of the CPUs while it ran) and `usage.server_ms(n)`
    (the server's CPU per request, for n requests)."""

    def __init__(self, server, servers):
        self.server, self.servers, self.cpus = server, servers, cpus()

    def __enter__(self):
        self.busy, self.ours = busy_seconds(), our_seconds(self.servers)
        self.served = server_seconds(self.server)
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.started
        others = (busy_seconds() - self.busy) - (our_seconds(self.servers) - self.ours)
        self.others = max(0.0, others / (elapsed * self.cpus))
        self.served = server_seconds(self.server) - self.served

    def server_ms(self, requests: int) -> float:
        return self.served / requests * 1000
