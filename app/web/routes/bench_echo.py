"""``WS /ws/echo``: a bare websocket echo on the app's own stack, for ``ccsim bench load``.

The load generator drives it with the same frames it sends to a session, so the figure it gets
(``echo_messages_per_s``) is the ceiling of this server stack — uvicorn, the websocket layer,
the event loop — without any of the product's work (log, engine, detector). It is **off unless
``CCSIM_BENCH_ECHO=1``**: access policy "public but disabled by default, bench only". Disabled,
it accepts and closes with 4404, like an unknown session, and reads nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.websockets import WebSocketDisconnect

from app.web.protocol import CloseCode

router = APIRouter(tags=["bench"])
ROUTE_POLICY = "public, disabled unless CCSIM_BENCH_ECHO=1 (benchmarks only)"


class BenchEchoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCSIM_", extra="ignore")

    bench_echo: bool = Field(False, description="Serve WS /ws/echo (benchmarks only)")


def echo_enabled(websocket: WebSocket) -> bool:
    """Read once per app; a test may set ``app.state.bench_echo`` before the first socket."""
    state = websocket.app.state
    enabled = getattr(state, "bench_echo", None)
    if enabled is None:
        enabled = BenchEchoSettings().bench_echo
        state.bench_echo = enabled
    return bool(enabled)


@router.websocket("/ws/echo")
async def echo_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    if not echo_enabled(websocket):
        await websocket.close(
            int(CloseCode.NOT_FOUND), "the bench echo is off (CCSIM_BENCH_ECHO=1)"
        )
        return
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is not None:
                await websocket.send_text(text)
            else:
                await websocket.send_bytes(message.get("bytes") or b"")
    except WebSocketDisconnect:
        return
