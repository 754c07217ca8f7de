"""Browser fixtures: the real app on a real port, and one headless Chromium for the whole run.

Playwright's own browser download can't work here, so Debian's Chromium is launched directly.
Every test gets its own copy of the populated database, its own server (so its own origin,
service worker and caches) and a fresh browser context with a phone-sized viewport.
"""

import shutil
import socket
import threading

import pytest
from conftest import make_app
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from .chromium import CHROMIUM, CHROMIUM_ARGS

# docs/design.md budgets: no horizontal scrolling at 360 px wide.
PHONE = {"width": 360, "height": 740}
# Long enough for a slow machine, short enough that a hang fails fast.
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


class TrackingHandler(WSGIRequestHandler):
    """Keeps each open connection on the server, so stop() can really cut them; no access log."""

    def setup(self):
        super().setup()
        self.server.open_connections.add(self.connection)

    def finish(self):
        self.server.open_connections.discard(self.connection)
        super().finish()

    def log_request(self, *args, **kwargs):
        pass


class LiveServer:
    """The app served on 127.0.0.1 (a secure context, so service workers run)."""

    def __init__(self, app):
        self.serve(app, 0)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def serve(self, app, port):
        self.server = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=TrackingHandler
        )
        self.server.open_connections = set()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.stopped = False

    def start(self):
        """After stop(): the same app (and any wrapper set on it) back on the same port."""
        if self.stopped:
            self.serve(self.server.app, self.server.server_port)

    def stop(self):
        """Stop listening and cut kept-alive connections, as if the network went away."""
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()
        for connection in list(self.server.open_connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(template_db, tmp_path):
    database = tmp_path / "wellbeing.db"
    shutil.copy(template_db, database)
    app = make_app(database)
    # Plain http on 127.0.0.1, as `make run` serves it: no Secure cookie there.
    app.config["SESSION_COOKIE_SECURE"] = False
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def service_workers(request):
    """ "allow" for a test marked `service_worker`, "block" for the rest.

    The service worker is what works without signal; the tests about that are marked and run it.
    Elsewhere it would only install itself and precache the shell on every new phone, about a
    quarter of each browser test's CPU time, while the test looks at something else.
    """
    return "allow" if request.node.get_closest_marker("service_worker") else "block"


@pytest.fixture
def new_context(browser, live_server, request):
    """new_context() opens another phone: its own cookies, caches and, in a test marked
    `service_worker`, service worker."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", PHONE)
        options.setdefault("service_workers", service_workers(request))
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def passkey_phone(browser, live_server, request):
    """A phone on localhost, with a virtual authenticator: (context, page, cdp, authenticator)."""
    url = live_server.url.replace("127.0.0.1", "localhost")
    contexts = []

    def make(prf=True):
        context = browser.new_context(
            base_url=url, viewport=PHONE, service_workers=service_workers(request)
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        cdp, authenticator_id = authenticator(context, page, prf)
        return context, page, cdp, authenticator_id

    yield make
    for context in contexts:
        context.close()


# Chromium's virtual authenticator (CDP WebAuthn), as a phone with a fingerprint has: the
# passkey tests and the tour use it; `prf` says whether it offers the PRF extension.
def authenticator(context, page, prf=True):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "hasPrf": prf,
            }
        },
    )
    return cdp, found["authenticatorId"]
