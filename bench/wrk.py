"""One wrk run and its report (bench/scripts/report.lua prints it as one JSON line)."""

import json
import subprocess

from .base import HOST, SCRIPTS, USER_AGENT, BenchError

REPORT = SCRIPTS / "report.lua"


# wrk's own default is 2 s: on a busy shared machine a slow answer is a figure, not a failure.
TIMEOUT_S = 10


def warm_up(port, path, cookie, args, script=REPORT):
    """A --warmup run, not counted: a slow or failed answer here is no figure and no failure."""
    try:
        run(port, path, cookie, args, args.warmup, script)
    except BenchError as error:
        print(f"  warm-up of {path} was not clean: {str(error).splitlines()[0]}", flush=True)


def run(port, path, cookie, args, duration, script=REPORT) -> dict:
    """wrk with --wrk-threads and --connections for `duration` seconds: requests, latencies
    (p50_ms, p99_ms, max_us), rps. Any response but a 200, a connect error or a timeout is a
    BenchError."""
    command = [
        "wrk",
        f"--threads={args.wrk_threads}",
        f"--connections={args.connections}",
        f"--duration={duration}s",
        f"--timeout={TIMEOUT_S}s",
        "--latency",
        f"--script={script}",
        "--header",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["--header", f"Cookie: session={cookie}"]
    command.append(f"http://{HOST}:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise BenchError(f"wrk printed no summary:\n{output}")
    result = json.loads(line.removeprefix("BENCH "))
    if "Non-2xx or 3xx responses" in output or result["not_200"] or result["status_errors"]:
        raise BenchError(f"wrk saw responses other than 200 on {path}:\n{output}")
    if result["timeout"] or result["connect"]:
        raise BenchError(f"wrk saw connect errors or timeouts on {path}:\n{output}")
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"] = result["p50_us"] / 1000
    result["p99_ms"] = result["p99_us"] / 1000
    return result
