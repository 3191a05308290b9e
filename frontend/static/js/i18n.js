// The page's message catalogue (embedded by the server as JSON), so scripts and templates say
// the same thing in the same language.
const node = document.getElementById("i18n");
const messages = node ? JSON.parse(node.textContent) : {};

/** t("desk.sys.transfer", {name}) — a missing key shows itself rather than failing. */
export function t(key, values = {}) {
  let text = messages[key] ?? key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}
