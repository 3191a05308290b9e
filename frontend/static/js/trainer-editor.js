// The scenario editor: a textarea with line numbers, validated on the server as you type
// (debounced), with every error marked in the gutter at its line and listed; clicking an error
// puts the caret at its line:col. No editor library: the loader's own messages are the point.
import { api, showError } from "./trainer-api.js";

const source = document.getElementById("source");
const gutter = document.getElementById("gutter");
const list = document.getElementById("problems");
const count = document.getElementById("error-count");
const none = document.getElementById("no-problems");
const status = document.getElementById("status");
const save = document.getElementById("save");
const saveError = document.getElementById("save-error");
const caret = document.getElementById("caret");
const file = document.getElementById("upload-file");

const graph = document.getElementById("graph");
const graphEmpty = document.getElementById("graph-empty");

let problems = [];
let timer = null;
let generation = 0;

function lineCount() {
  return source.value.split("\n").length;
}

function renderGutter() {
  const byLine = new Map();
  for (const p of problems) {
    if (!byLine.has(p.line)) byLine.set(p.line, []);
    byLine.get(p.line).push(p.message);
  }
  const lines = [];
  const n = lineCount();
  for (let i = 1; i <= n; i += 1) {
    const messages = byLine.get(i);
    if (messages) {
      const title = messages.join("\n").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
      lines.push(`<div class="ln ln-error" data-line="${i}" title="${title}">${i}</div>`);
    } else {
      lines.push(`<div class="ln">${i}</div>`);
    }
  }
  gutter.innerHTML = lines.join("");
  gutter.scrollTop = source.scrollTop;
}

function offsetOf(line, col) {
  const lines = source.value.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  const here = lines[Math.min(line, lines.length) - 1] ?? "";
  return offset + Math.min(Math.max(col - 1, 0), here.length);
}

export function goTo(line, col) {
  const at = offsetOf(line, col);
  source.focus();
  source.setSelectionRange(at, at);
  const lineHeight = parseFloat(getComputedStyle(source).lineHeight) || 20;
  source.scrollTop = Math.max(0, (line - 4) * lineHeight);
  updateCaret();
}

function renderProblems() {
  list.innerHTML = "";
  for (const p of problems) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "problem";
    button.dataset.line = String(p.line);
    button.dataset.col = String(p.col);
    const where = document.createElement("span");
    where.className = "problem-where mono";
    where.textContent = `${p.line}:${p.col}`;
    const text = document.createElement("span");
    text.textContent = p.message;
    button.append(where, text);
    button.addEventListener("click", () => goTo(p.line, p.col));
    item.append(button);
    list.append(item);
  }
  count.textContent = String(problems.length);
  count.classList.toggle("badge-bad", problems.length > 0);
  none.hidden = problems.length > 0;
  renderGutter();
}

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

// The dialogue as the server read it: steps, their opening line and where each branch goes.
function renderGraph(data) {
  graph.innerHTML = "";
  graphEmpty.hidden = Boolean(data);
  if (!data) return;
  for (const step of data.steps) {
    const item = node("li", `mini-step${step.start ? " mini-start" : ""}`);
    item.append(node("div", "mono strong", step.start ? `▶ ${step.id}` : step.id));
    item.append(node("div", "mini-line", `«${step.customer}»`));
    const list = node("ul", "mini-branches");
    for (const b of step.branches) {
      const target = b.goto ?? (b.end ? `■ ${b.end} (${b.outcome})` : "остаётся");
      const li = node("li", b.end ? `mini-end mini-${b.outcome}` : "", `${b.when} → ${target}`);
      list.append(li);
    }
    item.append(list);
    graph.append(item);
  }
}

async function validate() {
  const mine = ++generation;
  if (!source.value.trim()) {
    problems = [];
    renderProblems();
    save.disabled = true;
    status.textContent = "Введите или загрузите YAML сценария.";
    return;
  }
  status.textContent = "Проверяю…";
  try {
    const result = await api("POST", "/api/trainer/scenarios/validate", { source: source.value });
    if (mine !== generation) return;
    problems = result.errors;
    renderProblems();
    renderGraph(result.graph);
    save.disabled = !result.ok;
    status.textContent = result.ok
      ? `Сценарий «${result.scenario.title}» (${result.scenario.id}) корректен.`
      : `Ошибок: ${problems.length}. Исправьте их, чтобы сохранить.`;
    status.className = `editor-status ${result.ok ? "ok" : "bad"}`;
  } catch (err) {
    if (mine !== generation) return;
    status.textContent = `Проверка не удалась: ${err.message}`;
  }
}

function schedule() {
  renderGutter();
  clearTimeout(timer);
  timer = setTimeout(validate, 400);
}

function updateCaret() {
  const before = source.value.slice(0, source.selectionStart);
  const line = before.split("\n").length;
  const col = before.length - before.lastIndexOf("\n");
  caret.textContent = `${line}:${col}`;
}

source.addEventListener("input", schedule);
source.addEventListener("scroll", () => {
  gutter.scrollTop = source.scrollTop;
});
source.addEventListener("keyup", updateCaret);
source.addEventListener("click", updateCaret);
source.addEventListener("keydown", (event) => {
  if (event.key === "Tab" && !event.shiftKey) {
    event.preventDefault();
    source.setRangeText("  ", source.selectionStart, source.selectionEnd, "end");
    schedule();
  }
});
gutter.addEventListener("click", (event) => {
  const line = event.target?.dataset?.line;
  const p = line && problems.find((x) => String(x.line) === line);
  if (p) goTo(p.line, p.col);
});

file.addEventListener("change", async () => {
  const chosen = file.files?.[0];
  if (!chosen) return;
  source.value = await chosen.text();
  file.value = "";
  schedule();
});

save.addEventListener("click", async () => {
  save.disabled = true;
  showError(saveError, "");
  try {
    const version = await api("POST", "/api/trainer/scenarios", { source: source.value });
    location.assign(
      `/trainer/scenarios/${encodeURIComponent(version.scenario_key)}?v=${version.version}` +
        (version.created ? "" : "&same=1"),
    );
  } catch (err) {
    if (err.detail && Array.isArray(err.detail.errors)) {
      problems = err.detail.errors;
      renderProblems();
    }
    showError(saveError, `Не сохранено: ${err.message}`);
    save.disabled = false;
  }
});

renderGutter();
if (source.value.trim()) validate();
