"""One websocket attached to one session: the resume handshake, the reader and the writer.

Only the writer task sends logged events, in seq order, so "the highest seq received" is a safe
resume point for the client. It starts from the client's ``last_seq``, first catching up from
the database log and then following the broker; a gap, an overflowed queue or a duplicate is
repaired from the log, never guessed. Control messages (``ack``, ``error``, ``pong``) are sent
by the reader; an ``ack`` waits until its event has gone out, so it never overtakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, Literal

import anyio.to_thread
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app.db.types import utcnow
from app.live.broker import Subscription
from app.repositories.sessions import SessionRepository
from app.sessions.ratelimit import TokenBucket
from app.sessions.service import (
    ConflictError,
    SessionEndedError,
    SessionHub,
    SessionInfo,
    SessionRuntime,
    event_dict,
    session_time,
)
from app.sessions.snapshot import fold
from app.web.protocol import (
    ACTION_TYPES,
    PROTOCOL_VERSION,
    CloseCode,
    ErrorCode,
    Hello,
    ProtocolError,
    ScenarioSummary,
    SessionStateData,
    parse_client_frame,
)
from scoring import events as ev
from simulator.engine.messages import EngineError

log = logging.getLogger(__name__)
Role = Literal["driver", "watcher"]
ACK_WAIT_S = 10.0


# Kept in the stored event, never sent: field-by-field correctness against the scenario's hidden
# expected values. A trainee who saw it could probe for the answers by resubmitting (in an exam
# too); the desk learns only whether a form is valid, the debrief shows what was right.
SECRET_FIELDS: dict[str, frozenset[str]] = {ev.CRM_SUBMIT: frozenset({"matches"})}


def visible_to(item: dict[str, Any], role: Role, show_mood: bool) -> dict[str, Any]:
    """What this viewer may see of a logged event; hidden ones keep their seq. Every event
    that leaves the server on a socket or through the events API passes here."""
    if role == "driver" and not show_mood and item["type"] == ev.CUSTOMER_MOOD:
        return {**item, "type": "hidden", "data": {}}
    secret = SECRET_FIELDS.get(item["type"])
    if secret and secret & item["data"].keys():
        return {**item, "data": {k: v for k, v in item["data"].items() if k not in secret}}
    return item


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        hub: SessionHub,
        info: SessionInfo,
        role: Role,
    ) -> None:
        self.ws = websocket
        self.hub = hub
        self.info = info
        self.role: Role = role
        self.settings = hub.settings
        self.show_mood = info.scenario.customer.show_mood and info.mood_meter
        self.bucket = TokenBucket(self.settings.ws_rate_per_s, self.settings.ws_rate_burst)
        self.last_sent = 0
        self._sent = asyncio.Condition()
        self._send_lock = asyncio.Lock()
        self.closing = False
        self.runtime: SessionRuntime | None = None

    # -- sending --------------------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.closing or self.ws.application_state != WebSocketState.CONNECTED:
                raise WebSocketDisconnect(1006)
            await self.ws.send_text(json.dumps(message, ensure_ascii=False))

    async def send_control(self, type_: str, data: dict[str, Any]) -> None:
        await self._send(
            {
                "v": PROTOCOL_VERSION,
                "type": type_,
                "seq": self.last_sent,
                "t": round(session_time(self.info.created_at), 3),
                "at": utcnow().isoformat(),
                "data": data,
            }
        )

    async def send_error(
        self, code: ErrorCode, message: str, *, cid: str | None = None, details: Any = None
    ) -> None:
        data: dict[str, Any] = {"code": code.value, "message": message, "cid": cid}
        if details is not None:
            data["details"] = details
        await self.send_control("error", data)

    async def _send_event(self, item: dict[str, Any]) -> None:
        shown = visible_to(item, self.role, self.show_mood)
        await self._send({"v": PROTOCOL_VERSION, **shown})
        async with self._sent:
            self.last_sent = item["seq"]
            self._sent.notify_all()

    async def wait_sent(self, seq: int) -> None:
        async with self._sent:
            await asyncio.wait_for(self._sent.wait_for(lambda: self.last_sent >= seq), ACK_WAIT_S)

    # -- the writer -----------------------------------------------------------------------

    def _read_log(self, after: int, upto: int | None) -> list[dict[str, Any]]:
        with self.hub.session_factory() as db:
            rows = SessionRepository(db).events(self.info.id, after)
            return [event_dict(r) for r in rows if upto is None or r.seq <= upto]

    async def _catch_up(self, upto: int | None = None) -> None:
        for item in await anyio.to_thread.run_sync(self._read_log, self.last_sent, upto):
            if item["seq"] == self.last_sent + 1:
                await self._send_event(item)

    async def run_writer(self, sub: Subscription) -> None:
        try:
            await self._write(sub)
        except (WebSocketDisconnect, RuntimeError, ConnectionError):
            return  # the socket is gone; the reader notices too
        except Exception:
            # A connection that silently stopped streaming would look alive to the desk:
            # close it, so that the client reconnects and resumes from the log.
            log.exception("session %s: writer failed", self.info.id)
            await self.kick(CloseCode.INTERNAL, "internal error; reconnect to resume")

    async def _write(self, sub: Subscription) -> None:
        await self._catch_up()
        while True:
            item = await sub.get()
            if sub.closed:
                return
            if item is None:  # the queue overflowed: the log has everything
                sub.overflowed = False
                log.info("session %s: socket fell behind; catching up from the log", self.info.id)
                await self._catch_up()
                continue
            seq = item["seq"]
            if seq <= self.last_sent:
                continue
            if seq > self.last_sent + 1:
                await self._catch_up(upto=seq - 1)
            if seq == self.last_sent + 1:
                await self._send_event(item)

    # -- the handshake --------------------------------------------------------------------

    def _state_sync(self, resume_from: int) -> dict[str, Any]:
        with self.hub.session_factory() as db:
            rows = SessionRepository(db).events(self.info.id)
            snap = fold([event_dict(r) for r in rows], self.info.scenario.customer.mood)
        scenario = self.info.scenario
        mood_visible = self.role == "watcher" or self.show_mood
        state = SessionStateData(
            session_id=self.info.id,
            role=self.role,
            scenario=ScenarioSummary(
                id=scenario.id,
                version_id=self.info.scenario_version_id,
                version=self.info.version,
                title=scenario.title,
                channel=scenario.channel,
                function=scenario.function,
                direction=scenario.direction,
                show_mood=scenario.customer.show_mood,
            ),
            step=snap.step,
            mood=snap.mood if mood_visible else None,
            identified=snap.identified,
            on_hold=snap.on_hold,
            ended=snap.ended,
            outcome=snap.outcome,
            scorecard_id=snap.scorecard_id,
            last_seq=snap.last_seq,
            resume_from=min(resume_from, snap.last_seq),
            limits={
                "max_frame_bytes": self.settings.ws_max_frame_bytes,
                "rate_per_s": self.settings.ws_rate_per_s,
                "rate_burst": self.settings.ws_rate_burst,
                "max_reply_chars": self.settings.max_reply_chars,
                "reply_rate_per_s": self.settings.reply_rate_per_s,
                "reply_burst": self.settings.reply_burst,
            },
        )
        return state.model_dump(mode="json")

    async def _receive_frame(self) -> str | bytes | None:
        """The next frame, or None when the client went away."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text")
        return text if text is not None else (message.get("bytes") or b"")

    async def _resume_point(self, query_last_seq: int | None) -> tuple[int, Any]:
        """From the URL, or from a first ``hello``; a first frame that is not a hello is
        handed back to be processed normally (the client then gets everything)."""
        if query_last_seq is not None:
            return query_last_seq, None
        try:
            frame = await asyncio.wait_for(self._receive_frame(), self.settings.ws_hello_timeout_s)
        except TimeoutError:
            return 0, None
        if frame is None:
            raise WebSocketDisconnect(1000)
        try:
            message = parse_client_frame(frame, max_bytes=self.settings.ws_max_frame_bytes)
        except ProtocolError:
            return 0, frame
        if isinstance(message, Hello):
            return message.data.last_seq, None
        return 0, frame

    # -- the reader -----------------------------------------------------------------------

    async def handle_frame(self, frame: str | bytes) -> None:
        if not self.bucket.take():
            await self.send_error(
                ErrorCode.RATE_LIMITED,
                f"more than {self.settings.ws_rate_per_s:g} messages per second: "
                "this one was dropped; slow down and resend it",
                cid=_cid_of(frame, self.settings.ws_max_frame_bytes),
            )
            return
        try:
            message = parse_client_frame(frame, max_bytes=self.settings.ws_max_frame_bytes)
        except ProtocolError as exc:
            await self.send_error(exc.code, exc.message, cid=exc.cid, details=exc.details)
            return
        kind = message.type  # type: ignore[attr-defined]
        cid = message.cid
        if kind == "ping":
            await self.send_control("pong", {"cid": cid} if cid else {})
        elif kind == "ack":
            seq = message.data.seq  # type: ignore[attr-defined]
            if seq > self.last_sent:
                await self.send_error(
                    ErrorCode.INVALID_MESSAGE,
                    f"ack of seq {seq}, but only {self.last_sent} has been sent",
                    cid=cid,
                )
        elif kind == "hello":
            await self.send_error(
                ErrorCode.INVALID_MESSAGE,
                "hello is only valid as the first message; reconnect to resume elsewhere",
                cid=cid,
            )
        elif kind in ACTION_TYPES:
            await self._act(kind, message.data.model_dump(), cid)  # type: ignore[attr-defined]

    async def _act(self, kind: str, data: dict[str, Any], cid: str | None) -> None:
        if self.role != "driver":
            await self.send_error(
                ErrorCode.FORBIDDEN,
                "you are watching this session read-only; only its trainee can act",
                cid=cid,
            )
            return
        assert self.runtime is not None
        resend = cid is not None and cid in self.runtime.cids
        if (
            kind == ev.OPERATOR_MESSAGE
            and not resend
            and await self._refuse_reply(str(data.get("text", "")), cid)
        ):
            return
        try:
            applied = await self.runtime.apply(kind, data, cid)
        except SessionEndedError as exc:
            await self.send_error(ErrorCode.SESSION_ENDED, str(exc), cid=cid)
            return
        except EngineError as exc:
            await self.send_error(
                ErrorCode.ENGINE_REJECTED, exc.message, cid=cid, details={"reason": exc.code}
            )
            return
        except ConflictError:
            await self.send_error(
                ErrorCode.CONFLICT,
                "another server process updated this session first; resend with the same cid",
                cid=cid,
            )
            return
        except Exception:
            log.exception("session %s: %s failed", self.info.id, kind)
            await self.send_error(
                ErrorCode.INTERNAL, "the server failed to apply this; it was not logged", cid=cid
            )
            return
        with contextlib.suppress(TimeoutError):
            await self.wait_sent(applied.seq)
        await self.send_control(
            "ack", {"cid": cid, "seq": applied.seq, "duplicate": applied.duplicate}
        )

    async def _refuse_reply(self, text: str, cid: str | None) -> bool:
        """The reply limits (issue 16, item 5): its length, then the session's and the trainee's
        budgets. A resend of a reply already applied is not a new reply and skips them."""
        limit = self.settings.max_reply_chars
        if len(text) > limit:
            await self.send_error(
                ErrorCode.MESSAGE_TOO_LONG,
                f"the reply is {len(text)} characters long; the limit is {limit}: "
                "shorten it or split it into several messages",
                cid=cid,
                details={"length": len(text), "limit": limit},
            )
            return True
        refusal = self.hub.reply_gate.admit(self.info.user_id, self.info.id, len(text))
        if refusal is None:
            return False
        await self.send_error(
            ErrorCode.RATE_LIMITED,
            refusal.message,
            cid=cid,
            details={"scope": refusal.scope, "retry_after_s": refusal.retry_after_s},
        )
        return True

    async def kick(self, code: CloseCode, reason: str) -> None:
        """Close from another task (a newer driver connection replaced this one)."""
        async with self._send_lock:
            if self.closing:
                return
            self.closing = True
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, ConnectionError):
                await self.ws.close(code=int(code), reason=reason)

    async def serve(self, query_last_seq: int | None) -> None:
        """Run until the client leaves; the caller has accepted and authorised the socket."""
        with self.hub.broker.subscribe(self.info.id) as sub:
            self.runtime = await self.hub.acquire(self.info)
            writer: asyncio.Task[None] | None = None
            try:
                resume, pending = await self._resume_point(query_last_seq)
                state = await anyio.to_thread.run_sync(self._state_sync, resume)
                if resume > state["last_seq"]:
                    self.last_sent = state["last_seq"]
                    await self.send_control("session.state", state)
                    await self.send_error(
                        ErrorCode.INVALID_MESSAGE,
                        f"last_seq {resume} is ahead of the log (seq {state['last_seq']}); "
                        "resuming from there",
                    )
                else:
                    self.last_sent = resume
                    await self.send_control("session.state", state)
                writer = asyncio.create_task(self.run_writer(sub), name="ws writer")
                if pending is not None:
                    await self.handle_frame(pending)
                while not self.closing:
                    frame = await self._receive_frame()
                    if frame is None:
                        break
                    await self.handle_frame(frame)
            except (WebSocketDisconnect, ConnectionError):
                pass
            finally:
                if writer is not None:
                    writer.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await writer
                await self.hub.release(self.runtime)


def _cid_of(frame: str | bytes, max_bytes: int) -> str | None:
    if len(frame) > max_bytes:
        return None
    try:
        obj = json.loads(frame)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    cid = obj.get("cid") if isinstance(obj, dict) else None
    return cid if isinstance(cid, str) else None
