// The worker's own flagged situations on the before-session card (issue 4), decrypted on this
// phone from their vault: those marked "Keep for sharing later", and those rated 4 or 5 the
// last time through the discomfort checklist (static/screens/checklist.js writes both). Nothing here
// is sent anywhere; the card page itself never holds them.

import { handleUnlock } from "screens/forms";
import { readable } from "screens/shared";
import { language, showState } from "shared/page";
import { startScreen } from "private/start";

const HIGH = 4;

function item(text, detail) {
  const li = document.createElement("li");
  li.textContent = text;
  if (detail) {
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = ` (${detail})`;
    li.append(hint);
  }
  return li;
}

/** static/app.js starts this module for data-module="screens/card". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  const list = root.querySelector("[data-flagged]");
  handleUnlock(root, opened);

  async function flagged() {
    const marks = await readable(opened, "checklist-situations");
    const shown = new Map();
    for (const mark of marks?.value.keep || []) shown.set(mark.situation, [mark.text]);
    const times = (await opened.vault.list("checklist")).filter((r) => !r.error);
    const latest = times[times.length - 1];
    if (latest) {
      const date = new Date(latest.value.startedAt).toLocaleDateString(language());
      for (const [id, answer] of Object.entries(latest.value.ratings || {})) {
        if (answer.rating < HIGH) continue;
        const detail = root.dataset.rated
          .replace("{rating}", answer.rating)
          .replace("{date}", date);
        shown.set(id, [answer.text, detail]);
      }
    }
    return [...shown.values()];
  }

  return {
    root,
    unsaved: () => false,
    async render() {
      if (!(await opened.vault.exists())) return showState(root, "new");
      if (!opened.vault.isUnlocked()) {
        list.replaceChildren();
        return showState(root, "locked");
      }
      const found = await flagged();
      list.replaceChildren(...found.map(([text, detail]) => item(text, detail)));
      root.querySelector("[data-no-flagged]").hidden = found.length > 0;
      showState(root, "open");
    },
  };
}
