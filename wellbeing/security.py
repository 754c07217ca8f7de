"""Headers, cookies and redirects that every response shares (issue: security baseline)."""

import logging
import re
from urllib.parse import urlsplit

from flask import request
from werkzeug.exceptions import SecurityError

from wellbeing.pwa import import_map

# Strict: no inline script or style, no eval. htmx is configured for this in base.html. The one
# inline script is the import map in base.html, allowed by its hash alone (`content_policy`).
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' {import_map}",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The Referer carries this site's origin alone (the CSRF check needs it over HTTPS), never a
# path, so a token in a path never leaves the page (set_headers).
REFERRER_POLICY = "strict-origin"

# Browsers that once saw the app over HTTPS refuse plain http to it for a year.
HSTS = "max-age=31536000; includeSubDomains"

# One-time invitation and reset links carry their token in the path (/invite/<token>,
# /reset/<token>): whoever reads a log must not be able to use one (issue 11).
TOKEN_IN_PATH = re.compile(r"(/(?:invite|reset)/)(?!\[redacted\])[^/\s\"'?#\[\]]+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a log record's message so that no invitation or reset token is written."""

    def filter(self, record):
        message = record.getMessage()
        if TOKEN_IN_PATH.search(message):
            record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def safe_next(target: str | None) -> str | None:
    """Accept only local paths such as `/org/people`, never `//evil.example` or a URL."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def content_policy() -> str:
    return CSP.format(import_map=import_map()[1])


# Sent with every response whose view did not set its own.
BASELINE = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Invitation and reset links carry tokens in their paths: a Referer never holds a path,
    # even to this site, whose proxy may log it. It holds the origin alone, because over HTTPS
    # Flask-WTF refuses a form post without this site's origin there (WTF_CSRF_SSL_STRICT):
    # with "no-referrer" nobody could sign in on a real deployment (issue 21, M2;
    # docs/operations.md "HTTPS and the Referer"). External links are noreferrer.
    ("Referrer-Policy", REFERRER_POLICY),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def set_headers(response):
    headers = response.headers
    static = request.endpoint == "static"
    if static and request.args.get("v"):
        # Versioned asset URLs change whenever the file does (see `asset_url`).
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if isinstance(request.routing_exception, SecurityError):
        # A host not in WELLBEING_TRUSTED_HOSTS: nothing can be linked, nothing may load.
        policy = "default-src 'none'; frame-ancestors 'none'"
    else:
        policy = content_policy()
    wanted = [*BASELINE, ("Content-Security-Policy", policy)]
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", HSTS))
    if not static:
        # Pages differ for htmx requests and for each signed-in person.
        response.vary.update(("HX-Request", "Cookie"))
        # Nothing a person sees is kept by the browser's HTTP cache or a proxy.
        wanted.append(("Cache-Control", "no-store"))
    # Each header only where the view set none of its own. The names are read once: werkzeug's
    # Headers walks its whole list for each lookup, and one lookup a header made this function
    # a twelfth of a signed-in home's time (issue 26).
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def init_app(app):
    app.after_request(set_headers)
    # Flask logs a failed request as "Exception on /invite/<token> [POST]"; the server's log
    # (granian's, "_granian", however granian was started) and werkzeug's request log name paths
    # too. The filter goes on every handler, so it also sees records that reach a handler from
    # another logger.
    redacting = RedactTokens()
    for logger in (app.logger, logging.getLogger("_granian"), logging.getLogger("werkzeug")):
        logger.addFilter(redacting)
        for handler in logger.handlers:
            handler.addFilter(redacting)
