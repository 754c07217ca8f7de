// Runs in the page (tests/browser/test_pwa.py): the stand-in vault's one record, if it is still there.
async () => {
  const names = (await indexedDB.databases()).map((database) => database.name);
  if (!names.includes("vault-test")) return null;
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("vault-test");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const record = await new Promise((resolve, reject) => {
    const read = db.transaction("records").objectStore("records").get("record-1");
    read.onsuccess = () => resolve(read.result);
    read.onerror = () => reject(read.error);
  });
  db.close();
  return record;
};
