"""Fixtures: a real SQLite file built by the real migrations, and people in two organisations.

The populated database is built once per run and copied for each test, because hashing
passwords with Argon2id is deliberately slow.
"""

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil

import pytest
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

from wellbeing import create_app
from wellbeing.atrest import seal
from wellbeing.clock import now
from wellbeing.db import get_db, migrate
from wellbeing.keys import new_key_entry

# Who is who in the tests. Passwords are long enough for the password rules.
PEOPLE = {
    "admin": ("Ada Admin", "admin@one.example", ["admin"]),
    "supervisor": ("Sol Supervisor", "supervisor@one.example", ["supervisor"]),
    "facilitator": ("Fran Facilitator", "fran@one.example", ["facilitator"]),
    "coworker": ("Cole Coworker", "cole@one.example", ["facilitator"]),
    # A third facilitator of Organisation One, in no pair: pair pages must not exist for her.
    "bystander": ("Bea Bystander", "bea@one.example", ["facilitator"]),
    # A second supervisor of Organisation One, who supervises nobody: no pair is theirs to see.
    "other_supervisor": ("Sid Supervisor", "sid@one.example", ["supervisor"]),
    "outsider": ("Otto Outsider", "otto@two.example", ["admin", "facilitator", "supervisor"]),
}
# People who join Organisation One through the real invitation flow when it is prepared
# (organisation_one.prepare), not made directly: issue 22's women's support worker.
INVITED = {
    "womens_worker": ("Wren Support", "wren@one.example", ["womens_support"]),
}
PASSWORD = "correct horse battery"
PAIR_NAME = "Thursday morning group"
KEYS = {"current": "k1", "keys": {"k1": new_key_entry()}}
# Every write a request makes outside `db.writing()` lands here (wellbeing/db.py, watch_writes).
WRITES_OUTSIDE_WRITING = []


def compile_each_route_once():
    """Every test builds its own app, and building one compiles each of its 190 routes: werkzeug
    parses the route's pattern into a matcher's parts, then writes Python source for its URL
    builder and compiles that. It was most of `create_app`, and `create_app` most of a short
    test's time (27 of 37 ms for an access-rule test). What a route compiles to depends only on
    its pattern, its defaults and the map's converters, and a rule reads it without changing
    it, so the first app's is kept and handed to the same route of every later app, and each
    builder is bound to its new rule. The apps are the same as without it."""
    compile_rule, compile_builder = Rule.compile, Rule._compile_builder
    parsed, builders = {}, {}

    def builder(rule, append_unknown=True):
        key = (tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    def compile_once(rule):
        key = (
            rule.rule, rule.subdomain, rule.host, rule.merge_slashes, rule.map.host_matching,
            tuple(sorted(rule.map.converters.items())),
        )  # fmt: skip
        if key not in parsed:
            compile_rule(rule)
            parsed[key] = (rule._parts, rule._trace, rule._converters)
            return
        rule._parts, rule._trace, rule._converters = parsed[key]
        rule._build = rule._compile_builder(False).__get__(rule, None)
        rule._build_unknown = rule._compile_builder(True).__get__(rule, None)

    Rule.compile, Rule._compile_builder = compile_once, builder


compile_each_route_once()


class CompiledTemplates(BytecodeCache):
    """Every test's app has its own Jinja environment, which compiled each template it rendered
    again: after the URL builders, compiling templates was most of a short test's time (19 of 35
    seconds for 151 access-rule tests). Jinja's own bytecode cache keeps each template's compiled
    code for the next app, keyed by the template's name and a checksum of its source, so an
    edited template is compiled afresh. A server's app compiles each template once anyway."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def make_app(database):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(database),
            "SECRET_KEY": "test-secret-key",
            "ATREST_KEYS": KEYS,
            "SERVER_NAME": None,
            "WRITES_OUTSIDE_WRITING": WRITES_OUTSIDE_WRITING,
            # Real Argon2id at its lowest cost: a sign-in took 0.1-0.4 s of CPU at the strong
            # defaults, and the suite signs people in hundreds of times. The strong defaults
            # are what a server uses, and test_security checks that a sign-in upgrades to them.
            "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        }
    )
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


# The longest tests first, in every worker's share. `make test` runs pytest-xdist with
# `--dist worksteal`: each worker gets one stretch of this list, and a worker with nothing left
# takes half of what another has not started. So the list is dealt like cards: the longest
# tests round the workers first, each worker's stretch starts with its part of them, and the
# short ones fill the gaps at the end. Each entry is the start of a test's id, longest first
# by what a whole run took (`--durations`).
LONGEST_FIRST = (
    "tests/browser/test_journeys.py::test_no_page_as_any_demo_user",
    "tests/test_training_day.py",
    "tests/browser/test_every_page.py",
    "tests/browser/test_offline.py",
    "tests/browser/test_room.py",
    "tests/test_deploy.py",
    "tests/browser/",
    "tests/test_fuzz.py",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        found = (n for n, start in enumerate(LONGEST_FIRST) if item.nodeid.startswith(start))
        return next(found, len(LONGEST_FIRST))

    items.sort(key=rank)
    # Every worker collects, and each must come to the same list: the count is the same in all.
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = [item for share in range(workers) for item in items[share::workers]]


@pytest.fixture(autouse=True)
def every_write_goes_through_writing():
    """docs/design.md "Writing to the database": every write transaction starts with BEGIN
    IMMEDIATE, through `db.writing()`. Any test whose requests write outside it fails here."""
    WRITES_OUTSIDE_WRITING.clear()
    yield
    found = list(dict.fromkeys(WRITES_OUTSIDE_WRITING))
    WRITES_OUTSIDE_WRITING.clear()
    assert not found, "writes outside db.writing():\n" + "\n".join(found[:10])


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    from wellbeing import people

    path = tmp_path_factory.mktemp("template") / "wellbeing.db"
    app = make_app(path)
    with app.app_context():
        db = get_db()
        migrate(db)
        one = people.create_organisation("Organisation One")
        two = people.create_organisation("Organisation Two")
        ids = {}
        for key, (name, email, roles) in PEOPLE.items():
            org = two if key == "outsider" else one
            ids[key] = people.create_person(org, email, name, PASSWORD, roles)
        pair = (
            db["pairs"]
            .insert(
                {"org_id": one, "name_sealed": seal(PAIR_NAME, "pairs.name"), "created_at": now()}
            )
            .last_pk
        )
        for key in ("facilitator", "coworker"):
            db["pair_members"].insert({"pair_id": pair, "user_id": ids[key]})
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def app(template_db, tmp_path):
    database = tmp_path / "wellbeing.db"
    shutil.copy(template_db, database)
    return make_app(database)


@pytest.fixture
def client(app):
    return app.test_client()


@contextlib.contextmanager
def no_hashing(app):
    """Argon2 parameters no machine can hash with (a 2 TiB memory cost fails at once): a request
    answered while they are set hashed no password."""
    before = app.config["ARGON2_PARAMETERS"]
    app.config["ARGON2_PARAMETERS"] = {"time_cost": 1, "memory_cost": 2**31, "parallelism": 1}
    try:
        yield
    finally:
        app.config["ARGON2_PARAMETERS"] = before


def csrf_token(client, path="/signin"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def roles_of(who: str) -> list[str]:
    return (PEOPLE.get(who) or INVITED[who])[2]


def sign_in(client, who):
    """Sign in through the real form, as one of PEOPLE (or INVITED, once they have joined)."""
    email = (PEOPLE.get(who) or INVITED[who])[1]
    token = csrf_token(client)
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def as_person(app):
    """as_person("admin") gives a test client signed in as that person."""

    def make(who):
        return sign_in(app.test_client(), who)

    return make


# The `one` fixture: Organisation One with every persona already signed in.
def inline_scripts(page: str) -> list[tuple[str, str]]:
    """(attributes, text) of every <script> without a src."""
    return re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, re.DOTALL)


def import_map_hash(page: str) -> str:
    """The CSP source for the page's one inline script, which must be its import map."""
    inline = inline_scripts(page)
    assert [attributes for attributes, _ in inline] == [' type="importmap"']
    digest = base64.b64encode(hashlib.sha256(inline[0][1].encode()).digest()).decode()
    return f"'sha256-{digest}'"


def imports_on(page: str) -> dict[str, str]:
    """The page's import map: each module name and its URL."""
    [(_, text)] = [(a, t) for a, t in inline_scripts(page) if a == ' type="importmap"']
    return json.loads(text)["imports"]


from organisation_one import fresh_one, one, shared_one  # noqa: E402,F401
