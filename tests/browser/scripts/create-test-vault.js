// Runs in the page (tests/browser/test_pwa.py): an IndexedDB database standing in for a vault.
async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("vault-test", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("records");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const write = db.transaction("records", "readwrite");
    write.objectStore("records").put("ciphertext", "record-1");
    write.oncomplete = resolve;
    write.onerror = () => reject(write.error);
  });
  db.close();
};
