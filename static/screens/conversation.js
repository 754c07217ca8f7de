// The new-partnership conversation (issue 4): the guidelines' four co-worker discussion
// questions, drafted in the worker's own vault and shared only after an exact preview.
//
// docs/design.md "The data rule": moving something to a wider class is a deliberate act by its owner,
// after an exact preview of what will be shared. The draft boxes have no `name`, so no form
// ever sends them. Pressing "Preview" copies exactly what the preview shows into the share
// form's hidden fields, and "Back to my draft" empties them again: what is sent is what was
// shown, and nothing else leaves the vault. For question 2 the worker can attach situations
// they marked "Keep for sharing later" in the discomfort checklist (static/screens/checklist.js).
//
// One record per pair (docs/vault-format.md):
//   kind "conversation", id "conversation-pair-<pair id>",
//     {pairId, startedAt, answers: {"<question id>": text}, attach: ["<situation id>"]}

import { handleUnlock } from "screens/forms";
import { exerciseScreen, keepAnswers, recordKeeper } from "screens/record";
import { readable } from "screens/shared";
import { element, showState } from "shared/page";
import { startScreen } from "private/start";

const KIND = "conversation";
const MARKS = "checklist-situations";

function hidden(name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  return input;
}

/** static/app.js starts this module for data-module="screens/conversation". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
  const pairId = root.dataset.pair;
  const id = `${KIND}-pair-${pairId}`;
  const keeper = recordKeeper(root, opened, KIND);
  const boxes = [...root.querySelectorAll("[data-answer]")];
  const keptList = root.querySelector("[data-kept]");
  const preview = root.querySelector("[data-preview]");
  const shareForm = root.querySelector("[data-share-form]");
  const shareFields = root.querySelector("[data-share-fields]");
  const questions = [...root.querySelector("[data-questions]").content.children].map((p) => ({
    id: p.dataset.question,
    text: p.textContent,
  }));
  // The worker's kept marks, in plaintext while unlocked; dropped on lock.
  let marks = [];

  function clear() {
    for (const box of boxes) box.value = "";
    keptList.replaceChildren();
    preview.replaceChildren();
    shareFields.replaceChildren();
    marks = [];
  }

  function drawMarks(value) {
    keptList.replaceChildren(
      ...marks.map((mark) => {
        const item = element("li");
        const label = element("label", "check");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.checked = value.attach.includes(mark.situation);
        box.addEventListener("change", () => {
          const attach = keeper.current.value.attach.filter((s) => s !== mark.situation);
          if (box.checked) attach.push(mark.situation);
          keeper.current.value.attach = attach;
          keeper.saveNow();
        });
        label.append(box, element("span", "", mark.text));
        item.append(label);
        return item;
      }),
    );
    root.querySelector("[data-no-kept]").hidden = marks.length > 0;
  }

  async function load() {
    const record = await readable(opened, id);
    const value = record
      ? record.value
      : { pairId, startedAt: new Date().toISOString(), answers: {}, attach: [] };
    keeper.open({ id, value, updatedAt: record?.updatedAt });
    const mine = await readable(opened, MARKS);
    marks = mine ? mine.value.keep || [] : [];
    for (const box of boxes) box.value = value.answers[box.dataset.answer] || "";
    drawMarks(value);
  }

  /** What would be shared, from the draft: the answers and the attached situations' words. */
  function toShare() {
    const { answers, attach } = keeper.current.value;
    const situations = marks.filter((mark) => attach.includes(mark.situation)).map((m) => m.text);
    return { answers, situations };
  }

  function showPreview() {
    keeper.save();
    const { answers, situations } = toShare();
    const shown = [];
    shareFields.replaceChildren();
    for (const question of questions) {
      const text = (answers[question.id] || "").trim();
      const answer = element("dd", "", text || preview.dataset.blank);
      if (question.id === "situations" && situations.length) {
        answer.append(element("ul"));
        for (const situation of situations) {
          answer.lastChild.append(element("li", "", situation));
          shareFields.append(hidden("situation", situation));
        }
      }
      shown.push(element("dt", "", question.text), answer);
      shareFields.append(hidden(`answer-${question.id}`, text));
    }
    preview.replaceChildren(...shown);
    showState(root, "preview");
  }

  function backToDraft() {
    shareFields.replaceChildren();
    showState(root, "writing");
  }

  handleUnlock(root, opened);
  keepAnswers(boxes, keeper);
  root.querySelector("[data-action=preview]").addEventListener("click", showPreview);
  root.querySelector("[data-action=edit]").addEventListener("click", backToDraft);
  // Once shared, the draft stays as it is, for the next update.
  shareForm.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) backToDraft();
  });

  // One record per pair, loaded once unlocked and kept open: the draft is always on screen.
  return exerciseScreen(root, opened, keeper, {
    clear,
    ready: async () => {
      if (!keeper.current) await load();
    },
    showCurrent: () => {
      if (root.dataset.state !== "preview") showState(root, "writing");
    },
  });
}
