"""A new organisation's first admin joins over HTTPS, through Caddy and the server as deploy/
configures them (docs/deployment.md, "The first admin"): the end of a new server's setup.

Over HTTPS, Flask-WTF refuses a form whose Referer isn't this site's, so this is where the
Referrer-Policy the app sends is tried with a real browser's rules (wellbeing/security.py).
"""

import pytest
from deploy_site import Site
from playwright.sync_api import expect

from .conftest import PHONE, TIMEOUT_MS

PASSWORD = "a quiet room before group"


@pytest.fixture
def site(tmp_path):
    running = Site(tmp_path)
    try:
        running.start_app()
        running.start_caddy()
        yield running
    finally:
        running.stop()


def test_first_admin_opens_the_link_and_is_signed_in_over_https(browser, site):
    link = site.invitation_link("Riverside Project")
    # Caddy's own CA signed the certificate for localhost; this browser doesn't know it.
    context = browser.new_context(viewport=PHONE, ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Join Riverside Project")
        page.get_by_label("Your name").fill("Ada Admin")
        page.get_by_label("Email").fill("ada@riverside.example")
        page.get_by_label("Choose a password").fill(PASSWORD)
        page.get_by_label("Type it again").fill(PASSWORD)
        page.get_by_role("button", name="Join and sign in").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Admin")
        assert page.url == f"{site.url}/"
        (session,) = [c for c in context.cookies() if c["name"] == "session"]
        assert session["secure"] and session["httpOnly"]
    finally:
        context.close()
