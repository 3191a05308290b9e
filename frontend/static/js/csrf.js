// Sends the CSRF token (the ccsim_csrf cookie, tied to the log-in) with every same-origin
// state-changing fetch, so page scripts need not know about it. Loaded as a classic script
// before the page's modules.
(() => {
  const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
  const token = () => {
    const match = document.cookie.match(/(?:^|;\s*)ccsim_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };
  const original = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const method = ((init && init.method) || (request && request.method) || "GET").toUpperCase();
    const url = new URL(request ? request.url : String(input), window.location.href);
    if (SAFE.has(method) || url.origin !== window.location.origin || !token()) {
      return original(input, init);
    }
    const headers = new Headers((init && init.headers) || (request && request.headers) || {});
    if (!headers.has("X-CSRF-Token")) headers.set("X-CSRF-Token", token());
    return original(input, { ...init, headers });
  };
})();
