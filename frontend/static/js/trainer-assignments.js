// The assignment form: exam mode forces hints off (the server enforces it too).
import { api, showError } from "./trainer-api.js";

const form = document.getElementById("assign-form");
const errorNode = document.getElementById("assign-error");
const hints = document.getElementById("hints");

function syncMode() {
  const exam = form.elements.mode.value === "exam";
  hints.disabled = exam;
  if (exam) hints.checked = false;
}
for (const radio of form.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", syncMode);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorNode, "");
  const [kind, id] = form.elements.target.value.split(":");
  const due = form.elements.due.value;
  const body = {
    scenario_key: form.elements.scenario_key.value,
    group_id: kind === "group" ? Number(id) : null,
    user_id: kind === "user" ? Number(id) : null,
    due_at: due ? new Date(due).toISOString() : null,
    mode: form.elements.mode.value,
    hints: hints.checked,
    mood_meter: form.elements.mood_meter.checked,
  };
  try {
    await api("POST", "/api/trainer/assignments", body);
    location.reload();
  } catch (err) {
    showError(errorNode, err.message);
  }
});

for (const button of document.querySelectorAll("button.delete[data-id]")) {
  button.addEventListener("click", async () => {
    if (!confirm("Удалить назначение? Сессии по нему сохранятся.")) return;
    try {
      await api("DELETE", `/api/trainer/assignments/${button.dataset.id}`);
      location.reload();
    } catch (err) {
      showError(errorNode, err.message);
    }
  });
}
