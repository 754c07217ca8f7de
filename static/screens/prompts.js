// Answers to a list of prompts.
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing": Learning about sex and
// Know your painful points; and the "Norms, expectations and beliefs" section before it. Each
// page lists the guidelines' prompts with a box for each (data-answer="<prompt id>"); nothing is
// required and every box can be left empty. A page with data-content-note shows its note before
// anything else, and the worker chooses to go on or leave. One record per time through
// (docs/vault-format.md):
//   kind = the page's data-kind, id "<kind>-<ISO start time>",
//   {startedAt, finishedAt, answers: {"<prompt id>": text}}   (empty answers are left out)

import { handleUnlock } from "screens/forms";
import { toCurrentLayout } from "screens/painful-layout";
import { exerciseScreen, keepAnswers, recordKeeper, wireEndings } from "screens/record";
import { showOverview } from "screens/shared";
import { showState } from "shared/page";
import { settingFor, startScreen } from "private/start";

// Per tab (sessionStorage), and not secret: whether the content note before an exercise was read.
const NOTE_SETTING = (kind) => `wellbeing:${kind}-note-read:`;

/** static/app.js starts this module for data-module="screens/prompts". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  const kind = root.dataset.kind;
  const keeper = recordKeeper(root, opened, kind);
  const boxes = [...root.querySelectorAll("[data-answer]")];
  const past = root.querySelector("[data-past]");
  const noteSetting = settingFor(NOTE_SETTING(kind), opened);

  function showAnswers() {
    // Issue 24: a painful-points inventory in the earlier layout is read into the current one
    // without losing a word; the next save keeps it that way (screens/painful-layout.js).
    if (root.dataset.categories) {
      const layout = toCurrentLayout(
        keeper.current.value.answers,
        JSON.parse(root.dataset.categories),
      );
      if (layout.migrated) keeper.current.value.answers = layout.answers;
    }
    const { answers } = keeper.current.value;
    for (const box of boxes) box.value = answers[box.dataset.answer] || "";
    // A prompt the worker wrote under opens again; the others wait to be chosen.
    for (const group of root.querySelectorAll("details[data-prompt]")) {
      group.open = [...group.querySelectorAll("[data-answer]")].some((box) => box.value);
    }
    showState(root, "writing");
  }

  function open(record) {
    keeper.open(record);
    showAnswers();
  }

  function clear() {
    for (const box of boxes) box.value = "";
    past.replaceChildren();
  }

  const overview = () => showOverview(root, keeper, open);

  const states = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent: showAnswers,
    open,
    showOverview: overview,
  });
  const screen = {
    ...states,
    async render() {
      // docs/design.md: "A short content note comes before the painful-points material."
      if ("contentNote" in root.dataset && !sessionStorage.getItem(noteSetting)) {
        return showState(root, "note");
      }
      return states.render();
    },
  };

  handleUnlock(root, opened);

  const goOn = root.querySelector("[data-action=read-note]");
  if (goOn) {
    goOn.addEventListener("click", () => {
      sessionStorage.setItem(noteSetting, "yes");
      screen.render();
    });
  }

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start({ startedAt: new Date().toISOString(), finishedAt: null, answers: {} });
    showAnswers();
  });

  keepAnswers(boxes, keeper);
  wireEndings(root, keeper, clear, overview);
  return screen;
}
