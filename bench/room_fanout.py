"""The training-day room under load: 200 phones moving once a second, one projector watching.

docs/design.md budget: "A training-day room of 200 phones shows a moved dot on the projector within
1 second (p95), and no placement is lost". `make bench` calls `run()`, which calls `measure()`
against the same server as its other figures (`make run`'s settings). Everything goes through the
real routes:

- The trainer (the demo facilitator) opens a room through the real form.
- Each simulated phone gets its own session cookie and form token from `/join`, joins with the
  room's code, and then, once a second for the run, POSTs a new place as the page's script does
  (`Accept: application/json`, a growing `seq`), retrying a failed send as the page does.
  Each phone also polls its own view every 2 s with its ETag, as the page does.
- The projector watches `/rooms/<id>/projector` live as static/room.js does: a request with the
  ETag of the picture shown (If-None-Match) and `?wait=`, which the server answers the moment the
  room changes, asked again at once; the trainer's phone polls its status every 1 s.

X, for each accepted POST: the time from its response (the place is committed) to the first
projector answer whose ETag shows the room at or after the version that POST returned. A
placement is lost if it was never accepted, if the projector never showed it, or if the places
left in the database at the end are not exactly the last accepted place of each phone.
"""

import random
import re
import resource
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from wellbeing.db import sqlite3

from . import wire
from .base import BenchError
from .cpu import Usage, cpus, wait_for_quiet
from .rounds import Machine, noise, spread

# The projector's live picture (static/room.js): each request waits until the room changes. A
# real projector asks for up to 25 s; the bench's for 2 s, so that it stops promptly at the end.
PROJECTOR_WAIT = 2.0
STATUS_EVERY = 1.0  # the trainer's status, hx-trigger="every 1s" (templates/line/room.html)
PHONE_EVERY = 2.0  # each phone's own view, hx-trigger="every 2s" (templates/line/place.html)
RETRIES = 10  # a failed send is sent again, as static/room.js does
RETRY_PAUSE = 0.5
JOIN_TRIES = 10
TOKEN = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One phone or laptop: its own cookie jar (just the session cookie), a fresh connection
    per request, as a phone that sleeps between polls opens one (bench/wire.py)."""

    def __init__(self, port, cookie=None):
        self.port, self.cookie = port, cookie

    def send(self, method, path, form=None, headers=None):
        raw = wire.request_bytes(self.port, method, path, self.cookie, form, headers)
        status, answer, payload = wire.exchange(self.port, raw, method)
        for header in answer.get_all("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name.strip() == "session":
                self.cookie = rest.split(";", 1)[0]
        return status, answer, payload


def form_token(body: bytes) -> str:
    found = TOKEN.search(body)
    if not found:
        raise RuntimeError("no csrf_token on the page")
    return found.group(1).decode()


def version_of(etag: str | None) -> int:
    """`"projector-<room>-<version>"` -> version."""
    return int(etag.strip('"').rsplit("-", 1)[1]) if etag else -1


def open_room(port, trainer_cookie):
    trainer = Browser(port, trainer_cookie)
    status, _, body = trainer.send("GET", "/rooms/")
    opened_with = re.search(rb'name="opened_with" type="hidden" value="([^"]+)"', body)
    form = {"csrf_token": form_token(body), "opened_with": opened_with.group(1).decode()}
    status, headers, _ = trainer.send("POST", "/rooms/", form)
    if status != 302:
        raise RuntimeError(f"opening a room gave {status}")
    room_path = headers["Location"]
    status, _, body = trainer.send("GET", room_path)
    code = re.search(rb"Training day room ([A-Z0-9]+)", body).group(1).decode()
    # Revealed from the start, so every projector answer draws every dot: the heaviest view.
    form = {"csrf_token": form_token(body), "action": "reveal"}
    status, _, _ = trainer.send("POST", f"{room_path}/control", form)
    if status != 302:
        raise RuntimeError(f"revealing gave {status}")
    return trainer, room_path, code


def pages(trainer, room_path, phone) -> list[tuple[str, str, int, bytes]]:
    """The room's pages as each person sees them: (name, path, status, body)."""
    found = []
    for name, browser, path in [
        ("Training day room (trainer)", trainer, room_path),
        ("Projector, 200 dots (trainer)", trainer, f"{room_path}/projector"),
        ("Room practices (trainer)", trainer, f"{room_path}/practices"),
        ("Room summary (trainer)", trainer, f"{room_path}/summary"),
        ("A phone in the room (participant)", phone.browser, phone.path),
    ]:
        status, _, body = browser.send("GET", path)
        found.append((name, path, status, body))
    return found


class Phone:
    def __init__(self, port, code):
        self.browser = Browser(port)
        _, _, body = self.browser.send("GET", f"/join?code={code}")
        self.token = form_token(body)
        # As static/room.js joins: a busy server's 503 (or 429, or no answer) is sent again
        # after its Retry-After, growing; anything else is the answer. Retries are counted.
        self.join_retries = 0
        for tries in range(JOIN_TRIES):
            try:
                status, headers, _ = self.browser.send(
                    "POST", "/join", {"code": code, "csrf_token": self.token}
                )
            except OSError:
                status, headers = 0, {}
            if status not in (0, 429, 503):
                break
            self.join_retries += 1
            asked = float(headers.get("Retry-After") or 1)
            time.sleep(min(8.0, asked * 1.5**tries * (0.5 + random.random())))
        if status != 302:
            raise RuntimeError(f"joining gave {status}")
        self.path = headers["Location"]
        status, headers, body = self.browser.send("GET", self.path)
        self.etag = headers.get("ETag")
        self.practice = re.search(rb'name="practice" value="(\d+)"', body).group(1).decode()
        self.position, self.seq = None, 0
        self.accepted = []  # (time the POST was answered, room version it returned)
        self.failed = 0
        self.last_accepted = None
        self.post_ms = []

    def move(self):
        choices = [p for p in range(0, 1001, 10) if p != self.position]
        self.position = random.choice(choices)
        self.seq += 1
        form = {
            "csrf_token": self.token,
            "practice": self.practice,
            "round": "1",
            "position": str(self.position),
            "seq": str(self.seq),
        }
        for _ in range(RETRIES):
            started = time.monotonic()
            try:
                status, _, body = self.browser.send(
                    "POST", f"{self.path}/placement", form, {"Accept": "application/json"}
                )
            except OSError:
                status, body = 0, b""
            answered = time.monotonic()
            if status == 200:
                version = int(re.search(rb'"version":\s*(\d+)', body).group(1))
                self.accepted.append((answered, version))
                self.post_ms.append((answered - started) * 1000)
                self.last_accepted = self.position
                return
            time.sleep(RETRY_PAUSE)
        self.failed += 1

    def poll(self):
        headers = {"HX-Request": "true", "If-None-Match": self.etag or ""}
        status, answer, _ = self.browser.send("GET", self.path, headers=headers)
        if status == 200:
            self.etag = answer.get("ETag")
        return status


def poller(browser, path, every, stop, seen=None, statuses=None):
    """Polls like htmx's `every`: a request each period, the last ETag as If-None-Match."""
    etag = None
    while not stop.is_set():
        started = time.monotonic()
        headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
        try:
            status, answer, _ = browser.send("GET", path, headers=headers)
        except OSError:
            status, answer = 0, {}
        if statuses is not None:
            statuses.append(status)
        if status == 200:
            etag = answer.get("ETag")
            if seen is not None:
                seen.append((time.monotonic(), version_of(etag)))
        stop.wait(max(0.0, every - (time.monotonic() - started)))


def projector_loop(browser, path, stop, seen, statuses):
    """The projector as static/room.js runs it: a request that waits for a change (`?wait=`)
    with the ETag of the picture shown, asked again the moment it is answered."""
    etag = None
    while not stop.is_set():
        headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
        try:
            status, answer, _ = browser.send(
                "GET", f"{path}?wait={PROJECTOR_WAIT}", headers=headers
            )
        except OSError:
            status, answer = 0, {}
        statuses.append(status)
        if status == 200:
            etag = answer.get("ETag")
            seen.append((time.monotonic(), version_of(etag)))
        elif status != 304:
            stop.wait(0.5)


def phone_loop(phone, duration, stop, phone_statuses):
    # Phones start at random moments within the first second, as people do.
    time.sleep(random.random())
    ends = time.monotonic() + duration
    next_move, next_poll = time.monotonic(), time.monotonic() + random.random() * PHONE_EVERY
    while time.monotonic() < ends and not stop.is_set():
        now = time.monotonic()
        if now >= next_poll:
            try:
                phone_statuses.append(phone.poll())
            except OSError:
                phone_statuses.append(0)
            next_poll += PHONE_EVERY
        if now >= next_move:
            phone.move()
            next_move += 1.0
        time.sleep(max(0.0, min(next_move, next_poll) - time.monotonic()))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


JOINING_AT_ONCE = 50  # phones joining at the same moment, as a room does when the code goes up


def join_all(port, code, participants) -> tuple[list, int, float]:
    """Every phone joins, many at once: (the phones that got in, join errors, seconds)."""

    def one_phone(_):
        try:
            return Phone(port, code)
        except (OSError, RuntimeError, AttributeError):
            return None

    started = time.monotonic()
    with ThreadPoolExecutor(JOINING_AT_ONCE) as pool:
        joined = list(pool.map(one_phone, range(participants)))
    phones = [phone for phone in joined if phone is not None]
    return phones, participants - len(phones), time.monotonic() - started


def measure(port, trainer_cookie, database, participants=200, duration=60) -> dict:
    trainer, room_path, code = open_room(port, trainer_cookie)
    phones, join_errors, join_seconds = join_all(port, code, participants)
    stop = threading.Event()
    seen, projector_statuses, status_statuses, phone_statuses = [], [], [], []
    projector = Browser(port, trainer_cookie)
    watchers = [
        threading.Thread(
            target=projector_loop,
            args=(projector, f"{room_path}/projector", stop, seen, projector_statuses),
        ),
        threading.Thread(
            target=poller,
            args=(trainer, room_path, STATUS_EVERY, stop),
            kwargs={"statuses": status_statuses},
        ),
    ]
    for watcher in watchers:
        watcher.start()
    started = time.monotonic()
    threads = [
        threading.Thread(target=phone_loop, args=(phone, duration, stop, phone_statuses))
        for phone in phones
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    time.sleep(2)  # the projector's last answers, for the last moves
    stop.set()
    for watcher in watchers:
        watcher.join()

    latencies, unseen = [], 0
    for phone in phones:
        for answered, version in phone.accepted:
            # The projector's answer can come before the phone's thread has read its own: the
            # commit wakes both. That place was shown at once (0 ms), not never; counting it
            # unseen, as the bench once did, made a last place of the run look lost.
            shown = next((t for t, v in seen if v >= version), None)
            if shown is None:
                unseen += 1
            else:
                latencies.append(max(0.0, shown - answered) * 1000)
    failed = sum(phone.failed for phone in phones)
    conn = sqlite3.connect(database)
    stored = sorted(
        position
        for (position,) in conn.execute(
            "select position from placements join participants"
            " on participants.id = placements.participant_id"
            " join rooms on rooms.id = participants.room_id where rooms.code = ?",
            [code],
        )
    )
    conn.close()
    expected = sorted(p.last_accepted for p in phones if p.last_accepted is not None)
    mismatched = sum(abs(stored.count(v) - expected.count(v)) for v in set(stored + expected))
    accepted = sum(len(phone.accepted) for phone in phones)
    post_ms = [ms for phone in phones for ms in phone.post_ms]
    return {
        "pages": pages(trainer, room_path, phones[0]),
        "participants": participants,
        "join_errors": join_errors,
        "join_retries": sum(phone.join_retries for phone in phones),
        "join_seconds": join_seconds,
        "duration": duration,
        "elapsed": elapsed,
        "accepted": accepted,
        "posts_per_s": accepted / elapsed,
        "failed": failed,
        "unseen": unseen,
        "mismatched": mismatched,
        "lost": failed + unseen + mismatched,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies, default=0.0),
        "post_p95_ms": percentile(post_ms, 0.95),
        "projector_polls": len(projector_statuses),
        "projector_304": projector_statuses.count(304),
        "phone_polls": len(phone_statuses),
        "phone_304": phone_statuses.count(304),
        "status_polls": len(status_statuses),
        "other_statuses": sorted(
            {s for s in projector_statuses + phone_statuses + status_statuses} - {200, 304}
        ),
    }


# --- as `make bench` runs it -----------------------------------------------------------------

# issue 26, in the worst round (docs/design.md asked for 1 s, issue 13 for 250 ms with 1,000)
ROOM_BUDGET_MS = 50.0
BIG_ROOM_BUDGET_MS = 100.0
BIG_ROOM_JOIN_SECONDS = 10


def one_round(app, servers, cookie, tmp, args, participants, duration, round_number) -> dict:
    """`measure()` on the bench's app server, after waiting for quiet CPUs like wrk's runs,
    with the server's CPU per request, the bench's own (its phones are threads of this process)
    and what else the machine did."""
    wait_for_quiet(args.quiet_wait, cpus())
    client = resource.getrusage(resource.RUSAGE_SELF)
    with Machine() as machine, Usage(app, servers) as usage:
        database = tmp / "instance" / "wellbeing.db"
        room = measure(app.port, cookie, database, participants, duration)
    after = resource.getrusage(resource.RUSAGE_SELF)
    room |= machine.record()
    room["others"] = usage.others
    requests = room["accepted"] + room["projector_polls"] + room["phone_polls"]
    requests += room["status_polls"]
    room["cpu_ms"] = usage.server_ms(requests)
    client_s = (after.ru_utime + after.ru_stime) - (client.ru_utime + client.ru_stime)
    room["client_cpu_ms"] = client_s / requests * 1000
    # The CPU the room asked of the machine each second, server and simulated phones together,
    # in CPUs: near the machine's CPUs, requests queue and the projector's latency soars.
    room["cpus_needed"] = (usage.served + client_s) / room["elapsed"]
    if room["other_statuses"]:
        raise BenchError(f"room polls answered {room['other_statuses']}")
    for name, path, status, _ in room["pages"]:
        if status != 200:
            raise BenchError(f"{name} ({path}) gave {status}")
    print(
        f"  round {round_number} room of {participants}: p95 {room['p95_ms']:.0f} ms,"
        f" {room['posts_per_s']:.0f} places/s of {participants} asked, lost {room['lost']},"
        f" join errors {room['join_errors']} ({room['join_retries']} joins sent again after a"
        f" busy answer), server CPU {room['cpu_ms']:.2f} ms/request,"
        f" {room['cpus_needed']:.2f} CPUs asked of {cpus()},"
        f" phones' CPU {room['client_cpu_ms']:.2f} ms/request ({noise(room)})",
        flush=True,
    )
    return room


SUMMED = ("accepted", "failed", "unseen", "mismatched", "lost", "join_errors", "join_retries")
SUMMED += ("projector_polls", "projector_304", "phone_polls", "phone_304", "status_polls")


def combine(rounds) -> dict:
    """The rounds as one figure: p95 the median of the rounds' p95 beside the worst; what can be
    counted (places accepted, lost, join errors, polls) summed over the rounds; the page sizes
    from the first round."""
    p95 = spread(room["p95_ms"] for room in rounds)
    first = rounds[0]
    room = {
        "rounds": rounds,
        "pages": first["pages"],
        "participants": first["participants"],
        "duration": first["duration"],
        "p95_ms": p95["median"],
        "p95_worst_ms": p95["worst"],
        "p95_moved": p95["moved"],
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "max_ms": max(r["max_ms"] for r in rounds),
        "post_p95_ms": max(r["post_p95_ms"] for r in rounds),
        "posts_per_s": statistics.median(r["posts_per_s"] for r in rounds),
        "join_seconds": max(r["join_seconds"] for r in rounds),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in rounds),
        "client_cpu_ms": statistics.median(r["client_cpu_ms"] for r in rounds),
        "cpus_needed": statistics.median(r["cpus_needed"] for r in rounds),
        "others": max(r["others"] for r in rounds),
    }
    room |= {name: sum(r[name] for r in rounds) for name in SUMMED}
    return room


def run(app, servers, cookie, tmp, args, participants=None, duration=None) -> dict:
    """--rounds rounds of one room, one after another (bench/__main__.py interleaves them)."""
    participants = participants or args.room_participants
    duration = duration or args.room_duration
    print(
        f"bench: training-day room, {participants} phones moving once a second for"
        f" {duration} s, a projector watching live",
        flush=True,
    )
    return combine(
        [
            one_round(app, servers, cookie, tmp, args, participants, duration, n + 1)
            for n in range(args.rounds)
        ]
    )


def budget(room) -> tuple[str, str, bool]:
    return (
        f"A room of {room['participants']} phones: a moved dot on the projector within"
        f" {ROOM_BUDGET_MS:.0f} ms (p95, worst round), no placement lost (issue 26)",
        f"p95 {room['p95_ms']:.0f} ms, worst {room['p95_worst_ms']:.0f} ms"
        f" (p50 {room['p50_ms']:.0f} ms), lost {room['lost']} of {room['accepted']} accepted",
        room["p95_worst_ms"] <= ROOM_BUDGET_MS and room["lost"] == 0,
    )


def big_budget(room) -> tuple[str, str, bool]:
    return (
        f"A room of {room['participants']} phones (issues 13, 26): projector p95"
        f" ≤ {BIG_ROOM_BUDGET_MS:.0f} ms in the worst round, 0 lost, 0 join errors, all joined"
        f" within {BIG_ROOM_JOIN_SECONDS} s",
        f"p95 {room['p95_ms']:.0f} ms, worst {room['p95_worst_ms']:.0f} ms, lost {room['lost']} of"
        f" {room['accepted']} accepted, {room['join_errors']} join errors,"
        f" joined in {room['join_seconds']:.1f} s",
        room["p95_worst_ms"] <= BIG_ROOM_BUDGET_MS
        and room["lost"] == 0
        and room["join_errors"] == 0
        and room["join_seconds"] <= BIG_ROOM_JOIN_SECONDS,
    )


def line(room) -> str:
    text = (
        f"bench: room fan-out p95 {room['p95_ms']:.0f} ms (worst {room['p95_worst_ms']:.0f})"
        f" with {room['participants']}"
        f" participants, lost placements {room['lost']}"
    )
    if room["participants"] > 200:
        text += f", join errors {room['join_errors']}"
    return text


def report(room) -> list[str]:
    """The room's details, then its summary line."""
    return [
        f"  room of {room['participants']}, {len(room['rounds'])} rounds:"
        f" {room['accepted']} places accepted ({room['posts_per_s']:.0f}/s),"
        f" POST p95 {room['post_p95_ms']:.0f} ms; projector p50 {room['p50_ms']:.0f} ms,"
        f" p95 {room['p95_ms']:.0f} ms, max {room['max_ms']:.0f} ms;"
        f" projector polls {room['projector_polls']} ({room['projector_304']} were 304),"
        f" phone polls {room['phone_polls']} ({room['phone_304']} were 304);"
        f" never accepted {room['failed']}, never shown {room['unseen']},"
        f" not as last placed {room['mismatched']}; server CPU {room['cpu_ms']:.2f} ms/request,"
        f" phones' CPU {room['client_cpu_ms']:.2f} ms/request;"
        f" joined in {room['join_seconds']:.1f} s at worst;"
        f" other processes {room['others']:.0%} of the CPUs",
        line(room),
    ]
