// "Start" / "Try again" / "Next": create a session of a scenario and open its desk.
import { t } from "./i18n.js";

// An assigned scenario starts through its assignment, so the assignment's mode (an exam has
// no hints and one attempt) applies and the result counts for it.
export async function startSession(scenarioId, assignmentId = null) {
  const url = assignmentId ? `/api/assignments/${encodeURIComponent(assignmentId)}/sessions` : "/api/sessions";
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(assignmentId ? {} : { scenario_id: scenarioId }),
  });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  const { session_id: sessionId } = await response.json();
  location.assign(`/sessions/${encodeURIComponent(sessionId)}`);
}

/** Wire every button.start-session[data-scenario] on the page. */
export function wireStartButtons(errorNode) {
  for (const button of document.querySelectorAll("button.start-session[data-scenario]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      const label = button.textContent;
      button.textContent = t("home.starting");
      try {
        await startSession(button.dataset.scenario, button.dataset.assignment ?? null);
      } catch (err) {
        button.disabled = false;
        button.textContent = label;
        if (errorNode) {
          errorNode.textContent = t("home.start_failed", { error: err.message });
          errorNode.hidden = false;
        }
      }
    });
  }
}
