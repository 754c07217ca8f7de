"""gzip for what a phone downloads (issue 13), and for pages where BREACH can't reach (issue 26).

`make run` serves straight from gunicorn, so the app compresses itself, and a proxy in front
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
# The ETag of a compressed representation is its plain one's with this after it.
GZIP_SUFFIX = "-gz"
# Below this, the gzip header costs more than it saves.
MIN_BYTES = 512
LEVEL = 9  # static files are compressed once, so the smallest result is worth the time
PAGE_LEVEL = 6  # pages are compressed on every response: the usual server default


@lru_cache(maxsize=256)
def _gzipped_file(path: str, mtime_ns: int, size: int) -> bytes:
    # mtime=0: the same bytes every time, so the ETag below means the same everywhere.
    return gzip.compress(Path(path).read_bytes(), compresslevel=LEVEL, mtime=0)


def accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def same_origin() -> bool:
    return request.headers.get("Sec-Fetch-Site", "").strip().lower() in SAME_ORIGIN


def compress_page(response):
    """An HTML page or fragment, gzipped only where BREACH can't reach it (see above)."""
    status = response.status_code
    if (
        not (200 <= status < 500)
        or status in (204, 304)
        or request.endpoint in NEVER_COMPRESSED
        or "Content-Encoding" in response.headers
        or response.direct_passthrough
    ):
        return response
    response.vary.add("Accept-Encoding")
    response.vary.add("Sec-Fetch-Site")
    if not (accepts_gzip() and same_origin() and g.get("tokens_masked")):
        return response
    plain = response.get_data()
    if len(plain) < MIN_BYTES:
        return response
    return gzipped(response, gzip.compress(plain, compresslevel=PAGE_LEVEL, mtime=0))


def gzipped(response, body: bytes):
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        # The compressed bytes are another representation: their own validator.
        response.set_etag(f"{etag}{GZIP_SUFFIX}", weak=weak)
    return response


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
    if not accepts_gzip():
        return response
    if request.endpoint == "static":
        path = Path(current_app.static_folder) / request.view_args["filename"]
        stat = path.stat()
        if stat.st_size < MIN_BYTES:
            return response
        body = _gzipped_file(str(path), stat.st_mtime_ns, stat.st_size)
        response.direct_passthrough = False
    else:
        plain = response.get_data()
        if len(plain) < MIN_BYTES:
            return response
        body = gzip.compress(plain, compresslevel=6, mtime=0)
    return gzipped(response, body)


def init_app(app):
    app.after_request(compress)
