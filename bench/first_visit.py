"""A first visit: a page, every asset it loads, and the service worker's install (docs/design.md:
about 60 KB gzip at most; issue 13: 45 KB as `make run` sends it)."""

import json
import re

from .base import BROWSER_ENCODING, BenchError, gzip_size, kb, request
from .pages import PageParser

FIRST_VISIT_BUDGET = 60 * 1024
SENT_BUDGET = 45 * 1024
# How a browser says where a request came from (issue 26: the app compresses HTML only when
# asked for same-origin, wellbeing/compression.py): the page opened from the home screen or a
# bookmark, then what the page and the service worker fetch from the same site.
OPENED = {"Sec-Fetch-Site": "none"}
FETCHED = {"Sec-Fetch-Site": "same-origin"}


def service_worker_shell(port) -> list[str]:
    """What the service worker precaches when it installs, from `const SHELL = [...]`."""
    status, _, script = request(port, "GET", "/sw.js")
    match = re.search(rb"const SHELL = (\[.*?\]);", script)
    if status != 200 or not match:
        raise BenchError(f"/sw.js gave {status} without a SHELL list")
    return ["/sw.js", *json.loads(match.group(1))]


def measure(port, row, shell, cookies=None):
    """A page (a row of bench/pages.py), every asset it loads, and the service worker's install,
    all compressed. `cookies` (role -> session cookie) signs in as the page's role, read from
    the row's name ("Home (facilitator)"), to ask for the page again as a browser would."""
    name, path, _, raw, page_gzip, body = row
    # (what, raw bytes, gzip bytes, fetched by the service worker rather than the page)
    items = [(f"{name} (HTML)", raw, page_gzip, False)]
    page_assets = PageParser(body).assets
    # What `make run` actually sends a browser that accepts gzip: the app compresses assets,
    # and the page itself when asked for same-origin (wellbeing/compression.py).
    role = re.search(r"\((\w+)\)$", name)
    cookie = (cookies or {}).get(role[1]) if role else None
    sent = len(request(port, "GET", path, cookie, encoding=BROWSER_ENCODING, headers=OPENED)[2])
    for url in dict.fromkeys(page_assets + shell):
        status, _, content = request(port, "GET", url)
        if status != 200:
            raise BenchError(f"{url} gave {status}")
        items.append(
            (f"`{url.split('?')[0]}`", len(content), gzip_size(content), url not in page_assets)
        )
        sent += len(request(port, "GET", url, encoding=BROWSER_ENCODING, headers=FETCHED)[2])
    return {
        "page": name,
        "items": items,
        "page_total": sum(size for _, _, size, by_worker in items if not by_worker),
        "total": sum(size for _, _, size, _ in items),
        "sent": sent,
    }


def budget(visits) -> tuple[str, str, bool]:
    worst = max(visits, key=lambda visit: visit["page_total"])
    return (
        "First visit ≤ about 60 KB gzip (a page and what it loads)",
        f"{kb(worst['page_total'])} ({worst['page']}); with the service worker's"
        f" install {kb(worst['total'])}",
        worst["page_total"] <= FIRST_VISIT_BUDGET,
    )


def sent_budget(visits) -> tuple[str, str, bool]:
    sent = max(visit["sent"] for visit in visits)
    return (
        "A first visit as `make run` sends it ≤ 45 KB (issue 13)",
        kb(sent),
        sent <= SENT_BUDGET,
    )


def report(visits) -> list[str]:
    return [
        f"  first visit: {visit['page']} and its assets {kb(visit['page_total'])} gzip,"
        f" with the service worker's install {kb(visit['total'])}"
        for visit in visits
    ]


def lines(visits) -> list[str]:
    first = max(visits, key=lambda visit: visit["total"])
    return [
        f"bench: first visit {first['total'] / 1024:.1f} KB gzip with the service worker's install",
        f"bench: first visit as make run sends it, {first['sent'] / 1024:.1f} KB ({first['page']})",
    ]
