// Small progressive enhancements. Every page works without this file.
function tellWorker(message) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => {
    (navigator.serviceWorker.controller || registration.active).postMessage(message);
  });
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" });
}

// The page after sign-out carries data-signed-out: clear what the worker cached.
if (document.body.hasAttribute("data-signed-out")) {
  tellWorker({ type: "signed-out" });
}

// Polled views (training-day rooms) carry their ETag as data-etag: sent back, a room that has
// not changed answers 304, which htmx-config in base.html leaves unswapped.
document.addEventListener("htmx:configRequest", (event) => {
  const etag = event.detail.elt.getAttribute("data-etag");
  if (etag) event.detail.headers["If-None-Match"] = etag;
});

// Page modules: htmx boost doesn't run a page's scripts (allowScriptTags is false), so an
// element names its module (data-module) and is started here, once. Imported by name (the
// import map in base.html), and only on the pages that have one.
const PAGE_MODULES = { room: () => import("room"), passkeys: () => import("passkeys") };

function startModules() {
  document.querySelectorAll("[data-module]:not([data-started])").forEach((root) => {
    root.setAttribute("data-started", "yes");
    PAGE_MODULES[root.getAttribute("data-module")]().then((module) => {
      module.start(root);
    });
  });
}
document.addEventListener("htmx:load", startModules);
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", startModules);
} else {
  startModules();
}

// "Print" buttons, e.g. a training day's summary.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

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

// "Print" buttons: <button data-print>. An agreement or a supervision record prints on A4
// with the print rules in app.css.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
