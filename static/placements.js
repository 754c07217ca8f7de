// "Is this always abusive?" on your own, and the stance check after a session (issue 3,
// exercises 5 and 6).
//
// static/exercises.js imports this module by the versioned URL the page names
// (data-screen-module), the same URL the service worker keeps, so both pages open offline, and
// calls screen() with the vault it opened and its helpers (moduleScreen there). So the vault,
// the autosave and the Lock work here exactly as on the other exercise pages; this module never
// imports vault.js itself. The record shapes are in
// docs/vault-format.md. DESIGN: charts of private data are drawn in the browser, because only
// the browser has the data; they are drawn with DOM calls and classes (no inline style), and
// each has a text alternative.

const SVG = "http://www.w3.org/2000/svg";
// The faded markers beside today's: the most recent earlier sessions, enough to see a change.
const EARLIER_SHOWN = 5;
// Where an unplaced marker rests; it isn't a place until the worker moves it.
const MIDDLE = 50;
// The stance strip's own units (its viewBox); it scales to the screen.
const STRIP = { width: 500, top: 34, row: 26, radius: 8 };
const STRIP_ROWS = 20;

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

function day(iso, language) {
  return new Date(iso).toLocaleDateString(language, { dateStyle: "medium" });
}

/** Words for a place on the line (0 is 'always abusive', 100 'never abusive'); no numbers shown. */
function placeWords(place, words) {
  if (place === null || place === undefined) return words.notPlaced;
  if (place === 0) return words.atAlways;
  if (place <= 15) return words.nearAlways;
  if (place < 50) return words.nearerAlways;
  if (place === 50) return words.middle;
  if (place < 85) return words.nearerNever;
  if (place < 100) return words.nearNever;
  return words.atNever;
}

// --- "Is this always abusive?" on your own --------------------------------------------------
//
// Guidelines, "Scrutinise your beliefs and expectations": place yourself on the line from
// 'always abusive' to 'never abusive' for each practice, and say why you are where you are.
// "You do not need to define where the line of abusiveness is." One record per session:
//   kind "line", id "line-<ISO start time>",
//   {startedAt, finishedAt, placements: {"<practice id>": {practice, place: 0..100|null, why}}}

function line(root, opened, helpers) {
  const { recordKeeper, exerciseScreen, showState, showPast, handleUnlock, language } = helpers;
  const { wireEndings } = helpers;
  const keeper = recordKeeper(root, opened, "line");
  const practices = [...root.querySelectorAll("[data-practice]")];
  const past = root.querySelector("[data-past]");
  const words = root.dataset;
  // The earlier sessions' records, newest first, while one session is on screen.
  let earlier = [];

  function placementOf(practice) {
    return keeper.current?.value.placements[practice.dataset.practice];
  }

  /** The practice's placement, made when the worker first moves or writes; text as of today. */
  function placementFor(practice) {
    const { placements } = keeper.current.value;
    const id = practice.dataset.practice;
    placements[id] = placements[id] || { practice: "", place: null, why: "" };
    placements[id].practice = practice.dataset.practiceText;
    return placements[id];
  }

  /** A practice neither placed nor written about is left out of the record: it was skipped. */
  function dropIfSkipped(practice) {
    const placement = placementOf(practice);
    if (placement && placement.place === null && !placement.why) {
      delete keeper.current.value.placements[practice.dataset.practice];
    }
  }

  function earlierPlaces(practice) {
    return earlier
      .map((record) => ({
        date: day(record.value.startedAt, language()),
        placement: record.value.placements[practice.dataset.practice],
      }))
      .filter(({ placement }) => placement && placement.place !== null)
      .slice(0, EARLIER_SHOWN);
  }

  function drawLine(practice, place, places) {
    const picture = practice.querySelector("[data-line-picture]");
    const track = svgElement("line", { x1: "0%", x2: "100%", y1: "50%", y2: "50%" });
    track.classList.add("line-track");
    picture.replaceChildren(track);
    // Oldest first, so the most recent earlier place is drawn on top.
    for (const { placement } of [...places].reverse()) {
      const marker = svgElement("circle", { cx: `${placement.place}%`, cy: "50%", r: 7 });
      marker.classList.add("earlier-place");
      picture.append(marker);
    }
    if (place !== null) {
      const marker = svgElement("circle", { cx: `${place}%`, cy: "50%", r: 9 });
      marker.classList.add("current-place");
      picture.append(marker);
    }
  }

  function showPractice(practice) {
    const placement = placementOf(practice);
    const place = placement ? placement.place : null;
    const slider = practice.querySelector("[data-place]");
    const said = placeWords(place, words);
    slider.value = String(place ?? MIDDLE);
    slider.classList.toggle("unplaced", place === null);
    slider.setAttribute(
      "aria-valuetext",
      place === null ? said : fill(words.outOf, { place: said, value: place }),
    );
    practice.querySelector("[data-place-value]").textContent = said;
    practice.querySelector("[data-action=unplace]").hidden = place === null;
    const why = practice.querySelector("[data-answer]");
    if (document.activeElement !== why) why.value = placement ? placement.why : "";
    // The text alternative to the faded markers: when, and where.
    const places = earlierPlaces(practice);
    const list = practice.querySelector("[data-earlier-places]");
    list.replaceChildren(
      ...places.map(({ date, placement: before }) => {
        const item = document.createElement("li");
        item.textContent = fill(words.earlier, { date, place: placeWords(before.place, words) });
        return item;
      }),
    );
    list.hidden = places.length === 0;
    drawLine(practice, place, places);
  }

  async function open(record) {
    keeper.open(record);
    const startedAt = record.value.startedAt;
    earlier = (await keeper.newestFirst()).filter(
      (other) => other.value && other.id !== record.id && other.value.startedAt < startedAt,
    );
    if (!keeper.current || keeper.current.id !== record.id) return;
    for (const practice of practices) showPractice(practice);
    showState(root, "writing");
  }

  function clear() {
    earlier = [];
    for (const practice of practices) {
      practice.querySelector("[data-answer]").value = "";
      practice.querySelector("[data-earlier-places]").replaceChildren();
      practice.querySelector("[data-line-picture]").replaceChildren();
    }
    past.replaceChildren();
  }

  async function showOverview() {
    const records = await keeper.newestFirst();
    const empty = root.querySelector("[data-no-past]");
    showPast(past, empty, records, (value) => Boolean(value.finishedAt), open);
    showState(root, "overview");
  }

  const screen = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent() {
      for (const practice of practices) showPractice(practice);
      showState(root, "writing");
    },
    open,
    showOverview,
  });

  handleUnlock(root, opened);

  const begin = root.querySelector("[data-action=begin]");
  if (begin) {
    begin.addEventListener("click", () => {
      const value = { startedAt: new Date().toISOString(), finishedAt: null, placements: {} };
      keeper.start(value);
      open({ id: keeper.current.id, value });
    });
  }

  for (const practice of practices) {
    const slider = practice.querySelector("[data-place]");
    const place = () => {
      if (!keeper.current) return;
      placementFor(practice).place = Number(slider.value);
      showPractice(practice);
      keeper.changed();
    };
    // A drag or the arrow keys change the value; a tap on the resting marker places it there.
    slider.addEventListener("input", place);
    slider.addEventListener("click", place);
    practice.querySelector("[data-action=unplace]").addEventListener("click", () => {
      placementFor(practice).place = null;
      dropIfSkipped(practice);
      showPractice(practice);
      keeper.saveNow();
      slider.focus();
    });
    const why = practice.querySelector("[data-answer]");
    why.addEventListener("input", () => {
      if (!keeper.current) return;
      placementFor(practice).why = why.value;
      dropIfSkipped(practice);
      keeper.changed();
    });
  }

  wireEndings(root, keeper, async () => {
    clear();
    await keeper.close();
    await showOverview();
  });
  return screen;
}

// --- the stance check after a session -------------------------------------------------------
//
// Guidelines, "Stance": "We need to avoid a collusive or persecutory stance if we are going to
// work effectively and stay in the neutral zone of the continuum of stance." The five columns
// are the guidelines' table; what pulled you is noted beside its "connecting and grounding" and
// "leaning the other way" lists. No scores: the history only shows where you were, by date.
// One record per check:
//   kind "stance", id "stance-<ISO start time>",
//   {startedAt, finishedAt, column: "<column id>"|null, answers: {pulled, grounding, leaning}}

function stance(root, opened, helpers) {
  const { recordKeeper, exerciseScreen, showState, showPast, handleUnlock, language } = helpers;
  const { keepAnswers, wireEndings } = helpers;
  const keeper = recordKeeper(root, opened, "stance");
  const radios = [...root.querySelectorAll("[data-column]")];
  const boxes = [...root.querySelectorAll("[data-answer]")];
  const clearChoice = root.querySelector("[data-action=clear-column]");
  const past = root.querySelector("[data-past]");
  const figure = root.querySelector("[data-stance-figure]");
  const strip = root.querySelector("[data-stance-strip]");
  const history = root.querySelector("[data-stance-history]");
  const columns = radios.map((radio) => radio.value);
  // One group for the arrow keys. These inputs are never in a form, so nothing is submitted.
  for (const radio of radios) radio.name = "stance-column";

  function showCheck() {
    const { column, answers } = keeper.current.value;
    for (const radio of radios) radio.checked = radio.value === column;
    clearChoice.hidden = !column;
    for (const box of boxes) box.value = answers[box.dataset.answer] || "";
    showState(root, "writing");
  }

  function open(record) {
    keeper.open(record);
    showCheck();
  }

  function clear() {
    for (const radio of radios) radio.checked = false;
    for (const box of boxes) box.value = "";
    past.replaceChildren();
    strip.replaceChildren();
    history.replaceChildren();
    figure.hidden = true;
  }

  /** The strip: one row per check, oldest at the top, a dot in the column where you were. */
  function drawStrip(checks) {
    const shown = checks.slice(-STRIP_ROWS);
    const band = STRIP.width / columns.length;
    const height = STRIP.top + shown.length * STRIP.row + 4;
    strip.setAttribute("viewBox", `0 0 ${STRIP.width} ${height}`);
    const parts = [];
    columns.forEach((_column, index) => {
      const rect = svgElement("rect", { x: index * band, y: 0, width: band, height });
      rect.classList.add(
        "stance-band",
        index === 0 || index === columns.length - 1 ? "edge" : "zone",
      );
      parts.push(rect);
    });
    const labels = [
      [4, "start", root.dataset.collusive],
      [STRIP.width / 2, "middle", root.dataset.neutral],
      [STRIP.width - 4, "end", root.dataset.persecutory],
    ];
    for (const [x, anchor, text] of labels) {
      const label = svgElement("text", { x, y: 22, "text-anchor": anchor });
      label.classList.add("stance-label");
      label.textContent = text;
      parts.push(label);
    }
    const centres = shown.map((check, row) => [
      (columns.indexOf(check.column) + 0.5) * band,
      STRIP.top + row * STRIP.row + STRIP.row / 2,
    ]);
    if (centres.length > 1) {
      const path = svgElement("polyline", { points: centres.map((xy) => xy.join(",")).join(" ") });
      path.classList.add("stance-path");
      parts.push(path);
    }
    for (const [cx, cy] of centres) {
      const dot = svgElement("circle", { cx, cy, r: STRIP.radius });
      dot.classList.add("stance-dot");
      parts.push(dot);
    }
    strip.replaceChildren(...parts);
  }

  function showHistory(records) {
    const checks = records
      .filter((record) => record.value && columns.includes(record.value.column))
      .map((record) => record.value)
      .sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
    figure.hidden = checks.length === 0;
    if (!checks.length) return;
    drawStrip(checks);
    // The text alternative, newest first, like the list of checks below it.
    history.replaceChildren(
      ...[...checks].reverse().map((check) => {
        const item = document.createElement("li");
        const heading = radios[columns.indexOf(check.column)].dataset.heading;
        item.textContent = fill(root.dataset.historyEntry, {
          date: day(check.startedAt, language()),
          column: heading,
        });
        return item;
      }),
    );
  }

  async function showOverview() {
    const records = await keeper.newestFirst();
    const empty = root.querySelector("[data-no-past]");
    showPast(past, empty, records, (value) => Boolean(value.finishedAt), open);
    showHistory(records);
    showState(root, "overview");
  }

  const screen = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent: showCheck,
    open,
    showOverview,
  });

  handleUnlock(root, opened);

  root.querySelector("[data-action=begin]").addEventListener("click", () => {
    keeper.start({
      startedAt: new Date().toISOString(),
      finishedAt: null,
      column: null,
      answers: {},
    });
    showCheck();
  });

  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (!keeper.current || !radio.checked) return;
      keeper.current.value.column = radio.value;
      clearChoice.hidden = false;
      keeper.saveNow();
    });
  }

  clearChoice.addEventListener("click", () => {
    keeper.current.value.column = null;
    for (const radio of radios) radio.checked = false;
    clearChoice.hidden = true;
    keeper.saveNow();
    radios[0].focus();
  });

  keepAnswers(boxes, keeper);
  wireEndings(root, keeper, async () => {
    clear();
    await keeper.close();
    await showOverview();
  });
  return screen;
}

/** The page's screen: data-private="line" or "stance". */
export function screen(root, opened, helpers) {
  return (root.dataset.private === "line" ? line : stance)(root, opened, helpers);
}
