// Service worker for the app shell. Served from /sw.js so that its scope is the whole site.
// It precaches only the versioned static shell and a generic offline page. Pages are
// fetched from the network first and never stored, so nobody's data is kept in a cache.
// It never touches IndexedDB: the encrypted vault must survive sign-out.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "shell-" + VERSION;
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL_CACHE).map((n) => caches.delete(n))))
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

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Network first; the offline page only when the network is unreachable.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
