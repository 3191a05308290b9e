// JSON calls of the trainer and supervisor workspaces: one place that turns an error answer
// (FastAPI's {detail}) into a readable message.
export async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    /* 204 or not JSON */
  }
  if (!response.ok) {
    const detail = data && data.detail !== undefined ? data.detail : `HTTP ${response.status}`;
    const error = new Error(
      typeof detail === "string" ? detail : detail.message ?? JSON.stringify(detail),
    );
    error.status = response.status;
    error.detail = detail;
    throw error;
  }
  return data;
}

export function showError(node, message) {
  node.textContent = message;
  node.hidden = !message;
}
