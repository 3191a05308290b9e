"""The session websocket protocol, version 1: every message the desk and the server exchange.

These models are the contract: `docs/protocol.md` explains them and `docs/asyncapi.yaml` is
generated from them (``python -m app.web.asyncapi``), so a field that is not here does not exist.
Client messages are validated strictly (``extra="forbid"``): a typo in a field name is an
``invalid_message`` error the client sees, not a silently ignored value.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from simulator.engine.messages import MAX_MESSAGE_CHARS

PROTOCOL_VERSION: Literal[1] = 1
# Longer integers are refused while the JSON is parsed: nothing in protocol v1 needs more than
# a seq, and Python's own guard (4,300 digits) answers with advice about interpreter settings.
MAX_INT_DIGITS = 20
# C0 control characters other than tab and line feed: a NUL or an escape sequence in a reply
# would go into the log, the transcript, the exports and the trainer's screen.
_CONTROL = frozenset(chr(c) for c in range(0x20)) - {"\t", "\n"}


def no_control_characters(value: str) -> str:
    for i, ch in enumerate(value):
        if ch in _CONTROL:
            raise ValueError(
                f"contains the control character U+{ord(ch):04X} at position {i}; "
                "remove it (only line breaks and tabs are allowed in text)"
            )
    return value


# Text a person typed: no control characters except line breaks and tabs.
Typed = Annotated[str, AfterValidator(no_control_characters)]


class ErrorCode(StrEnum):
    """Codes of the ``error`` message. Stable: clients switch on them."""

    BAD_JSON = "bad_json"  # the frame is not a JSON object
    BINARY_FRAME = "binary_frame"  # a binary websocket frame; messages are JSON text frames
    UNKNOWN_TYPE = "unknown_type"  # ``type`` missing or not a client message type
    INVALID_MESSAGE = "invalid_message"  # fields missing, extra or of the wrong type
    UNSUPPORTED_VERSION = "unsupported_version"  # ``v`` is not 1
    FRAME_TOO_LARGE = "frame_too_large"  # the frame exceeds the configured limit
    RATE_LIMITED = "rate_limited"  # too many messages; this one was dropped
    MESSAGE_TOO_LONG = "message_too_long"  # a reply over the server's length limit
    FORBIDDEN = "forbidden"  # a watcher tried to drive the session
    SESSION_ENDED = "session_ended"  # the session is over; only ping/ack/hello are accepted
    ENGINE_REJECTED = "engine_rejected"  # the simulator refused the action (e.g. no such form)
    NOT_FOUND = "not_found"  # reserved in v1 (unknown sessions close with 4404)
    CONFLICT = "conflict"  # another process appended to the log first; resend the message
    INTERNAL = "internal"  # a server fault; the log is unchanged


class CloseCode(IntEnum):
    """Websocket close codes the server uses."""

    NORMAL = 1000  # the session ended, or the client said goodbye
    POLICY = 1008  # the handshake broke a policy (e.g. a foreign Origin)
    TOO_BIG = 1009  # a frame exceeded the transport limit (closed by the server's websocket layer)
    INTERNAL = 1011  # unexpected server fault
    UNAUTHENTICATED = 4401  # no valid login cookie
    FORBIDDEN = 4403  # logged in, but neither the session's trainee nor a supervisor
    NOT_FOUND = 4404  # no such session
    REPLACED = 4409  # the trainee opened a newer connection to the same session


# ---- client -> server ------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Cid = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="Client id of the message: a resend with the same cid is applied once",
    ),
]


class Empty(_Strict):
    """No fields."""


class HelloData(_Strict):
    last_seq: int = Field(0, ge=0, description="The last seq this client has seen (0: none)")


class OperatorMessageData(_Strict):
    text: Typed = Field(
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        description="The operator's reply (the server's own limit, session.state "
        "limits.max_reply_chars, may be lower)",
    )


class CrmSubmitData(_Strict):
    form: str = Field(min_length=1, max_length=80, description="CRM form id of the scenario")
    fields: dict[str, Typed] = Field(description="Field id -> value as typed")


class KbOpenData(_Strict):
    article: str = Field(min_length=1, max_length=80, description="Knowledge-base article id")


class TransferData(_Strict):
    department: str = Field(min_length=1, max_length=80, description="Department id")


class EscalateData(_Strict):
    reason: Typed = Field("", max_length=1000, description="Why the contact is escalated")


class AckData(_Strict):
    seq: int = Field(ge=0, description="The client has processed every event up to this seq")


class _ClientMessage(_Strict):
    v: Literal[1] = Field(1, description="Protocol version")
    cid: Cid | None = None


class Hello(_ClientMessage):
    """Optional first message: where to resume from (instead of the ``last_seq`` query)."""

    type: Literal["hello"]
    data: HelloData = Field(default_factory=lambda: HelloData())


class OperatorMessage(_ClientMessage):
    type: Literal["operator.message"]
    data: OperatorMessageData


class CrmSubmit(_ClientMessage):
    type: Literal["crm.submit"]
    data: CrmSubmitData


class HoldStart(_ClientMessage):
    type: Literal["hold.start"]
    data: Empty = Field(default_factory=Empty)


class HoldEnd(_ClientMessage):
    type: Literal["hold.end"]
    data: Empty = Field(default_factory=Empty)


class KbOpen(_ClientMessage):
    type: Literal["kb.open"]
    data: KbOpenData


class Transfer(_ClientMessage):
    type: Literal["transfer"]
    data: TransferData


class Escalate(_ClientMessage):
    type: Literal["escalate"]
    data: EscalateData = Field(default_factory=lambda: EscalateData())


class SessionEnd(_ClientMessage):
    type: Literal["session.end"]
    data: Empty = Field(default_factory=Empty)


class Ack(_ClientMessage):
    """Transport bookkeeping: not a session event, not logged."""

    type: Literal["ack"]
    data: AckData


class Ping(_ClientMessage):
    """Answered with ``pong``; not logged. Allowed for watchers and after the session ended."""

    type: Literal["ping"]
    data: Empty = Field(default_factory=Empty)


ClientMessage = Annotated[
    Hello
    | OperatorMessage
    | CrmSubmit
    | HoldStart
    | HoldEnd
    | KbOpen
    | Transfer
    | Escalate
    | SessionEnd
    | Ack
    | Ping,
    Field(discriminator="type"),
]
CLIENT_MESSAGE_MODELS: tuple[type[_ClientMessage], ...] = (
    Hello,
    OperatorMessage,
    CrmSubmit,
    HoldStart,
    HoldEnd,
    KbOpen,
    Transfer,
    Escalate,
    SessionEnd,
    Ack,
    Ping,
)
CLIENT_TYPES: tuple[str, ...] = tuple(
    get_args(m.model_fields["type"].annotation)[0] for m in CLIENT_MESSAGE_MODELS
)
# The client messages that act on the session: they go to the engine and into the log.
ACTION_TYPES: frozenset[str] = frozenset(
    {"operator.message", "crm.submit", "hold.start", "hold.end", "kb.open"}
    | {"transfer", "escalate", "session.end"}
)
_client_adapter: TypeAdapter[Any] = TypeAdapter(ClientMessage)


class ProtocolError(Exception):
    """A client frame that cannot be accepted; carries what the ``error`` message says."""

    def __init__(
        self, code: ErrorCode, message: str, *, cid: str | None = None, details: Any = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.cid = cid
        self.details = details


class _NumberTooLong(Exception):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _NumberTooLong(digits)
    return int(text)


def parse_client_frame(raw: str | bytes, *, max_bytes: int) -> _ClientMessage:
    """Decode one websocket frame into a client message or raise :class:`ProtocolError`.

    The size is checked on the raw frame before anything is decoded, so an oversize frame
    costs no parsing.
    """
    if isinstance(raw, bytes):
        raise ProtocolError(
            ErrorCode.BINARY_FRAME,
            f"binary frames are not accepted (got {len(raw)} bytes): send each message as one "
            "JSON text frame",
        )
    size = len(raw.encode("utf-8"))
    if size > max_bytes:
        raise ProtocolError(
            ErrorCode.FRAME_TOO_LARGE,
            f"frame of {size} bytes exceeds the limit of {max_bytes} bytes; send shorter messages",
            details={"size": size, "limit": max_bytes},
        )
    try:
        obj = json.loads(raw, parse_int=_bounded_int)
    except _NumberTooLong as exc:
        raise ProtocolError(
            ErrorCode.BAD_JSON,
            f"the frame has an integer of {exc.digits} digits; integers here have at most "
            f"{MAX_INT_DIGITS} digits",
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(
            ErrorCode.BAD_JSON, f"the frame is not valid JSON: {exc}; send one JSON object"
        ) from None
    except RecursionError:  # "[[[[...]]]]" within the size limit
        raise ProtocolError(
            ErrorCode.BAD_JSON, "the frame nests too deeply; send one flat JSON object"
        ) from None
    if not isinstance(obj, dict):
        raise ProtocolError(
            ErrorCode.BAD_JSON,
            f"the frame is a JSON {type(obj).__name__}, not an object; "
            'send {"type": ..., "data": {...}}',
        )
    cid = obj.get("cid") if isinstance(obj.get("cid"), str) else None
    if "v" in obj and obj["v"] != PROTOCOL_VERSION:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_VERSION,
            f"protocol version {obj['v']!r} is not supported; this server speaks v=1",
            cid=cid,
        )
    kind = obj.get("type")
    if kind not in CLIENT_TYPES:
        what = "missing" if kind is None else f"{kind!r} is unknown"
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            f"message type {what}; use one of: {', '.join(CLIENT_TYPES)}",
            cid=cid,
        )
    try:
        return _client_adapter.validate_python(obj)  # type: ignore[no-any-return]
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"][1:]), "problem": err["msg"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{p['field'] or '(message)'}: {p['problem']}" for p in problems)
        raise ProtocolError(
            ErrorCode.INVALID_MESSAGE,
            f"invalid {kind} message: {summary}",
            cid=cid,
            details=problems,
        ) from None


# ---- server -> client ------------------------------------------------------------------

# Events from the session log, streamed live and replayed on resume (see scoring/events.py).
LOGGED_TYPES: tuple[str, ...] = (
    "session.started",
    "customer.typing",
    "customer.message",
    "customer.mood",
    "hint",
    "step.entered",
    "violation",
    "need.met",
    "need.missed",
    "session.ended",
    "operator.message",
    "crm.submit",
    "hold.start",
    "hold.end",
    "kb.open",
    "transfer",
    "escalate",
    "session.end",
)
# Messages about the connection itself: never logged, never replayed, they do not advance seq.
CONTROL_TYPES: tuple[str, ...] = ("session.state", "ack", "pong", "error", "hidden")
SERVER_TYPES: tuple[str, ...] = LOGGED_TYPES + CONTROL_TYPES


class ServerMessage(BaseModel):
    """The envelope of everything the server sends.

    ``seq`` of a logged event is its position in the session log. A control message carries the
    seq of the last logged event sent on this connection, so "the highest seq I have seen" is
    always a safe resume point.
    """

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    type: str = Field(description="One of the server message types")
    seq: int = Field(ge=0, description="Log position (control messages: last one sent)")
    t: float = Field(ge=0, description="Server time in seconds since the session started")
    at: datetime = Field(description="Server wall-clock time (ISO 8601, UTC)")
    data: dict[str, Any] = Field(default_factory=dict)


class ScenarioSummary(BaseModel):
    id: str
    version_id: int
    version: int
    title: str
    channel: str
    function: str
    direction: str
    show_mood: bool


class SessionStateData(BaseModel):
    """``session.state``: a snapshot folded from the log, sent first on every connection."""

    session_id: str
    role: Literal["driver", "watcher"]
    scenario: ScenarioSummary
    step: str | None
    mood: int | None = Field(description="null when the scenario hides the mood from trainees")
    identified: bool
    on_hold: bool
    ended: bool
    outcome: str | None
    scorecard_id: int | None
    last_seq: int = Field(description="Seq of the newest event in the log")
    resume_from: int = Field(description="Events with a larger seq follow this message")
    protocol: Literal[1] = 1
    limits: dict[str, float]


class AckOut(BaseModel):
    """``ack``: the client's action is in the log as event ``seq``."""

    cid: str | None
    seq: int = Field(description="Seq of the logged event the message became")
    duplicate: bool = Field(False, description="A resend of a cid already applied")


class ErrorData(BaseModel):
    """``error``: a message was refused (see the error codes); the log is unchanged."""

    code: ErrorCode
    message: str
    cid: str | None = None
    details: Any = None


class PongData(BaseModel):
    """``pong``: the answer to ``ping``, with its cid when the ping had one."""

    cid: str | None = None


class HiddenData(BaseModel):
    """Stands in for an event this viewer may not see, so that seq stays contiguous."""


SERVER_DATA_MODELS: dict[str, type[BaseModel]] = {
    "session.state": SessionStateData,
    "ack": AckOut,
    "pong": PongData,
    "error": ErrorData,
    "hidden": HiddenData,
}


# ---- the AsyncAPI document -------------------------------------------------------------

# The ``data`` of each logged event, as the engine and the web layer write it
# (scoring/events.py); keys named here are always present.
EVENT_FIELDS: dict[str, dict[str, str]] = {
    "session.started": {
        "scenario": "scenario id",
        "version": "stored scenario version id",
        "seed": "random seed of the session",
        "function": "labour function code, e.g. A/01.3",
        "channel": "chat or call",
    },
    "customer.typing": {"step": "dialogue step", "duration_s": "how long the customer types"},
    "customer.message": {
        "step": "dialogue step",
        "text": "what the customer says (Russian)",
        "variant": "index of the line variant said",
        "kind": "line | nudge | reaction | ending | repair",
    },
    "customer.mood": {"mood": "0..100", "delta": "change", "reason": "why it changed"},
    "hint": {"text": "advice for the trainee (Russian)", "source": "scenario | whisper"},
    "step.entered": {
        "step": "new step",
        "from": "previous step",
        "branch": "branch that fired",
        "identified": "whether the customer has passed identification",
    },
    "violation": {
        "code": "behaviour id of the violation",
        "reply_index": "which operator reply",
        "step": "dialogue step",
        "reason": "why",
    },
    "need.met": {
        "step": "dialogue step",
        "need": "need id of the scenario",
        "kind": "learn | done | reassure",
        "by": "the signal that met it, e.g. fact:max_price, said:apology, crm:order",
    },
    "need.missed": {
        "step": "dialogue step",
        "need": "the outstanding need the reply did not meet",
        "kind": "learn | done | reassure",
        "reply_index": "which operator reply",
        "misses": "replies that missed this need in this step so far",
        "patience": "misses after which the customer gives up",
    },
    "session.ended": {
        "ending": "ending id (null when the operator ended before one)",
        "outcome": "resolved | unresolved | hung_up | escalated",
        "reason": "what ended it",
        "cause": "the violation or silence that ended it, if any",
        "scorecard_id": "id of the stored scorecard (null if scoring failed)",
    },
    "operator.message": {
        "text": "the reply",
        "reply_index": "0-based count of replies",
        "step": "dialogue step",
        "detection": "behaviours detected, with spans",
        "facts": "facts checked in the reply",
        "response_time_s": "seconds since the customer's line (null if none waited)",
        "cid": "the client id of the message (present when the client sent one)",
    },
    "crm.submit": {"form": "form id", "fields": "values", "valid": "bool", "errors": "list"},
    "hold.start": {},
    "hold.end": {"duration_s": "length of the hold"},
    "kb.open": {"article": "article id"},
    "transfer": {"department": "department id"},
    "escalate": {"reason": "why"},
    "session.end": {},
}
_CLIENT_DESCRIPTIONS: dict[str, str] = {
    "hello": "Optional first message: resume after last_seq (instead of the URL query)",
    "operator.message": "The operator's reply to the customer",
    "crm.submit": "Submit a CRM form of the scenario",
    "hold.start": "Put the customer on hold",
    "hold.end": "Take the customer off hold",
    "kb.open": "Open a knowledge-base article",
    "transfer": "Transfer the contact to a department",
    "escalate": "Escalate the contact",
    "session.end": "The operator ends the contact",
    "ack": "The client has processed events up to seq (not logged)",
    "ping": "Keep-alive; answered with pong (not logged)",
}


def _camel(kind: str) -> str:
    head, *rest = kind.replace(".", "_").split("_")
    return head + "".join(p.title() for p in rest)


def _server_key(kind: str) -> str:
    """Message keys must be unique; the server's echo of a client action is its event."""
    if kind not in CLIENT_TYPES:
        return _camel(kind)
    return _camel(kind) + ("Event" if kind in LOGGED_TYPES else "Reply")


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 description of protocol v1, built from the models above."""
    from pydantic.json_schema import models_json_schema

    server_models: list[type[BaseModel]] = [ServerMessage, *SERVER_DATA_MODELS.values()]
    models = [*CLIENT_MESSAGE_MODELS, *server_models]
    keyed, defs = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    messages: dict[str, Any] = {}
    for model in CLIENT_MESSAGE_MODELS:
        kind = get_args(model.model_fields["type"].annotation)[0]
        messages[_camel(kind)] = {
            "name": kind,
            "title": kind,
            "summary": _CLIENT_DESCRIPTIONS[kind],
            "payload": {"$ref": keyed[(model, "validation")]["$ref"]},
        }
    envelope = keyed[(ServerMessage, "validation")]["$ref"]
    for kind in SERVER_TYPES:
        if kind in SERVER_DATA_MODELS:
            data: dict[str, Any] = {"$ref": keyed[(SERVER_DATA_MODELS[kind], "validation")]["$ref"]}
            summary = (SERVER_DATA_MODELS[kind].__doc__ or kind).strip().splitlines()[0]
        else:
            fields = EVENT_FIELDS[kind]
            data = {
                "type": "object",
                "properties": {k: {"description": v} for k, v in fields.items()},
            }
            summary = f"Logged event {kind} (replayed on resume)"
        messages[_server_key(kind)] = {
            "name": kind,
            "title": kind,
            "summary": summary,
            "payload": {
                "allOf": [
                    {"$ref": envelope},
                    {
                        "type": "object",
                        "properties": {"type": {"const": kind}, "data": data},
                    },
                ]
            },
        }
    client_keys = [_camel(kind) for kind in CLIENT_TYPES]
    server_keys = [k for k in messages if k not in client_keys]
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ccsim session websocket",
            "version": str(PROTOCOL_VERSION),
            "description": (
                "Protocol v1 between the trainee's desk (or a supervisor watching) and the "
                "server. Generated from app/web/protocol.py by `python -m app.web.protocol`; "
                "docs/protocol.md explains it."
            ),
        },
        "servers": {
            "local": {
                "host": "127.0.0.1:8000",
                "protocol": "ws",
                "description": "ccsim serve; log in first (cookie ccsim_session)",
            }
        },
        "channels": {
            "session": {
                "address": "/ws/sessions/{sessionId}",
                "title": "One training session",
                "parameters": {"sessionId": {"description": "Session id from POST /api/sessions"}},
                "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in messages},
                "bindings": {
                    "ws": {
                        "query": {
                            "type": "object",
                            "properties": {
                                "last_seq": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "Resume after this seq (else send hello)",
                                }
                            },
                        }
                    }
                },
            }
        },
        "operations": {
            "receiveClientMessage": {
                "action": "receive",
                "channel": {"$ref": "#/channels/session"},
                "summary": "Messages the desk sends",
                "messages": [{"$ref": f"#/channels/session/messages/{k}"} for k in client_keys],
            },
            "sendServerMessage": {
                "action": "send",
                "channel": {"$ref": "#/channels/session"},
                "summary": "Logged events and control messages the server sends",
                "messages": [{"$ref": f"#/channels/session/messages/{k}"} for k in server_keys],
            },
        },
        "components": {
            "messages": messages,
            "schemas": schemas,
        },
    }


def render_asyncapi() -> str:
    import yaml

    header = "# Generated by `python -m app.web.protocol` from app/web/protocol.py; do not edit.\n"
    return header + yaml.safe_dump(
        asyncapi_document(), allow_unicode=True, sort_keys=False, width=100
    )


if __name__ == "__main__":
    import sys
    from pathlib import Path

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/asyncapi.yaml")
    target.write_text(render_asyncapi(), encoding="utf-8")
    print(f"wrote {target}")
