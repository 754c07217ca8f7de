"""Headers, cookies and redirects that every response shares (issue: security baseline)."""

from urllib.parse import urlsplit

from flask import request
from flask.sessions import SecureCookieSessionInterface

# Strict: no inline script or style, no eval. htmx is configured for this in base.html.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
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

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def is_local_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in LOCAL_HOSTS


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure everywhere except on localhost, where there is no TLS."""

    def get_cookie_secure(self, app):
        return not is_local_host(request.host)


def safe_next(target: str | None) -> str | None:
    """Accept only local paths such as `/org/people`, never `//evil.example` or a URL."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Invitation and reset links carry tokens in their paths; never leak them onwards.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint == "static":
        if request.args.get("v"):
            # Versioned asset URLs change whenever the file does (see `asset_url`).
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # Pages differ for htmx requests and for each signed-in person.
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
        # Nothing a person sees is kept by the browser's HTTP cache or a proxy.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app):
    app.session_interface = SessionInterface()
    app.after_request(set_headers)
