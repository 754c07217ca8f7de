// Every way to open the private space (issue 15), on the vault screen: the passphrase, each
// passkey (through the PRF extension) and the recovery key; adding them, removing any but the
// passphrase, opening with a passkey, and a forgotten passphrase replaced with the recovery key.
// Nothing here goes to the server but a request for a passkey challenge; the PRF output and the
// recovery key stay in this page's memory, and the recovery key only until the sheet is printed.

import { askPasskey, supported } from "shared/webauthn";
import { autoSync, vaultChanged } from "private/start";
import { checkNewPassphrase, handleForm, showError } from "screens/forms";
import { fill } from "shared/page";

// The recovery key just made, for the recovery sheet (a boosted page change keeps this module).
let justMade = null;

async function passkeyOptions(root) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  try {
    Object.assign(headers, JSON.parse(document.body.getAttribute("hx-headers") || "{}"));
  } catch {
    // No form token: the server refuses, and the screen says nothing changed.
  }
  const response = await fetch(root.dataset.optionsUrl, {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: "{}",
  });
  if (!response.ok) throw new Error("no options");
  return (await response.json()).publicKey;
}

function say(note, text) {
  note.textContent = text;
  note.hidden = !text;
}

function line(text, removeLabel, remove) {
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = text;
  item.append(label);
  if (remove) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button quiet";
    button.textContent = removeLabel;
    button.addEventListener("click", remove);
    item.append(" ", button);
  }
  return item;
}

/** The list, the add forms and the recovery key: for the unlocked vault screen. */
export async function showUnlocks(root, opened) {
  const section = root.querySelector("[data-unlocks]");
  const texts = section.dataset;
  const list = section.querySelector("[data-unlock-list]");
  const status = section.querySelector("[data-unlocks-status]");
  const unlocks = await opened.vault.unlocks();
  const removing = (kind, credentialId) => async () => {
    await opened.vault.removeUnlock(kind, credentialId);
    await showUnlocks(root, opened);
    say(status, texts.removed);
  };
  list.replaceChildren(
    line(texts.passphraseLine),
    ...unlocks.passkeys.map((passkey) => {
      const text = fill(texts.passkeyLine, { name: passkey.name });
      const label = fill(texts.removeLabel, { name: text });
      return line(text, label, removing("passkey", passkey.credentialId));
    }),
    ...(unlocks.recovery
      ? [
          line(
            texts.recoveryLine,
            fill(texts.removeLabel, { name: texts.recoveryLine }),
            removing("recovery"),
          ),
        ]
      : []),
  );
}

export function handleUnlocks(root, opened) {
  const section = root.querySelector("[data-unlocks]");
  const texts = section.dataset;
  const status = section.querySelector("[data-unlocks-status]");

  const add = section.querySelector("[data-form=add-passkey]");
  const addPassphrase = add.querySelector("[data-passphrase]");
  if (!supported()) add.closest("details").hidden = true;
  handleForm(add, async () => {
    say(status, "");
    showError(addPassphrase, addPassphrase.value ? "" : add.dataset.empty);
    if (!addPassphrase.value) return addPassphrase.focus();
    const { prfSalt } = await opened.vault.unlocks();
    let asked;
    try {
      asked = await askPasskey(await passkeyOptions(section), prfSalt);
    } catch {
      return say(status, texts.failed);
    }
    if (!asked.prf) return say(status, texts.noPrf);
    try {
      await opened.vault.addPasskey(addPassphrase.value, {
        credentialId: asked.credentialId,
        name: passkeyName(asked.credentialId),
        prfSalt,
        prf: asked.prf,
      });
    } catch (error) {
      if (error.code === "wrong-passphrase") return showError(addPassphrase, add.dataset.wrong);
      return say(status, texts.failed);
    } finally {
      asked.prf.fill(0);
    }
    addPassphrase.value = "";
    await showUnlocks(root, opened);
    say(status, texts.added);
  });

  const recovery = section.querySelector("[data-form=recovery]");
  const recoveryPassphrase = recovery.querySelector("[data-passphrase]");
  const shown = section.querySelector("[data-recovery-shown]");
  handleForm(recovery, async () => {
    say(status, "");
    showError(recoveryPassphrase, recoveryPassphrase.value ? "" : recovery.dataset.empty);
    if (!recoveryPassphrase.value) return recoveryPassphrase.focus();
    try {
      justMade = await opened.vault.makeRecoveryKey(recoveryPassphrase.value);
    } catch (error) {
      const wrong = error.code === "wrong-passphrase";
      return showError(
        recoveryPassphrase,
        wrong ? recovery.dataset.wrong : recovery.dataset.failed,
      );
    }
    recoveryPassphrase.value = "";
    shown.querySelector("[data-recovery-text]").textContent = justMade;
    shown.hidden = false;
    await showUnlocks(root, opened);
  });
}

// The name the account page gave a passkey is the server's; the vault keeps its own label: the
// day it was added here and the start of the passkey's id.
function passkeyName(credentialId) {
  return `${new Date().toLocaleDateString()} (${credentialId.slice(0, 6)})`;
}

/** The locked screen: open with a passkey, or with the recovery key and a new passphrase. */
export function handleLocked(root, opened) {
  const part = root.querySelector("[data-needs-unlocks]");
  const button = part.querySelector("[data-action=passkey-unlock]");
  const status = part.querySelector("[data-passkey-unlock-status]");
  const texts = root.querySelector("[data-unlocks]").dataset;
  part.hidden = false;
  button.addEventListener("click", async () => {
    status.textContent = "";
    try {
      const { prfSalt } = await opened.vault.unlocks();
      const asked = await askPasskey(
        await passkeyOptions(root.querySelector("[data-unlocks]")),
        prfSalt,
      );
      if (!asked.prf) {
        status.textContent = texts.noPrf;
        return;
      }
      await opened.vault.unlockWithPasskey(asked.credentialId, asked.prf);
      asked.prf.fill(0);
    } catch {
      status.textContent = texts.failed;
      return;
    }
    await vaultChanged();
    autoSync();
  });

  const form = root.querySelector("[data-form=recover]");
  const key = form.querySelector("[data-recovery-key]");
  const [first, again] = form.querySelectorAll("[data-passphrase]");
  handleForm(form, async () => {
    showError(key, key.value ? "" : form.dataset.wrongKey);
    if (!key.value) return key.focus();
    const wrong = checkNewPassphrase(form, first, again);
    if (wrong) return wrong.focus();
    try {
      await opened.vault.recover(key.value, first.value);
    } catch (error) {
      const badKey = ["wrong-recovery-key", "bad-format"].includes(error.code);
      showError(key, badKey ? form.dataset.wrongKey : form.dataset.failed);
      return key.focus();
    }
    key.value = first.value = again.value = "";
    await vaultChanged();
    autoSync();
  });
}

/** Shows the unlock buttons that fit this vault: "Open with a passkey" once one is added. */
export async function showLocked(root, opened) {
  const unlocks = await opened.vault.unlocks();
  const button = root.querySelector("[data-action=passkey-unlock]");
  button.hidden = !(supported() && unlocks.passkeys.length);
  root.querySelector("[data-recover]").hidden = !unlocks.recovery;
}

/** The recovery sheet: the key just made in this page, written in; then forgotten. */
export function recoveryKeyForSheet() {
  const text = justMade;
  justMade = null;
  return text;
}
