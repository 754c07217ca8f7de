// The private space: starts each screen a page shows (data-private="<screen>") with the vault
// that static/session.js opened; the session also keeps the Lock button and the idle lock.
//
// Each screen is a module of its own, imported by name when a page shows it. All but the
// conversation's are in the service worker's PRIVATE_SHELL, so they open offline (issue 3).

import { showState } from "screens/shared";
import { autoSync, screens, showLockButtons, theVault } from "session";

const SCREENS = {
  vault: () => import("screens/vault"),
  shoulds: () => import("screens/shoulds"),
  prompts: () => import("screens/prompts"),
  checklist: () => import("screens/checklist"),
  line: () => import("screens/line"),
  stance: () => import("screens/stance"),
  // The new-partnership conversation's drafts, and the before-session card's own flagged
  // situations.
  conversation: () => import("screens/conversation"),
  card: () => import("screens/card"),
};

// Issue 27: "Show" beside each passphrase box, for typing one-handed on a phone. It only
// changes how this box is drawn; the passphrase goes nowhere it didn't go before.
function showPassphraseButtons() {
  for (const button of document.querySelectorAll("[data-show-passphrase][hidden]")) {
    button.hidden = false;
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-show-passphrase]");
  if (!button) return;
  const input = document.getElementById(button.dataset.showPassphrase);
  if (!input) return;
  const shown = input.type === "password";
  input.type = shown ? "text" : "password";
  button.setAttribute("aria-pressed", String(shown));
});

async function start() {
  showPassphraseButtons();
  await showLockButtons();
  let privatePage = false;
  for (const root of document.querySelectorAll("[data-private]:not([data-started])")) {
    root.dataset.started = "yes";
    if (root.dataset.private === "sheet") {
      import("screens/vault").then((module) => module.sheet(root));
      continue;
    }
    showState(root, "checking");
    try {
      const opened = await theVault();
      if (!opened) continue;
      const screen = (await SCREENS[root.dataset.private]()).screen(root, opened);
      screens.add(screen);
      await screen.render();
      privatePage = true;
    } catch (error) {
      // The vault module didn't load or this browser can't run it: say so rather than spin.
      showState(root, "broken");
      for (const part of root.querySelectorAll("[data-needs-js]")) part.hidden = false;
      throw error;
    }
  }
  if (privatePage) autoSync();
}

// Pages reached by a boosted link arrive as new content; htmx announces each with htmx:load.
document.addEventListener("htmx:load", () => start());
start();
