// Log-in without a page reload: the JSON answer of /api/auth/login becomes a redirect or an
// inline error next to the form. The target is checked again here (safe-next.js): this
// script is what navigates.
import { t } from "./i18n.js";
import { safeNext } from "./safe-next.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const body = { username: form.username.value.trim(), password: form.password.value };
  if (!body.username || !body.password) {
    error.textContent = t("login.failed");
    error.hidden = false;
    return;
  }
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    error.textContent = t("login.error");
    error.hidden = false;
    return;
  }
  if (response.ok) {
    location.assign(safeNext(form.dataset.next));
    return;
  }
  error.textContent = response.status === 401 ? t("login.failed") : t("login.error");
  error.hidden = false;
  form.password.select();
});
