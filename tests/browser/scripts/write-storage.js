// Runs in the page (tests/browser/test_vault_crypto.py): records and a header written straight
// into the vault's stores, as an attacker with the phone could.
async (arg) => {
  const database = await new Promise((resolve, reject) => {
    const opening = indexedDB.open(`vault-${arg.name}`);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const writing = database.transaction(["meta", "records"], "readwrite");
  if (arg.meta) writing.objectStore("meta").put(arg.meta, "vault");
  for (const record of arg.records ?? []) writing.objectStore("records").put(record);
  await new Promise((resolve, reject) => {
    writing.oncomplete = resolve;
    writing.onerror = () => reject(writing.error);
  });
  database.close();
};
