"""The session websocket through the in-process test client: a whole conversation, access
rules, and bad input."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from app.db.models import ScenarioVersion, Scorecard, TrainingSession
from app.repositories.sessions import SessionRepository
from app.sessions.config import LiveSettings
from app.sessions.service import event_dict
from app.settings import Settings
from app.web.protocol import ErrorCode
from tests.app.web.conftest import (
    Accounts,
    collect_sync,
    frame,
    logged_events,
    login,
    make_app,
    recv,
    start_session,
)


def is_ack(cid: str):  # type: ignore[no-untyped-def]
    return lambda m: m["type"] == "ack" and m["data"]["cid"] == cid


def events_only(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] not in ("session.state", "ack", "pong", "error")]


def say(ws: Any, cid: str, text: str, *, until: str | None = None) -> list[dict[str, Any]]:
    """Send a reply; collect until its ack and (if given) until a message of type ``until``."""
    ws.send_text(frame("operator.message", cid, text=text))
    seen_ack = False
    seen_until = until is None

    def done(m: dict[str, Any]) -> bool:
        nonlocal seen_ack, seen_until
        seen_ack = seen_ack or is_ack(cid)(m)
        seen_until = seen_until or m["type"] == until
        return seen_ack and seen_until

    return collect_sync(ws, done)


def open_conversation(ws: Any) -> list[dict[str, Any]]:
    """The state snapshot, then the log so far up to the customer's first line."""
    return collect_sync(ws, lambda m: m["type"] == "customer.message")


def test_full_conversation_streams_exactly_the_log(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        received = open_conversation(ws)
        state = received[0]
        assert state["type"] == "session.state"
        assert state["data"]["role"] == "driver"
        assert state["data"]["scenario"]["id"] == "test-delivery-status-chat"
        assert state["data"]["mood"] is None  # the scenario hides the mood from trainees
        assert received[-1]["data"]["text"] == "Здравствуйте! Хочу узнать, когда придёт мой заказ."

        received += say(ws, "c1", "Здравствуйте! Меня зовут Анна.", until="customer.message")
        lines = [m["data"]["text"] for m in received if m["type"] == "customer.message"]
        assert lines[-1] == "Номер заказа 12345. Подскажете срок доставки?"

        received += say(ws, "c2", "Доставка займёт 2 рабочих дня.", until="customer.message")
        received += say(ws, "c3", "Рада помочь!", until="customer.message")
        # The operator's farewell closes the contact once the customer has said goodbye.
        received += say(ws, "c4", "Всего доброго, до свидания!", until="session.ended")
        ws.send_text(frame("session.end", "c5"))
        late = recv(ws)
        assert (late["type"], late["data"]["code"], late["data"]["cid"]) == (
            "error",
            "session_ended",
            "c5",
        )

    lines = [m["data"]["text"] for m in received if m["type"] == "customer.message"]
    assert lines == [
        "Здравствуйте! Хочу узнать, когда придёт мой заказ.",
        "Номер заказа 12345. Подскажете срок доставки?",
        "Спасибо, всё понятно!",
        "Всего доброго!",
    ]
    acks = {m["data"]["cid"]: m["data"]["seq"] for m in received if m["type"] == "ack"}
    assert set(acks) == {"c1", "c2", "c3", "c4"}

    streamed = events_only(received)
    seqs = [m["seq"] for m in streamed]
    assert seqs == list(range(1, len(seqs) + 1)), "seq must grow by one with no gap"
    logged = logged_events(db, session_id)
    # The trainee sees every logged event, the mood ones as placeholders (show_mood: false).
    assert [(m["seq"], m["type"]) for m in streamed] == [
        (e["seq"], "hidden" if e["type"] == "customer.mood" else e["type"]) for e in logged
    ]
    for m in streamed:
        if m["type"] != "hidden":
            assert logged[m["seq"] - 1]["data"] == m["data"]
    # Each ack names the logged event its message became.
    for cid, seq in acks.items():
        assert logged[seq - 1]["data"].get("cid") == cid
    ended = logged[-1]
    assert ended["type"] == "session.ended"
    assert ended["data"]["outcome"] == "resolved"
    card_id = ended["data"]["scorecard_id"]
    assert isinstance(card_id, int)
    db.expire_all()
    assert db.get(Scorecard, card_id).session_id == session_id  # type: ignore[union-attr]
    assert db.get(TrainingSession, session_id).status == "ended"  # type: ignore[union-attr]


def test_mood_is_hidden_from_the_trainee_but_not_from_a_supervisor(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        trainee_view = say(ws, "c1", "Здравствуйте!", until="customer.message")
    moods = [e for e in logged_events(db, session_id) if e["type"] == "customer.mood"]
    assert moods, "the fixture scenario changes the mood on every step"
    hidden = [m for m in trainee_view if m["type"] == "hidden"]
    assert [m["seq"] for m in hidden] == [e["seq"] for e in moods]
    assert all(m["data"] == {} for m in hidden)

    login(live_client, "vera")
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as watch:
        state = recv(watch)
        assert state["data"]["role"] == "watcher"
        assert state["data"]["mood"] == 65
        last = state["data"]["last_seq"]
        seen = collect_sync(watch, lambda m: m["seq"] == last and m["type"] != "session.state")
    assert [m["seq"] for m in seen if m["type"] == "customer.mood"] == [e["seq"] for e in moods]


def test_watcher_cannot_drive(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    before = logged_events(db, session_id)
    login(live_client, "vera")
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        ws.send_text(frame("operator.message", "w1", text="Я тут главная"))
        error = recv(ws)
        assert error["type"] == "error"
        assert error["data"]["code"] == "forbidden"
        assert error["data"]["cid"] == "w1"
        ws.send_text(frame("ping", "p1"))
        assert recv(ws)["type"] == "pong"  # still connected and useful
    assert logged_events(db, session_id) == before


@pytest.mark.parametrize(
    ("who", "code"), [(None, 4401), ("boris", 4403)], ids=["no-cookie", "other-trainee"]
)
def test_strangers_are_refused(
    live_client: TestClient,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    who: str | None,
    code: int,
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    live_client.cookies.clear()
    if who is not None:
        login(live_client, who)
    with (
        live_client.websocket_connect(f"/ws/sessions/{session_id}") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        recv(ws)
    assert closed.value.code == code


def test_unknown_session_closes_4404(live_client: TestClient, accounts: Accounts) -> None:
    login(live_client, "anna")
    with (
        live_client.websocket_connect("/ws/sessions/no-such-session") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        recv(ws)
    assert closed.value.code == 4404


def test_foreign_origin_is_refused(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with (
        live_client.websocket_connect(
            f"/ws/sessions/{session_id}", headers={"origin": "https://evil.example"}
        ) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        recv(ws)
    assert closed.value.code == 1008


def test_a_newer_trainee_connection_replaces_the_older(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as first:
        open_conversation(first)
        with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as second:
            with pytest.raises(WebSocketDisconnect) as closed:
                recv(first)
            assert closed.value.code == 4409
            open_conversation(second)
            say(second, "c1", "Здравствуйте!", until="customer.message")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"type": "operator.shout", "data": {}}', "unknown_type"),
        ('{"data": {"text": "hi"}}', "unknown_type"),
        ('{"type": "operator.message", "cid": "x1"}', "invalid_message"),
        ('{"type": "operator.message", "data": {"text": 5}}', "invalid_message"),
        ('{"type": "kb.open", "data": {"article": "delivery", "extra": 1}}', "invalid_message"),
        ('{"v": 2, "type": "ping"}', "unsupported_version"),
    ],
)
def test_bad_input_gets_an_error_and_the_connection_stays_usable(
    live_client: TestClient,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
    raw: str,
    code: str,
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        before = logged_events(db, session_id)
        ws.send_text(raw)
        error = recv(ws)
        assert error["type"] == "error"
        assert error["data"]["code"] == code
        assert error["data"]["message"]
        assert logged_events(db, session_id) == before
        say(ws, "ok1", "Здравствуйте!", until="customer.message")
    assert len(logged_events(db, session_id)) > len(before)


def test_engine_rejection_is_an_error_and_leaves_the_log_alone(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        before = logged_events(db, session_id)
        ws.send_text(frame("hold.end", "h1"))  # no hold to end
        error = recv(ws)
        assert error["data"]["code"] == "engine_rejected"
        assert error["data"]["cid"] == "h1"
        ws.send_text(frame("kb.open", "k1", article="no-such-article"))
        assert recv(ws)["data"]["code"] == "engine_rejected"
        assert logged_events(db, session_id) == before
        ws.send_text(frame("kb.open", "k2", article="delivery"))
        got = collect_sync(ws, is_ack("k2"))
    assert [m["type"] for m in got if m["type"] == "kb.open"] == ["kb.open"]


def test_oversize_frame_is_refused_without_closing(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        before = logged_events(db, session_id)
        ws.send_text(frame("operator.message", "big", text="а" * 70_000))
        error = recv(ws)
        assert error["data"]["code"] == "frame_too_large"
        assert error["data"]["details"]["limit"] == 65536
        assert logged_events(db, session_id) == before
        say(ws, "small", "Здравствуйте!", until="customer.message")


def test_flood_is_rate_limited_and_the_log_stays_consistent(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    burst = live_client.app.state.live_settings.ws_rate_burst  # type: ignore[attr-defined]
    flood = burst + 30
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        for i in range(flood):
            ws.send_text(frame("kb.open", f"f{i}", article="delivery"))
        replies: dict[str, str] = {}
        while len(replies) < flood:
            m = recv(ws)
            if m["type"] == "ack":
                replies[m["data"]["cid"]] = "ack"
            elif m["type"] == "error":
                replies[m["data"]["cid"]] = m["data"]["code"]
        # The connection is still usable: once the bucket refills, a ping gets its pong.
        for attempt in range(1000):
            cid = f"p{attempt}"
            ws.send_text(frame("ping", cid))
            answer = collect_sync(ws, lambda m, cid=cid: m["data"].get("cid") == cid)[-1]
            if answer["type"] == "pong":
                break
            assert answer["data"]["code"] == "rate_limited"
        else:
            raise AssertionError("never got a pong after the flood")
    limited = [c for c, r in replies.items() if r == "rate_limited"]
    acked = [c for c, r in replies.items() if r == "ack"]
    assert len(limited) >= 1
    assert len(acked) >= burst - 1
    logged = logged_events(db, session_id)
    opened = [e["data"]["cid"] for e in logged if e["type"] == "kb.open"]
    assert sorted(opened) == sorted(acked), "exactly the acked messages are in the log"
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))


def test_a_scorer_fault_still_ends_the_session_without_a_scorecard(
    live_client: TestClient,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Scoring runs before the append; if it fails, the end is still logged (``scorecard_id``
    null, the row ended) and the session can be re-scored from its log later."""
    import scoring.scorecard

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("scorer fault injected by the test")

    monkeypatch.setattr(scoring.scorecard, "score_session", broken)
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with (
        caplog.at_level(logging.ERROR, logger="app.sessions.scoring"),
        live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws,
    ):
        open_conversation(ws)
        ws.send_text(frame("session.end", "c1"))
        received = collect_sync(ws, lambda m: m["type"] == "session.ended")
    assert received[-1]["data"]["scorecard_id"] is None
    assert "scoring failed" in caplog.text
    logged = logged_events(db, session_id)
    assert logged[-1]["type"] == "session.ended" and logged[-1]["data"]["scorecard_id"] is None
    db.expire_all()
    assert db.get(TrainingSession, session_id).status == "ended"  # type: ignore[union-attr]


def test_resend_with_the_same_cid_is_applied_once(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        first = say(ws, "same", "Здравствуйте!", until="customer.message")
        ws.send_text(frame("operator.message", "same", text="Здравствуйте!"))
        again = collect_sync(ws, is_ack("same"))
    ack1 = next(m for m in first if is_ack("same")(m))
    assert again[-1]["data"] == {"cid": "same", "seq": ack1["data"]["seq"], "duplicate": True}
    replies = [e for e in logged_events(db, session_id) if e["type"] == "operator.message"]
    assert len(replies) == 1


def test_hello_instead_of_query_resumes_from_its_seq(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    logged = logged_events(db, session_id)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}") as ws:
        ws.send_text(frame("hello", last_seq=2))
        state = recv(ws)
        assert state["type"] == "session.state"
        assert state["data"]["resume_from"] == 2
        got = collect_sync(ws, lambda m: m["seq"] == logged[-1]["seq"])
    assert [m["seq"] for m in got] == [e["seq"] for e in logged[2:]]


def test_without_hello_the_stream_starts_from_the_beginning(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    logged = logged_events(db, session_id)
    # No query and no hello: after the hello timeout the client gets everything.
    with live_client.websocket_connect(f"/ws/sessions/{session_id}") as ws:
        state = recv(ws)
        assert state["data"]["resume_from"] == 0
        got = collect_sync(ws, lambda m: m["seq"] == logged[-1]["seq"])
    assert [m["seq"] for m in got] == [e["seq"] for e in logged]
    # A first message that is not a hello means the same, and is then handled normally.
    with live_client.websocket_connect(f"/ws/sessions/{session_id}") as ws:
        ws.send_text(frame("ping", "first"))
        assert recv(ws)["data"]["resume_from"] == 0
        got = collect_sync(ws, lambda m: m["type"] == "pong")
    assert got[-1]["data"] == {"cid": "first"}


def test_resume_points_that_make_no_sense_are_reported(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    head = logged_events(db, session_id)[-1]["seq"]
    with (
        live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=abc") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        recv(ws)
    assert closed.value.code == 1008
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=999") as ws:
        state = recv(ws)
        assert state["data"]["resume_from"] == head
        error = recv(ws)
        assert error["data"]["code"] == "invalid_message"
        assert "ahead of the log" in error["data"]["message"]
        ws.send_text(frame("ack", "a1", seq=head + 5))
        assert recv(ws)["data"]["code"] == "invalid_message"
        ws.send_text(frame("hello", "h1", last_seq=0))
        assert "first message" in recv(ws)["data"]["message"]
        # Text frames are the only documented form: a binary one is refused even when it
        # holds a valid message (issue 16), and the connection stays usable.
        ws.send_bytes(frame("ping", "bin").encode("utf-8"))
        refused = recv(ws)
        assert (refused["type"], refused["data"]["code"]) == ("error", "binary_frame")
        assert "text frame" in refused["data"]["message"]
        ws.send_text(frame("ping", "txt"))
        pong = recv(ws)
        assert (pong["type"], pong["data"], pong["seq"]) == ("pong", {"cid": "txt"}, head)


def _garbage(rng: random.Random, i: int) -> str:
    """A frame that is sometimes valid, mostly not, in every way the reader must survive."""
    cid = f"g{i}"
    kinds = [
        lambda: "".join(rng.choice('{}[]":,ab1 ') for _ in range(rng.randint(0, 40))),
        lambda: json.dumps(rng.choice([None, 1, "x", [], [1, {"type": "ping"}]])),
        lambda: json.dumps({"type": rng.choice(["", "op", "operator.message ", "ACK"])}),
        lambda: frame("operator.message", cid, text=rng.choice(["", 5, None, "ok"])),
        lambda: frame(rng.choice(["crm.submit", "kb.open", "transfer"]), cid, bogus=1),
        lambda: frame("crm.submit", cid, form="contact", fields={"topic": "Доставка"}),
        lambda: frame("kb.open", cid, article=rng.choice(["delivery", "nope"])),
        lambda: frame("transfer", cid, department=rng.choice(["logistics", "nowhere"])),
        lambda: frame(rng.choice(["hold.start", "hold.end"]), cid),
        # (a valid ack gets no answer by design; these are all invalid)
        lambda: frame("ack", cid, seq=rng.choice([-1, 10_000])),
        lambda: json.dumps({"v": rng.choice([0, 1, 2, "1"]), "type": "ping", "cid": cid}),
        lambda: frame("ping", cid),
    ]
    return rng.choice(kinds)()


def test_a_stream_of_garbage_gets_one_answer_per_frame_and_keeps_the_log_sound(
    settings: Settings, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    app = make_app(
        settings, LiveSettings(typing_scale=0, ws_rate_per_s=10_000, ws_rate_burst=10_000)
    )
    rng = random.Random(5)
    frames = [_garbage(rng, i) for i in range(200)]
    with TestClient(app) as client:
        login(client, "anna")
        session_id = start_session(client, scenario_version)
        with client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
            answers: list[dict[str, Any]] = []
            for raw in frames:
                ws.send_text(raw)
                got = collect_sync(ws, lambda m: m["type"] in ("ack", "error", "pong"))
                answers.append(got[-1])
            ws.send_text(frame("ping", "still-here"))
            assert (
                collect_sync(ws, lambda m: m["type"] == "pong")[-1]["data"]["cid"] == "still-here"
            )
    assert len(answers) == len(frames)
    codes = {a["data"]["code"] for a in answers if a["type"] == "error"}
    assert codes >= {"bad_json", "unknown_type", "invalid_message", "engine_rejected"}
    assert codes <= {c.value for c in ErrorCode}
    logged = logged_events(db, session_id)
    assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
    acked = {a["data"]["cid"]: a["data"]["seq"] for a in answers if a["type"] == "ack"}
    assert acked, "some of the frames were valid actions"
    for cid, seq in acked.items():
        assert logged[seq - 1]["data"]["cid"] == cid
    logged_cids = [e["data"]["cid"] for e in logged if "cid" in e["data"]]
    assert sorted(logged_cids) == sorted(acked), "only acknowledged actions are in the log"


def test_a_lagging_socket_catches_up_from_the_log(
    settings: Settings,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """More events at once than a socket's queue holds: the queue is dropped and the socket
    reads the log instead, so it still gets every event once, in order."""
    app = make_app(settings, LiveSettings(typing_scale=0, ws_queue_size=4))
    with TestClient(app) as client:
        login(client, "anna")
        session_id = start_session(client, scenario_version)
        login(client, "vera")
        with client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as watch:
            seen = collect_sync(watch, lambda m: m["type"] == "customer.message")
            # Another process appends a dozen events; they are announced all at once.
            repo = SessionRepository(db)
            rows = [
                repo.append_event(session_id, 1.0 + i, "hint", {"text": f"подсказка {i}"})
                for i in range(12)
            ]
            db.commit()
            items = [event_dict(r) for r in rows]
            hub = app.state.session_hub

            async def announce() -> None:
                for item in items:  # no await between them: the queue cannot drain
                    hub.broker.publish(session_id, item)

            with caplog.at_level(logging.INFO, logger="app.sessions.connection"):
                watch.portal.call(announce)
                seen += collect_sync(watch, lambda m: m["seq"] == items[-1]["seq"])
    assert "catching up from the log" in caplog.text
    logged = logged_events(db, session_id)
    streamed = [m for m in seen if m["type"] != "session.state"]
    assert [m["seq"] for m in streamed] == [e["seq"] for e in logged]
    assert [m["data"]["text"] for m in streamed[-12:]] == [f"подсказка {i}" for i in range(12)]
