"""Compression for what a phone downloads (issue 13), and for pages where BREACH can't reach
(issue 26): Brotli for a browser that accepts it (every current one does, over HTTPS and on
localhost), gzip for anything else that asks. At its best, Brotli makes the static shell an
eighth smaller than gzip's best (28.3 KB against 32.3 KB); at level 5 a page comes out about 5%
smaller than at gzip's 6, in a little less time (the card: 12.1 KB in 1.1 ms against 12.7 KB in
1.2 ms).

`make run` serves straight from granian, so the app compresses itself, and a proxy in front
gets the same bytes. What is compressed, and why (docs/operations.md "Compression and BREACH"
has the whole threat analysis):

- Static assets, the service worker and the manifest: always. They are most of a first
  visit's bytes, and hold nothing secret or personal. A static file is compressed once per
  version and kept in memory. It is an allow-list of endpoints, not of content types.
- JSON the app writes: never. Your data download (`/account/data.json`) and the admin's
  export put text someone else can write next to a person's own notes, and a download can be
  asked for from anywhere (tests/test_trust.py checks that neither is compressed).
- HTML pages and htmx fragments: only when both hold:
  1. the request is same-origin: `Sec-Fetch-Site` is `same-origin` (the app's own pages and
     htmx) or `none` (typed, bookmarked, the home screen). A browser sets that header itself;
     no script can. BREACH needs the victim's browser to send many requests with text the
     attacker chooses, and a page on another site can only ever cause `cross-site` (or
     `same-site`) ones, which are sent as they are. So is a request without the header (an
     older browser, plain http to another machine): no header, no compression.
  2. every form token on it is masked afresh for this response (wellbeing/formtokens.py),
     so the one secret every page carries never repeats its bytes between responses.
  Still never compressed (`NEVER_COMPRESSED`): pages the app itself asks for again and again
  with nobody pressing anything (polls), and pages that show a one-time link in the clear.
"""

import gzip
from functools import lru_cache
from pathlib import Path

import brotli
from flask import current_app, g, request

COMPRESSIBLE = {
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
}
# The only responses compressed whoever asks: each holds nobody's data (tests/test_trust.py
# checks that data.json and the export are not compressed).
ALLOWED_ENDPOINTS = {"static", "pwa.sw", "pwa.manifest"}
# What a browser says of a request that no other site's page could have caused.
SAME_ORIGIN = {"same-origin", "none"}
# HTML that is never compressed, however it is asked for (docs/operations.md "Compression and
# BREACH"). Each is either asked for by the page itself on a timer, so a request repeats
# thousands of times with nobody pressing anything while someone else may change what it
# shows, or shows a secret that is not a masked form token.
NEVER_COMPRESSED = {
    # Polls: this week's check-in while the co-worker's answer is awaited (every 15 s); a
    # training-day room's status (every 1 s), a phone's own place (every 2 s), the projector.
    "coworking.checkins_show",
    "line.room_show",
    "line.place_show",
    "line.projector_show",
    # One-time links in the clear: the admin's new invitation and reset links, and the pages
    # and forms whose address carries such a link's token.
    "organisation.invitation_create",
    "organisation.reset_create",
    "accounts.invitation_show",
    "accounts.invitation_accept",
    "accounts.reset_show",
    "accounts.reset_submit",
}
# The ETag of a compressed representation is its plain one's with its coding's suffix after it.
SUFFIXES = {"br": "-br", "gzip": "-gz"}
# Below this, the compressed format's header costs more than it saves.
MIN_BYTES = 512
# Static files are compressed once per version, so the smallest result is worth the time.
# Pages are compressed on every response: Brotli's 5 is as fast as gzip's 6 (the usual server
# default), and smaller.
FILE_LEVELS = {"br": 11, "gzip": 9}
PAGE_LEVELS = {"br": 5, "gzip": 6}


def _compressed(body: bytes, coding: str, level: int) -> bytes:
    if coding == "br":
        return brotli.compress(body, quality=level)
    # mtime=0: the same bytes every time, so the ETag means the same everywhere.
    return gzip.compress(body, compresslevel=level, mtime=0)


@lru_cache(maxsize=256)
def _compressed_file(path: str, mtime_ns: int, size: int, coding: str) -> bytes:
    return _compressed(Path(path).read_bytes(), coding, FILE_LEVELS[coding])


def accepted_coding() -> str | None:
    """Which coding the request accepts, "br" before "gzip"; None for neither. A coding listed
    with a weight of 0 (`br;q=0`) is refused, as RFC 9110 says."""
    accepted = set()
    for item in request.headers.get("Accept-Encoding", "").lower().split(","):
        coding, _, parameter = item.partition(";")
        name, _, value = parameter.strip().partition("=")
        try:
            weight = float(value) if name == "q" else 1.0
        except ValueError:
            weight = 0.0
        if weight > 0:
            accepted.add(coding.strip())
    return next((coding for coding in SUFFIXES if coding in accepted), None)


def same_origin() -> bool:
    return request.headers.get("Sec-Fetch-Site", "").strip().lower() in SAME_ORIGIN


def compress_page(response):
    """An HTML page or fragment, compressed only where BREACH can't reach it (see above)."""
    status = response.status_code
    if (
        not (200 <= status < 500)
        or status in (204, 304)
        or request.endpoint in NEVER_COMPRESSED
        or "Content-Encoding" in response.headers
        or response.direct_passthrough
    ):
        return response
    response.vary.update(("Accept-Encoding", "Sec-Fetch-Site"))
    coding = accepted_coding()
    if not (coding and same_origin() and g.get("tokens_masked")):
        return response
    plain = response.get_data()
    if len(plain) < MIN_BYTES:
        return response
    return encoded(response, page_bytes(plain, coding), coding)


def page_bytes(plain: bytes, coding: str) -> bytes:
    """A page compressed as every page is (wellbeing/replay.py sends kept pages this way too)."""
    return _compressed(plain, coding, PAGE_LEVELS[coding])


def encoded(response, body: bytes, coding: str):
    response.set_data(body)
    response.headers["Content-Encoding"] = coding
    etag, weak = response.get_etag()
    if etag:
        # The compressed bytes are another representation: their own validator.
        response.set_etag(f"{etag}{SUFFIXES[coding]}", weak=weak)
    return response


def etags(etag: str) -> list[str]:
    """An ETag and those of its compressed representations: a request may hold any of them."""
    return [etag] + [etag + suffix for suffix in SUFFIXES.values()]


def compress(response):
    if response.mimetype == "text/html" and request.endpoint not in ALLOWED_ENDPOINTS:
        return compress_page(response)
    if (
        response.status_code != 200
        or request.endpoint not in ALLOWED_ENDPOINTS
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or request.method != "GET"
    ):
        return response
    response.vary.add("Accept-Encoding")
    coding = accepted_coding()
    if not coding:
        return response
    if request.endpoint == "static":
        path = Path(current_app.static_folder) / request.view_args["filename"]
        stat = path.stat()
        if stat.st_size < MIN_BYTES:
            return response
        body = _compressed_file(str(path), stat.st_mtime_ns, stat.st_size, coding)
        response.direct_passthrough = False
    else:
        plain = response.get_data()
        if len(plain) < MIN_BYTES:
            return response
        body = page_bytes(plain, coding)
    return encoded(response, body, coding)


def init_app(app):
    app.after_request(compress)
