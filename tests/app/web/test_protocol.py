"""The protocol models, their documents, and the small parts the socket relies on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from app.live.broker import InProcessBroker
from app.sessions.ratelimit import TokenBucket
from app.web.protocol import (
    CLIENT_TYPES,
    LOGGED_TYPES,
    SERVER_TYPES,
    CloseCode,
    ErrorCode,
    OperatorMessage,
    ProtocolError,
    parse_client_frame,
    render_asyncapi,
)
from scoring import events as ev

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_protocol_md_documents_every_type_error_and_close_code() -> None:
    text = (DOCS / "protocol.md").read_text(encoding="utf-8")
    missing = [f"`{t}`" for t in (*CLIENT_TYPES, *SERVER_TYPES) if f"`{t}`" not in text]
    missing += [f"`{c.value}`" for c in ErrorCode if f"`{c.value}`" not in text]
    missing += [f"| {c.value} |" for c in CloseCode if f"| {c.value} |" not in text]
    assert not missing, f"docs/protocol.md does not document: {missing}"


def test_asyncapi_yaml_is_generated_from_the_models_and_complete() -> None:
    on_disk = (DOCS / "asyncapi.yaml").read_text(encoding="utf-8")
    assert on_disk == render_asyncapi(), "regenerate it: python -m app.web.protocol"
    doc = yaml.safe_load(on_disk)
    assert doc["asyncapi"] == "3.0.0"
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names >= set(CLIENT_TYPES) | set(SERVER_TYPES)
    channel = doc["channels"]["session"]
    for operation in doc["operations"].values():
        assert operation["channel"] == {"$ref": "#/channels/session"}
        for ref in operation["messages"]:
            assert ref["$ref"].split("/")[-1] in channel["messages"]
    error_enum = doc["components"]["schemas"]["ErrorCode"]["enum"]
    assert error_enum == [c.value for c in ErrorCode]
    assert {op["action"] for op in doc["operations"].values()} == {"send", "receive"}
    assert doc["info"]["title"] and doc["info"]["version"] == "1"


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_asyncapi_reference_resolves() -> None:
    doc = yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))
    refs = _refs(doc)
    assert len(refs) > 50
    for ref in refs:
        assert ref.startswith("#/"), ref
        node: object = doc
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
            node = node[part]


def test_logged_types_are_the_event_log_types() -> None:
    names = {v for k, v in vars(ev).items() if k.isupper() and isinstance(v, str)}
    assert set(LOGGED_TYPES) == names - {ev.SESSION_STATE}


def test_a_valid_frame_parses_into_its_model() -> None:
    message = parse_client_frame(
        '{"v": 1, "type": "operator.message", "cid": "a-1", "data": {"text": "Добрый день"}}',
        max_bytes=1000,
    )
    assert isinstance(message, OperatorMessage)
    assert (message.cid, message.data.text) == ("a-1", "Добрый день")


@pytest.mark.parametrize(
    ("raw", "code", "needle"),
    [
        ("", ErrorCode.BAD_JSON, "not valid JSON"),
        ('"text"', ErrorCode.BAD_JSON, "not an object"),
        ('{"type": "nope"}', ErrorCode.UNKNOWN_TYPE, "operator.message"),
        ('{"type": "crm.submit", "data": {"form": "x"}}', ErrorCode.INVALID_MESSAGE, "fields"),
        ('{"type": "ping", "cid": "bad cid!"}', ErrorCode.INVALID_MESSAGE, "cid"),
        ('{"type": "ack", "data": {"seq": -1}}', ErrorCode.INVALID_MESSAGE, "data.seq"),
        ('{"v": "1", "type": "ping"}', ErrorCode.UNSUPPORTED_VERSION, "v=1"),
    ],
)
def test_bad_frames_say_what_is_wrong(raw: str, code: ErrorCode, needle: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw, max_bytes=1000)
    assert caught.value.code == code
    assert needle in caught.value.message


def test_frame_size_counts_bytes_not_characters() -> None:
    cyrillic = '{"type": "operator.message", "data": {"text": "' + "я" * 30 + '"}}'
    assert len(cyrillic) < 100 < len(cyrillic.encode("utf-8"))
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(cyrillic, max_bytes=100)
    assert caught.value.code == ErrorCode.FRAME_TOO_LARGE
    assert parse_client_frame(cyrillic, max_bytes=200).type == "operator.message"  # type: ignore[attr-defined]


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate_per_s=10, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.1
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 100
    assert sum(bucket.take() for _ in range(10)) == 3


async def test_broker_queue_is_bounded_and_signals_overflow() -> None:
    broker = InProcessBroker(queue_size=4)
    with broker.subscribe("s1") as slow, broker.subscribe("s1") as fast:
        for seq in range(1, 4):
            broker.publish("s1", {"seq": seq})
            assert (await fast.get()) == {"seq": seq}
        broker.publish("s1", {"seq": 4})
        broker.publish("s1", {"seq": 5})
        assert slow.overflowed
        assert slow.queue.qsize() == 1
        assert (await slow.get()) is None  # "catch up from the log"
        assert not fast.overflowed
        assert broker.subscriber_count("s1") == 2
    assert broker.subscriber_count("s1") == 0
    broker.publish("s1", {"seq": 6})  # nobody listens: nothing kept
    await asyncio.sleep(0)
