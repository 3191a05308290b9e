// The desk's connection to a live session (protocol v1, see docs/protocol.md).
//
// Why this exists as its own module: the event log on the server is the truth, and the desk
// must survive reloads and network drops without losing or duplicating anything. So the socket
// remembers the last `seq` it applied (in sessionStorage, to survive a reload), reconnects with
// it, ignores any event it has already seen, and keeps every operator message in an outbox
// (keyed by a client id `cid`) until the server acknowledges it — a resend after a drop carries
// the same `cid`, and the server applies it at most once.

const PROTOCOL_VERSION = 1;
const MAX_BACKOFF_MS = 8000;

function newCid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class SessionSocket extends EventTarget {
  /**
   * @param {string} sessionId
   * @param {{url?: string, storage?: Storage, resumeFrom?: number}} [options]
   *   resumeFrom: start from this seq instead of the stored one (a page that redraws the whole
   *   session after a reload passes 0 and gets every event again).
   */
  constructor(sessionId, options = {}) {
    super();
    this.sessionId = sessionId;
    this.storage = options.storage ?? window.sessionStorage;
    this.url = options.url ?? SessionSocket.defaultUrl(sessionId);
    this.lastSeq = options.resumeFrom ?? Number(this.storage.getItem(this.#key("seq")) ?? 0);
    this.outbox = new Map(JSON.parse(this.storage.getItem(this.#key("outbox")) ?? "[]"));
    this.ws = null;
    this.closedByUs = false;
    this.ended = false;
    this.backoff = 250;
    this.pingTimer = null;
  }

  static defaultUrl(sessionId) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/ws/sessions/${encodeURIComponent(sessionId)}`;
  }

  #key(name) {
    return `ccsim:${this.sessionId}:${name}`;
  }

  #persist() {
    this.storage.setItem(this.#key("seq"), String(this.lastSeq));
    this.storage.setItem(this.#key("outbox"), JSON.stringify([...this.outbox]));
  }

  connect() {
    this.closedByUs = false;
    const ws = new WebSocket(`${this.url}?last_seq=${this.lastSeq}`);
    this.ws = ws;
    this.#status("connecting");
    ws.addEventListener("open", () => {
      this.backoff = 250;
      this.#status("online");
      // Anything not acknowledged before the drop goes again, same cid: applied at most once.
      for (const message of this.outbox.values()) ws.send(JSON.stringify(message));
      this.pingTimer = setInterval(() => this.#sendRaw({ v: PROTOCOL_VERSION, type: "ping" }), 20000);
    });
    ws.addEventListener("message", (ev) => this.#onFrame(ev.data));
    ws.addEventListener("close", (ev) => {
      clearInterval(this.pingTimer);
      this.ws = null;
      if (ev.code === 4409) {
        // Another tab took the session over: reconnecting would take it back, forever.
        this.#status("replaced", ev.code);
        return;
      }
      if (this.closedByUs || this.ended || ev.code === 4401 || ev.code === 4403 || ev.code === 4404) {
        this.#status(ev.code >= 4400 ? "refused" : "closed", ev.code);
        return;
      }
      this.#status("reconnecting", ev.code);
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    });
  }

  close() {
    this.closedByUs = true;
    this.ws?.close(1000);
  }

  /** Send a client message; returns its cid. Kept in the outbox until acknowledged. */
  send(type, data = {}) {
    const message = { v: PROTOCOL_VERSION, type, cid: newCid(), data };
    this.outbox.set(message.cid, message);
    this.#persist();
    this.#sendRaw(message);
    return message.cid;
  }

  #sendRaw(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  #onFrame(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return; // the server never sends invalid JSON; ignore rather than crash the desk
    }
    const { type } = message;
    if (type === "ack") {
      this.outbox.delete(message.data?.cid);
      this.#persist();
      this.dispatchEvent(new CustomEvent("ack", { detail: message }));
      return;
    }
    if (type === "pong") return;
    if (type === "error" || type === "session.state") {
      this.dispatchEvent(new CustomEvent(type, { detail: message }));
      if (type === "error" && message.data?.cid) {
        this.outbox.delete(message.data.cid); // rejected for good: do not resend forever
        this.#persist();
      }
      return;
    }
    if (typeof message.seq === "number") {
      if (message.seq <= this.lastSeq) return; // already applied (replay overlap)
      this.lastSeq = message.seq;
      this.#persist();
    }
    if (type === "session.ended") this.ended = true;
    this.dispatchEvent(new CustomEvent("event", { detail: message }));
  }

  #status(state, code) {
    this.dispatchEvent(new CustomEvent("status", { detail: { state, code } }));
  }
}
