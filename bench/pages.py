"""The gzip-compressed size of every HTML page, for every role (docs/design.md: each ≤ 14 KB gzip).

A row is (name, path, status, raw bytes, gzip bytes, body).
"""

import json
import subprocess
import urllib.parse
from html.parser import HTMLParser

from .base import BIN, ROOT, BenchError, gzip_size, kb, request

PAGE_BUDGET = 14 * 1024
NOT_PAGES = ("/static/", "/sw.js", "/manifest.webmanifest")
MAX_PAGES = 100

# The app's GET routes without parameters, so pages no link reaches yet are measured too.
ROUTES = (
    "import json; from app import app; print(json.dumps(sorted(rule.rule for rule in"
    " app.url_map.iter_rules() if 'GET' in rule.methods and not rule.arguments)))"
)


class PageParser(HTMLParser):
    """A page's title, the assets a browser fetches for it, and the local pages it links to.

    An element's data-module is a module static/app.js imports for it, by its name in the
    page's import map: an asset too."""

    def __init__(self, body: bytes):
        super().__init__()
        self.title, self.assets, self.links, self.in_title = "", [], [], False
        self.import_map, self.in_map, self.modules = "", False, []
        self.feed(body.decode())
        imports = json.loads(self.import_map or "{}").get("imports", {})
        for name in self.modules:
            self.add(self.assets, imports.get(name))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-module"):
            self.modules.append(attrs["data-module"])
        if tag == "title":
            self.in_title = True
        elif tag == "script" and attrs.get("type") == "importmap":
            self.in_map = True
        elif tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "manifest"):
            self.add(self.assets, attrs.get("href"))
        elif tag in ("script", "img"):
            self.add(self.assets, attrs.get("src"))
        elif tag == "a":
            self.add(self.links, attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag == "script":
            self.in_map = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif self.in_map:
            self.import_map += data

    @staticmethod
    def add(urls, url):
        if url and url.startswith("/") and not url.startswith("//") and url not in urls:
            urls.append(url)


def routes(env) -> list[str]:
    """The app's GET routes without parameters, asked of the app in the bench's instance."""
    found = subprocess.run(
        [str(BIN / "python"), "-c", ROUTES],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(found)


def measure(port, cookies, routes):
    """(name, path, status, raw bytes, gzip bytes, body) for every HTML page: sign-in, offline
    and a 404 page, then, for each role in turn, the home page and every page it can open
    among the app's routes and the links from its pages. A page is measured for the first
    role that can open it; the home page for every role."""
    rows = []

    def measure_one(path, role, expected=200):
        status, headers, body = request(port, "GET", path, cookie=cookies.get(role))
        if status >= 500:
            raise BenchError(f"{path} as {role or 'nobody'} gave {status}")
        if status != expected or "text/html" not in headers.get("Content-Type", ""):
            return None
        page = PageParser(body)
        name = page.title.split(" · ")[0].strip() or path
        name = f"{name} ({role})" if role else name
        rows.append((name, path, status, len(body), gzip_size(body), body))
        return page

    for path, role, expected in [
        ("/signin", None, 200),
        ("/offline", None, 200),
        ("/no-such-page", "facilitator", 404),
    ]:
        if measure_one(path, role, expected) is None:
            raise BenchError(f"{path} as {role or 'nobody'} did not give an HTML {expected}")
    measured = {"/signin", "/offline"}
    seeds = [path for path in routes if not path.startswith(NOT_PAGES)]
    for role in cookies:
        queue, visited = list(dict.fromkeys(["/", *seeds])), set()
        while queue and len(visited) < MAX_PAGES:
            path = queue.pop(0)
            visited.add(path)
            if path == "/" or path not in measured:
                page = measure_one(path, role)
                if page is not None:
                    measured.add(path)
            else:
                status, _, body = request(port, "GET", path, cookie=cookies[role])
                page = PageParser(body) if status == 200 else None
            for link in page.links if page else []:
                parts = urllib.parse.urlsplit(link)
                # Page states such as ?edit=3 are variants of a page already measured.
                if parts.query or parts.path.startswith(NOT_PAGES):
                    continue
                if parts.path not in visited and parts.path not in queue:
                    queue.append(parts.path)
    if not any(row[1] == "/" for row in rows):
        raise BenchError("no signed-in home page was measured")
    return rows


def rows_of(pages) -> list[tuple]:
    """Rows for pages measured elsewhere, given as (name, path, status, body)."""
    return [
        (name, path, status, len(body), gzip_size(body), body) for name, path, status, body in pages
    ]


def largest(rows) -> tuple:
    return max(rows, key=lambda row: row[4])


def budget(rows) -> tuple[str, str, bool]:
    row = largest(rows)
    return (
        "Every HTML page ≤ 14 KB gzip",
        f"largest {kb(row[4])} ({row[0]})",
        row[4] <= PAGE_BUDGET,
    )


def report(rows) -> list[str]:
    return [
        f"  {name[:40]:<40} {path:<38} {kb(raw):>8} raw {kb(packed):>8} gzip"
        for name, path, _, raw, packed, _ in rows
    ]
