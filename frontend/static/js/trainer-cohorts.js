// Cohorts: create one, add and remove trainees.
import { api, showError } from "./trainer-api.js";

const errorNode = document.getElementById("cohort-error");
const form = document.getElementById("cohort-form");

async function run(work) {
  showError(errorNode, "");
  try {
    await work();
    location.reload();
  } catch (err) {
    showError(errorNode, err.message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const supervisor = form.elements.supervisor_id.value;
  run(() =>
    api("POST", "/api/trainer/cohorts", {
      name: form.elements.name.value,
      supervisor_id: supervisor ? Number(supervisor) : null,
      description: form.elements.description.value,
    }),
  );
});

for (const add of document.querySelectorAll("form.add-member")) {
  add.addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = add.elements.user_id.value;
    if (!userId) return;
    run(() =>
      api("POST", `/api/trainer/cohorts/${add.dataset.group}/members`, { user_id: Number(userId) }),
    );
  });
}

for (const button of document.querySelectorAll("button.remove[data-group]")) {
  button.addEventListener("click", () =>
    run(() => api("DELETE", `/api/trainer/cohorts/${button.dataset.group}/members/${button.dataset.user}`)),
  );
}
