// Runs in the page (bench/vault.py): the real static/vault/index.js, imported by the URL the pages
// use. Times come from performance.now() in the page, so nothing of the DevTools round trips is
// counted.
async ({ module, runs, characters }) => {
  const { openVault } = await import(module);
  const vault = openVault("bench-" + Date.now());
  const passphrase = "a quiet room with the door shut";
  await vault.create(passphrase);
  const unlock = [];
  for (let run = 0; run < runs.unlock; run += 1) {
    vault.lock();
    const start = performance.now();
    await vault.unlock(passphrase);
    unlock.push(performance.now() - start);
  }
  // A shoulds inventory as the exercise page saves it, with 5,000 characters written.
  const line = "I should always know the right thing to say. ";
  const text = line.repeat(Math.ceil(characters / line.length)).slice(0, characters);
  const value = {
    startedAt: new Date().toISOString(), finishedAt: null, step: "round", round: 1,
    rounds: [{ text, timer: { startedAt: Date.now(), elapsedMs: 0 } },
             { text: "", timer: { startedAt: null, elapsedMs: 0 } }],
    review: { lines: [], reflection: "" },
  };
  const save = [];
  for (let run = 0; run < runs.save; run += 1) {
    const start = performance.now();
    await vault.put("shoulds", "shoulds-bench", value);
    save.push(performance.now() - start);
  }
  vault.lock();
  return { unlock, save };
}
