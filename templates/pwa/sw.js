// Service worker for the app shell. Served from /sw.js so that its scope is the whole site.
// It precaches only the versioned static shell and a generic offline page. Pages are
// fetched from the network first and never stored, so nobody's data is kept in a cache,
// with two exceptions, kept once visited so they open offline. The private exercise pages
// under PRIVATE (issue 3) hold only chrome: the worker's notes live encrypted in IndexedDB,
// and are never in a page. The before-session cards (CARD, issue 4) hold what the worker's own
// pair shares with them, for a group somewhere with poor signal. Sign-out clears every cache,
// these pages included.
// It never touches IndexedDB: the encrypted vault must survive sign-out.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "shell-" + VERSION;
const PRIVATE_CACHE = "private-pages-" + VERSION;
const SHELL = {{ shell|tojson }};
// The private space's and the card's scripts: cached on the first visit to one of those pages,
// not at install, so a first visit to the app stays light (issue 13).
const PRIVATE_SHELL = {{ private_shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const PRIVATE = {{ private|tojson }};
const CARD = new RegExp({{ card|tojson }});

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL);
}

// Before a private page or a card is shown, every script it may import is in the cache.
async function precachePrivate() {
  const cache = await caches.open(SHELL_CACHE);
  const missing = [];
  for (const url of PRIVATE_SHELL) {
    if (!(await cache.match(url))) missing.push(url);
  }
  if (missing.length) await cache.addAll(missing);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n !== SHELL_CACHE && n !== PRIVATE_CACHE).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

// On sign-out every cache goes, then the generic shell comes back so offline still works.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "signed-out") {
    event.waitUntil(
      caches.keys()
        .then((names) => Promise.all(names.map((n) => caches.delete(n))))
        .then(precache)
        .then(() => event.source && event.source.postMessage({ type: "caches-cleared" })),
    );
  }
});

// Network first; the copy from the last visit when the network is unreachable. Only a page
// the server really showed is kept: not a redirect to sign-in, not a 403 for another role.
// A boosted (htmx) visit gets the same whole page as a navigation, so Vary is ignored.
async function privatePage(request) {
  try {
    const response = await fetch(request);
    // Pages only: the vault's server backup (JSON under PRIVATE) must always come fresh.
    const page = (response.headers.get("Content-Type") || "").startsWith("text/html");
    if (page && response.ok && !response.redirected && response.type === "basic") {
      const cache = await caches.open(PRIVATE_CACHE);
      await cache.put(request.url, response.clone());
      await precachePrivate().catch(() => {});
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request.url, { cacheName: PRIVATE_CACHE, ignoreVary: true });
    if (kept) return kept;
    if (request.mode === "navigate") return caches.match(OFFLINE);
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(PRIVATE) || CARD.test(url.pathname)) {
    event.respondWith(privatePage(request));
    return;
  }
  if (request.mode === "navigate") {
    // Network first; the offline page only when the network is unreachable.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
