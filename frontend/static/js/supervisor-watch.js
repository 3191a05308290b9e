// Silent monitoring: the session's log streamed read-only over the same websocket the desk
// uses (the server makes a staff connection a watcher, which cannot act), and a whisper form
// that posts a private hint into the session's log.
import { SessionSocket } from "./session-socket.js";
import { api, showError } from "./trainer-api.js";

const root = document.getElementById("watch");
const sessionId = root.dataset.session;
const log = document.getElementById("watch-log");
const statusNode = document.getElementById("watch-status");
const moodNode = document.getElementById("watch-mood");

function bubble(kind, text, meta) {
  const node = document.createElement("div");
  node.className = `bubble bubble-${kind}`;
  const body = document.createElement("div");
  body.textContent = text;
  node.append(body);
  if (meta) {
    const m = document.createElement("div");
    m.className = "bubble-meta";
    m.textContent = meta;
    node.append(m);
  }
  log.append(node);
  log.scrollTop = log.scrollHeight;
  return node;
}

function clock(t) {
  const s = Math.max(0, Math.round(t ?? 0));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

function system(text, extra = "") {
  const node = document.createElement("div");
  node.className = `system-line ${extra}`;
  node.textContent = text;
  log.append(node);
  log.scrollTop = log.scrollHeight;
}

function onEvent(message) {
  const { type, data = {}, t } = message;
  switch (type) {
    case "customer.message":
      bubble("customer", data.text, `Клиент · ${clock(t)}`);
      break;
    case "operator.message":
      bubble("operator", data.text, `Стажёр · ${clock(t)}`);
      break;
    case "hint":
      system(`${data.source === "whisper" ? "Подсказка руководителя" : "Подсказка"}: ${data.text}`, data.source === "whisper" ? "whisper-line" : "hint-line");
      break;
    case "customer.mood":
      moodNode.textContent = String(data.mood);
      break;
    case "violation":
      system(`Нарушение: ${data.code}`, "violation-line");
      break;
    case "crm.submit":
      system(`CRM: форма ${data.form}${data.valid === false ? " (с ошибками)" : ""}`);
      break;
    case "hold.start":
      system("Клиент на удержании");
      break;
    case "hold.end":
      system("Удержание снято");
      break;
    case "kb.open":
      system(`База знаний: ${data.article}`);
      break;
    case "transfer":
      system(`Перевод: ${data.department}`);
      break;
    case "escalate":
      system("Эскалация");
      break;
    case "session.ended":
      system(`Сессия завершена: ${data.outcome ?? ""}`, "ended-line");
      statusNode.textContent = "завершена";
      document.getElementById("whisper-send").disabled = true;
      break;
    default:
      break;
  }
}

// A watcher redraws everything from seq 0 and keeps nothing between page loads.
const memory = new Map();
const storage = {
  getItem: (k) => (memory.has(k) ? memory.get(k) : null),
  setItem: (k, v) => memory.set(k, v),
  removeItem: (k) => memory.delete(k),
};
const socket = new SessionSocket(sessionId, { resumeFrom: 0, storage });
socket.addEventListener("event", (e) => onEvent(e.detail));
socket.addEventListener("session.state", (e) => {
  const state = e.detail.data;
  if (state.mood !== null && state.mood !== undefined) moodNode.textContent = String(state.mood);
});
socket.addEventListener("status", (e) => {
  const map = { online: "в эфире", connecting: "подключение…", reconnecting: "переподключение…", refused: "нет доступа", closed: "отключено" };
  statusNode.textContent = map[e.detail.state] ?? e.detail.state;
  statusNode.classList.toggle("badge-ok", e.detail.state === "online");
});
socket.connect();

const form = document.getElementById("whisper-form");
const text = document.getElementById("whisper-text");
const errorNode = document.getElementById("whisper-error");
const sent = document.getElementById("whisper-sent");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorNode, "");
  sent.hidden = true;
  if (!text.value.trim()) {
    showError(errorNode, "Напишите текст подсказки.");
    return;
  }
  try {
    await api("POST", `/api/supervisor/sessions/${encodeURIComponent(sessionId)}/whisper`, {
      text: text.value,
    });
    text.value = "";
    sent.hidden = false;
  } catch (err) {
    showError(errorNode, err.message);
  }
});
