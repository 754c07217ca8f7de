// The discomfort checklist (issue 3, exercise 4), kept in the worker's vault.
//
// Guidelines, "Exercises for worker preparation and ongoing wellbeing", Know your painful points:
// "go through the checklist of these below and scale from 1-5 how uncomfortable they would be
// for you". The situations are the organisation's adapted list (in the page); the worker can add
// their own. Every item can be skipped. Each time through is one dated record, so the history
// chart, drawn here because only this page has the ratings (DESIGN), shows how each situation's
// rating changes. "Keep for sharing later" only marks a situation: nothing leaves the vault here.
//
// static/exercises.js imports this module by its versioned URL and hands it the opened vault and
// its helpers (SCREEN_KIT). Two record kinds (docs/vault-format.md):
//   kind "checklist", id "checklist-<ISO start time>": one time through,
//     {startedAt, finishedAt, ratings: {"<situation id>": {rating: 1..5, text}}}
//   kind "checklist-situations", id "checklist-situations": the worker's own list,
//     {own: [{id: "own-<ms>", text}], keep: [{situation: "<situation id>", text, markedAt}]}

const SESSION = "checklist";
const MINE = "checklist-situations";
const SVG = "http://www.w3.org/2000/svg";
const RATINGS = [1, 2, 3, 4, 5];
// The chart's drawing area, in viewBox units; CSS scales it to the width of the page.
const CHART = { width: 320, height: 110, left: 22, right: 12, top: 10, bottom: 28 };

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function svgElement(tag, attributes, className) {
  const made = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, String(value));
  if (className) made.setAttribute("class", className);
  return made;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

function newMine() {
  return { own: [], keep: [] };
}

export function screen(root, opened, kit) {
  const { recordKeeper, exerciseScreen, showState, handleUnlock, showPast, language } = kit;
  const { wireEndings } = kit;
  const keeper = recordKeeper(root, opened, SESSION);
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
    mineSaving = mineSaving
      .then(() => opened.vault.put(MINE, MINE, snapshot))
      .catch(() => undefined);
    return mineSaving;
  }
  const saver = () => {
    if (!root.isConnected) kit.savers.delete(saver);
    return mineSaving;
  };
  kit.savers.add(saver);

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

  function shortDate(iso) {
    return new Date(iso).toLocaleDateString(language(), { day: "numeric", month: "short" });
  }

  function longDate(iso) {
    return new Date(iso).toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" });
  }

  /** One small line chart: this situation's rating at each time through, oldest first. */
  function chart(sessions, id) {
    const { width, height, left, right, top, bottom } = CHART;
    const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, "aria-hidden": "true" });
    svg.setAttribute("class", "chart");
    svg.setAttribute("focusable", "false");
    const inner = width - left - right;
    const x = (index) =>
      sessions.length === 1 ? left + inner / 2 : left + (inner * index) / (sessions.length - 1);
    const y = (rating) => top + ((5 - rating) * (height - top - bottom)) / 4;
    for (const rating of RATINGS) {
      const line = { x1: left, x2: width - right, y1: y(rating), y2: y(rating) };
      svg.append(svgElement("line", line, "chart-grid"));
      if (rating === 1 || rating === 3 || rating === 5) {
        const label = svgElement("text", { x: left - 8, y: y(rating) + 4 }, "chart-label");
        label.setAttribute("text-anchor", "end");
        label.textContent = String(rating);
        svg.append(label);
      }
    }
    const points = sessions
      .map((value, index) => ({ index, rated: value.ratings[id] }))
      .filter((point) => point.rated);
    if (points.length > 1) {
      const path = points
        .map((point, at) => `${at ? "L" : "M"}${x(point.index)},${y(point.rated.rating)}`)
        .join(" ");
      svg.append(svgElement("path", { d: path }, "chart-line"));
    }
    for (const point of points) {
      const dot = { cx: x(point.index), cy: y(point.rated.rating), r: 4 };
      svg.append(svgElement("circle", dot, "chart-dot"));
    }
    const dated = sessions.length > 1 ? [0, sessions.length - 1] : [0];
    for (const index of dated) {
      const anchor = sessions.length === 1 ? "middle" : index ? "end" : "start";
      const label = svgElement("text", { x: x(index), y: height - 8 }, "chart-label");
      label.setAttribute("text-anchor", anchor);
      label.textContent = shortDate(sessions[index].startedAt);
      svg.append(label);
    }
    return svg;
  }

  function showHistory(records) {
    const sessions = records
      .filter((record) => !record.error && record.value && record.value.ratings)
      .map((record) => record.value)
      .filter((value) => Object.keys(value.ratings).length > 0)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    // Situations in the checklist's order, then any no longer on it, by their saved words.
    const names = new Map(situations().map((situation) => [situation.id, situation.text]));
    for (const value of sessions) {
      for (const [id, rated] of Object.entries(value.ratings)) {
        if (!names.has(id)) names.set(id, rated.text);
      }
    }
    const items = [];
    for (const [id, text] of names) {
      if (!sessions.some((value) => value.ratings[id])) continue;
      const item = element("li", "history-item");
      item.append(element("h3", "", text), chart(sessions, id));
      // The text alternative to the chart: every time through, with its date.
      const list = element("ul", "history-points");
      for (const value of sessions) {
        const rated = value.ratings[id];
        const date = longDate(value.startedAt);
        const words = rated
          ? fill(labels.point, { date, rating: rated.rating, words: scale[rated.rating - 1] })
          : fill(labels.notRated, { date });
        list.append(element("li", "", words));
      }
      item.append(list);
      items.push(item);
    }
    history.replaceChildren(...items);
    root.querySelector("[data-no-history]").hidden = items.length > 0;
  }

  async function showOverview() {
    const records = await keeper.newestFirst();
    showKept();
    showHistory(records);
    const empty = root.querySelector("[data-no-past]");
    showPast(past, empty, records, (value) => Boolean(value.finishedAt), openSession);
    showState(root, "overview");
  }

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
    showOverview,
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

  async function close() {
    clear();
    await keeper.close();
    await showOverview();
  }

  wireEndings(root, keeper, close);
  return checklistScreen;
}
