"""The installable app shell: manifest, service worker, offline page, and clearing on sign-out.

docs/design.md: the service worker is served from /sw.js so that it controls the whole site; it
caches the versioned static shell; it clears its caches on sign-out and must not clear the vault.
"""

import json

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS
from .steps import (
    cache_names,
    controlled_by_service_worker,
    script,
    service_worker_activated,
    sign_in,
    sign_out,
)

# Every test here is about what the service worker keeps for a phone without signal.
pytestmark = pytest.mark.service_worker

ICON_TYPES = {"image/svg+xml", "image/png"}


def test_phone_can_install_the_app(page, live_server):
    page.goto("/signin")
    manifest_href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest_href == "/manifest.webmanifest"

    response = page.request.get(manifest_href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")

    sizes = {(icon["type"], icon["sizes"]) for icon in manifest["icons"]}
    assert ("image/svg+xml", "any") in sizes
    assert ("image/png", "192x192") in sizes
    assert ("image/png", "512x512") in sizes
    for icon in manifest["icons"]:
        assert icon["type"] in ICON_TYPES
        fetched = page.request.get(icon["src"])
        assert fetched.status == 200, icon["src"]
        assert fetched.headers["content-type"].startswith(icon["type"]), icon["src"]
        if icon["type"] == "image/png":
            width, height = icon["sizes"].split("x")
            assert png_size(fetched.body()) == (int(width), int(height)), icon["src"]

    worker = page.request.get("/sw.js")
    assert worker.status == 200
    assert "javascript" in worker.headers["content-type"]
    # The browser must check for a new worker on every visit.
    assert worker.headers["cache-control"] == "no-cache"

    assert service_worker_activated(page) == f"{live_server.url}/"
    controlled_by_service_worker(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == (
        f"{live_server.url}/sw.js"
    )


def png_size(body):
    """Width and height from a PNG's IHDR chunk."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")


def test_facilitator_without_signal_sees_the_offline_page(page, live_server):
    sign_in(page, "facilitator")
    controlled_by_service_worker(page)
    assert any(name.startswith("shell-") for name in cache_names(page))

    live_server.stop()
    page.goto("/organisation/support")

    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    assert page.url == f"{live_server.url}/organisation/support"
    # The offline page is the generic shell: it shows nobody's name or data.
    expect(page.get_by_text("Fran")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


CREATE_VAULT = script("create-test-vault")

READ_VAULT = script("read-test-vault")

# Polls inside the page: the worker clears caches after the signed-out page has loaded.
CACHES_AFTER_CLEARING = script("caches-after-clearing")


def test_signing_out_clears_caches_but_keeps_the_vault(page, live_server):
    sign_in(page, "facilitator")
    controlled_by_service_worker(page)
    page.evaluate(
        """async () => {
          const cache = await caches.open("sentinel-test");
          await cache.put("/sentinel", new Response("someone's page"));
        }"""
    )
    page.evaluate(CREATE_VAULT)
    assert "sentinel-test" in cache_names(page)

    sign_out(page)
    expect(page.get_by_text("You're signed out.")).to_be_visible()
    names = page.evaluate(CACHES_AFTER_CLEARING, TIMEOUT_MS)
    assert "sentinel-test" not in names
    assert any(name.startswith("shell-") for name in names), names

    # The encrypted vault lives in IndexedDB and must survive sign-out.
    assert page.evaluate(READ_VAULT) == "ciphertext"

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.url.startswith(f"{live_server.url}/signin")
