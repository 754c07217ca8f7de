// Runs in the page (tests/browser/test_vault_crypto.py): the vault saves, locks and unlocks Fran's notes.
async ({ module, arg }) => {
  const { openVault } = await import(module);
  const vault = openVault("fran");
  const lockedAfterReload = !vault.isUnlocked();
  await vault.unlock(arg);
  const result = {
    lockedAfterReload,
    exists: await vault.exists(),
    unlocked: vault.isUnlocked(),
    one: await vault.get("painful-points-1"),
    shoulds: await vault.list("shoulds"),
    all: (await vault.list()).map((record) => record.id),
    missing: await vault.get("no-such-record"),
  };
  await vault.put("shoulds", "shoulds-2024-05-01-r2", { round: 2, lines: [] });
  result.changed = (await vault.get("shoulds-2024-05-01-r2")).value;
  await vault.remove("shoulds-2024-05-01-r1");
  result.removed = await vault.get("shoulds-2024-05-01-r1");
  result.newId = await vault.put("shoulds", undefined, "a note with a random id");
  vault.lock();
  result.lockedAgain = !vault.isUnlocked();
  return result;
};
