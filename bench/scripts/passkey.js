// Runs in the page (bench/vault.py): one touch before a group (issue 15). A vault with a
// passkey's PRF wrap, then, each run, from the sign-in assertion (Chromium's virtual
// authenticator, with PRF) to the vault open: HKDF of the PRF output, the unwrap, the first read.
// The server's check of the assertion is not counted: it is a round trip, not the phone's work.
async ({ module, runs }) => {
  const { openVault } = await import(module);
  const vault = openVault("bench-passkey-" + Date.now());
  const passphrase = "a quiet room with the door shut";
  await vault.create(passphrase);
  const random = (n) => crypto.getRandomValues(new Uint8Array(n));
  const made = await navigator.credentials.create({
    publicKey: {
      rp: { name: "bench", id: location.hostname },
      user: { id: random(16), name: "bench", displayName: "bench" },
      challenge: random(32),
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
      extensions: { prf: {} },
    },
  });
  const { prfSalt } = await vault.unlocks();
  const ask = () =>
    navigator.credentials.get({
      publicKey: {
        challenge: random(32),
        rpId: location.hostname,
        userVerification: "required",
        allowCredentials: [{ type: "public-key", id: made.rawId }],
        extensions: { prf: { eval: { first: prfSalt } } },
      },
    });
  const first = await ask();
  const prf = new Uint8Array(first.getClientExtensionResults().prf.results.first);
  await vault.addPasskey(passphrase, { credentialId: first.id, name: "bench", prfSalt, prf });
  const passkey = [];
  for (let run = 0; run < runs.passkey; run += 1) {
    vault.lock();
    const start = performance.now();
    const answer = await ask();
    const output = new Uint8Array(answer.getClientExtensionResults().prf.results.first);
    await vault.unlockWithPasskey(answer.id, output);
    await vault.list();
    passkey.push(performance.now() - start);
  }
  vault.lock();
  return { passkey };
}
