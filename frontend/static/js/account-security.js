// Turning the second factor on and off on /account/security.
import { detailOf, postJson, showCodes } from "./totp-ui.js";

const $ = (id) => document.getElementById(id);
const error = $("totp-error");

function fail(message) {
  error.textContent = message;
  error.hidden = false;
}

$("totp-setup").addEventListener("click", async () => {
  error.hidden = true;
  const answer = await postJson("/api/account/totp/setup");
  if (!answer.ok) {
    fail(detailOf(answer.data, "Не удалось начать настройку."));
    return;
  }
  $("totp-secret").textContent = answer.data.secret;
  $("totp-uri").href = answer.data.otpauth_uri;
  $("totp-off").hidden = true;
  $("totp-confirm").hidden = false;
  $("totp-code").focus();
});

$("totp-confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const answer = await postJson("/api/account/totp/enable", { code: $("totp-code").value });
  if (!answer.ok) {
    fail("Неверный код. Проверьте время на телефоне и введите новый код.");
    return;
  }
  $("totp-confirm").hidden = true;
  showCodes($("totp-codes-list"), answer.data.recovery_codes);
  $("totp-codes").hidden = false;
  $("totp-status").textContent = "Второй фактор включён.";
});

$("totp-disable").addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const answer = await postJson("/api/account/totp/disable", {
    code: $("totp-disable-code").value,
  });
  if (!answer.ok) {
    fail(detailOf(answer.data, "Неверный код."));
    return;
  }
  location.reload();
});
