// "Is this always abusive?" on your own (issue 3, exercise 5).
//
// Guidelines, "Scrutinise your beliefs and expectations": place yourself on the line from
// 'always abusive' to 'never abusive' for each practice, and say why you are where you are.
// "You do not need to define where the line of abusiveness is." One record per session:
//   kind "line", id "line-<ISO start time>",
//   {startedAt, finishedAt, placements: {"<practice id>": {practice, place: 0..100|null, why}}}
//
// docs/design.md: charts of private data are drawn in the browser, because only the browser has the
// data; they are drawn with DOM calls and classes (no inline style), and each has a text
// alternative. The record shapes are in docs/vault-format.md.

import { handleUnlock } from "screens/forms";
import { exerciseScreen, recordKeeper, wireEndings } from "screens/record";
import { showOverview } from "screens/shared";
import { day, fill, placeWords, showState, svgElement } from "shared/page";
import { startScreen } from "private/start";

// The faded markers beside today's: the most recent earlier sessions, enough to see a change.
const EARLIER_SHOWN = 5;
// Where an unplaced marker rests; it isn't a place until the worker moves it.
const MIDDLE = 50;

/** static/app.js starts this module for data-module="screens/line". */
export function start(root) {
  return startScreen(root, screen);
}

function screen(root, opened) {
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
        date: day(record.value.startedAt),
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

  const overview = () => showOverview(root, keeper, open);

  const screen = exerciseScreen(root, opened, keeper, {
    clear,
    showCurrent() {
      for (const practice of practices) showPractice(practice);
      showState(root, "writing");
    },
    open,
    showOverview: overview,
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

  wireEndings(root, keeper, clear, overview);
  return screen;
}
