"""Redis goes down in the middle of a live session: the app keeps serving it from the
in-process fan-out (the Redis broker always delivers locally first), the trainee's actions are
acknowledged and logged, a watcher on the same instance still sees every event.

Redis is reached through a small TCP relay owned by the test, so "down" is the relay closing
every connection and refusing new ones — without touching a Redis other tests may share.
Skipped, loudly, when no Redis answers on 127.0.0.1:6379.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.live.redis_broker import RedisBroker
from app.sessions.config import LiveSettings
from app.web.auth import COOKIE_NAME
from tests.app.web.conftest import collect_sync, frame, logged_events, make_app
from tests.security.conftest import World

REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    return False


class Relay:
    """Forwards TCP to Redis until ``cut()``."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(REDIS)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


@pytest.fixture
def relay() -> Iterator[Relay]:
    if not _redis_answers():
        pytest.skip("NO REDIS on 127.0.0.1:6379: the Redis-down fault test did not run")
    made = Relay()
    yield made
    made.cut()


def test_a_live_session_survives_redis_going_down(world: World, relay: Relay) -> None:
    settings = world.app.state.settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{relay.port}/0"}
    )
    app = make_app(settings, LiveSettings(typing_scale=0))
    session = world.session_a
    trainee = {"Cookie": f"{COOKIE_NAME}={world.token('trainee_a')}"}
    watcher = {"Cookie": f"{COOKIE_NAME}={world.token('supervisor_x')}"}
    with TestClient(app) as client:
        assert isinstance(app.state.session_hub.broker, RedisBroker)
        with (
            client.websocket_connect(f"/ws/sessions/{session}?last_seq=0", headers=trainee) as ws,
            client.websocket_connect(
                f"/ws/sessions/{session}?last_seq=0", headers=watcher
            ) as watch,
        ):
            collect_sync(ws, lambda m: m["type"] == "customer.message")
            collect_sync(watch, lambda m: m["type"] == "customer.message")
            relay.cut()  # Redis is gone from here on
            acked = []
            received: list[dict[str, object]] = []
            for cid, text in (
                ("c1", "Здравствуйте! Меня зовут Анна."),
                ("c2", "Доставка займёт 2 рабочих дня."),
                ("c3", "Рада помочь!"),
                ("c4", "Всего доброго, до свидания!"),
            ):
                ws.send_text(frame("operator.message", cid, text=text))
                got = collect_sync(
                    ws, lambda m, c=cid: m["type"] == "ack" and m["data"]["cid"] == c
                )
                acked.append(got[-1]["data"]["seq"])
                received += got
            if not any(m["type"] == "session.ended" for m in received):
                collect_sync(ws, lambda m: m["type"] == "session.ended")
            seen = collect_sync(watch, lambda m: m["type"] == "session.ended")
    logged = logged_events(world.db, session)
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
    assert all(logged[seq - 1]["type"] == "operator.message" for seq in acked)
    assert logged[-1]["type"] == "session.ended"
    watched = [m["seq"] for m in seen if "seq" in m]
    assert watched and watched[-1] == logged[-1]["seq"]
