// Log-in without a page reload: the JSON answer of /api/auth/login becomes a redirect or an
// inline error next to the form. Staff with a second factor get a code step; a role that
// requires one and an account without it get the enrolment step, then the recovery codes.
// The target is checked again here (safe-next.js): this script is what navigates.
import { t } from "./i18n.js";
import { safeNext } from "./safe-next.js";
import { detailOf, postJson, showCodes } from "./totp-ui.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const totpForm = document.getElementById("totp-form");
const enrolForm = document.getElementById("enrol-form");
const recoveryStep = document.getElementById("recovery-step");
const stepError = document.getElementById("step-error");
const target = () => safeNext(form.dataset.next);

function stepFailed(message) {
  stepError.textContent = message;
  stepError.hidden = false;
}

async function startEnrolment() {
  const answer = await postJson("/api/auth/login/enrol/start");
  if (!answer.ok) {
    stepFailed(detailOf(answer.data, t("login.error")));
    return;
  }
  document.getElementById("enrol-secret").textContent = answer.data.secret;
  document.getElementById("enrol-uri").href = answer.data.otpauth_uri;
  enrolForm.hidden = false;
  document.getElementById("enrol-code").focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const body = { username: form.username.value.trim(), password: form.password.value };
  if (!body.username || !body.password) {
    error.textContent = t("login.failed");
    error.hidden = false;
    return;
  }
  let answer;
  try {
    answer = await postJson(form.action, body);
  } catch {
    error.textContent = t("login.error");
    error.hidden = false;
    return;
  }
  if (answer.ok && answer.data && answer.data.second_factor) {
    form.hidden = true;
    if (answer.data.second_factor === "totp") {
      totpForm.hidden = false;
      document.getElementById("totp-code").focus();
    } else {
      await startEnrolment();
    }
    return;
  }
  if (answer.ok) {
    location.assign(target());
    return;
  }
  error.textContent =
    answer.status === 401 ? t("login.failed") : detailOf(answer.data, t("login.error"));
  error.hidden = false;
  form.password.select();
});

totpForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  stepError.hidden = true;
  const code = document.getElementById("totp-code");
  const answer = await postJson(totpForm.action, { code: code.value });
  if (answer.ok) {
    location.assign(target());
    return;
  }
  stepFailed(answer.status === 401 ? t("login.totp_failed") : detailOf(answer.data, t("login.error")));
  code.select();
});

enrolForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  stepError.hidden = true;
  const code = document.getElementById("enrol-code");
  const answer = await postJson(enrolForm.action, { code: code.value });
  if (!answer.ok) {
    stepFailed(answer.status === 401 ? t("login.totp_failed") : detailOf(answer.data, t("login.error")));
    code.select();
    return;
  }
  enrolForm.hidden = true;
  showCodes(document.getElementById("recovery-list"), answer.data.recovery_codes);
  recoveryStep.hidden = false;
});

document.getElementById("recovery-done").addEventListener("click", () => {
  location.assign(target());
});
