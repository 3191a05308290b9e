// Answering by voice on a call desk, where the browser offers speech recognition.
//
// A microphone button next to «Отправить» starts the browser's recogniser (ru-RU, interim
// results shown as they come); the recognised words go into the composer, where the trainee can
// edit them before sending — nothing is ever sent by voice alone. Where the browser has no
// recogniser the button is not there at all, and typing always works.
import { t } from "./i18n.js";

let recognition = null;
let listening = false;
let button = null;
let status = null;

function text(key, fallback, values) {
  const value = t(key, values);
  return value === key ? fallback : value;
}

function micIcon() {
  // An inline icon rather than an emoji: not every system has an emoji font.
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  for (const d of ["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M19 11a7 7 0 0 1-14 0", "M12 18v3"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

function setListening(on) {
  listening = on;
  if (!button) return;
  button.setAttribute("aria-pressed", String(on));
  button.classList.toggle("listening", on);
  button.title = on
    ? text("desk.voice.stop", "Остановить распознавание")
    : text("desk.voice.start", "Ответить голосом");
}

function say(message) {
  if (!status) return;
  status.textContent = message;
  status.hidden = !message;
}

/** Stop listening (the mute button, the end of the call). */
export function stopListening() {
  if (recognition && listening) recognition.stop();
}

/**
 * @param {{textarea: HTMLTextAreaElement | null, before: Element | null, isMuted?: () => boolean}} options
 * @returns {boolean} whether voice input is available
 */
export function initVoiceInput({ textarea, before, isMuted = () => false }) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition || !textarea || !before) return false;

  recognition = new Recognition();
  recognition.lang = "ru-RU";
  recognition.interimResults = true;
  recognition.continuous = false;
  recognition.maxAlternatives = 1;

  button = document.createElement("button");
  button.type = "button";
  button.id = "mic-btn";
  button.className = "btn mic-btn";
  button.append(micIcon());
  button.setAttribute("aria-label", text("desk.voice.start", "Ответить голосом"));
  before.before(button);

  status = document.createElement("p");
  status.id = "mic-status";
  status.className = "muted small mic-status";
  status.setAttribute("aria-live", "polite");
  status.hidden = true;
  textarea.closest("form")?.after(status);
  setListening(false);

  let base = ""; // what the composer held before this utterance
  let finalText = "";

  recognition.onstart = () => {
    setListening(true);
    say(text("desk.voice.listening", "Говорите…"));
  };
  recognition.onresult = (event) => {
    let interim = "";
    for (let i = event.resultIndex; i < event.results.length; i += 1) {
      const result = event.results[i];
      if (result.isFinal) finalText += result[0].transcript;
      else interim += result[0].transcript;
    }
    const joined = [base, (finalText + interim).trim()].filter(Boolean).join(" ");
    textarea.value = joined;
    say(interim ? `${text("desk.voice.heard", "Слышу:")} ${interim.trim()}` : "");
  };
  recognition.onerror = (event) => {
    const reasons = {
      "not-allowed": text("desk.voice.denied", "Нет доступа к микрофону — ответьте текстом."),
      "service-not-allowed": text("desk.voice.denied", "Нет доступа к микрофону — ответьте текстом."),
      "no-speech": text("desk.voice.no_speech", "Речь не распознана — попробуйте ещё раз."),
      network: text("desk.voice.unavailable", "Распознавание речи недоступно — ответьте текстом."),
    };
    say(reasons[event.error] ?? text("desk.voice.failed", "Не удалось распознать речь."));
  };
  recognition.onend = () => {
    setListening(false);
    if (status?.textContent === text("desk.voice.listening", "Говорите…")) say("");
    // The recognised words are the trainee's draft: edit, then send.
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  };

  button.addEventListener("click", () => {
    if (listening) {
      recognition.stop();
      return;
    }
    if (isMuted()) {
      say(text("desk.voice.muted", "Микрофон выключен — включите его в панели звонка."));
      return;
    }
    base = textarea.value.trim();
    finalText = "";
    try {
      recognition.start();
    } catch {
      /* already started: the next click stops it */
    }
  });
  return true;
}
