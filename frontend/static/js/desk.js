// The agent desk of one live session.
//
// The server's event log is the only state: the desk draws everything from the events it
// receives (replayed from seq 0 on every page load, so a reload redraws the whole contact) and
// keeps nothing of its own but view state. Operator actions go out through SessionSocket, which
// resends them after a drop until the server acknowledges them. All data is put into the page
// with textContent, never as HTML.
import { SessionSocket } from "./session-socket.js";
import { onCustomerLine, setMuted } from "./call-audio.js";
import { t } from "./i18n.js";

const root = document.getElementById("desk");
const sessionId = root.dataset.session;
const isCall = root.dataset.channel === "call";
const $ = (id) => document.getElementById(id);

const view = {
  desk: null, // GET /api/sessions/{id}/desk
  ended: false,
  endedT: null,
  onHold: false,
  identified: false,
  replies: 0,
  pendingSince: null, // server t of the oldest customer line still unanswered
  waitingOnHold: false,
  liveFrom: Infinity, // events with a larger seq happen now, not in a replay
  serverT: 0, // server session time at `clientAt`
  clientAt: performance.now(),
  pending: new Map(), // cid -> bubble of an operator message not yet in the log
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for")
      node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function now() {
  return view.serverT + (performance.now() - view.clientAt) / 1000;
}

function syncClock(t) {
  if (typeof t === "number") {
    view.serverT = t;
    view.clientAt = performance.now();
  }
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60)).padStart(2, "0");
  return `${mm}:${String(s % 60).padStart(2, "0")}`;
}

function showError(message) {
  const node = $("desk-error");
  node.textContent = t("desk.error", { message });
  node.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (node.hidden = true), 8000);
}

// ---- conversation ------------------------------------------------------------------------

const conversation = $("conversation");

function scrollDown() {
  conversation.scrollTop = conversation.scrollHeight;
}

function bubble(who, text, meta) {
  const node = el(
    "div",
    { class: `bubble bubble-${who}` },
    el("div", { class: "bubble-text", text }),
    el("div", { class: "bubble-meta", text: meta }),
  );
  conversation.append(node);
  scrollDown();
  return node;
}

function systemLine(text) {
  conversation.append(el("div", { class: "system-line", text }));
  scrollDown();
}

function setTyping(on) {
  $("typing").hidden = !on;
}

// ---- timers ------------------------------------------------------------------------------

function tick() {
  const handle = view.ended && view.endedT != null ? view.endedT : now();
  $("handle-time").textContent = clock(handle);
  if (isCall) $("call-timer").textContent = clock(handle);
  const timer = $("response-timer");
  const kpi = view.desk?.kpi ?? {};
  if (view.pendingSince == null || view.ended || view.onHold) {
    $("response-time").textContent = "—";
    timer.dataset.level = "idle";
    return;
  }
  const waited = now() - view.pendingSince;
  const target = (view.replies === 0 ? kpi.first_response_s : kpi.response_s) ?? null;
  $("response-time").textContent = target ? `${clock(waited)} / ${clock(target)}` : clock(waited);
  let level = "ok";
  if (target && waited >= target) level = "late";
  else if (target && waited >= 0.75 * target) level = "warn";
  timer.dataset.level = level;
}

// ---- customer card, mood, hints -----------------------------------------------------------

let profileRequest = null;

async function refreshProfile() {
  if (view.identified || profileRequest) return;
  profileRequest = fetch(`/api/sessions/${encodeURIComponent(sessionId)}/profile`, {
    credentials: "same-origin",
  });
  try {
    const response = await profileRequest;
    if (!response.ok) return;
    const body = await response.json();
    if (body.identified) showProfile(body);
  } catch {
    /* the next customer line asks again */
  } finally {
    profileRequest = null;
  }
}

function showProfile(body) {
  view.identified = true;
  $("customer-name").textContent = body.name ?? t("desk.customer.identified");
  document.querySelector("#customer-card .avatar").textContent = (body.name ?? "?").slice(0, 1);
  $("customer-card").classList.add("identified");
  $("profile-hidden").hidden = true;
  const list = $("profile");
  list.replaceChildren();
  for (const [key, value] of Object.entries(body.profile ?? {})) {
    const label = t(`profile.${key}`);
    list.append(el("dt", { text: label.startsWith("profile.") ? key : label }), el("dd", { text: value }));
  }
  list.hidden = false;
}

function setMood(mood) {
  if (typeof mood !== "number") return;
  $("mood").value = mood;
  $("mood-value").textContent = String(Math.round(mood));
}

function addHint(text) {
  $("hints-panel").hidden = false; // a supervisor's whisper shows even where hints are off
  $("hints-none")?.remove();
  $("hints").append(el("li", { class: "hint", text }));
}

// ---- events ------------------------------------------------------------------------------

function setHold(on) {
  view.onHold = on;
  for (const button of document.querySelectorAll(".hold-toggle")) {
    button.textContent = on ? t("desk.unhold") : t("desk.hold");
    button.setAttribute("aria-pressed", String(on));
  }
  if (isCall) {
    $("call-bar").dataset.state = on ? "hold" : "active";
    $("call-status").textContent = on ? t("desk.call.on_hold") : t("desk.call.active");
  }
}

function setEnded(endT, live) {
  view.ended = true;
  view.endedT = endT;
  setTyping(false);
  $("ended-banner").hidden = false;
  for (const node of root.querySelectorAll(".composer textarea, .composer button, .actions button, .actions select, .actions input, .call-bar button, .crm-form button"))
    node.disabled = true;
  if (isCall) {
    $("call-bar").dataset.state = "ended";
    $("call-status").textContent = t("desk.ended");
  }
  if (live) setTimeout(() => location.assign($("debrief-link").href), 1500);
  else $("debrief-link").focus();
}

function onEvent(message) {
  const { type, seq, data = {} } = message;
  const live = seq > view.liveFrom;
  root.dataset.lastSeq = String(seq); // lets tests (and curious humans) see progress
  // A screen reader announces new lines, not the replay of the whole contact after a reload.
  if (seq >= view.liveFrom && conversation.getAttribute("aria-live") !== "polite")
    conversation.setAttribute("aria-live", "polite");
  syncClock(live ? message.t : undefined);
  switch (type) {
    case "customer.typing":
      // Also from the replay: a typing event with no line after it means the customer is
      // still typing (the session opens with one, before the desk has connected).
      setTyping(true);
      break;
    case "customer.message": {
      setTyping(false);
      bubble("customer", data.text ?? "", clock(message.t));
      if (isCall) onCustomerLine(data.text ?? "", seq, { replay: !live });
      if (view.onHold) view.waitingOnHold = true;
      else if (view.pendingSince == null) view.pendingSince = message.t;
      refreshProfile();
      break;
    }
    case "operator.message": {
      const cid = data.cid;
      const pending = cid ? view.pending.get(cid) : null;
      if (pending) {
        pending.classList.remove("pending");
        pending.querySelector(".bubble-meta").textContent = `${t("desk.you")} · ${clock(message.t)}`;
        view.pending.delete(cid);
      } else {
        bubble("operator", data.text ?? "", `${t("desk.you")} · ${clock(message.t)}`);
      }
      view.replies += 1;
      view.pendingSince = null;
      break;
    }
    case "hold.start":
      setHold(true);
      view.pendingSince = null;
      systemLine(t("desk.sys.hold_start"));
      break;
    case "hold.end":
      setHold(false);
      if (view.waitingOnHold) view.pendingSince = message.t;
      view.waitingOnHold = false;
      systemLine(t("desk.sys.hold_end", { s: Math.round(data.duration_s ?? 0) }));
      break;
    case "transfer": {
      const dept = view.desk?.departments.find((d) => d.id === data.department);
      systemLine(t("desk.sys.transfer", { name: dept?.name ?? data.department }));
      break;
    }
    case "escalate":
      systemLine(t("desk.sys.escalate"));
      break;
    case "kb.open": {
      const article = view.desk?.knowledge_base.find((a) => a.id === data.article);
      systemLine(t("desk.sys.kb_open", { title: article?.title ?? data.article }));
      break;
    }
    case "crm.submit":
      crmResult(data);
      break;
    case "customer.mood":
      setMood(data.mood);
      break;
    case "hint":
      addHint(data.text ?? "");
      break;
    case "step.entered":
      refreshProfile();
      break;
    case "session.ended":
      systemLine(t("desk.sys.ended"));
      setEnded(message.t, live);
      break;
    default:
      break; // violation, session.started, hidden: nothing to draw live
  }
  tick();
}

// ---- knowledge base ---------------------------------------------------------------------------

function renderKb() {
  const query = $("kb-search").value.trim().toLowerCase();
  const list = $("kb-list");
  list.replaceChildren();
  const found = (view.desk?.knowledge_base ?? []).filter((a) =>
    !query || [a.title, a.text, ...a.tags].some((s) => s.toLowerCase().includes(query)),
  );
  for (const article of found) {
    const button = el("button", { type: "button", class: "kb-item" },
      el("span", { class: "kb-item-title", text: article.title }),
      el("span", { class: "kb-item-tags", text: article.tags.join(" · ") }));
    button.addEventListener("click", () => openArticle(article));
    list.append(el("li", {}, button));
  }
  $("kb-none").hidden = found.length > 0;
}

function openArticle(article) {
  $("kb-list").hidden = true;
  $("kb-search").hidden = true;
  $("kb-none").hidden = true;
  $("kb-article-title").textContent = article.title;
  $("kb-article-tags").replaceChildren(...article.tags.map((tag) => el("span", { class: "tag", text: tag })));
  $("kb-article-text").textContent = article.text;
  $("kb-article").hidden = false;
  $("kb-article").focus();
  if (!view.ended) socket.send("kb.open", { article: article.id });
}

function closeArticle() {
  $("kb-article").hidden = true;
  $("kb-list").hidden = false;
  $("kb-search").hidden = false;
  renderKb();
  $("kb-search").focus();
}

// ---- CRM ------------------------------------------------------------------------------------

const FORMATS = {
  phone: [/^\+?[\d\s()-]{5,20}$/, "desk.crm.err.phone"],
  email: [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "desk.crm.err.email"],
  number: [/^-?\d[\d\s]*([.,]\d+)?$/, "desk.crm.err.number"],
};

function fieldError(form, field, value) {
  if (!value) return field.required ? t("desk.crm.err.required", { label: field.label }) : null;
  const format = FORMATS[field.type];
  if (format && !format[0].test(value)) return t(format[1]);
  // A field's own `pattern` is a trainer's regex: the browser's engine backtracks, so
  // `^(a+)+$` would freeze this tab. The server checks it on RE2 (linear time) when the form
  // is submitted, and the answer's errors are shown under the form (crmResult).
  return null;
}

function renderCrm() {
  const box = $("crm-forms");
  box.replaceChildren();
  for (const form of view.desk?.crm ?? []) {
    const node = el("form", { class: "crm-form", noValidate: true, "data-form": form.id });
    node.append(el("h3", { class: "crm-title", text: form.title }));
    for (const field of form.fields) {
      const id = `crm-${form.id}-${field.id}`;
      const label = el("label", { for: id }, field.label);
      if (field.required) label.append(el("span", { class: "req", "aria-hidden": "true", text: " *" }));
      let input;
      if (field.type === "select") {
        input = el("select", { id, name: field.id });
        input.append(el("option", { value: "", text: t("desk.crm.choose") }));
        for (const option of field.options ?? []) input.append(el("option", { value: option, text: option }));
      } else if (field.type === "textarea") {
        input = el("textarea", { id, name: field.id, rows: 3 });
      } else {
        const type = { email: "email", phone: "tel", date: "date", number: "text" }[field.type] ?? "text";
        input = el("input", { id, name: field.id, type });
        if (field.type === "number") input.inputMode = "decimal";
      }
      if (field.required) input.setAttribute("aria-required", "true");
      const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true });
      input.setAttribute("aria-describedby", error.id);
      input.addEventListener("blur", () => validateField(form, field, input, error));
      node.append(el("div", { class: "field" }, label, input, error));
    }
    node.append(el("p", { class: "crm-status", role: "status", "data-status": form.id }));
    node.append(el("button", { type: "submit", class: "btn btn-primary", text: t("desk.crm.submit") }));
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      submitForm(form, node);
    });
    box.append(node);
  }
}

function validateField(form, field, input, error) {
  const message = fieldError(form, field, input.value.trim());
  error.textContent = message ?? "";
  error.hidden = !message;
  input.setAttribute("aria-invalid", String(Boolean(message)));
  return !message;
}

function submitForm(form, node) {
  let firstBad = null;
  const fields = {};
  for (const field of form.fields) {
    const input = node.elements[field.id];
    const error = $(`crm-${form.id}-${field.id}-error`);
    if (!validateField(form, field, input, error)) firstBad ??= input;
    const value = input.value.trim();
    if (value) fields[field.id] = value;
  }
  if (firstBad) {
    firstBad.focus();
    return;
  }
  socket.send("crm.submit", { form: form.id, fields });
}

function crmResult(data) {
  const form = view.desk?.crm.find((f) => f.id === data.form);
  const status = root.querySelector(`[data-status="${CSS.escape(String(data.form))}"]`);
  systemLine(t("desk.crm.saved", { title: form?.title ?? data.form }));
  if (!status) return;
  status.replaceChildren();
  const errors = Array.isArray(data.errors) ? data.errors : [];
  if (errors.length) {
    status.className = "crm-status bad";
    status.append(el("span", { text: t("desk.crm.server_errors") }));
    const list = el("ul");
    for (const e of errors) list.append(el("li", { text: e.message ?? String(e) }));
    status.append(list);
  } else {
    status.className = "crm-status ok";
    status.textContent = t("desk.crm.saved", { title: form?.title ?? data.form });
  }
}

// ---- tabs -------------------------------------------------------------------------------------

function selectTab(which) {
  for (const name of ["kb", "crm"]) {
    const on = name === which;
    $(`tab-${name}`).setAttribute("aria-selected", String(on));
    $(`tab-${name}`).tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
  }
}

// ---- actions ------------------------------------------------------------------------------------

function sendReply() {
  const box = $("reply");
  const text = box.value.trim();
  if (!text || view.ended) return;
  const cid = socket.send("operator.message", { text });
  const node = bubble("operator", text, t("desk.pending"));
  node.classList.add("pending");
  view.pending.set(cid, node);
  box.value = "";
  box.focus();
}

function toggleHold() {
  if (view.ended) return;
  socket.send(view.onHold ? "hold.end" : "hold.start");
}

function askEnd() {
  if (view.ended) return;
  const dialog = $("end-dialog");
  if (typeof dialog.showModal === "function") dialog.showModal();
  else if (confirm(t("desk.end.confirm"))) socket.send("session.end");
}

function wire() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });
  document.addEventListener("keydown", (event) => {
    // event.code, not event.key: the shortcut works on a Russian keyboard layout too.
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.code === "KeyH") {
      event.preventDefault();
      toggleHold();
    } else if (event.code === "KeyE") {
      event.preventDefault();
      askEnd();
    }
  });
  for (const button of document.querySelectorAll(".hold-toggle")) button.addEventListener("click", toggleHold);
  $("transfer-btn").addEventListener("click", () => {
    const department = $("transfer-dept").value;
    if (!department) {
      $("transfer-dept").focus();
      return;
    }
    socket.send("transfer", { department });
  });
  $("escalate-btn").addEventListener("click", () => {
    socket.send("escalate", { reason: $("escalate-reason").value.trim() });
  });
  $("end-btn").addEventListener("click", askEnd);
  $("end-dialog").addEventListener("close", () => {
    if ($("end-dialog").returnValue === "confirm") socket.send("session.end");
  });
  $("kb-search").addEventListener("input", renderKb);
  $("kb-back").addEventListener("click", closeArticle);
  $("tab-kb").addEventListener("click", () => selectTab("kb"));
  $("tab-crm").addEventListener("click", () => selectTab("crm"));
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const next = tab.id === "tab-kb" ? "crm" : "kb";
        selectTab(next);
        $(`tab-${next}`).focus();
      }
    });
  }
  if (isCall) {
    $("mute-btn").addEventListener("click", () => {
      const muted = setMuted($("mute-btn").getAttribute("aria-pressed") !== "true");
      $("mute-btn").setAttribute("aria-pressed", String(muted));
      $("mute-btn").textContent = muted ? t("desk.call.unmute") : t("desk.call.mute");
    });
  }
}

// ---- start -------------------------------------------------------------------------------------

// Every load redraws the contact from the start of the log; the outbox (unacknowledged
// actions) survives the reload in sessionStorage and is resent with its cids.
const socket = new SessionSocket(sessionId, { resumeFrom: 0 });

socket.addEventListener("session.state", (ev) => {
  const state = ev.detail.data;
  syncClock(ev.detail.t);
  view.liveFrom = state.last_seq;
  if (typeof state.mood === "number") setMood(state.mood);
});
socket.addEventListener("event", (ev) => onEvent(ev.detail));
socket.addEventListener("ack", (ev) => syncClock(ev.detail.t));
socket.addEventListener("error", (ev) => {
  const data = ev.detail.data ?? {};
  const pending = data.cid ? view.pending.get(data.cid) : null;
  if (pending) {
    pending.classList.add("failed");
    view.pending.delete(data.cid);
  }
  showError(data.message ?? data.code ?? "?");
});
socket.addEventListener("status", (ev) => {
  const { state } = ev.detail;
  $("conn").dataset.state = state;
  $("conn-text").textContent = t(`conn.${state}`);
});

async function start() {
  wire();
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/desk`, {
    credentials: "same-origin",
  });
  if (!response.ok) {
    showError(`HTTP ${response.status}`);
    return;
  }
  view.desk = await response.json();
  syncClock(view.desk.now_t);
  if (view.desk.customer.name) $("customer-name").textContent = view.desk.customer.name;
  $("mood-panel").hidden = !view.desk.customer.show_mood;
  $("hints-panel").hidden = !view.desk.hints;
  // The server's limit (CCSIM_MAX_REPLY_CHARS); a longer reply would be refused anyway.
  if (view.desk.limits?.max_reply_chars) $("reply").maxLength = view.desk.limits.max_reply_chars;
  renderKb();
  renderCrm();
  refreshProfile();
  socket.connect();
  setInterval(tick, 250);
  tick();
  $("reply").focus();
}

start();
