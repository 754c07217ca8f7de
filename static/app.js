// Small progressive enhancements. Every page works without this file.
function tellWorker(message) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => {
    (navigator.serviceWorker.controller || registration.active).postMessage(message);
  });
}

/** A sentence from base.html's <template id="app-words">, in the page's language. */
function words(name) {
  const found = document.getElementById("app-words")?.content.querySelector(`[data-word=${name}]`);
  return found ? found.textContent : "";
}

// --- the service worker, and whose pages it keeps (docs/design.md "No signal") ------------

// A page controlled before a new worker takes over is running the old version's scripts.
const hadWorker = "serviceWorker" in navigator && Boolean(navigator.serviceWorker.controller);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" });
  // Issue 23: a new version is announced, never loaded by itself: the person may be typing,
  // or have their private notes open, and a reload would lock them.
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadWorker) announceUpdate();
  });
}

function announceUpdate() {
  if (document.querySelector("[data-update-ready]")) return;
  const note = document.createElement("p");
  note.className = "flash info update-ready";
  note.setAttribute("role", "status");
  note.setAttribute("data-update-ready", "");
  note.append(`${words("update-ready")} `);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button quiet";
  button.textContent = words("reload");
  button.addEventListener("click", () => window.location.reload());
  note.append(button);
  document.body.prepend(note);
}

// The page after sign-out carries data-signed-out: clear what the worker cached.
if (document.body.hasAttribute("data-signed-out")) {
  tellWorker({ type: "signed-out" });
}

// Issue 21, H1: every page says who it was made for (data-person on the top bar, "" for
// nobody), and the worker drops every other person's kept pages. The offline page has no
// data-person: it is nobody's and says nothing. After a boosted swap the new bar says it again.
function tellWhoIsHere() {
  const bar = document.querySelector("[data-person]");
  if (bar) tellWorker({ type: "person", person: bar.getAttribute("data-person") });
}
tellWhoIsHere();
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.target === document.body) tellWhoIsHere();
});

// --- a tap always answers ---------------------------------------------------------------

/** Waits for the private space's saves on this page (static/private/start.js answers). */
function pendingSaves() {
  const waits = [];
  document.dispatchEvent(new CustomEvent("wellbeing:before-leave", { detail: { waits } }));
  return Promise.all(waits);
}

// No signal: a boosted link (or a boosted GET form) can't fetch the next page in the
// background, so the browser goes there itself and the worker answers with the page kept on
// this phone or the offline page. A form that posts keeps what was typed and says so.
document.addEventListener("htmx:sendError", (event) => {
  const detail = event.detail;
  const verb = (detail.requestConfig?.verb || "get").toLowerCase();
  if (verb === "get") {
    if (!detail.boosted) return; // a poll tries again by itself
    const path = detail.pathInfo?.finalRequestPath || detail.pathInfo?.requestPath;
    pendingSaves().then(() => window.location.assign(path));
    return;
  }
  const form = detail.elt?.closest?.("form") || detail.elt;
  notSent(form);
});

function notSent(form) {
  if (!form?.insertAdjacentElement) return;
  let note = form.querySelector("[data-not-sent]");
  if (!note) {
    note = document.createElement("p");
    note.className = "flash error";
    note.setAttribute("role", "alert");
    note.setAttribute("data-not-sent", "");
    form.prepend(note);
  }
  // Cleared first so the same words are announced again on a second try.
  note.textContent = "";
  setTimeout(() => {
    note.textContent = words("not-sent");
  }, 50);
}

// A form sent again with signal: its "not sent" note goes.
document.addEventListener("htmx:afterRequest", (event) => {
  if (!event.detail.successful) return;
  const form = event.detail.elt?.closest?.("form");
  form?.querySelector("[data-not-sent]")?.remove();
});

// Polled views (training-day rooms) carry their ETag as data-etag: sent back, a room that has
// not changed answers 304, which htmx-config in base.html leaves unswapped.
document.addEventListener("htmx:configRequest", (event) => {
  const etag = event.detail.elt.getAttribute("data-etag");
  if (etag) event.detail.headers["If-None-Match"] = etag;
});

// --- the offline page: what this phone can open without signal --------------------------

async function listKeptPages(list) {
  if (!("caches" in window)) return;
  const kept = await caches.match("/worker-state/person", { cacheName: "worker-state" });
  const mark = kept ? await kept.text() : "";
  if (!mark) return;
  const cache = await caches.open(`private-pages-${mark}`);
  const links = [];
  for (const request of await cache.keys()) {
    const page = await cache.match(request);
    const html = page ? await page.text() : "";
    const title = new DOMParser().parseFromString(html, "text/html").title;
    const url = new URL(request.url);
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = url.pathname + url.search;
    // A real visit, so the worker answers from its cache.
    link.setAttribute("hx-boost", "false");
    link.textContent = title.replace(/ · [^·]*$/, "") || url.pathname;
    item.append(link);
    links.push(item);
  }
  list.replaceChildren(...links);
  const holder = list.closest("[data-kept-pages]");
  if (holder) holder.hidden = links.length === 0;
}

function showKeptPages() {
  const list = document.querySelector("[data-kept-pages] ul");
  if (list) listKeptPages(list).catch(() => {});
}

// --- install help: shown until the app runs from the home screen -----------------------

function hideInstallHelpWhenInstalled() {
  const standalone =
    window.matchMedia?.("(display-mode: standalone)").matches || navigator.standalone === true;
  if (!standalone) return;
  for (const link of document.querySelectorAll("[data-install-help]")) link.hidden = true;
}

// Modules that start a part of a page: htmx boost doesn't run a page's scripts
// (allowScriptTags is false), so an element names its module by its name in the import map
// (data-module="room", "passkeys", "private/start", "screens/<screen>"), which is imported on the
// pages that have one and whose start(root) runs here, once for each such element.
function startModules() {
  for (const root of document.querySelectorAll("[data-module]:not([data-started])")) {
    root.dataset.started = "yes";
    import(root.dataset.module).then((module) => module.start(root));
  }
}

function pageLoaded() {
  startModules();
  showKeptPages();
  hideInstallHelpWhenInstalled();
}
document.addEventListener("htmx:load", pageLoaded);
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", pageLoaded);
} else {
  pageLoaded();
}

// "Copy link" buttons: <button data-copy="#id">. htmx may add them later, so delegate.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  const done = () => {
    button.textContent = button.getAttribute("data-copied") || "Copied";
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, () => {});
  } else {
    done();
  }
});

// "Print" buttons: <button data-print>. An agreement, a supervision record or a training
// day's summary prints on A4 with the print rules in app.css. One handler: two opened the
// print dialog twice (issue 23).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
