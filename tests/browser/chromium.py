"""Debian's Chromium, as the browser tests and the bench (bench/vault.py) launch it.

Playwright's own browser download can't work on these machines, so the system's Chromium is
launched directly, without the sandbox (tests run as root) and without anything that would
reach out to the network by itself.
"""

CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
