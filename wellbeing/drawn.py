"""Render once per change (issue 26): drawings kept in each worker's memory, and ETags.

The signed-in home, the supervisor's home and a pair's card each draw their expensive part
once for each state of what it shows, and keep it (`kept`). The key of a drawing is
everything it depends on:

- who reads it (always: a drawing is one person's; nothing a person may read is ever handed
  to another, docs/design.md "The data rule"),
- the version counters of what it shows (`render_versions`, m040, and the caseload's m010),
  which SQLite triggers count in the same transaction as each change,
- the organisation's time zone and the locale, and the day when it shows one.

A drawing never holds a form token (`checked`): tokens are per response, and a kept drawing
is served many times. Forms are drawn around it, fresh on every request.

A whole page (`page`) is kept too, form tokens and all, on narrower terms: only for the one
sign-in that drew it, only within the stretch of time its tokens were made in (as its ETag),
never while a message waits to be shown once, and never if it holds a once-only key. Its tokens
are masked afresh on every response, as any page's are, here from the page split once at them
(`masked`), not searched for in it on every response (wellbeing/formtokens.py `mask_tokens`).

Kept drawings live in each worker process (an LRU of `KEPT` entries); nothing is shared
between processes, so a worker that has not drawn something draws it on its first request.

A database restored under a running server could bring counters back to values a worker
has already drawn, with different contents: restart the service after a restore
(docs/operations.md), as for the caseload (m010).
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user

from .clock import moment, zone_name
from .compression import etags
from .db import rows
from .formtokens import FIELD, masked_join, sign_in_payload, split_signed

KEPT = 512  # drawings per worker; the largest (a card) is about 30 KB, so 15 MB at most
# Whole pages per worker: a home is about 7 KB, a caseload page of 50 supervisees 82 KB, and a
# page is held twice once split at its tokens (`KeptPage`): 42 MB at most.
KEPT_PAGES = 256
# Where a response that sent a kept page whole says so to wellbeing/replay.py: its `Offer`.
OFFERED = "wellbeing.offered"


class Kept:
    """A bounded LRU of drawings, shared by the threads of one worker.

    A drawing is drawn by one thread at a time: others asking for it meanwhile wait for that
    one. The threads of a worker share one interpreter, so drawing the same thing side by side
    never made it sooner: after a change to a caseload, up to 16 threads drew it at once (14 in
    one worker, counted), each many times slower, in bench rounds where the supervisor's home
    had a p99 of 1 to 2 s (docs/benchmarks.md). Different drawings are still drawn side by
    side, outside the lock."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self.items = OrderedDict()
        self.drawing: dict[tuple, Future] = {}
        self.lock = threading.Lock()
        self.draws = 0

    def peek(self, key: tuple):
        """What is kept under `key`, or None: nothing is drawn."""
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def drop(self, key: tuple):
        with self.lock:
            self.items.pop(key, None)

    def put(self, key: tuple, value):
        with self.lock:
            self._keep(key, value)

    def _keep(self, key: tuple, value):
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def get(self, key: tuple, draw):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            underway = self.drawing.get(key)
            if underway is None:
                mine = self.drawing[key] = Future()
        if underway is not None:
            try:
                return underway.result()
            except Exception:  # the drawing thread failed: this request draws for itself
                return draw()
        try:
            value = draw()
        except BaseException as error:
            with self.lock:
                del self.drawing[key]
            mine.set_exception(error)
            raise
        with self.lock:
            self.draws += 1
            self._keep(key, value)
            del self.drawing[key]
        mine.set_result(value)
        return value


def kept(what: str, reader: int, depends_on: tuple, draw):
    """`what`, as `reader` sees it, drawn once for each state of `depends_on`."""
    key = (what, reader, zone_name(), str(get_locale()), *depends_on)
    return current_app.extensions["kept_drawings"].get(key, lambda: checked(draw()))


class OnceOnly(Exception):
    """A page drawn with a once-only key (`per_response`) is never served twice: not kept."""

    def __init__(self, page: str):
        self.page = page


def page(what: str, depends_on: tuple, render, again=None, writes=None) -> str:
    """The whole page `render()` draws, kept for each state of `depends_on`.

    Drawing the page around its kept parts (base.html: the bar, the forms, the words) was a
    fifth of a signed-in home's time in-process (0.95 to 1.01 ms drawn, 0.76 to 0.86 ms kept
    whole, this function's own work included). Its key (`page_key`)
    holds, beyond a drawing's: the sign-in (an ETag's reasons, `page_etag`: a page with the
    forms of one sign-in is never handed to another, even of the same person), the session's
    raw form token, and the stretch of time its tokens were made in (so a kept page's tokens
    have at least 6 of their 8 hours to live). A page is drawn afresh, and not kept, before the
    session has its form secret (the page's forms make it: until then a kept page's token would
    belong to another session's secret, and go unmasked), while a message waits to be shown once
    (flash) or the address has a query. A kept page signs no token of its own: its tokens are
    masked by the payload read from the session (`sign_in_payload`).

    `again(person)`, given, works out `depends_on` afresh for the person, from the database and
    the clock alone: with it, the same request again may be answered with this page without
    Flask's request cycle, once its key is found unchanged (wellbeing/replay.py). That is
    never done while `writes(person)`, given, says the view would write something beside
    drawing (a supervisor's look to log): Flask answers those. The language is not worked out
    again: with no selector for Flask-Babel here it is always the app's default. Should it ever
    come from the request, the request's headers are in the replay's key; from the person, it
    belongs in `depends_on`."""
    secret = session.get(FIELD)
    if not secret or session.get("_flashes") or request.query_string:
        return render()
    person = current_user._get_current_object()
    locale = str(get_locale())
    key = page_key(what, person, secret, locale, depends_on)
    try:
        found = current_app.extensions["kept_pages"].get(key, lambda: once_only_free(render()))
    except OnceOnly as drawn_once:
        return drawn_once.page
    g.kept_page = found
    signed = getattr(session, "signed", None)
    if again is not None and signed is not None:
        g.replay_offer = Offer(
            what, key, found, again, writes, person.get_id(), secret, locale, signed
        )
    return found


def page_key(what: str, person, secret: str, locale: str, depends_on: tuple) -> tuple:
    """A kept page's key: whose page, for which sign-in and form secret, in which stretch of
    its tokens' time, zone and language, and what it shows (`depends_on`)."""
    return (
        what,
        person.id,
        person.get_id(),
        secret,
        token_stretch(),
        zone_name(person.org_id),
        locale,
        *depends_on,
    )


@dataclass(frozen=True)
class Offer:
    """A kept page sent whole, and what it takes to tell that it would be sent again
    (wellbeing/replay.py): the page's key, and how to work out its `depends_on` afresh. The
    language is the app's default (see `page`), and `signed` how the
    session cookie passed its check (wellbeing/sessions.py `still_signed`)."""

    what: str
    key: tuple
    page: "KeptPage"
    again: Callable
    writes: Callable | None
    signin: str
    secret: str
    locale: str
    signed: tuple

    def still_sent(self, person) -> bool:
        """Whether a request for this page would be sent it now, as `person` (signed in again
        by the caller), and nothing else: its key, worked out afresh, is the one it was kept
        under, and the view would write nothing (`page`)."""
        depends_on = self.again(person)
        if page_key(self.what, person, self.secret, self.locale, depends_on) != self.key:
            return False
        return self.writes is None or not self.writes(person)


class KeptPage(bytes):
    """A page kept whole, as it is sent: encoded once, not for every response. Its ETag and its
    pieces (the page split at its form tokens) are taken once, by the first response that sends
    it (`answer_conditionally`): every part of the ETag is in the page's key, and so are its
    tokens, so both are the same for every response that sends it."""

    etag = None
    pieces = None


def once_only_free(drawn: str) -> KeptPage:
    if g.get("per_response"):
        raise OnceOnly(drawn)
    return KeptPage(drawn.encode())


def checked(drawing):
    """A drawing holding a form token would hand one response's token to the next: refused."""
    html = str(getattr(drawing, "html", drawing))
    token = g.get(FIELD)
    if token and token.split(".", 1)[0] in html:
        raise RuntimeError("A kept drawing may not hold a form token: draw the form around it.")
    return drawing


# --- what a drawing depends on (m040's counters) ----------------------------------------------


def person_versions(person) -> tuple:
    """The person's own version, their organisation's, and each of their pairs', in one read.

    Without the person's id: whose drawing it is, is the reader's part of the key."""
    found = rows(
        "select 'pair' as scope, m.pair_id as id, coalesce(v.version, 0) as version"
        " from pair_members m left join render_versions v on v.scope = 'pair' and v.id = m.pair_id"
        " where m.user_id = ?"
        " union all select scope, id, version from render_versions"
        " where (scope = 'person' and id = ?) or (scope = 'org' and id = ?)",
        [person.id, person.id, person.org_id],
    )
    own = {row["scope"]: row["version"] for row in found if row["scope"] != "pair"}
    pairs = tuple(sorted((row["id"], row["version"]) for row in found if row["scope"] == "pair"))
    return own.get("person", 0), own.get("org", 0), pairs


def pair_versions(pair: dict) -> tuple:
    """The pair's version and its organisation's."""
    found = rows(
        "select scope, version from render_versions"
        " where (scope = 'pair' and id = ?) or (scope = 'org' and id = ?)",
        [pair["id"], pair["org_id"]],
    )
    versions = {row["scope"]: row["version"] for row in found}
    return versions.get("pair", 0), versions.get("org", 0)


# --- ETags ----------------------------------------------------------------------------------

# The pages answered with 304 when nothing on them changed.
ETAGGED = {"home.home", "supervision.home", "coworking.card_show"}
# A page kept by the browser or the service worker is answered 304 only within the same
# stretch of this length (a quarter of WTF_CSRF_TIME_LIMIT, 2 hours of 8): see `page_etag`.
TOKEN_STRETCHES = 4


def per_response(value: str) -> str:
    """A value drawn afresh for every response (a form's once-only key): the ETag ignores it,
    as it ignores the form token."""
    g.setdefault("per_response", []).append(value)
    return value


def page_etag(body: bytes) -> str:
    """Why this ETag can never hand a person someone else's page, or a form that won't send.

    A 304 tells the browser (or the service worker) to show the copy it kept, forms and
    tokens included. So the ETag is a keyed hash of:

    - the page as drawn, with its form tokens and once-only keys taken out (they differ on
      every response, while the page does not; a kept page holds the token of the response
      that drew it);
    - the reader: their id and their sign-in (an ETag from another person's page, or from
      this person's previous sign-in on the same phone, never matches; nor does it across
      organisations, nor after a switch-off, which ends the sign-in);
    - the sign-in's raw form token from the session (signing in again makes a new one, so a
      page kept from before can't be reused with a token that no longer matches);
    - the stretch of time the page's token was made in. The kept copy's token was signed
      when that copy was drawn; a 304 in the same stretch means the token is at most one
      stretch old, so it has at least WTF_CSRF_TIME_LIMIT less one stretch to live (6 of 8
      hours). The stretch is read from the one clock (wellbeing/clock.py): the real clock
      Flask-WTF signs with, everywhere but in tests that move it.

    Masking (wellbeing/formtokens.py) is irrelevant to a 304: it sends no body at all."""
    neutral = body
    if payload := sign_in_payload():
        # Every token of this sign-in, this response's or the older one of a kept page (`page`).
        neutral = b"\0".join(split_signed(neutral, payload)[0])
    for value in g.get("per_response", ()):
        neutral = neutral.replace(value.encode(), b"\0")
    digest = hashlib.blake2b(key=current_app.extensions["etag_key"], digest_size=16)
    for part in (
        request.endpoint,
        str(current_user.id),
        current_user.get_id(),  # the sign-in
        session.get(FIELD, ""),
        str(token_stretch()),
    ):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(4) + encoded)
    digest.update(neutral)
    return digest.hexdigest()


def kept_page_sent(response) -> KeptPage | None:
    """The page kept whole (`page`) that this response sends, untouched, if it sends one."""
    kept, body = g.get("kept_page"), response.response
    return kept if isinstance(body, list) and len(body) == 1 and body[0] is kept else None


def masked(kept: KeptPage) -> bytes:
    """The kept page with its tokens masked for this response, from its pieces: split once,
    not searched on every response (wellbeing/formtokens.py `mask_tokens` does that for any
    other page). For the supervisor's home (82 KB) the search, the hash of `page_etag` and the
    encoding were a quarter of a kept page's time (issue 26)."""
    if kept.pieces is None:  # a page is kept only once the session has its form secret
        kept.pieces = split_signed(kept, sign_in_payload())
    return masked_join(*kept.pieces)


def token_stretch() -> int:
    """Which stretch of time (a quarter of WTF_CSRF_TIME_LIMIT) it is, on the one clock."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    return int(moment().timestamp() // (limit / TOKEN_STRETCHES)) if limit else 0


def answer_conditionally(response):
    """An ETag on each of ETAGGED, and a 304 with no body when the browser holds that page; a
    page kept whole that is sent gets its tokens masked here (`masked`)."""
    if (
        request.method != "GET"
        or request.endpoint not in ETAGGED
        or response.status_code != 200
        or response.direct_passthrough
        or response.mimetype != "text/html"
        or response.get_etag()[0]
        or not current_user.is_authenticated
    ):
        return response
    kept = kept_page_sent(response)
    if kept is None:
        etag = page_etag(response.get_data())
    else:
        if kept.etag is None:
            kept.etag = page_etag(kept)
        etag = kept.etag
    # Weak: the bytes differ on every response (each token is masked afresh), the page not.
    response.set_etag(etag, weak=True)
    asked = request.if_none_match
    if any(asked.contains_weak(known) for known in etags(etag)):
        response.status_code = 304
        response.set_data(b"")
    elif kept is not None:
        response.set_data(masked(kept))
        g.tokens_masked = True
        offer = g.get("replay_offer")
        if offer is not None and offer.page is kept:
            request.environ[OFFERED] = offer
    return response


def forget(app):
    """Drop every kept drawing and page (a test restoring its database, as after a restore)."""
    app.extensions["kept_drawings"] = Kept()
    app.extensions["kept_pages"] = Kept(KEPT_PAGES)
    # Answers that sent a kept page, by the request that got them (wellbeing/replay.py). Each
    # holds its page, and its request's headers (a few KB): with pages gone from the LRU
    # above, at most about as much again (42 MB).
    app.extensions["kept_answers"] = Kept(KEPT_PAGES)


def init_app(app):
    forget(app)
    # Registered after wellbeing/formtokens.py's, so it runs before it (Flask runs these in
    # reverse): the ETag is taken from the page before its tokens are masked.
    app.after_request(answer_conditionally)
