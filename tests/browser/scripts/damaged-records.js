// Runs in the page (tests/browser/test_vault_crypto.py): a damaged record refused, and the rest still listed.
async ({ module }) => {
  const { openVault } = await import(module);
  const vault = openVault("fran");
  let refused;
  try {
    await vault.get("painful-points-1");
  } catch (error) {
    refused = { name: error.name, code: error.code, message: error.message };
  }
  const listed = await vault.list();
  return {
    refused,
    listed: listed.map((r) => ({ id: r.id, value: r.value, error: r.error?.message })),
  };
};
