"""gzip for what a phone downloads most: the scripts, the stylesheet, the manifest (issue 13).

`make run` serves straight from gunicorn, so the app compresses itself, and a proxy in front
gets the same bytes. What is compressed, and why:

- Static assets, the service worker and the manifest: yes, and nothing else (issue 21, L2). They
  are most of a first visit's bytes, and hold nothing secret or personal. A static file is
  compressed once per version and kept in memory. It is an allow-list of endpoints, not of
  content types: JSON such as your data download (`/account/data.json`) or the admin's export
  puts text someone else can write next to a person's own notes, which is the same oracle.
- HTML pages and htmx fragments: no. Each carries the session's CSRF token beside text a
  visitor can influence (a typed name, a search, a room code), which is what a BREACH-style
  attack needs: the compressed size would tell an eavesdropper guesses about the token.
  Pages are small already (the 14 KB budget is measured gzipped, and they are about 3x that
  as sent).
"""

import gzip
from functools import lru_cache
from pathlib import Path

from flask import current_app, request

COMPRESSIBLE = {
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
}
# The only responses ever compressed: each holds nobody's data (tests/test_trust.py checks
# that data.json and the export are not compressed).
ALLOWED_ENDPOINTS = {"static", "pwa.sw", "pwa.manifest"}
# Below this, the gzip header costs more than it saves.
MIN_BYTES = 512
LEVEL = 9  # static files are compressed once, so the smallest result is worth the time


@lru_cache(maxsize=256)
def _gzipped_file(path: str, mtime_ns: int, size: int) -> bytes:
    # mtime=0: the same bytes every time, so the ETag below means the same everywhere.
    return gzip.compress(Path(path).read_bytes(), compresslevel=LEVEL, mtime=0)


def accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response):
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
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        # The compressed bytes are another representation: their own validator.
        response.set_etag(f"{etag}-gz", weak=weak)
    return response


def init_app(app):
    app.after_request(compress)
