"""What every measurement shares: where things are, one plain request, signing in, sizes."""

import gzip
import http.client
import re
import socket
import sys
import urllib.parse
from pathlib import Path

from wellbeing.demo import DEMO_PEOPLE

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The Lua that wrk runs and the JavaScript that Chromium runs.
SCRIPTS = Path(__file__).resolve().parent / "scripts"
HOST = "127.0.0.1"
RESERVED_PORTS = {5000}  # `make run` may be serving the demo there.
# Sent by the sign-in and by wrk alike, so flask-login's session protection sees one browser.
USER_AGENT = "wellbeing-bench"
GZIP_LEVEL = 6  # the usual server default (nginx gzip_comp_level is often set to this)
BROWSER_ENCODING = "gzip, deflate, br, zstd"  # what Chromium asks for

# The first demo person holding each role: (email, password). The facilitator is Alex.
DEMO = {}
for _name, _email, _password, _roles in DEMO_PEOPLE:
    for _role in _roles:
        DEMO.setdefault(_role, (_email, _password))


class BenchError(Exception):
    pass


def script(name: str) -> str:
    """A script of bench/scripts, read at run time."""
    return (SCRIPTS / name).read_text()


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


# --- one request at a time ------------------------------------------------------------------


def request(port, method, path, cookie=None, form=None, encoding="identity", headers=None):
    """One plain request (redirects are not followed): status, headers, body."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": encoding, **(headers or {})}
    body = None
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def session_cookie(headers) -> str | None:
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "session":
            return rest.split(";", 1)[0]
    return None


def csrf_token(body: bytes) -> str | None:
    match = re.search(rb'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', body)
    return match.group(1).decode() if match else None


def sign_in(port, role) -> str:
    """Sign in as the first demo person with this role."""
    return sign_in_as(port, *DEMO[role])


def sign_in_as(port, email, password) -> str:
    """Sign in through the real form, as a browser would, and return the session cookie."""
    status, headers, body = request(port, "GET", "/signin")
    cookie = session_cookie(headers)
    token = csrf_token(body)
    if status != 200 or not cookie or not token:
        raise BenchError(f"/signin gave {status} without a session cookie and csrf_token")
    form = {"csrf_token": token, "email": email, "password": password}
    status, headers, _ = request(port, "POST", "/signin", cookie=cookie, form=form)
    cookie = session_cookie(headers)
    if status != 302 or headers.get("Location") != "/" or not cookie:
        raise BenchError(f"signing in as {email} gave {status} to {headers.get('Location')}")
    # A browser follows the redirect and keeps the cookie the page there sets. Signing in starts
    # a new form secret (issue 21), made on the first page that draws a form and kept in the
    # session from then on. A wrk run sends one cookie throughout: without that page's cookie,
    # every request of the run made a new secret and signed a new cookie, as no browser does.
    _, headers, _ = request(port, "GET", "/", cookie=cookie)
    return session_cookie(headers) or cookie


def check_signed_in_home(port, cookie):
    status, headers, body = request(port, "GET", "/", cookie=cookie)
    if status != 200 or b"Hello," not in body:
        raise BenchError(
            f"the home page is not the signed-in home: {status} {headers.get('Location', '')}"
        )


# --- sizes ----------------------------------------------------------------------------------


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"
