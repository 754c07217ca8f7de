"""Debian's Chromium, as the browser tests and the bench (bench/vault.py) launch it.

Playwright's own browser download can't work on these machines, so the system's Chromium is
launched directly, without the sandbox (tests run as root) and without anything that would
reach out to the network by itself.

It is Chromium's headless shell (Debian's `chromium-headless-shell`, `make chromium`): the same
Blink and V8 as the desktop browser, without its window interface, and what Playwright itself
runs headless tests in. The desktop build started a browser-interface renderer for every new
phone; four browser test files took 164 s in it and 124 s in the shell.
"""

CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
