// The recovery sheet, printed and kept somewhere safe: today's date, a print button, the
// recovery key when it was just made, and the last backup file's name.

import { theVault } from "private/start";
import { fill, language } from "shared/page";
import { recoveryKeyForSheet } from "screens/unlocks";
import { lastBackup } from "screens/vault";

/** static/app.js starts this module for data-module="screens/sheet". */
export async function start(root) {
  const today = root.querySelector("[data-today]");
  today.textContent = new Date().toLocaleDateString(language(), { dateStyle: "long" });
  // The blank line for the date is there only for a sheet printed without this script.
  today.nextElementSibling.hidden = true;
  const recoveryKey = recoveryKeyForSheet();
  if (recoveryKey) {
    root.querySelector("[data-recovery-key]").textContent = recoveryKey;
    root.querySelector("[data-recovery-blank]").hidden = true;
  }
  const print = root.querySelector("[data-action=print]");
  print.hidden = false;
  print.addEventListener("click", () => window.print());
  const opened = await theVault();
  const backup = opened && lastBackup(opened);
  if (backup) {
    const file = root.querySelector("[data-backup-file]");
    file.textContent = fill(file.dataset.named, backup);
  }
}
