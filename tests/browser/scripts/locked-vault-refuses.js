// Runs in the page (tests/browser/test_vault_crypto.py): what a locked vault refuses.
// scripts/watch-keys.js runs first.
async ({ module, arg }) => {
  const { openVault, lockAll } = await import(module);
  const seen = window.seenKeys;
  const vault = openVault("fran");
  lockAll();
  seen.usedForRecords.clear();
  const refused = async (attempt) => {
    try {
      await attempt();
      return null;
    } catch (error) {
      return { name: error.name, code: error.code, message: error.message };
    }
  };
  return {
    unlocked: vault.isUnlocked(),
    get: await refused(() => vault.get("painful-points-1")),
    list: await refused(() => vault.list()),
    put: await refused(() => vault.put("shoulds", "new", "text")),
    remove: await refused(() => vault.remove("painful-points-1")),
    keysUsed: seen.usedForRecords.size,
    // The lock button pressed while an unlock is still deriving the key: the lock wins.
    lockWinsOverUnlock: await (async () => {
      const unlocking = vault.unlock(arg);
      vault.lock();
      await unlocking;
      return !vault.isUnlocked();
    })(),
  };
};
