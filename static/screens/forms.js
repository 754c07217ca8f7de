// The private space's forms: passphrases checked as the worker will need them, errors said
// beside their field, and the unlock form every screen shows while the vault is locked.

import { autoSync, vaultChanged } from "private/start";

// Long enough to resist guessing by someone who copies the file; a short sentence fits.
const MIN_PASSPHRASE = 10;

export function showError(input, message) {
  const error = document.getElementById(`${input.id}-error`);
  const described = (input.getAttribute("aria-describedby") || "")
    .split(" ")
    .filter((id) => id && id !== error.id);
  error.textContent = message || "";
  error.hidden = !message;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    described.push(error.id);
  } else {
    input.removeAttribute("aria-invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

/** Checks new passphrases as the worker will need them; returns the first field in error. */
export function checkNewPassphrase(form, first, again) {
  const messages = form.dataset;
  showError(first, "");
  if (again) showError(again, "");
  if (first.value.length < MIN_PASSPHRASE) {
    showError(first, first.value ? messages.tooShort : messages.empty);
    return first;
  }
  if (again && again.value !== first.value) {
    showError(again, messages.mismatch);
    return again;
  }
  return null;
}

/** Runs `work` with the form's button disabled; everything typed stays where it was. */
async function busy(form, work) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

export function handleForm(form, work) {
  form.addEventListener("submit", (event) => {
    // Never sent anywhere: the passphrase stays in this page.
    event.preventDefault();
    busy(form, work);
  });
}

export function handleUnlock(root, opened) {
  const form = root.querySelector("[data-form=unlock]");
  const input = form.querySelector("[data-passphrase]");
  handleForm(form, async () => {
    showError(input, "");
    if (!input.value) return showError(input, form.dataset.empty);
    try {
      await opened.vault.unlock(input.value);
    } catch (error) {
      showError(
        input,
        error.code === "wrong-passphrase" ? form.dataset.wrong : form.dataset.failed,
      );
      input.select();
      return;
    }
    input.value = "";
    await vaultChanged();
    autoSync();
  });
}
