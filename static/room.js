// Training-day rooms (issue 6): a person's place on the live line, and the projector's timer.
//
// static/app.js starts this module for each element with data-module (start(root)). Without
// it, the place form is a plain form whose button sends the slider's value.
//
// Placing: every move is sent as a plain POST (the form's own fields, with its CSRF token). On a
// flaky connection it is sent again, with growing pauses, until it arrives; a newer move replaces
// one still waiting. The status line only says "Placed" once the server has said so. Each move
// carries a number that only grows (seq), so a late retry can't undo a newer move on the server.

// Wait this long after the last change before sending, so arrow-key presses send one move.
const SETTLE_MS = 250;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;

let waiting = null; // the move still to be confirmed: { form, body, seq }
let retryTimer = null;
let attempt = 0;
let lastSeq = 0;

export function start(root) {
  if (root.hasAttribute("data-live-picture")) livePicture(root);
  if (root.matches("form.join")) joining(root);
  if (root.matches("form.placement")) placement(root);
  if (root.hasAttribute("data-countdown")) countdown(root);
  if (root.hasAttribute("data-fullscreen")) fullScreen(root);
}

// The projector's live picture (issue 26, docs/design.md "A live projector"). Each request
// names the ETag of the picture shown and asks the server to wait (a long poll): it answers the
// moment the room changes, with the new picture, or 304 after LONGEST_WAIT_S, and is asked
// again at once. The new picture replaces this one (through htmx, so its own modules start),
// and its own copy of this loop takes over. A projector that loses its stream (no answer, or an
// answer that isn't the picture) falls back to plain polls every FALLBACK_POLL_MS, and tries the
// stream again after STREAM_AGAIN_MS, or after the Retry-After of a server whose threads for
// waiting are all taken (wellbeing/line/rooms.py).
const LONGEST_WAIT_S = 25;
const FALLBACK_POLL_MS = 500;
const STREAM_AGAIN_MS = 15000;
let streamAgainAt = 0;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function livePicture(picture) {
  const url = picture.dataset.livePicture;
  while (picture.isConnected) {
    const polling = Date.now() < streamAgainAt;
    document.documentElement.dataset.projector = polling ? "polling" : "live";
    if (polling) await pause(FALLBACK_POLL_MS);
    const headers = { "HX-Request": "true", "If-None-Match": picture.dataset.etag || "" };
    const stalled = new AbortController();
    const timer = setTimeout(() => stalled.abort(), (LONGEST_WAIT_S + 10) * 1000);
    let response = null;
    try {
      const asked = polling ? url : `${url}?wait=${LONGEST_WAIT_S}`;
      response = await fetch(asked, {
        headers,
        credentials: "same-origin",
        signal: stalled.signal,
      });
    } catch {
      response = null; // no connection, or the stream stalled
    } finally {
      clearTimeout(timer);
    }
    if (!picture.isConnected) return;
    if (response?.redirected) {
      window.location.reload(); // signed out meanwhile: the page says so
      return;
    }
    if (response?.status === 304) continue;
    if (response?.status !== 200) {
      // The stream is lost: plain polls for a while, then the stream again.
      const after = Number(response?.headers.get("Retry-After")) * 1000 || STREAM_AGAIN_MS;
      if (!polling) streamAgainAt = Date.now() + after;
      if (polling) await pause(FALLBACK_POLL_MS);
      continue;
    }
    const html = await response.text();
    if (!picture.isConnected) return;
    window.htmx.swap(picture, html, { swapStyle: "outerHTML" });
    return; // the new picture runs its own loop
  }
}

// The projector's full-screen button (issue 27): shown only where the browser can do it.
function fullScreen(button) {
  if (!document.fullscreenEnabled) return;
  const enter = button.textContent;
  button.hidden = false;
  button.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen();
  });
  document.addEventListener("fullscreenchange", () => {
    button.textContent = document.fullscreenElement ? button.dataset.exitLabel : enter;
  });
}

// The phone's words for places on the line, as the server says them and the projector counts
// them: the page's data-places, [highest place, words] in order, from the one definition of the
// line's stretches (wellbeing/line/picture.py, STRETCHES). No thresholds of its own here.
const stops = new WeakMap();

/** Words for a place (0 'always abusive' .. 1000 'never abusive'), as the server says them. */
function placeWordsOf(value, form) {
  if (!stops.has(form)) stops.set(form, JSON.parse(form.dataset.places));
  const places = stops.get(form);
  const place = Number(value);
  return (places.find(([last]) => place <= last) ?? places[places.length - 1])[1];
}

function placement(form) {
  const slider = form.querySelector("input[type=range]");
  let settle = null;
  const describe = () => slider.setAttribute("aria-valuetext", placeWordsOf(slider.value, form));
  // Issue 27: no starting position. "Place me here" waits for the first tap on the line (or a
  // key press, or a drag): only then is there a place the person chose.
  const button = form.querySelector("[data-wait-for-tap]");
  if (button) button.disabled = true;
  const chosen = () => {
    form.querySelector("[data-unchosen]")?.remove();
    if (button) button.disabled = false;
  };
  slider.addEventListener("input", () => {
    chosen();
    describe();
  });
  const settled = () => {
    describe();
    clearTimeout(settle);
    settle = setTimeout(() => send(form), SETTLE_MS);
  };
  slider.addEventListener("change", settled);
  // A tap exactly where the unplaced marker rests changes no value, but it is a place too.
  slider.addEventListener("pointerup", () => {
    if (!slider.classList.contains("unplaced")) return;
    chosen();
    settled();
  });
  slider.addEventListener("keydown", (event) => {
    if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") chosen();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(settle);
    send(form);
  });
  // Moves are sent as they happen from now on (until now, only the form's button sent them).
  form.dataset.live = "yes";
}

function say(form, key, place) {
  const state = form.querySelector("[data-place-state]");
  if (!state) return;
  state.textContent = form.dataset[key].replace("{place}", place || "");
  state.classList.toggle("retrying", key === "retrying" || key === "lost");
}

function send(form) {
  const slider = form.querySelector("input[type=range]");
  if (form.querySelector("[data-unchosen]")) return; // nothing chosen yet: nothing to send
  slider.classList.remove("unplaced");
  lastSeq = Math.max(Date.now(), lastSeq + 1);
  const body = new FormData(form);
  body.set("seq", String(lastSeq));
  waiting = { form, body, seq: lastSeq, place: placeWordsOf(slider.value, form) };
  attempt = 0;
  clearTimeout(retryTimer);
  say(form, "sending");
  deliver();
}

async function deliver() {
  const move = waiting;
  if (!move) return;
  let reply = null;
  let response = null;
  try {
    response = await fetch(move.form.action, {
      method: "POST",
      body: move.body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.status >= 500 || response.status === 429) throw new Error(response.status);
    const type = response.headers.get("Content-Type") || "";
    reply = type.includes("application/json") ? await response.json() : null;
  } catch {
    if (waiting !== move) return; // a newer move is on its way instead
    attempt += 1;
    say(move.form, "retrying");
    retryTimer = setTimeout(deliver, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt));
    return;
  }
  if (waiting !== move) return;
  waiting = null;
  if (reply === null) {
    // Not the room's answer (a sign-in or "please try again" page): say so rather than guess.
    say(move.form, "lost");
    return;
  }
  if (reply.outcome === "placed") {
    say(move.form, "placed", move.place);
    return;
  }
  const state = move.form.querySelector("[data-place-state]");
  if (state) state.textContent = reply.message;
  // The trainer has moved on or the room has ended: show the room as it is now.
  const seat = document.getElementById("seat");
  if (seat && window.htmx && !["outside", "unchosen"].includes(reply.outcome))
    window.htmx.trigger(seat, "refresh");
}

// Joining: the first minute of a training day, when everyone presses Join at once. A busy server
// answers 503 with Retry-After (docs/design.md "Writing to the database"); the form is sent again after
// that pause, growing, until the room answers. Any other answer is shown as a plain submit would.
function joining(form) {
  const state = form.querySelector("[data-join-state]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(form);
    for (let tries = 0; ; tries += 1) {
      let response = null;
      try {
        response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
      } catch {
        response = null; // no connection: try again after a pause, as for a busy server
      }
      if (response && response.status < 500 && response.status !== 429) {
        if (response.redirected) {
          window.location.assign(response.url);
        } else {
          form.submit(); // a problem with the code: the server's page says what (joining twice is the same seat)
        }
        return;
      }
      if (state) state.textContent = form.dataset.retrying;
      const asked = Number(response?.headers.get("Retry-After")) || 1;
      const pause = Math.min(RETRY_MAX_MS, asked * 1000 * 1.5 ** tries * (0.5 + Math.random()));
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  });
}

// Back online: send what is waiting now, rather than at the end of the current pause.
window.addEventListener("online", () => {
  if (!waiting) return;
  clearTimeout(retryTimer);
  deliver();
});

// The small groups' timer on the projector (Learning about sex, as a team). The server gives
// the seconds left when it drew the page; the countdown runs here, with no server round trips.
function countdown(root) {
  const ends = Date.now() + Number(root.dataset.countdown) * 1000;
  const tick = () => {
    if (!root.isConnected) return;
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    const seconds = String(left % 60).padStart(2, "0");
    root.textContent = left > 0 ? `${Math.floor(left / 60)}:${seconds}` : root.dataset.done;
    if (left > 0) setTimeout(tick, 1000);
  };
  tick();
}
