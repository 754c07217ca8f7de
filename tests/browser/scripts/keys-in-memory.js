// Runs in the page (tests/browser/test_vault_crypto.py): which keys the vault holds, and whether any can be exported.
// scripts/watch-keys.js runs first.
async ({ module, arg }) => {
  const { openVault } = await import(module);
  const seen = window.seenKeys;
  const vault = openVault("fran");
  await vault.create(arg.old);
  await vault.put("shoulds", "one", { line: "I should" });
  vault.lock();
  await vault.unlock(arg.old);
  await vault.get("one");
  await vault.changePassphrase(arg.old, arg.new);
  await vault.put("shoulds", "two", { line: "I shouldn't" });
  await vault.get("two");

  const exported = async (key) => {
    try {
      await crypto.subtle.exportKey("raw", key);
      return "exported";
    } catch (error) {
      return error.name;
    }
  };
  const describe = (keys) =>
    Promise.all(
      [...keys].map(async (key) => ({
        extractable: key.extractable,
        usages: [...key.usages].sort(),
        export: await exported(key),
        usedForRecords: seen.usedForRecords.has(key),
      })),
    );
  return {
    derived: await describe(seen.derived),
    unwrapped: await describe(seen.unwrapped),
    generated: await describe(seen.generated),
    usedForRecords: await describe(seen.usedForRecords),
  };
};
