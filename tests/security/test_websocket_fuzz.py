"""Websocket fuzzing beyond tests/app/web/test_session_ws.py's 200 garbage text frames:
hypothesis-generated JSON of any shape, random bytes as binary frames, deeply nested JSON,
from the driver and from a watcher. The server answers or closes with a protocol code, never
1011, and the log stays contiguous."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from app.sessions.config import LiveSettings
from tests.app.web.conftest import collect_sync, frame, logged_events
from tests.security.conftest import World

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {
        "v": st.sampled_from([1, 2, "1", None]),
        "type": st.sampled_from(
            [
                "message",
                "crm.submit",
                "hold.start",
                "hold.end",
                "kb.open",
                "session.end",
                "ping",
                "hello",
                "transfer",
                "escalate",
                "nope",
                "",
            ]
        ),
        "data": json_values,
    },
    optional={"cid": st.text(max_size=70) | st.integers()},
)
frames = st.one_of(
    json_values.map(lambda v: ("text", json.dumps(v))),
    envelopes.map(lambda v: ("text", json.dumps(v))),
    st.binary(max_size=200).map(lambda b: ("bytes", b)),
    st.integers(50, 5000).map(lambda n: ("text", "[" * n + "]" * n)),
)


def _answers_every_frame(world: World, actor: str, batch: list[tuple[str, Any]]) -> None:
    client = world.as_actor(actor)
    with client.websocket_connect(f"/ws/sessions/{world.session_a}?last_seq=0") as ws:
        for kind, payload in batch:
            try:
                if kind == "bytes":
                    ws.send_bytes(payload)
                else:
                    ws.send_text(payload)
                collect_sync(ws, lambda m: m["type"] in ("ack", "error", "pong"))
            except WebSocketDisconnect as closed:
                assert closed.code not in (1011,), closed
                return
        ws.send_text(frame("ping", "alive"))
        assert collect_sync(ws, lambda m: m["type"] == "pong")[-1]["data"]["cid"] == "alive"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(frames, min_size=1, max_size=12), actor=st.sampled_from(["trainee_a", "admin"])
)
def test_random_frames_never_break_the_server_or_the_log(
    world: World, batch: list[tuple[str, Any]], actor: str
) -> None:
    world.app.state.live_settings = LiveSettings(
        typing_scale=0, ws_hello_timeout_s=0.5, ws_rate_per_s=10_000, ws_rate_burst=10_000
    )
    _answers_every_frame(world, actor, batch)
    logged = logged_events(world.db, world.session_a)
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
    assert world.request(actor, "GET", "/healthz").status_code == 200
