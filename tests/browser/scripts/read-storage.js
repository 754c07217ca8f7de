// Runs in the page (tests/browser/test_vault_crypto.py): the vault's stores as IndexedDB holds them,
// read without the module: what a server or a thief would see.
async (arg) => {
  const database = await new Promise((resolve, reject) => {
    const opening = indexedDB.open(`vault-${arg.name}`);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const read = (store, query) =>
    new Promise((resolve, reject) => {
      const request = database
        .transaction(store)
        .objectStore(store)
        [query[0]](...query.slice(1));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const stored = {
    meta: await read("meta", ["get", "vault"]),
    state: await read("meta", ["get", "state"]),
    records: await read("records", ["getAll"]),
  };
  database.close();
  return stored;
};
