"""Sign-in over HTTPS, as a real deployment serves it (issue 21, M2).

Flask-WTF refuses a form post over HTTPS without a same-origin Referer (WTF_CSRF_SSL_STRICT),
and the app used to send `Referrer-Policy: no-referrer`: on a real deployment nobody could sign
in, and the tests, all on plain http, never saw it. Here granian serves the app over TLS with a
self-signed certificate made for the test, in production settings (a Secure cookie, TESTING
off, WELLBEING_TRUSTED_HOSTS and WELLBEING_BASE_URL set), and Chromium, told to accept that one
certificate, signs in, saves a check-in, adds a passkey and signs in with it.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import KEYS, PEOPLE
from deploy_site import free_port, self_signed_certificate, stop_process
from playwright.sync_api import expect

from .chromium import CHROMIUM, CHROMIUM_ARGS
from .conftest import PHONE, TIMEOUT_MS, authenticator
from .steps import (
    add_passkey,
    heading,
    open_the_pair,
    sign_in,
    sign_in_with_passkey,
    sign_out,
)

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
SERVE_WITH_TLS = """
import sys
from pathlib import Path
from granian.server import Server
from wellbeing.serving import settings
Server(**settings(), ssl_cert=Path(sys.argv[1]), ssl_key=Path(sys.argv[2])).serve()
"""


class HttpsServer:
    """granian with TLS, in production settings, on a copy of the populated database."""

    def __init__(self, tmp: Path, template_db: Path, referrer_policy: str | None = None):
        self.port = free_port()
        self.url = f"https://localhost:{self.port}"
        self.cert, key, self.spki = self_signed_certificate(tmp)
        instance = tmp / "instance"
        instance.mkdir()
        shutil.copy(template_db, instance / "wellbeing.db")
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp),
            "WELLBEING_INSTANCE_PATH": str(instance),
            "WELLBEING_SECRET_KEY": "https-test-secret-key",
            "WELLBEING_ATREST_KEYS": json.dumps(KEYS),
            "WELLBEING_TRUSTED_HOSTS": "localhost",
            "WELLBEING_BASE_URL": self.url,
        }
        self.log = tmp / "server.log"
        # The server with the settings `make run` and deploy/ give it (wellbeing/serving.py),
        # and TLS of its own here, where a server has Caddy in front.
        env["WELLBEING_BIND"] = f"127.0.0.1:{self.port}"
        command = [str(PYTHON), "-c", SERVE_WITH_TLS, str(self.cert), str(key)]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not listen:\n{self.log.read_text()}")

    def stop(self):
        stop_process(self.process)


@pytest.fixture
def https_server(tmp_path, template_db):
    server = HttpsServer(tmp_path, template_db)
    yield server
    server.stop()
    assert "Traceback" not in server.log.read_text(), server.log.read_text()[-3000:]


@pytest.fixture
def https_phone(browser, https_server):
    """A phone-sized Chromium page on the HTTPS origin, with a virtual authenticator. Chromium
    is told to accept the test's certificate (by its key's hash) and certificate errors."""
    args = [
        *CHROMIUM_ARGS,
        "--ignore-certificate-errors",
        f"--ignore-certificate-errors-spki-list={https_server.spki}",
    ]
    # A Chromium of its own (the session's has no certificate flags), from the same Playwright.
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    context = chromium.new_context(
        base_url=https_server.url, viewport=PHONE, ignore_https_errors=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    authenticator(context, page)
    yield page
    context.close()
    chromium.close()


def test_over_https_a_person_signs_in_saves_a_check_in_and_adds_a_passkey(https_phone):
    page = https_phone
    referrer_policies = []
    page.on("response", lambda r: referrer_policies.append(r.headers.get("referrer-policy")))
    sign_in(page, "facilitator")
    assert page.url.startswith("https://localhost:")
    assert page.evaluate("window.isSecureContext")

    checkins = open_the_pair(page) + "/checkins"
    page.goto(checkins)
    heading(page, "Weekly check-in")
    page.get_by_label("What would you want more of from me?").fill("Over HTTPS, the lead.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#this-week").get_by_role("status")).to_have_text("Sent.")

    add_passkey(page)
    sign_out(page)
    sign_in_with_passkey(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {PEOPLE['facilitator'][0]}")
    # The page goes on working after a passkey sign-in (the form token changed at sign-in).
    page.goto(checkins)
    heading(page, "Weekly check-in")
    assert set(referrer_policies) == {"strict-origin"}
