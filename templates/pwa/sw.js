{# Service worker for the app shell. (Its comments are Jinja comments: kept here, never sent.)
    Served from /sw.js so that its scope is the whole site.
    It precaches only the versioned static shell and a generic offline page. Pages are
    fetched from the network first and never stored, so nobody's data is kept in a cache,
    with two exceptions, kept once visited so they open offline. The private exercise pages
    under PRIVATE (issue 3) hold only chrome: the worker's notes live encrypted in IndexedDB,
    and are never in a page. The before-session cards (CARD, issue 4) hold what the worker's own
    pair shares with them, for a group somewhere with poor signal. The module's pages
    (GUIDELINES, issue 23) hold the organisation's content only.
    
    Whose pages (issue 21, H1): every page the server sends names the person it was made for
    (the PERSON_HEADER response header, and data-person in the page, which static/app.js passes
    on). Each person's pages live in a cache of their own, "private-pages-<mark>", and the worker
    serves a kept page only from the cache of the person the last page named. The moment a page
    names somebody else, or nobody (signed out, expired, reset, switched off, deleted), every
    other person's cache is deleted. Sign-out also clears every cache.
    
    Deploys (issue 23): the private caches carry no version, so a new worker keeps them; on
    activation it fetches each kept page again when it can (so it names the new scripts), keeps
    the old copy when it can't, and moves the old shell's files into the new shell cache when
    the network can't give it the new ones. docs/design.md "No signal".
    It never touches IndexedDB: the encrypted vault must survive sign-out. #}
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `shell-${VERSION}`;
const PRIVATE_PREFIX = "private-pages-";
{# Who the last page named, kept across the worker's restarts; nothing else is in it. #}
const STATE_CACHE = "worker-state";
const PERSON_KEY = "/worker-state/person";
const PERSON_HEADER = {{ person_header|tojson }};
const SHELL = {{ shell|tojson }};
{# The private space's and the card's scripts: cached on the first visit to one of those pages,
    not at install, so a first visit to the app stays light (issue 13). #}
const PRIVATE_SHELL = {{ private_shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const PRIVATE = {{ private|tojson }};
{# Regular expression literals: card_pattern() and guidelines_pattern() escape every "/". #}
const CARD = /{{ card }}/;
{# The module's pages (the guidelines' sessions, as the person's organisation runs them): kept
    once read. #}
const GUIDELINES = /{{ guidelines }}/;
const TONIGHT = {{ tonight|tojson }};
const SIGNOUT = {{ signout|tojson }};

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL);
}

{# Before a private page or a card is shown, every script it may import is in the cache. #}
async function precachePrivate() {
  const cache = await caches.open(SHELL_CACHE);
  const missing = [];
  for (const url of PRIVATE_SHELL) {
    if (!(await cache.match(url))) missing.push(url);
  }
  if (missing.length) await cache.addAll(missing);
}

{# --- whose pages ------------------------------------------------------------------------ #}

{# Changes to who is signed in, and to the private caches, run one after another. #}
let queue = Promise.resolve();
function inTurn(job) {
  const next = queue.then(job, job);
  queue = next.catch(() => {});
  return next;
}

let person; // the mark of the person the last page named; "" for nobody; undefined: not read yet
async function currentPerson() {
  if (person === undefined) {
    const kept = await caches.match(PERSON_KEY, { cacheName: STATE_CACHE });
    person = kept ? await kept.text() : "";
  }
  return person;
}

function isMark(mark) {
  return typeof mark === "string" && /^p[0-9a-f]{8,64}$/.test(mark);
}

{# A page named `mark` (a person) or nobody: every other person's pages go at once. #}
function notePerson(mark) {
  const named = isMark(mark) ? mark : "";
  return inTurn(async () => {
    const before = await currentPerson();
    person = named;
    if (before !== named) {
      const state = await caches.open(STATE_CACHE);
      await state.put(PERSON_KEY, new Response(named));
    }
    const names = await caches.keys();
    await Promise.all(
      names
        .filter((name) => name.startsWith(PRIVATE_PREFIX) && name !== PRIVATE_PREFIX + named)
        .map((name) => caches.delete(name)),
    );
  });
}

function noteResponse(response) {
  const mark = response.headers.get(PERSON_HEADER);
  return mark ? notePerson(mark) : Promise.resolve();
}

async function keptPage(url) {
  const mark = await currentPerson();
  if (!mark) return undefined;
  return caches.match(url, { cacheName: PRIVATE_PREFIX + mark, ignoreVary: true });
}

{# --- install, activate, and a deploy ---------------------------------------------------- #}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

{# A deploy's fetches give up after a while: one that hangs on a poor connection would hold the
    new worker's activation, and with it every page, until the phone's network gave up. #}
const DEPLOY_FETCH_MS = 15000;
function fetchForDeploy(url) {
  return fetch(url, { credentials: "same-origin", signal: AbortSignal.timeout(DEPLOY_FETCH_MS) });
}

{# The new shell has each file an older shell had: fetched when the network answers, or else
    the older copy moved across, so a page kept before the deploy still opens offline. #}
async function carryShellOver(oldShells) {
  const cache = await caches.open(SHELL_CACHE);
  const hasPrivatePages = (await caches.keys()).some((name) => name.startsWith(PRIVATE_PREFIX));
  const wanted = hasPrivatePages ? PRIVATE_SHELL : [];
  for (const url of wanted) {
    if (await cache.match(url)) continue;
    try {
      const response = await fetchForDeploy(url);
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      await cache.put(url, response);
    } catch {
      const path = new URL(url, self.location.origin).pathname;
      for (const name of oldShells) {
        const old = await caches.open(name);
        const hit = (await old.keys()).find((request) => new URL(request.url).pathname === path);
        if (hit) {
          await cache.put(url, await old.match(hit));
          break;
        }
      }
    }
  }
}

{# Each kept page fetched again, so it names this version's scripts; the old copy stays when
    the network can't give a page made for the same person. #}
async function refreshKeptPages() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PRIVATE_PREFIX));
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      try {
        const response = await fetchForDeploy(request.url);
        const forSamePerson = PRIVATE_PREFIX + response.headers.get(PERSON_HEADER) === name;
        {# A page that moved is kept at its new address (issue 25: the module's pages were
            under /sessions/ and are under /module/ now); a redirect to anything the worker
            doesn't keep (sign-in, say) is not kept. #}
        const address = response.redirected ? response.url : request.url;
        const keptThere = keeps(new URL(address).pathname);
        if (keepable(response, true) && forSamePerson && keptThere) {
          await cache.put(address, response.redirected ? unredirected(response) : response);
        }
      } catch {
        {# No signal: the copy from before the deploy stays. #}
      }
      {# A page at an address the worker no longer answers with (a moved page's old one) goes:
          the offline page would list it, and it would not open. #}
      if (!keeps(new URL(request.url).pathname)) await cache.delete(request);
    }
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const oldShells = names.filter((n) => n.startsWith("shell-") && n !== SHELL_CACHE);
      await carryShellOver(oldShells).catch(() => {});
      await inTurn(refreshKeptPages).catch(() => {});
      const keep = (n) => n === SHELL_CACHE || n === STATE_CACHE || n.startsWith(PRIVATE_PREFIX);
      await Promise.all(names.filter((n) => !keep(n)).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  {# On sign-out every cache goes, then the generic shell comes back so offline still works. #}
  if (data.type === "signed-out") {
    event.waitUntil(
      inTurn(async () => {
        person = "";
        const names = await caches.keys();
        await Promise.all(names.map((n) => caches.delete(n)));
        await precache();
      }).then(() => event.source?.postMessage({ type: "caches-cleared" })),
    );
  }
  {# Every page says who it was made for (static/app.js); an offline page says nothing. #}
  if (data.type === "person") {
    event.waitUntil(
      notePerson(data.person).then(() => event.source?.postMessage({ type: "person-noted" })),
    );
  }
});

{# --- fetches ---------------------------------------------------------------------------- #}

{# Only a page the server really showed is kept: not a redirect to sign-in, not a 403 for
    another role, and pages only: the vault's server backup (JSON under PRIVATE) always comes fresh.
    A redirect counts only where the caller checked that it led to a page the worker keeps. #}
function keepable(response, redirectedToKept = false) {
  const page = (response.headers.get("Content-Type") || "").startsWith("text/html");
  const followed = redirectedToKept || !response.redirected;
  return page && response.ok && followed && response.type === "basic";
}

{# The same page, without the mark of the redirect that led to it: a navigation answered with
    a response that was redirected fails in the browser. #}
function unredirected(response) {
  const { status, statusText, headers } = response;
  return new Response(response.body, { status, statusText, headers });
}

{# The pages the worker keeps for a person once visited: the private space, the cards and the
    module's pages. #}
function keeps(path) {
  return path.startsWith(PRIVATE) || CARD.test(path) || GUIDELINES.test(path);
}

{# Network first; the copy this person kept when the network is unreachable.
    A boosted (htmx) visit gets the same whole page as a navigation, so Vary is ignored. #}
async function privatePage(request) {
  try {
    const response = await fetch(request);
    await noteResponse(response);
    const mark = response.headers.get(PERSON_HEADER);
    if (keepable(response) && isMark(mark)) {
      const copy = response.clone();
      await inTurn(async () => {
        {# Still this person's turn: a page naming someone else may have come in between. #}
        if ((await currentPerson()) !== mark) return;
        const cache = await caches.open(PRIVATE_PREFIX + mark);
        await cache.put(request.url, copy);
      });
      await precachePrivate().catch(() => {});
    }
    return response;
  } catch (error) {
    const kept = await keptPage(request.url);
    if (kept) return kept;
    if (request.mode === "navigate") return caches.match(OFFLINE);
    throw error;
  }
}

{# The manifest's "Tonight's card" shortcut, offline: the one card this person kept. #}
async function tonight(request) {
  try {
    const response = await fetch(request);
    await noteResponse(response);
    return response;
  } catch (error) {
    const mark = await currentPerson();
    if (mark) {
      const cache = await caches.open(PRIVATE_PREFIX + mark);
      const cards = (await cache.keys()).filter((r) => CARD.test(new URL(r.url).pathname));
      if (cards.length === 1) return cache.match(cards[0]);
    }
    if (request.mode === "navigate") return caches.match(OFFLINE);
    throw error;
  }
}

{# Any other page: network only, but it still tells the worker who it was made for. Polls
    (training-day rooms, a check-in waiting) are not boosted and never come through here. #}
async function page(request) {
  try {
    const response = await fetch(request);
    await noteResponse(response);
    return response;
  } catch (error) {
    if (request.mode === "navigate") return caches.match(OFFLINE);
    throw error;
  }
}

{# A versioned file: the cache, then the network; a page kept from before a deploy asks for
    the older version's URL, so with no signal the same file of this version answers. #}
async function staticFile(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (error) {
    const same = await caches.match(request, { cacheName: SHELL_CACHE, ignoreSearch: true });
    if (same) return same;
    throw error;
  }
}

{# Signing out with no signal: the server can't hear it, but this phone forgets the person's
    pages all the same, then shows the offline page (their sign-in ends on the server when it
    expires, or at the next sign-out with signal). #}
async function signOut(request) {
  try {
    return await fetch(request);
  } catch {
    await notePerson("");
    return caches.match(OFFLINE);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === SIGNOUT) {
    event.respondWith(signOut(request));
    return;
  }
  if (request.method !== "GET") return;
  const path = url.pathname;
  if (keeps(path)) {
    event.respondWith(privatePage(request));
  } else if (url.pathname === TONIGHT) {
    event.respondWith(tonight(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate" || request.headers.get("HX-Boosted")) {
    event.respondWith(page(request));
  }
});
