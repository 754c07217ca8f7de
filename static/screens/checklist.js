// The discomfort checklist (issue 3, exercise 4), kept in the worker's vault.
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing", Know your painful points:
// "go through the checklist of these below and scale from 1-5 how uncomfortable they would be
// for you". The situations are the organisation's adapted list (in the page); the worker can add
// their own. Every item can be skipped. Each time through is one dated record, so the history
// chart, drawn here because only this page has the ratings (docs/design.md), shows how each situation's
// rating changes. "Keep for sharing later" only marks a situation: nothing leaves the vault here.
//
// static/app.js imports this module by name (data-module); it starts with the opened vault.
// Two record kinds (docs/vault-format.md):
//   kind "checklist", id "checklist-<ISO start time>": one time through,
//     {startedAt, finishedAt, ratings: {"<situation id>": {rating: 1..5, text}}}
//   kind "checklist-situations", id "checklist-situations": the worker's own list,
//     {own: [{id: "own-<ms>", text}], keep: [{situation: "<situation id>", text, markedAt}]}

import { RATINGS, showHistory } from "screens/checklist-history";
import { handleUnlock } from "screens/forms";
import { exerciseScreen, recordKeeper, showSaved, wireEndings } from "screens/record";
import { showOverview } from "screens/shared";
import { element, showState } from "shared/page";
import { savers, settingFor, startScreen } from "private/start";

const SESSION = "checklist";
const MINE = "checklist-situations";
// Per tab (sessionStorage), and not secret: whether the content note was read.
const NOTE_SETTING = "wellbeing:checklist-note-read:";

function newMine() {
  return { own: [], keep: [] };
}

/** static/app.js starts this module for data-module="screens/checklist". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  // Saves of the worker's own situations and marks under way (`saveMine`).
  let mineInFlight = 0;
  const keeper = recordKeeper(root, opened, SESSION, () => mineInFlight > 0);
  const labels = root.dataset;
  const scale = labels.scale.split("|");
  const organisation = [...root.querySelector("[data-situations]").content.children].map(
    (entry) => ({ id: entry.dataset.situation, text: entry.textContent, note: entry.dataset.note }),
  );
  const checklist = root.querySelector("[data-checklist]");
  const ownList = root.querySelector("[data-own]");
  const ownForm = root.querySelector("[data-form=own]");
  const ownText = root.querySelector("[data-own-text]");
  const ownStatus = root.querySelector("[data-own-status]");
  const kept = root.querySelector("[data-kept]");
  const history = root.querySelector("[data-history]");
  const past = root.querySelector("[data-past]");
  // The worker's own situations and marks, in plaintext while unlocked; dropped on lock.
  let mine = null;
  let mineSaving = Promise.resolve();
  let mineUnreadable = false;

  const session = () => keeper.current?.value;
  const situations = () => [...organisation, ...(mine ? mine.own : [])];
  const isKept = (id) => mine.keep.some((mark) => mark.situation === id);

  async function loadMine() {
    try {
      const record = await opened.vault.get(MINE);
      mineUnreadable = false;
      return record ? { ...newMine(), ...record.value } : newMine();
    } catch (error) {
      if (error.code !== "damaged-record") throw error;
      // Never overwrite a record that can't be opened: it may still be restored from a backup.
      mineUnreadable = true;
      return newMine();
    }
  }

  function saveMine() {
    if (mineUnreadable || !mine) return mineSaving;
    const snapshot = JSON.parse(JSON.stringify(mine));
    // The person's own situations and marks are saved in their own record: say so, as for a
    // rating, even before anything is rated (a rating itself is kept from its first answer).
    // "Saving…" from the moment of the change: a note that still said "Saved" while a mark was
    // on its way let the person leave, and the page not wait for it (recordKeeper's `alsoSaving`).
    mineInFlight += 1;
    showSaved(root, undefined);
    mineSaving = mineSaving
      .then(() => opened.vault.put(MINE, MINE, snapshot))
      .then(
        () => {
          mineInFlight -= 1;
          if (!keeper.unsaved()) showSaved(root, new Date());
        },
        () => {
          mineInFlight -= 1;
          showSaved(root, null);
        },
      );
    return mineSaving;
  }
  const saver = () => {
    if (!root.isConnected) savers.delete(saver);
    return mineSaving;
  };
  savers.add(saver);

  function clear() {
    for (const list of [checklist, ownList, kept, history, past]) list.replaceChildren();
    ownText.value = "";
    ownStatus.textContent = "";
  }

  // --- rating ---------------------------------------------------------------------------

  function ratingChoices(situation, index, group) {
    const choices = element("div", "rating-choices");
    const rated = session().ratings[situation.id];
    for (const rating of RATINGS) {
      const choice = element("label", "check rating-choice");
      const radio = document.createElement("input");
      radio.type = "radio";
      // Groups the five; these inputs are never in a form, so nothing is ever submitted.
      radio.name = `checklist-${index}`;
      radio.value = String(rating);
      radio.checked = Boolean(rated && rated.rating === rating);
      radio.addEventListener("change", () => {
        session().ratings[situation.id] = { rating, text: situation.text };
        group.querySelector("[data-action=clear]").hidden = false;
        keeper.saveNow();
      });
      const words = element("span", "visually-hidden", `, ${scale[rating - 1]}`);
      choice.append(radio, element("span", "rating-number", String(rating)), words);
      choices.append(choice);
    }
    return choices;
  }

  function situationItem(situation, index, own) {
    const item = element("li", "checklist-item");
    const group = element("fieldset", "rating");
    group.append(element("legend", "", situation.text));
    if (situation.note) group.append(element("p", "hint", situation.note));
    group.append(ratingChoices(situation, index, group));
    const ends = element("p", "rating-ends");
    ends.setAttribute("aria-hidden", "true");
    ends.append(element("span", "", scale[0]), element("span", "", scale[4]));
    group.append(ends);

    const actions = element("div", "rating-actions");
    const clearButton = element("button", "button quiet", labels.clear);
    clearButton.type = "button";
    clearButton.dataset.action = "clear";
    clearButton.append(element("span", "visually-hidden", ` (${situation.text})`));
    clearButton.hidden = !session().ratings[situation.id];
    clearButton.addEventListener("click", () => {
      delete session().ratings[situation.id];
      for (const radio of group.querySelectorAll("input[type=radio]")) radio.checked = false;
      clearButton.hidden = true;
      group.querySelector("input[type=radio]").focus();
      keeper.saveNow();
    });

    const keep = element("label", "check");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = isKept(situation.id);
    box.addEventListener("change", () => {
      mine.keep = mine.keep.filter((mark) => mark.situation !== situation.id);
      if (box.checked) {
        const markedAt = new Date().toISOString();
        mine.keep.push({ situation: situation.id, text: situation.text, markedAt });
      }
      saveMine();
    });
    const keepText = element("span", "", labels.keep);
    keepText.append(element("span", "visually-hidden", ` (${situation.text})`));
    keep.append(box, keepText);
    actions.append(keep, clearButton);

    if (own) {
      const remove = element("button", "button quiet", labels.remove);
      remove.type = "button";
      remove.append(element("span", "visually-hidden", ` (${situation.text})`));
      remove.addEventListener("click", () => {
        // Earlier ratings keep their own copy of the words, so the history stays whole.
        mine.own = mine.own.filter((entry) => entry.id !== situation.id);
        mine.keep = mine.keep.filter((mark) => mark.situation !== situation.id);
        delete session().ratings[situation.id];
        saveMine();
        keeper.saveNow();
        showOwn();
        ownText.focus();
      });
      actions.append(remove);
    }
    group.append(actions);
    item.append(group);
    return item;
  }

  function showOwn() {
    const offset = organisation.length;
    ownList.replaceChildren(
      ...mine.own.map((situation, index) => situationItem(situation, offset + index, true)),
    );
  }

  function showRating() {
    checklist.replaceChildren(
      ...organisation.map((situation, index) => situationItem(situation, index, false)),
    );
    showOwn();
    showState(root, "rating");
  }

  function openSession(record) {
    keeper.open(record);
    showRating();
  }

  // --- the overview: kept marks, history, past ratings -----------------------------------

  function showKept() {
    const names = new Map(situations().map((situation) => [situation.id, situation.text]));
    kept.replaceChildren(
      ...mine.keep.map((mark) => element("li", "", names.get(mark.situation) || mark.text)),
    );
    root.querySelector("[data-no-kept]").hidden = mine.keep.length > 0;
  }

  const overview = () =>
    showOverview(root, keeper, openSession, {
      more(records) {
        showKept();
        showHistory(root, records, situations());
      },
    });

  const checklistScreen = exerciseScreen(root, opened, keeper, {
    clear: () => {
      mine = null;
      clear();
    },
    // The worker's own situations and marks, kept in their own record.
    async ready() {
      if (!mine) mine = await loadMine();
    },
    showCurrent: showRating,
    open: openSession,
    showOverview: overview,
  });

  handleUnlock(root, opened);

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start({ startedAt: new Date().toISOString(), finishedAt: null, ratings: {} });
    showRating();
  });

  ownForm.addEventListener("submit", (event) => {
    // Never sent anywhere: the worker's own words stay in this page and their vault.
    event.preventDefault();
    const text = ownText.value.trim();
    if (!text || !mine) return;
    mine.own.push({ id: `own-${Date.now()}`, text });
    saveMine();
    showOwn();
    ownText.value = "";
    ownStatus.textContent = labels.added;
  });

  wireEndings(root, keeper, clear, overview);

  // Issue 27: the content note comes first, once per tab, as before the painful points.
  const noteSetting = settingFor(NOTE_SETTING, opened);
  const screen = {
    ...checklistScreen,
    async render() {
      if ("contentNote" in root.dataset && !sessionStorage.getItem(noteSetting)) {
        return showState(root, "note");
      }
      return checklistScreen.render();
    },
  };
  root.querySelector("[data-action=read-note]")?.addEventListener("click", () => {
    sessionStorage.setItem(noteSetting, "yes");
    screen.render();
  });
  return screen;
}
