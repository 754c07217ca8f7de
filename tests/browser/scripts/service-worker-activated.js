// Runs in the page (tests/browser/steps.py): the scope of the page's service worker once it is
// activated. page.evaluate has no timeout of its own, so the wait gives up in the page.
async (timeout) => {
  const activated = (async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    while (worker.state !== "activated") {
      await new Promise((resolve) => worker.addEventListener("statechange", resolve));
    }
    return registration.scope;
  })();
  const gaveUp = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no activated service worker")), timeout),
  );
  return Promise.race([activated, gaveUp]);
};
