// Runs in the page (tests/browser/test_vault_crypto.py): every key WebCrypto hands the vault module,
// noted in window.seenKeys without the module exposing any of them.
() => {
  const seen = { derived: [], unwrapped: [], generated: [], usedForRecords: new Set() };
  const watch = (method, note) => {
    const original = SubtleCrypto.prototype[method];
    SubtleCrypto.prototype[method] = async function (...args) {
      const result = await original.apply(this, args);
      note(args, result);
      return result;
    };
  };
  watch("deriveKey", (_args, key) => seen.derived.push(key));
  watch("unwrapKey", (_args, key) => seen.unwrapped.push(key));
  watch("generateKey", (_args, key) => seen.generated.push(key));
  watch("encrypt", (args) => seen.usedForRecords.add(args[1]));
  watch("decrypt", (args) => seen.usedForRecords.add(args[1]));
  window.seenKeys = seen;
};
