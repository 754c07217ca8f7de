// Runs in the page (tests/browser/test_offline.py): the paths this phone keeps for the person
// signed in on it, from the worker's own cache. With `move` ([from, to]) the page kept at `from`
// is moved to `to` first, as a phone that kept it before its address changed has it.
async (move) => {
  const person = await caches.match("/worker-state/person", { cacheName: "worker-state" });
  const cache = await caches.open(`private-pages-${await person.text()}`);
  if (move) {
    const [from, to] = move;
    await cache.put(to, await cache.match(from));
    await cache.delete(from);
  }
  const requests = await cache.keys();
  return requests.map((request) => new URL(request.url).pathname);
};
