// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function tellWorker(message) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
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

  // "Copy link" buttons: <button data-copy="#id">. htmx may add them later, so delegate.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else {
      done();
    }
  });

  // "Print" buttons: <button data-print>. An agreement or a supervision record prints on A4
  // with the print rules in app.css.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
