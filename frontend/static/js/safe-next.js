// Where to go after log-in: a path on this site, or "/". The same rule as the server's
// safe_next (app/web/routes/pages_auth.py), applied again here because this script is what
// navigates: printable ASCII only (the URL parser drops tab, LF and CR and trims controls and
// spaces, so "/\t/evil.example" would become "//evil.example"), no backslash (read as "/"),
// not "//" (a host follows), and, after the browser's own parsing, the same origin.
const SAME_SITE_PATH = /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/;
const MAX_NEXT = 2000;

export function safeNext(raw, origin = window.location.origin) {
  if (typeof raw !== "string" || raw.length > MAX_NEXT || !SAME_SITE_PATH.test(raw)) {
    return "/";
  }
  let url;
  try {
    url = new URL(raw, origin);
  } catch {
    return "/";
  }
  if (url.origin !== origin) {
    return "/";
  }
  return url.pathname + url.search + url.hash;
}
