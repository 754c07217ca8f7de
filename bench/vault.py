"""The vault in headless Chromium: unlock, and a 5,000-character save, at 1x and 4x CPU.

docs/design.md: "Unlocking the vault takes at most 1 second in headless Chromium with the CPU slowed
4x"; issue 3: a save of 5,000 characters within 20 ms, so autosave never makes typing stutter.
The page runs bench/scripts/vault.js, which imports the real static/vault/index.js.

Issue 15: one touch before a group. bench/scripts/passkey.js times a passkey unlock, from the
sign-in assertion (Chromium's virtual authenticator, with the PRF extension) to the vault open.
WebAuthn needs a domain name, so the page is on `localhost` (the same server as 127.0.0.1).
"""

import re
import statistics

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

from .base import BenchError, request, script

UNLOCK_BUDGET_MS = 1000.0
SAVE_BUDGET_MS = 20.0
CPU_SLOWDOWN = 4
SAVE_CHARACTERS = 5000
VAULT_RUNS = {"unlock": 5, "save": 15, "passkey": 5}


def page_script(name: str = "vault.js") -> str:
    """A bench/scripts/ file without its opening comment: one function for page.evaluate."""
    lines = script(name).splitlines()
    return "\n".join(line for line in lines if not line.startswith("//")).strip()


def measure(port) -> dict:
    """{rate: {"unlock": median ms, "save": median ms, "runs": every time}} for rates 1 and 4."""
    from playwright.sync_api import sync_playwright

    base = f"http://localhost:{port}"
    # The service worker's shell names every asset by its versioned URL.
    status, _, worker = request(port, "GET", "/sw.js")
    found = re.search(rb'"(/static/vault/index\.js\?v=[0-9a-f]+)"', worker)
    if status != 200 or not found:
        raise BenchError("could not find vault/index.js's versioned URL in /sw.js")
    evaluate = page_script()
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for rate in (1, CPU_SLOWDOWN):
                page = browser.new_context(base_url=base).new_page()
                # 127.0.0.1 is a secure context, so WebCrypto and IndexedDB work as on a phone.
                page.goto("/offline")
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                times = page.evaluate(
                    evaluate,
                    {
                        "module": found.group(1).decode(),
                        "runs": VAULT_RUNS,
                        "characters": SAVE_CHARACTERS,
                    },
                )
                times |= passkey_times(page, cdp, found.group(1).decode())
                results[rate] = {name: statistics.median(v) for name, v in times.items()}
                results[rate]["runs"] = times
                page.context.close()
        finally:
            browser.close()
    return results


def passkey_times(page, cdp, module) -> dict:
    """{"passkey": [ms, ...]}: a virtual authenticator with PRF, as the browser tests use."""
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "hasPrf": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return page.evaluate(page_script("passkey.js"), {"module": module, "runs": VAULT_RUNS})


def budgets(vault) -> list[tuple[str, str, bool]]:
    slowed, as_it_is = vault[CPU_SLOWDOWN], vault[1]
    return [
        (
            f"Vault unlock ≤ {UNLOCK_BUDGET_MS:.0f} ms at {CPU_SLOWDOWN}x CPU slowdown",
            f"{slowed['unlock']:.0f} ms (unthrottled {as_it_is['unlock']:.0f} ms)",
            slowed["unlock"] <= UNLOCK_BUDGET_MS,
        ),
        (
            f"Vault save ≤ {SAVE_BUDGET_MS:.0f} ms for {SAVE_CHARACTERS:,} characters"
            f" at {CPU_SLOWDOWN}x CPU slowdown",
            f"{slowed['save']:.1f} ms (unthrottled {as_it_is['save']:.1f} ms)",
            slowed["save"] <= SAVE_BUDGET_MS,
        ),
    ]


def line(vault) -> str:
    slowed = vault[CPU_SLOWDOWN]
    return (
        f"bench: vault unlock {slowed['unlock']:.0f} ms at {CPU_SLOWDOWN}x CPU slowdown,"
        f" save {slowed['save']:.1f} ms for {SAVE_CHARACTERS:,} characters"
    )


def passkey_line(vault) -> str:
    slowed = vault[CPU_SLOWDOWN]
    return (
        f"bench: passkey unlock {slowed['passkey']:.0f} ms at {CPU_SLOWDOWN}x CPU slowdown"
        " (sign-in assertion to the vault open, in the page)"
    )
