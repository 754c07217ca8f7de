// Runs in the page (tests/browser/test_pwa.py): the cache names once the worker has cleared them
// after a sign-out, or whatever is left when `timeout` ms have passed.
async (timeout) => {
  const cleared = (names) =>
    !names.includes("sentinel-test") && names.some((name) => name.startsWith("shell-"));
  const deadline = Date.now() + timeout;
  let names = await caches.keys();
  while (!cleared(names) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    names = await caches.keys();
  }
  return names;
};
