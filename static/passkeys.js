// Passkeys (issue 15): adding one on the account page, and signing in with one touch. How a
// passkey is asked is static/shared/webauthn.js.
//
// One touch before a group: the sign-in asks the passkey for its PRF output too, with this
// phone's vault's salt. The output stays in this module's memory for the moment it takes to open
// the vault, and is never written anywhere; the page then moves on with htmx (as a boosted link
// does), so the open vault's key stays in the page's memory, where the private screens find it.
// The server gets the signed assertion only, never the PRF output.

import { postJSON } from "shared/http";
import { answerOf, askPasskey, publicKeyOf, supported } from "shared/webauthn";

async function addPasskey(root) {
  const name = root.querySelector("[data-passkey-name]").value;
  const made = await postJSON(root.dataset.optionsUrl, {});
  // Refused (the password check is too old, or too many tries): the server says why.
  if (!made.ok) throw refusal(made.answer?.message);
  const credential = await navigator.credentials.create({
    publicKey: { ...publicKeyOf(made.answer.publicKey), extensions: { prf: {} } },
  });
  const added = await postJSON(root.dataset.addUrl, {
    challengeId: made.answer.challengeId,
    name,
    credential: answerOf(credential),
  });
  if (!added.ok) throw refusal(added.answer?.message);
  const prf = credential.getClientExtensionResults().prf?.enabled;
  const message = prf ? root.dataset.addedPrf : root.dataset.addedNoPrf;
  // The list is the server's: show it again, as a boosted link would.
  navigate(window.location.pathname, () => say(message));
}

/** An error whose words the server chose, shown as they are. */
function refusal(message) {
  const error = new Error(message || "refused");
  error.fromServer = Boolean(message);
  return error;
}

/** The form token changed at sign-in (issue 21): htmx and fetch() send the new one. */
function useFormToken(token) {
  if (token) document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
}

/** Moves on as a boosted link does, so this page's memory (the open vault) stays. */
function navigate(url, afterwards) {
  const link = document.createElement("a");
  link.href = url;
  link.hidden = true;
  document.body.append(link);
  if (afterwards) {
    document.body.addEventListener("htmx:afterSettle", afterwards, { once: true });
  }
  if (window.htmx) {
    window.htmx.process(link);
    link.click();
  } else {
    window.location.assign(url);
  }
  link.remove();
}

/** This phone's vaults (IndexedDB), with the salt their passkeys are asked with. */
async function vaultsHere(module) {
  const names = ((await indexedDB.databases?.()) || [])
    .map((database) => database.name)
    .filter((name) => name?.startsWith("vault-"))
    .map((name) => name.slice("vault-".length));
  const found = [];
  for (const name of names) {
    try {
      const vault = module.openVault(name);
      const unlocks = await vault.unlocks();
      if (unlocks.passphrase) found.push({ vault, unlocks });
    } catch {
      // Not a vault this app can read: it simply isn't offered.
    }
  }
  return found;
}

async function signIn(root, status) {
  const vaultModule = await import("vault").catch(() => null);
  const vaults = vaultModule ? await vaultsHere(vaultModule) : [];
  // The vault with passkeys first; one vault per phone is usual, and its salt is asked for.
  vaults.sort((a, b) => b.unlocks.passkeys.length - a.unlocks.passkeys.length);
  const made = await postJSON(root.dataset.optionsUrl, {});
  if (!made.ok) throw refusal(made.answer?.message);
  const salt = vaults[0]?.unlocks.prfSalt;
  const asked = await askPasskey(made.answer.publicKey, salt);
  const signedIn = await postJSON(root.dataset.signinUrl, {
    challengeId: made.answer.challengeId,
    credential: answerOf(asked.credential),
  });
  if (!signedIn.ok) {
    status.textContent = signedIn.answer?.message || root.dataset.failed;
    return;
  }
  useFormToken(signedIn.answer.csrfToken);
  const mine = vaults.find(({ vault }) => vault.name === signedIn.answer.vault);
  let message = null;
  if (mine) {
    const usable = mine.unlocks.passkeys.some((p) => p.credentialId === asked.credentialId);
    if (asked.prf && usable) {
      try {
        await mine.vault.unlockWithPasskey(asked.credentialId, asked.prf);
      } catch {
        message = root.dataset.notOpened;
      }
    } else {
      message = asked.prf ? root.dataset.notAdded : root.dataset.noPrf;
    }
  }
  asked.prf?.fill(0);
  navigate(signedIn.answer.next, () => message && say(message));
}

/** A notice at the top of the new page, as the server's own flash messages are shown. */
function say(message) {
  const note = document.createElement("p");
  note.className = "flash info";
  note.setAttribute("role", "status");
  note.dataset.passkeyNote = "";
  note.textContent = message;
  document.querySelector("main")?.prepend(note);
}

export function start(root) {
  if (!supported()) return;
  for (const part of root.querySelectorAll("[data-needs-js]")) part.hidden = false;
  const status = root.querySelector("[data-passkey-status]");
  const button = root.querySelector("[data-passkey-add], [data-passkey-signin]");
  const work = root.dataset.signinUrl ? signIn : addPasskey;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      await work(root, status);
    } catch (error) {
      // Cancelled, timed out, or refused: nothing changed, and the password still works.
      status.textContent = error?.fromServer ? error.message : root.dataset.failed;
    } finally {
      button.disabled = false;
    }
  });
}
