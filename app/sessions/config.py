"""Limits and timings of live sessions, read from ``CCSIM_*`` environment variables.

Kept apart from ``app.settings`` because only the session runtime and ``ccsim serve`` read
them; a test changes them by putting a ``LiveSettings`` on ``app.state.live_settings`` before
the app starts.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from simulator.engine.messages import MAX_MESSAGE_CHARS


class LiveSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCSIM_", extra="ignore")

    ws_max_frame_bytes: int = Field(
        65536, ge=256, description="Largest client frame accepted; larger ones get an error"
    )
    ws_transport_max_bytes: int = Field(
        0,
        ge=0,
        description="Frames larger than this are refused by the websocket layer itself "
        "(close 1009); 0 means 4 x ws_max_frame_bytes",
    )
    ws_rate_per_s: float = Field(20.0, gt=0, description="Client messages per second, sustained")
    ws_rate_burst: int = Field(40, ge=1, description="Client messages allowed in a burst")
    ws_queue_size: int = Field(
        256, ge=4, description="Events buffered per socket before it catches up from the log"
    )
    ws_hello_timeout_s: float = Field(
        5.0, gt=0, description="Wait this long for `hello` when the URL has no last_seq"
    )
    ws_allowed_origins: list[str] = Field(
        default_factory=list,
        description="Extra browser origins allowed to open sockets (the app's own always is)",
    )
    # Operator replies (issue 16, item 5): a reply is the one message whose cost grows with its
    # length (behaviour detection), so it has limits of its own, per session and per trainee.
    max_reply_chars: int = Field(
        2000,
        ge=1,
        le=MAX_MESSAGE_CHARS,
        description="Longest operator reply accepted; longer ones get a message_too_long error",
    )
    reply_rate_per_s: float = Field(
        2.0, gt=0, description="Operator replies per second in one session, sustained"
    )
    reply_burst: int = Field(10, ge=1, description="Operator replies in a burst, per session")
    user_reply_rate_per_s: float = Field(
        3.0, gt=0, description="Operator replies per second of one trainee, all sessions"
    )
    user_reply_burst: int = Field(
        15, ge=1, description="Operator replies in a burst of one trainee, all sessions"
    )
    user_reply_chars_per_s: float = Field(
        1000.0, gt=0, description="Characters of replies per second of one trainee, sustained"
    )
    user_reply_chars_burst: int = Field(
        6000, ge=1, description="Characters of replies in a burst of one trainee"
    )
    detect_inline_chars: int = Field(
        300,
        ge=0,
        description="Replies up to this length are analysed on the event loop (about a "
        "millisecond); longer ones by a worker, one at a time per trainee",
    )
    detect_workers: int = Field(
        2, ge=1, le=32, description="Workers analysing long replies, per server process"
    )
    detect_processes: bool = Field(
        True,
        description="Workers are processes (off the server's GIL; ~60 MiB each, started on "
        "the first long reply or at `ccsim serve`); false: threads",
    )
    typing_scale: float = Field(
        1.0, ge=0, description="Multiplies customer typing delays; 0 makes the customer instant"
    )
    hints: bool = Field(True, description="Send scenario hints to trainees")

    def transport_max_bytes(self) -> int:
        return self.ws_transport_max_bytes or 4 * self.ws_max_frame_bytes

    def uvicorn_ws_options(self) -> dict[str, Any]:
        """Options for ``uvicorn.run``/``uvicorn.Config``: a frame limit of our own instead of
        uvicorn's 16 MiB, and no per-message deflate (memory per socket and decompression
        bombs)."""
        return {
            "ws_max_size": self.transport_max_bytes(),
            "ws_per_message_deflate": False,
        }
