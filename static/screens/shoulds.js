// The inventory of 'shoulds'.
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing", Inventory of 'shoulds':
// two rounds of 5 minutes writing very fast ("I should/shouldn't...", then "My partner
// should/shouldn't..."), then a look at what is there: which would you have chosen, how
// unavoidable are they, which would you let go of. One record per inventory (docs/vault-format.md):
//   kind "shoulds", id "shoulds-<ISO start time>",
//   {startedAt, finishedAt, step: "round"|"review"|"done", round: 1|2,
//    rounds: [{text, timer: {startedAt: ms|null, elapsedMs}}],
//    review: {lines: [{round, text, mark: "keep"|"let-go"|null}], reflection}}

import { handleUnlock } from "screens/forms";
import { exerciseScreen, recordKeeper } from "screens/record";
import { showOverview } from "screens/shared";
import { showState } from "shared/page";
import { startScreen } from "private/start";

const SHOULDS = "shoulds";

function newInventory(rounds) {
  return {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    step: "round",
    round: 1,
    rounds: Array.from({ length: rounds }, () => ({
      text: "",
      timer: { startedAt: null, elapsedMs: 0 },
    })),
    review: { lines: [], reflection: "" },
  };
}

/** The lines written in each round; marks already given to the same line are kept. */
function reviewLines(inventory) {
  const earlier = [...inventory.review.lines];
  const lines = [];
  inventory.rounds.forEach((round, index) => {
    for (const text of round.text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)) {
      const at = earlier.findIndex((line) => line.round === index + 1 && line.text === text);
      const mark = at >= 0 ? earlier.splice(at, 1)[0].mark : null;
      lines.push({ round: index + 1, text, mark });
    }
  });
  return lines;
}

/** static/app.js starts this module for data-module="screens/shoulds". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  const totalMs = Number(root.dataset.minutes) * 60_000;
  const roundCount = Number(root.dataset.rounds);
  const writing = root.querySelector("[data-writing]");
  const reflection = root.querySelector("[data-reflection]");
  const timer = root.querySelector("[data-timer]");
  const timerButton = root.querySelector("[data-action=timer]");
  const timerNote = root.querySelector("[data-timer-note]");
  const past = root.querySelector("[data-inventories]");
  // The inventory on screen, in plaintext: dropped the moment the vault locks.
  const keeper = recordKeeper(root, opened, SHOULDS);
  const inventory = () => keeper.current?.value;
  let ticking = null;

  function round() {
    return inventory().rounds[inventory().round - 1];
  }

  function remainingMs(timerState) {
    const running = timerState.startedAt ? Date.now() - timerState.startedAt : 0;
    return Math.max(0, totalMs - timerState.elapsedMs - running);
  }

  function showTimer() {
    if (!inventory() || root.dataset.state !== "round" || !root.isConnected) {
      clearInterval(ticking);
      ticking = null;
      return;
    }
    const state = round().timer;
    let left = remainingMs(state);
    if (state.startedAt && left === 0) {
      // Time's up: stop gently, and keep what's written. Writing on is allowed.
      state.elapsedMs = totalMs;
      state.startedAt = null;
      timerNote.textContent = timerNote.dataset.done;
      keeper.saveNow();
    } else if (state.startedAt && left <= 60_000 && !timerNote.textContent) {
      timerNote.textContent = timerNote.dataset.oneMinute;
    }
    left = remainingMs(state);
    const seconds = Math.ceil(left / 1000);
    timer.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    timerButton.textContent = state.startedAt
      ? timerButton.dataset.pause
      : left === 0
        ? timerButton.dataset.again
        : state.elapsedMs
          ? timerButton.dataset.resume
          : timerButton.dataset.start;
  }

  function showRound() {
    const number = String(inventory().round);
    for (const part of root.querySelectorAll("[data-round-only]")) {
      part.hidden = part.dataset.roundOnly !== number;
    }
    writing.value = round().text;
    timerNote.textContent = "";
    showState(root, "round");
    showTimer();
    if (!ticking) ticking = setInterval(showTimer, 250);
  }

  function showReview() {
    const { review } = inventory();
    review.lines = reviewLines(inventory());
    const list = root.querySelector("[data-lines]");
    const openings = list.dataset.openings.split("\n");
    list.replaceChildren();
    let marks = null;
    review.lines.forEach((line, index) => {
      if (!index || review.lines[index - 1].round !== line.round) {
        const heading = document.createElement("h3");
        heading.textContent = openings[line.round - 1];
        marks = document.createElement("ul");
        marks.className = "marks";
        list.append(heading, marks);
      }
      marks.append(markChoice(line, index, list.dataset));
    });
    root.querySelector("[data-no-lines]").hidden = review.lines.length > 0;
    reflection.value = review.reflection;
    showState(root, "review");
  }

  function markChoice(line, index, labels) {
    const item = document.createElement("li");
    const group = document.createElement("fieldset");
    group.className = "mark";
    const legend = document.createElement("legend");
    legend.textContent = line.text;
    const choices = document.createElement("div");
    choices.className = "mark-choices";
    for (const [value, label] of [
      ["keep", labels.keep],
      ["let-go", labels.letGo],
    ]) {
      const choice = document.createElement("label");
      choice.className = "check";
      const radio = document.createElement("input");
      radio.type = "radio";
      // Groups the pair; these inputs are never in a form, so nothing is ever submitted.
      radio.name = `shoulds-mark-${index}`;
      radio.value = value;
      radio.checked = line.mark === value;
      radio.addEventListener("change", () => {
        line.mark = value;
        keeper.saveNow();
      });
      const text = document.createElement("span");
      text.textContent = label;
      choice.append(radio, text);
      choices.append(choice);
    }
    group.append(legend, choices);
    item.append(group);
    return item;
  }

  function showInventory() {
    if (inventory().step === "round") showRound();
    else showReview();
  }

  function open(record) {
    keeper.open(record);
    showInventory();
  }

  function close() {
    writing.value = reflection.value = "";
    return keeper.close();
  }

  const overview = () =>
    showOverview(root, keeper, open, {
      list: "[data-inventories]",
      empty: "[data-no-inventories]",
      isFinished: (value) => value.step === "done",
    });

  const screen = exerciseScreen(root, opened, keeper, {
    clear() {
      writing.value = reflection.value = "";
      root.querySelector("[data-lines]").replaceChildren();
      past.replaceChildren();
    },
    showCurrent: showInventory,
    open,
    showOverview: overview,
  });

  handleUnlock(root, opened);

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start(newInventory(roundCount), { keep: true });
    showInventory();
    writing.focus();
  });

  writing.addEventListener("input", () => {
    if (!inventory()) return;
    round().text = writing.value;
    keeper.changed();
  });

  reflection.addEventListener("input", () => {
    if (!inventory()) return;
    inventory().review.reflection = reflection.value;
    keeper.changed();
  });

  timerButton.addEventListener("click", () => {
    const state = round().timer;
    if (state.startedAt) {
      state.elapsedMs += Date.now() - state.startedAt;
      state.startedAt = null;
    } else {
      if (remainingMs(state) === 0) state.elapsedMs = 0;
      state.startedAt = Date.now();
      timerNote.textContent = "";
    }
    keeper.saveNow();
    showTimer();
  });

  const next = () => {
    const state = round().timer;
    if (state.startedAt) {
      state.elapsedMs += Date.now() - state.startedAt;
      state.startedAt = null;
    }
    if (inventory().round < roundCount) {
      inventory().round += 1;
      showRound();
      writing.focus();
    } else {
      inventory().step = "review";
      showReview();
    }
    keeper.saveNow();
  };
  for (const button of root.querySelectorAll("[data-action=next]")) {
    button.addEventListener("click", next);
  }

  root.querySelector("[data-action=back]").addEventListener("click", () => {
    inventory().step = "round";
    inventory().round = roundCount;
    keeper.saveNow();
    showRound();
  });

  root.querySelector("[data-action=finish]").addEventListener("click", async () => {
    inventory().step = "done";
    inventory().finishedAt = new Date().toISOString();
    keeper.saveNow();
    await close();
    await overview();
  });

  root.querySelector("[data-action=overview]").addEventListener("click", async () => {
    await close();
    await overview();
  });
  return screen;
}
