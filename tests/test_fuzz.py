"""Whatever an admin types or edits into a URL, the app answers without crashing.

Every route in `app.url_map` gets random form fields (any unicode, very long, empty, missing,
repeated) and random URL values (real ids, other organisations' ids, ids too big for SQLite,
words where numbers belong), signed in with a valid form token as someone the route is for:
an admin; for facilitators' and pairs' routes, a facilitator in the pair; for supervision's
routes, her assigned supervisor. Each example starts
from a fresh copy of Organisation One, so one example can't spoil the next.
"""

import operator
import re
from urllib.parse import quote

import pytest
from access_rules import RULES, post_endpoints, routes
from flask.testing import EnvironBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse, run_wsgi_app

# A few dozen examples per route keeps the whole file well under a minute on a small machine.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    # The fixture is reset by hand in each example; very long strings are the point here.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FIELD_NAMES = [
    "email",
    "password",
    "confirm",
    "name",
    "text",
    "note",
    "phone",
    "link",
    "roles",
    "direction",
    # Co-working pairs' forms.
    "colleague",
    "gender",
    "experience",
    "more",
    "less",
    "reply",
    "day",
    "number",
    "revision",
    "answer-materials",
    "answer-situations",
    "situation",
    "s0-id",
    "s0-choice",
    "s0-title",
    "s0-who",
    "s0-words",
    "s0-signal",
    "s0-remove",
    "s1-id",
    "s99-id",
    "s1-title",
    # Supervision's forms.
    "supervisor",
    "supervisee",
    "kind",
    "held_on",
    "minutes",
    "format",
    "supervisees",
    "areas",
    "notes",
    "supervisor_only",
    "with_experienced",
    # Training-day rooms.
    "code",
    "first_name",
    "opened_with",
    "practice",
    "round",
    "position",
    "seq",
    "action",
    "stage",
    "minutes",
    "days",
]
AWKWARD = [
    "",
    " ",
    "\x00",
    "\t\n\r",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "up",
    "down",
    "1000",
    "1001",
    "500",
    "reveal",
    "next",
    "end",
    "questions",
    "admin",
    "facilitator",
    "supervisor",
    "as_written",
    "not_for_us",
    "ours",
    "new",
    "own-1",
    "own-99999999999999999999",
    "confrontational",
    "Mixed gender",
    "2026-11-21",
    "2026-02-30",
    "individual",
    "group",
    "impact",
    "comment",
    "change",
    "reviewed",
    "y",
    "admin@one.example",
    "otto@two.example",
    "https://",
    "https://evil.example",
    "//evil.example",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "' or 1=1 --",
    "../../instance/secret_key",
    "\u202eevil",
    "\ufeff",
    "😀" * 40,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]

awkward_text = st.one_of(
    st.text(),
    st.sampled_from(AWKWARD),
    # Very long: past every length limit, and past what a form should carry.
    st.builds(operator.mul, st.text(min_size=1, max_size=3), st.integers(250, 30_000)),
)
field_value = st.one_of(awkward_text, st.lists(awkward_text, max_size=3))
form_fields = st.dictionaries(
    st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12)), field_value, max_size=8
)
htmx_headers = st.sampled_from(
    [{}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-Boosted": "true"}]
)
URL_PART = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def known_ids(one) -> list[int]:
    rows = one.rows
    return [
        rows["practice"],
        rows["invitation"],
        rows["facilitator"],
        rows["outsider"],
        rows["pair"],
        rows["pair_invitation"],
        rows["supervision_link"],
        rows["supervisor"],
        rows["room"],
        rows["room_practice"],
        1,
        2,
    ]


def mostly(usual, unusual):
    """Usually a real value, so the request gets past routing; now and then an odd one."""
    return st.integers(0, 3).flatmap(lambda n: unusual if n == 0 else usual)


def ids(one):
    """Real ids of both organisations, and numbers too big for SQLite."""
    return st.one_of(
        st.sampled_from(known_ids(one)),
        # SQLite integers stop at 2**63 - 1; random draws rarely land beyond it.
        st.sampled_from([0, 2**63 - 1, 2**63, 10**30]),
        st.integers(min_value=0, max_value=2**80),
    ).map(str)


def query_args(one):
    """`?edit=` and `?removed=` take ids; `?next=` takes a path; anything else is ignored."""
    named = st.fixed_dictionaries(
        {},
        optional={
            "edit": mostly(ids(one), awkward_text),
            "removed": mostly(ids(one), awkward_text),
            "next": awkward_text,
            "signed_out": awkward_text,
        },
    )
    others = st.dictionaries(st.text(max_size=8), awkward_text, max_size=3)
    return st.tuples(named, others).map(lambda both: both[1] | both[0])


def url_part(one, converter, options, name):
    """Values for one part of a URL: real ones, other organisations', and nonsense."""
    nonsense = st.text(min_size=1).map(lambda s: quote(s, safe=""))
    if converter == "int":
        return mostly(ids(one), nonsense)
    if converter == "any":
        return mostly(st.sampled_from(options.split(",")), nonsense)
    if name == "week":
        # The Monday that names a week: the one both partners answered, others, and non-dates.
        weeks = [one.rows["checkin_week"], "2024-05-06", "2024-05-07", "9999-12-27", "0001-01-01"]
        return mostly(st.sampled_from(weeks), nonsense)
    if name == "token":
        tokens = [one.rows["invitation_token"], one.rows["reset_token"]]
        return mostly(st.sampled_from(tokens), nonsense)
    if name == "code":
        room_code = one.rows["room_code"]
        return mostly(st.sampled_from([room_code, room_code.lower()]), nonsense)
    return mostly(st.sampled_from(["app.css", "icons/icon.svg"]), nonsense)


def paths(one, rule_path):
    """Paths for a rule, such as /organisation/entries/<int:entry_id>/move."""
    parts = [url_part(one, *match.groups()) for match in URL_PART.finditer(rule_path)]

    def fill(values):
        filled = iter(values)
        return URL_PART.sub(lambda _: next(filled), rule_path)

    return st.tuples(*parts).map(fill)


def rule_for(app, endpoint):
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    return rule


def answer(app, method, path, **request):
    """The app's answer to one request, straight from its WSGI call: the test client's cookie
    jar would parse each of the fuzzer's very long URLs twice, at more cost than the app."""
    environ = EnvironBuilder(app, path, method=method, **request).get_environ()
    return TestResponse(*run_wsgi_app(app, environ, buffered=True), request=None)


# A stack trace's first line, not the word alone: Hypothesis draws text from the string literals
# of the project's modules (bench/training_day.py looks for "Traceback" in a log), and a form
# that shows what was typed then showed "Traceback", typed, back (a fresh clone's run drew it
# for line.join_submit's email). Put together here, so that no module holds it whole.
STACK_TRACE = " ".join(("Traceback", "(most", "recent", "call", "last):"))


def assert_answered_calmly(response):
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page
    assert STACK_TRACE not in page


POSTS = post_endpoints()
# Routes for facilitators, or for a pair's partners, would turn an admin away at the door, so
# they are fuzzed as Fran, a facilitator in the pair and the sender of its open invitation,
# which takes them all the way to the database.
FACILITATOR_RULES = ("facilitator", "pair", "inviter", "owner", "trainer")
# Supervision's routes are fuzzed as Sol, whom the admin assigned to supervise Fran.
SUPERVISOR_RULES = ("supervisor", "supervisor_of")


def fuzzed_as(endpoint: str) -> str:
    # A training-day room's forms are fuzzed as its trainer and its participant
    # (organisation_one: ROOM_TRAINER, ROOM_PARTICIPANT); anyone else is turned away early.
    if RULES[endpoint].who in ("invitee", "participant"):
        return "coworker"
    if RULES[endpoint].who in SUPERVISOR_RULES:
        return "supervisor"
    return "facilitator" if RULES[endpoint].who in FACILITATOR_RULES else "admin"


# Joining, resetting and signing in turn a signed-in admin away early, so they are also
# fuzzed as someone signed out, which takes them all the way to the database.
SIGNED_OUT_POSTS = [e for e in POSTS if RULES[e].who in ("public", "token")]


@pytest.mark.parametrize(
    ("endpoint", "persona"),
    [(e, fuzzed_as(e)) for e in POSTS] + [(e, "anonymous") for e in SIGNED_OUT_POSTS],
)
def test_random_form_input_never_crashes(one, endpoint, persona):
    rule = rule_for(one.app, endpoint)
    assert "POST" in rule.methods

    signed_in = one.signed_in(persona) if persona != "anonymous" else {}

    @FUZZ
    @given(path=paths(one, rule.rule), form=form_fields, headers=htmx_headers)
    def send(path, form, headers):
        one.restore()
        data = form | {"csrf_token": one.form_token(persona)}
        response = answer(one.app, "POST", path, data=data, headers=headers | signed_in)
        assert_answered_calmly(response)

    send()


@pytest.mark.parametrize("endpoint", [e for e, method in routes() if method == "GET"])
def test_random_links_never_crash(one, endpoint):
    rule = rule_for(one.app, endpoint)

    signed_in = one.signed_in(fuzzed_as(endpoint))

    @FUZZ
    @given(path=paths(one, rule.rule), query=query_args(one), headers=htmx_headers)
    def visit(path, query, headers):
        one.restore()
        response = answer(one.app, "GET", path, query_string=query, headers=headers | signed_in)
        assert_answered_calmly(response)

    visit()
