"""What a phone downloads under `make run` arrives gzipped: scripts, the stylesheet, the
service worker and the manifest. HTML pages are sent as they are, on purpose: they carry the
CSRF token beside text a visitor can type (BREACH), see wellbeing/compression.py (issue 13).
"""

import gzip
import http.client
import re
import socket

from bench.training_day import Server  # `make run` itself

# What Chromium sends.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "User-Agent": "wellbeing-test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, path, headers=BROWSER):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_scripts_styles_and_the_shell_arrive_gzipped_under_make_run(tmp_path):
    with Server(tmp_path / "instance", free_port()) as server:
        status, headers, page = fetch(server.port, "/signin")
        assert status == 200
        assert "Content-Encoding" not in headers  # HTML: never compressed (BREACH)
        assets = re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css)\?v=[^"]+)"', page)
        assert any(a.split(b"?")[0].endswith(b".css") for a in assets)
        assert any(a.split(b"?")[0].endswith(b".js") for a in assets)
        paths = [a.decode().replace("&amp;", "&") for a in assets] + [
            "/sw.js",
            "/manifest.webmanifest",
        ]
        sent = received = 0
        for path in paths:
            status, headers, body = fetch(server.port, path)
            assert status == 200, path
            assert headers["Content-Encoding"] == "gzip", path
            assert "Accept-Encoding" in headers["Vary"], path
            plain = fetch(server.port, path, {"User-Agent": "wellbeing-test"})[2]
            assert gzip.decompress(body) == plain, path
            sent, received = sent + len(plain), received + len(body)
        assert received < sent / 2


def test_every_page_has_a_description_and_no_duplicate_form_token_ids(one):
    """Issue 13, "while there": pa11y flagged two `id="csrf_token"` on the check-ins page,
    and pages had no meta description."""
    pair = one.rows["pair"]
    for persona, path in [
        ("anonymous", "/signin"),
        ("facilitator", f"/pairs/{pair}/checkins"),
        ("facilitator", f"/pairs/{pair}/card"),
        ("admin", "/organisation/people"),
    ]:
        page = one.client(persona).get(path).get_data(as_text=True)
        assert re.search(r'<meta name="description" content="[^"]{40,}">', page), path
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))


def test_a_first_visit_loads_and_installs_only_what_every_page_needs(one):
    """Issue 13: the private space's start (11 KB gzip) loaded on every page, sign-in included,
    and the service worker's install fetched every private-space script. Now the private space's
    scripts load for facilitators only, and are cached on the first visit to a private page."""
    script = one.client("anonymous").get("/sw.js").get_data(as_text=True)
    installed = re.search(r"const SHELL = (\[.*?\]);", script).group(1)
    private = ("private/start.js", "vault/index.js", "backup/index.js", "screens/checklist.js")
    for name in private:
        assert name not in installed, name
        assert "/static/" + name in re.search(r"const PRIVATE_SHELL = (\[.*?\]);", script).group(1)
    for persona, path, loads in [
        ("anonymous", "/signin", False),
        ("anonymous", "/join", False),
        ("supervisor", "/", False),
        ("admin", "/", False),
        ("facilitator", "/", True),
    ]:
        page = one.client(persona).get(path).get_data(as_text=True)
        # Started by the facilitator's top bar (data-module, static/app.js); every page's import
        # map names it, which loads nothing.
        assert ('data-module="private/start"' in page) == loads, (persona, path)
    # Signing in loads the next page whole, so a facilitator's bar starts it.
    signin = one.client("anonymous").get("/signin").get_data(as_text=True)
    assert re.search(
        r'<form method="post" action="/signin[^"]*" novalidate hx-boost="false">', signin
    )
