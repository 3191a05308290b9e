// A scenario version's page: publish / unpublish, play it as a trainee, run its playthroughs.
import { api, showError } from "./trainer-api.js";

const actions = document.getElementById("version-actions");
const versionId = actions.dataset.version;
const errorNode = document.getElementById("action-error");

async function act(button, work) {
  button.disabled = true;
  showError(errorNode, "");
  try {
    await work();
  } catch (err) {
    showError(errorNode, err.message);
    button.disabled = false;
  }
}

for (const [id, verb] of [
  ["publish", "publish"],
  ["unpublish", "unpublish"],
]) {
  const button = document.getElementById(id);
  if (!button) continue;
  button.addEventListener("click", () =>
    act(button, async () => {
      await api("POST", `/api/trainer/versions/${versionId}/${verb}`);
      location.reload();
    }),
  );
}

const play = document.getElementById("play");
play.addEventListener("click", () =>
  act(play, async () => {
    const created = await api("POST", "/api/sessions", {
      scenario_version_id: Number(versionId),
    });
    location.assign(`/sessions/${encodeURIComponent(created.session_id)}`);
  }),
);

const run = document.getElementById("run-playthroughs");
if (run) {
  run.addEventListener("click", () =>
    act(run, async () => {
      run.textContent = "Прогоняю…";
      const result = await api("POST", `/api/trainer/versions/${versionId}/playthroughs`);
      const table = document.getElementById("runs");
      const body = table.querySelector("tbody");
      body.innerHTML = "";
      for (const r of result.runs) {
        const row = document.createElement("tr");
        const cells = [
          r.name,
          r.kind === "model" ? "образцовое" : r.kind === "poor" ? "слабое" : r.kind,
          (r.ending ?? "—") + (r.expected_ending && r.expected_ending !== r.ending ? ` (ожидалась ${r.expected_ending})` : ""),
          r.overall === null ? "—" : r.overall.toFixed(1),
          r.passed === null ? "—" : r.passed ? "сдано" : "не сдано",
        ];
        cells.forEach((text, i) => {
          const cell = document.createElement("td");
          cell.textContent = text;
          if (i === 3) cell.className = "num";
          if (i === 4) cell.className = r.passed ? "pass" : "fail";
          row.append(cell);
        });
        if (!r.ok) row.classList.add("row-bad");
        if (r.errors.length) row.title = r.errors.join("\n");
        body.append(row);
      }
      table.hidden = false;
      run.textContent = "Прогнать снова";
      run.disabled = false;
    }),
  );
}
