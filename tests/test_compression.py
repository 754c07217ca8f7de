"""What a phone downloads under `make run` arrives compressed: scripts, the stylesheet, the
service worker and the manifest (issue 13); with Brotli for a browser that accepts it, gzip for
anything else that asks. HTML pages and htmx fragments too, but only where
BREACH can't reach them (issue 26): asked for same-origin, with every form token masked afresh,
and never the pages in compression.NEVER_COMPRESSED. See wellbeing/compression.py and
docs/operations.md "Compression and BREACH".
"""

import gzip
import http.client
import re
import secrets
import socket

import brotli
import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from steps import url

from bench.training_day import Server  # `make run` itself
from wellbeing.compression import NEVER_COMPRESSED
from wellbeing.formtokens import mask_signed, payload_of, sign_in_payload, unmask

# What Chromium sends.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "User-Agent": "wellbeing-test"}
UNPACK = {"br": brotli.decompress, "gzip": gzip.decompress}


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


def test_scripts_styles_and_the_shell_arrive_compressed_under_make_run(tmp_path):
    with Server(tmp_path / "instance", free_port()) as server:
        status, headers, page = fetch(server.port, "/signin")
        assert status == 200
        # HTML: not compressed when the browser doesn't say it asked same-origin (BREACH)...
        assert "Content-Encoding" not in headers
        # ...and compressed when it does, with its form token masked.
        opened = BROWSER | {"Sec-Fetch-Site": "none"}
        status, headers, packed = fetch(server.port, "/signin", opened)
        assert status == 200 and headers["Content-Encoding"] == "br"
        assert len(packed) < len(page) / 2
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
            assert headers["Content-Encoding"] == "br", path
            assert "Accept-Encoding" in headers["Vary"], path
            plain = fetch(server.port, path, {"User-Agent": "wellbeing-test"})[2]
            assert brotli.decompress(body) == plain, path
            # A client that takes only gzip gets gzip, and the same file.
            only_gzip = {"Accept-Encoding": "gzip", "User-Agent": "wellbeing-test"}
            _, headers, packed = fetch(server.port, path, only_gzip)
            assert headers["Content-Encoding"] == "gzip", path
            assert gzip.decompress(packed) == plain and len(body) < len(packed), path
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


# --- HTML: compressed only where BREACH can't reach it (issue 26) ------------------------------

# The codings Chromium accepts: Brotli is chosen, and where nothing may be compressed, nothing is.
CODINGS = {"Accept-Encoding": BROWSER["Accept-Encoding"]}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# htmx and the private space's fetch() send the token from <body hx-headers> as a header.
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def tokens_in(page: str) -> list[str]:
    return TOKEN.findall(page) + HEADER_TOKEN.findall(page)


@pytest.mark.parametrize("site", ["same-origin", "none"])
@pytest.mark.parametrize(
    ("accepts", "coding"),
    [
        (BROWSER["Accept-Encoding"], "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5, br; q=0.0", "gzip"),
        ("gzip, br;q=0.1", "br"),
    ],
)
def test_pages_asked_for_same_origin_are_compressed(one, site, accepts, coding):
    for persona, path in [
        ("facilitator", "/"),
        ("facilitator", url(one, "coworking.card_show", pair_id=one.rows["pair"])),
        ("supervisor", "/supervision/"),
        ("anonymous", "/signin"),
    ]:
        asked = {"Accept-Encoding": accepts, "Sec-Fetch-Site": site}
        sent = one.client(persona).get(path, headers=asked)
        assert sent.status_code == 200, path
        assert sent.headers["Content-Encoding"] == coding, (site, path)
        assert {"Accept-Encoding", "Sec-Fetch-Site"} <= set(sent.headers["Vary"].split(", "))
        page = UNPACK[coding](sent.get_data()).decode()
        assert "</html>" in page and TOKEN.search(page)


def test_a_client_that_takes_neither_coding_gets_the_page_as_it_is(one):
    for accepts in ("identity", "br;q=0, gzip;q=0", "deflate, zstd"):
        asked = {"Accept-Encoding": accepts, "Sec-Fetch-Site": "same-origin"}
        for path in ("/signin", "/static/app.css"):
            sent = one.client("anonymous").get(path, headers=asked)
            assert sent.status_code == 200 and "Content-Encoding" not in sent.headers, path


@pytest.mark.parametrize("site", ["cross-site", "same-site", None])
def test_pages_asked_for_from_elsewhere_or_by_an_unknown_browser_are_not(one, site):
    headers = CODINGS | ({"Sec-Fetch-Site": site} if site else {})
    for persona, path in [("facilitator", "/"), ("anonymous", "/signin")]:
        sent = one.client(persona).get(path, headers=headers)
        assert sent.status_code == 200
        assert "Content-Encoding" not in sent.headers, (site, path)
        assert "</html>" in sent.get_data(as_text=True)


def test_an_htmx_fragment_asked_for_same_origin_is_compressed(one):
    headers = CODINGS | {"Sec-Fetch-Site": "same-origin", "HX-Request": "true"}
    form = {"held_on": "2026-12-01", "participants": "9", "key": "compression-test"}
    fragment = one.client("facilitator").post(
        url(one, "coworking.group_log_add", pair_id=one.rows["pair"]),
        data=form | {"csrf_token": one.form_token("facilitator")},
        headers=headers,
    )
    assert fragment.status_code == 200
    assert fragment.headers["Content-Encoding"] == "br"
    text = brotli.decompress(fragment.get_data()).decode()
    assert 'id="group-log"' in text and "<html" not in text


def test_the_excluded_pages_are_never_compressed(one):
    """Polls and pages with a one-time link in the clear (compression.NEVER_COMPRESSED)."""
    assert NEVER_COMPRESSED <= set(one.app.view_functions)
    same_origin = CODINGS | {"Sec-Fetch-Site": "same-origin"}
    rows = one.rows
    seen = set()
    for persona, endpoint, values in [
        ("facilitator", "coworking.checkins_show", {"pair_id": rows["pair"]}),
        ("facilitator", "line.room_show", {"room_id": rows["room"]}),
        ("facilitator", "line.projector_show", {"room_id": rows["room"]}),
        ("coworker", "line.place_show", {"code": rows["room_code"]}),
        ("anonymous", "accounts.invitation_show", {"token": rows["invitation_token"]}),
        ("anonymous", "accounts.reset_show", {"token": rows["reset_token"]}),
    ]:
        sent = one.client(persona).get(url(one, endpoint, **values), headers=same_origin)
        assert sent.status_code == 200, endpoint
        assert "Content-Encoding" not in sent.headers, endpoint
        seen.add(endpoint)
    # The admin's new links: shown once, in the clear, so never compressed.
    for endpoint, values, form in [
        ("organisation.invitation_create", {}, {"email": "n@one.example", "roles": ["admin"]}),
        ("organisation.reset_create", {"user_id": rows["coworker"]}, {}),
    ]:
        sent = one.client("admin").post(
            url(one, endpoint, **values),
            data=form | {"csrf_token": one.form_token("admin")},
            headers=same_origin,
        )
        assert sent.status_code == 201, endpoint
        assert "Content-Encoding" not in sent.headers, endpoint
        seen.add(endpoint)
    # A refused form on the invitation and reset pages shows their token too.
    for endpoint, token in [
        ("accounts.invitation_accept", rows["invitation_token"]),
        ("accounts.reset_submit", rows["reset_token"]),
    ]:
        sent = one.client("anonymous").post(
            url(one, endpoint, token=token),
            data={"csrf_token": one.form_token("anonymous")},
            headers=same_origin,
        )
        assert sent.status_code == 422, (endpoint, sent.status_code)
        assert "Content-Encoding" not in sent.headers, endpoint
        seen.add(endpoint)
    assert seen == NEVER_COMPRESSED


def test_a_form_token_is_masked_afresh_on_every_response_and_each_one_sends(one):
    client = one.client("facilitator")
    pages = [client.get("/", headers=CODINGS | {"Sec-Fetch-Site": "same-origin"}) for _ in range(2)]
    tokens = [tokens_in(brotli.decompress(p.get_data()).decode()) for p in pages]
    first, second = tokens[0][0], tokens[1][0]
    assert first != second
    # Masked: no dots (a plain token is payload.timestamp.signature), and not one stretch of
    # 8 characters in common, while both hide the same sign-in's token.
    assert "." not in first and "." not in second
    assert not {first[i : i + 8] for i in range(len(first) - 7)} & {
        second[i : i + 8] for i in range(len(second) - 7)
    }
    assert unmask(first).split(".")[0] == unmask(second).split(".")[0]
    # The forms of one page (the sign-out form and <body hx-headers>) share this response's
    # masked token, so they compress against each other; the next response masks it afresh.
    assert len(tokens[0]) > 1 and set(tokens[0]) == {first} and set(tokens[1]) == {second}
    for token in (first, second):
        answer = client.post("/supervision/me/training", data={"csrf_token": token})
        assert answer.status_code == 302, answer.status_code
    # htmx and the private space's fetch() send the token from <body hx-headers> as a header.
    training = "/supervision/me/training"
    header = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True))[1]
    assert client.post(training, headers={"X-CSRFToken": header}).status_code == 302
    # A token altered by one character, or another person's, is refused. (Not the last
    # character: base64's last one may carry only padding bits, which decode to nothing.)
    altered = first[:20] + ("A" if first[20] != "A" else "B") + first[21:]
    assert client.post(training, data={"csrf_token": altered}).status_code == 400
    coles = TOKEN.search(one.client("coworker").get("/").get_data(as_text=True))[1]
    assert client.post(training, data={"csrf_token": coles}).status_code == 400


def test_every_token_of_a_sign_in_is_masked_whatever_its_timestamp_and_nothing_else():
    # A drawing kept from an earlier request carries an older timestamp than this request's.
    now, older, other = "UGF5.aAbB.c-_1", "UGF5.aAbA.z9Y8", "T3RoZXI.aAbB.c-_1"
    body = (
        f'<input value="{now}"><b hx-headers=\'{{"X-CSRFToken": "{now}"}}\'>'
        f'<input value="{older}"><i>UGF5 and UGF5.</i><input value="{other}">'
    ).encode()
    masked = mask_signed(body, b"UGF5").decode()
    sent = re.findall(r'value="([^"]+)"', masked) + re.findall(r'"X-CSRFToken": "([^"]+)"', masked)
    assert [unmask(token) for token in sent] == [now, older, other, now]
    # One mask for each different token; another payload and a bare payload stay as they were.
    assert sent[0] == sent[3] and len({sent[0], sent[1]}) == 2 and sent[2] == other
    assert "<i>UGF5 and UGF5.</i>" in masked and now not in masked and older not in masked
    assert mask_signed(b"<p>nothing here</p>", b"UGF5") == b"<p>nothing here</p>"


def test_the_payload_read_from_the_session_is_the_one_flask_wtf_signs(one):
    """A kept page signs no token of its own (drawn.page): its tokens are found and masked by
    the payload read from the session, which must be the start of every token signed there."""
    with one.app.test_request_context("/"):
        assert sign_in_payload() is None, "no form secret yet, nothing to mask by"
        # A secret as Flask-WTF makes one: 40 random hex digits, which zlib can't shorten.
        session["csrf_token"] = secrets.token_hex(20)
        from_session = sign_in_payload()
        assert from_session and from_session == payload_of(generate_csrf())
    with one.app.test_request_context("/"):
        session["csrf_token"] = secrets.token_hex(20)
        assert sign_in_payload() != from_session


def test_json_downloads_are_never_compressed_even_same_origin(one):
    same_origin = CODINGS | {"Sec-Fetch-Site": "same-origin"}
    data = one.client("facilitator").get("/account/data.json", headers=same_origin)
    assert data.status_code == 200 and "Content-Encoding" not in data.headers
    export = one.client("admin").get("/organisation/export.json", headers=same_origin)
    assert export.status_code == 200 and "Content-Encoding" not in export.headers
