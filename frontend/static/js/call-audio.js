// The customer's voice in call scenarios.
//
// The desk calls onCustomerLine for every customer line of a call, live or replayed after a
// reload. Live lines are spoken in order, one at a time: the server's synthesised WAV of the
// logged line (GET /api/sessions/{id}/audio/{seq}.wav) in an <audio> element, or — when the
// server has no speech engine (503 tts_unavailable) or the request fails — the browser's own
// speechSynthesis with a Russian voice. Replayed lines are not spoken again. In the
// listening-only mode (the scenario's hide_transcript) the transcript shows a placeholder that
// replays the line instead of the customer's words. The sound button this module adds to the
// call bar stops playback; the desk's mute button turns the operator's microphone (voice input)
// off. This module also starts voice input (voice-input.js) on a call desk.
import { initVoiceInput, stopListening } from "./voice-input.js";
import { t } from "./i18n.js";

const root = document.getElementById("desk");
const sessionId = root?.dataset.session ?? "";
const isCall = root?.dataset.channel === "call";
const hideTranscript = isCall && root?.dataset.hideTranscript === "true";

const player = new Audio();
player.id = "customer-audio";
player.preload = "auto";
player.hidden = true;

let soundOff = false; // the call bar's sound button: the customer is not played
let micMuted = false; // the call bar's mute button: the operator's microphone is off
let lastQueuedSeq = 0;
let serverVoice = true; // false after a 503: the server has no engine, stop asking it
let blocked = false; // the browser refused autoplay: wait for a click
const queue = []; // [{text, seq}]
let current = null; // {line, stop()} of the line being spoken
const texts = new Map(); // seq -> text, for replaying a hidden line

function text(key, fallback) {
  const value = t(key);
  return value === key ? fallback : value;
}

function count(name) {
  if (!root) return;
  root.dataset[name] = String(Number(root.dataset[name] ?? 0) + 1);
}

function audioUrl(seq) {
  return `/api/sessions/${encodeURIComponent(sessionId)}/audio/${seq}.wav`;
}

// ---- the server's voice ----------------------------------------------------------------------

async function fetchAudio(seq) {
  if (!serverVoice) return null;
  try {
    const response = await fetch(audioUrl(seq), { credentials: "same-origin" });
    if (response.ok) return URL.createObjectURL(await response.blob());
    if (response.status === 503) serverVoice = false;
  } catch {
    /* the network hiccupped: this line goes to the browser's voice */
  }
  return null;
}

function playUrl(url, line) {
  return new Promise((resolve, reject) => {
    const done = (outcome) => {
      player.onended = player.onerror = null;
      current = null;
      URL.revokeObjectURL(url);
      resolve(outcome);
    };
    player.onended = () => {
      count("audioEnded");
      done("ended");
    };
    player.onerror = () => done("error");
    current = { line, stop: () => { player.pause(); done("stopped"); } };
    player.src = url;
    player.play().then(
      () => count("audioPlayed"),
      (error) => {
        player.onended = player.onerror = null;
        current = null;
        URL.revokeObjectURL(url);
        reject(error);
      },
    );
  });
}

// ---- the browser's voice ---------------------------------------------------------------------

function russianVoice() {
  const voices = window.speechSynthesis?.getVoices() ?? [];
  return voices.find((v) => v.lang?.toLowerCase().startsWith("ru")) ?? null;
}

function speakInBrowser(line) {
  const synth = window.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") return Promise.resolve("none");
  return new Promise((resolve) => {
    const utterance = new SpeechSynthesisUtterance(line.text);
    utterance.lang = "ru-RU";
    const voice = russianVoice();
    if (voice) utterance.voice = voice;
    // Some browsers never fire "end" without a voice installed: do not wait forever.
    const guard = setTimeout(() => finish("timeout"), 2000 + line.text.length * 120);
    function finish(outcome) {
      clearTimeout(guard);
      utterance.onend = utterance.onerror = null;
      current = null;
      resolve(outcome);
    }
    utterance.onend = () => finish("ended");
    utterance.onerror = () => finish("error");
    current = { line, stop: () => { synth.cancel(); finish("stopped"); } };
    count("browserSpoken");
    synth.speak(utterance);
  });
}

// ---- the queue -----------------------------------------------------------------------------

async function speak(line) {
  const url = await fetchAudio(line.seq);
  if (soundOff) {
    if (url) URL.revokeObjectURL(url);
    return;
  }
  if (url) {
    root.dataset.voice = "server";
    await playUrl(url, line);
    return;
  }
  root.dataset.voice = "browser";
  await speakInBrowser(line);
}

let pumping = false;

async function pump() {
  if (pumping || blocked) return;
  pumping = true;
  try {
    while (queue.length && !soundOff && !blocked) {
      const line = queue.shift();
      try {
        await speak(line);
      } catch (error) {
        if (error?.name === "NotAllowedError") {
          // Autoplay refused until the trainee interacts with the page: keep the line.
          queue.unshift(line);
          showUnblock();
        }
      }
    }
  } finally {
    pumping = false;
  }
}

function showUnblock() {
  blocked = true;
  if (document.getElementById("audio-unblock")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "audio-unblock";
  button.className = "btn btn-sm btn-primary";
  button.textContent = text("desk.call.enable_sound", "🔊 Включить звук");
  button.addEventListener("click", () => {
    blocked = false;
    button.remove();
    pump();
  });
  (document.getElementById("call-bar") ?? root)?.append(button);
}

// ---- the transcript in listening-only mode ---------------------------------------------------

function maskLastCustomerLine(seq) {
  const node = lastCustomerBubble()?.querySelector(".bubble-text");
  if (!node || node.dataset.masked) return;
  node.dataset.masked = "true";
  node.dataset.seq = String(seq);
  const replay = document.createElement("button");
  replay.type = "button";
  replay.className = "btn btn-link replay-line";
  replay.textContent = text("desk.call.hidden_line", "🔊 (реплика клиента)");
  replay.title = text("desk.call.replay", "Прослушать ещё раз");
  replay.addEventListener("click", () => {
    if (soundOff) return;
    queue.push({ text: texts.get(seq) ?? "", seq });
    pump();
  });
  node.replaceChildren(replay);
}

// ---- the desk's hooks ------------------------------------------------------------------------

// ---- which lines to say -----------------------------------------------------------------------
//
// Live lines are said as they arrive. Replayed lines (the page redrawing the log) are said only
// when nobody has heard them: never said in this tab before (sessionStorage), and still waiting
// for the operator — after the last operator reply once the redraw settles. That is the opening
// line of a call whose customer spoke before the desk connected, not the whole call again.

const storageKey = `ccsim.voice.${sessionId}.said`;
let saidUpTo = Number(sessionStorage.getItem(storageKey) ?? 0);
let candidates = []; // [{line, node}] replayed lines nobody has heard
let settleTimer = null;

function markSaid(seq) {
  lastQueuedSeq = Math.max(lastQueuedSeq, seq);
  saidUpTo = Math.max(saidUpTo, seq);
  try {
    sessionStorage.setItem(storageKey, String(saidUpTo));
  } catch {
    /* private mode: a reload may repeat a line */
  }
}

function enqueue(line) {
  markSaid(line.seq);
  if (soundOff) return;
  queue.push(line);
  pump();
}

function lastCustomerBubble() {
  const bubbles = document.querySelectorAll("#conversation .bubble-customer");
  return bubbles[bubbles.length - 1] ?? null;
}

function sayUnheardReplayedLines() {
  settleTimer = null;
  const operators = document.querySelectorAll("#conversation .bubble-operator");
  const lastReply = operators[operators.length - 1] ?? null;
  const ended = document.getElementById("ended-banner")?.hidden === false;
  const unheard = candidates.filter(
    ({ node, line }) =>
      line.seq > lastQueuedSeq &&
      (!lastReply || (node && lastReply.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)),
  );
  candidates = [];
  if (ended) return;
  for (const { line } of unheard) enqueue(line);
}

// ---- the desk's hooks ------------------------------------------------------------------------

/** @param {string} lineText  @param {number} seq  @param {{replay: boolean}} [options] */
export function onCustomerLine(lineText, seq, options = { replay: false }) {
  texts.set(seq, lineText);
  if (hideTranscript) maskLastCustomerLine(seq);
  if (seq <= lastQueuedSeq) return;
  const line = { text: lineText, seq };
  if (!options.replay) {
    enqueue(line);
    return;
  }
  if (seq <= saidUpTo) return;
  candidates.push({ line, node: lastCustomerBubble() });
  clearTimeout(settleTimer);
  settleTimer = setTimeout(sayUnheardReplayedLines, 300);
}

/** The call bar's mute button: the operator's microphone (voice input) is off until unmuted. */
export function setMuted(value) {
  micMuted = Boolean(value);
  if (micMuted) stopListening();
  if (root) root.dataset.muted = String(micMuted);
  return micMuted;
}

/** The call bar's sound button: stop the customer's voice (the transcript still shows lines). */
export function setSoundOff(value) {
  soundOff = Boolean(value);
  if (soundOff) {
    queue.length = 0;
    current?.stop();
    window.speechSynthesis?.cancel();
  }
  if (root) root.dataset.soundOff = String(soundOff);
  const button = document.getElementById("sound-btn");
  if (button) {
    button.setAttribute("aria-pressed", String(soundOff));
    const label = soundOff
      ? text("desk.call.sound_on", "Включить звук клиента")
      : text("desk.call.sound_off", "Выключить звук клиента");
    button.setAttribute("aria-label", label);
    button.title = label;
    button.replaceChildren(speakerIcon(soundOff));
  }
  return soundOff;
}

function addSoundButton() {
  const bar = document.getElementById("call-bar");
  if (!bar) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "sound-btn";
  button.className = "btn btn-sm";
  button.addEventListener("click", () => setSoundOff(!soundOff));
  const mute = document.getElementById("mute-btn");
  if (mute) mute.before(button);
  else bar.append(button);
  setSoundOff(false);
}

function speakerIcon(off) {
  // A compact icon button keeps the call bar on one line; an emoji font is not everywhere.
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [key, value] of Object.entries({
    viewBox: "0 0 24 24", width: "18", height: "18", "aria-hidden": "true", fill: "none",
    stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round",
  }))
    svg.setAttribute(key, value);
  const paths = ["M11 5 6 9H2v6h4l5 4V5z"];
  paths.push(...(off ? ["M23 9l-6 6", "M17 9l6 6"] : ["M15.5 8.5a5 5 0 0 1 0 7", "M19 5a10 10 0 0 1 0 14"]));
  for (const d of paths) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

if (isCall && root) {
  document.body.append(player);
  root.dataset.hideTranscript = String(hideTranscript);
  addSoundButton();
  initVoiceInput({
    textarea: document.getElementById("reply"),
    before: document.getElementById("send-btn"),
    isMuted: () => micMuted,
  });
}
