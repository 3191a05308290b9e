"""Issue 16, items 4, 5 and 9: what a hostile or careless client sends to the session socket.

A trainer's catastrophic regex, replies that are too long or too many, binary frames, control
characters, giant integers, and probing the CRM for the hidden expected values.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db.models import ScenarioVersion
from app.sessions.config import LiveSettings
from app.settings import Settings
from app.web.auth import COOKIE_NAME
from scoring.detection import default_detector
from tests.app.web.conftest import (
    IO_TIMEOUT_S,
    Accounts,
    add_scenario,
    collect,
    collect_sync,
    frame,
    http_login,
    http_start_session,
    logged_events,
    login,
    make_app,
    recv,
    serve,
    start_session,
    ws_connect,
)
from tests.app.web.test_session_ws import is_ack, open_conversation

# A text field whose format rule and expected value are the textbook catastrophic regex: on a
# backtracking engine 26 characters and a wrong last one take seconds, 40 take days.
CATASTROPHIC = """      - id: code
        label: Код обращения
        pattern: "^(a+)+$"
        expected_pattern: "^(a+)+$"
"""


@pytest.fixture
def hostile_version(db: Session, scenario_source: str) -> ScenarioVersion:
    anchor = "        expected: Доставка\n"
    assert anchor in scenario_source
    source = scenario_source.replace(anchor, anchor + CATASTROPHIC, 1).replace(
        "id: test-delivery-status-chat", "id: test-hostile-crm-chat", 1
    )
    return add_scenario(db, source)


def _error(ws: Any, cid: str) -> dict[str, Any]:
    return collect_sync(ws, lambda m: m["data"].get("cid") == cid)[-1]


# ---- item 9a: the desk learns validity, never correctness ---------------------------------


def test_crm_submit_never_reveals_matches_to_the_trainee_or_a_watcher(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        for cid, topic in (("wrong", "Оплата"), ("right", "Доставка")):
            ws.send_text(frame("crm.submit", cid, form="contact", fields={"topic": topic}))
            got = collect_sync(ws, is_ack(cid))
            echo = next(m for m in got if m["type"] == "crm.submit")
            assert echo["data"]["valid"] is True
            assert "matches" not in echo["data"], "the desk must not learn which value is right"
            assert "matches" not in json.dumps(got)
        events = live_client.get(f"/api/sessions/{session_id}/events").json()["events"]
    assert all("matches" not in e["data"] for e in events)
    # A watcher (a supervisor) gets the same view, on the socket and through the API.
    login(live_client, "vera")
    watched = live_client.get(f"/api/sessions/{session_id}/events").json()["events"]
    assert [e for e in watched if "matches" in e["data"]] == []
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as watch:
        replay = collect_sync(watch, lambda m: m["data"].get("cid") == "right")
    assert all("matches" not in m["data"] for m in replay)
    # The log keeps it: correctness is for the debrief.
    stored = [e["data"] for e in logged_events(db, session_id) if e["type"] == "crm.submit"]
    assert [d["matches"] for d in stored] == [{"topic": False}, {"topic": True}]


# ---- item 9c-e: binary frames, control characters, giant integers --------------------------


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\r", "\x1f"])
def test_control_characters_in_typed_text_are_refused_and_not_logged(
    live_client: TestClient,
    accounts: Accounts,
    scenario_version: ScenarioVersion,
    db: Session,
    char: str,
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        before = logged_events(db, session_id)
        probes = [
            frame("operator.message", "m", text=f"Здравствуйте!{char}"),
            frame("crm.submit", "c", form="contact", fields={"topic": f"Доставка{char}"}),
            frame("escalate", "e", reason=f"прошу{char}"),
        ]
        for probe, cid in zip(probes, "mce", strict=True):
            ws.send_text(probe)
            error = _error(ws, cid)
            assert error["data"]["code"] == "invalid_message"
            assert f"U+{ord(char):04X}" in error["data"]["message"]
        assert logged_events(db, session_id) == before
        # Line breaks and tabs are text, not control: accepted.
        ws.send_text(frame("operator.message", "ok", text="Здравствуйте!\nМеня зовут\tАнна."))
        collect_sync(ws, is_ack("ok"))
    texts = [e["data"]["text"] for e in logged_events(db, session_id) if "text" in e["data"]]
    assert "Здравствуйте!\nМеня зовут\tАнна." in texts


def test_a_5000_digit_integer_gets_a_plain_error(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        open_conversation(ws)
        for raw in (
            '{"type": "ack", "cid": "a", "data": {"seq": ' + "9" * 5000 + "}}",
            '{"type": "hello", "cid": "h", "data": {"last_seq": -' + "1" * 5000 + "}}",
            '{"type": "ping", "cid": "p", "junk": [' + "7" * 4301 + "]}",
        ):
            ws.send_text(raw)
            error = recv(ws)
            assert error["data"]["code"] == "bad_json"
            message = error["data"]["message"]
            assert "digits" in message and "at most 20" in message
            assert "sys." not in message and "set_int_max_str_digits" not in message
        ws.send_text(frame("ping", "alive"))
        assert recv(ws)["type"] == "pong"


# ---- item 5: the length limit and the reply budgets ------------------------------------


def test_a_reply_over_the_length_limit_gets_message_too_long_and_is_not_logged(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    limit = LiveSettings().max_reply_chars
    assert limit == 2000
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        state = open_conversation(ws)[0]
        assert state["data"]["limits"]["max_reply_chars"] == limit
        before = logged_events(db, session_id)
        ws.send_text(frame("operator.message", "long", text="а" * (limit + 1)))
        error = _error(ws, "long")
        assert error["data"]["code"] == "message_too_long"
        assert error["data"]["details"] == {"length": limit + 1, "limit": limit}
        assert "shorten it" in error["data"]["message"]
        # Past the engine's own bound the protocol refuses it, still as a located error.
        ws.send_text(frame("operator.message", "huge", text="а" * 4001))
        assert _error(ws, "huge")["data"]["code"] == "invalid_message"
        assert logged_events(db, session_id) == before
        ws.send_text(frame("operator.message", "at", text="а" * limit))
        collect_sync(ws, is_ack("at"))
    desk = live_client.get(f"/api/sessions/{session_id}/desk").json()
    assert desk["limits"] == {"max_reply_chars": limit}


def _flood(ws: Any, prefix: str, count: int) -> dict[str, dict[str, Any]]:
    for i in range(count):
        ws.send_text(frame("operator.message", f"{prefix}{i}", text=f"Уточняю, вопрос {i}."))
    answers: dict[str, dict[str, Any]] = {}
    while len(answers) < count:
        m = recv(ws)
        cid = m["data"].get("cid") if m["type"] in ("ack", "error") else None
        if cid is not None and cid.startswith(prefix):
            answers[cid] = m
    return answers


def test_replies_are_rate_limited_per_session_with_a_clear_error(
    settings: Settings, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    live = LiveSettings(typing_scale=0, ws_hello_timeout_s=0.5, reply_burst=3)
    with TestClient(make_app(settings, live)) as client:
        login(client, "anna")
        session_id = start_session(client, scenario_version)
        with client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
            open_conversation(ws)
            answers = _flood(ws, "r", 8)
    acked = sorted(c for c, m in answers.items() if m["type"] == "ack")
    limited = [m for m in answers.values() if m["type"] == "error"]
    assert 3 <= len(acked) <= 4  # the burst, plus what refilled meanwhile at 2 per second
    assert limited and all(m["data"]["code"] == "rate_limited" for m in limited)
    assert limited[0]["data"]["details"]["scope"] == "session"
    assert limited[0]["data"]["details"]["retry_after_s"] > 0
    assert "replies per second in this session" in limited[0]["data"]["message"]
    logged = [
        e["data"]["cid"] for e in logged_events(db, session_id) if e["type"] == "operator.message"
    ]
    assert sorted(logged) == acked, "every reply is either in the log with its ack, or refused"


def test_replies_are_rate_limited_per_trainee_across_sessions(
    settings: Settings, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    live = LiveSettings(
        typing_scale=0, ws_hello_timeout_s=0.5, user_reply_burst=4, user_reply_rate_per_s=0.1
    )
    with TestClient(make_app(settings, live)) as client:
        login(client, "anna")
        first = start_session(client, scenario_version, seed=1)
        second = start_session(client, scenario_version, seed=2)
        with (
            client.websocket_connect(f"/ws/sessions/{first}?last_seq=0") as one,
            client.websocket_connect(f"/ws/sessions/{second}?last_seq=0") as two,
        ):
            open_conversation(one)
            open_conversation(two)
            answers = _flood(one, "a", 3) | _flood(two, "b", 3)
            # Another trainee is not affected by Anna's budget.
            login(client, "boris")
            theirs = start_session(client, scenario_version, seed=3)
            with client.websocket_connect(f"/ws/sessions/{theirs}?last_seq=0") as ws:
                open_conversation(ws)
                ws.send_text(frame("operator.message", "boris", text="Здравствуйте!"))
                collect_sync(ws, is_ack("boris"))
    acked = [c for c, m in answers.items() if m["type"] == "ack"]
    limited = [m["data"] for m in answers.values() if m["type"] == "error"]
    assert sorted(acked) == ["a0", "a1", "a2", "b0"]
    assert {d["details"]["scope"] for d in limited} == {"user"}
    assert all("across your sessions" in d["message"] for d in limited)


def test_a_long_reply_is_analysed_off_the_loop_with_the_same_result(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion, db: Session
) -> None:
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    text = ("Здравствуйте, меня зовут Анна, подождите, пожалуйста, я уточню. " * 20)[:1500]
    assert len(text) > LiveSettings().detect_inline_chars
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        first_line = open_conversation(ws)[-1]["data"]["text"]
        ws.send_text(frame("operator.message", "long", text=text))
        collect_sync(ws, is_ack("long"))
    stored = next(e for e in logged_events(db, session_id) if e["type"] == "operator.message")
    expected = default_detector().detect(text, customer=first_line).to_dict()
    assert stored["data"]["detection"] == expected
    assert stored["data"]["detection"]["detections"], "the reply has behaviours to find"


# ---- item 4: a catastrophic pattern on a live server -------------------------------------


async def test_a_catastrophic_crm_pattern_answers_and_the_server_stays_responsive(
    settings: Settings,
    live_settings: LiveSettings,
    accounts: Accounts,
    hostile_version: ScenarioVersion,
    db: Session,
) -> None:
    async with serve(make_app(settings, live_settings), live_settings) as server:
        token = await http_login(server.base_url, "anna")
        session_id = await http_start_session(server.base_url, token, hostile_version.id)
        async with (
            ws_connect(server.ws_base, session_id, token, last_seq=0) as desk,
            httpx.AsyncClient(base_url=server.base_url, cookies={COOKIE_NAME: token}) as http,
        ):
            await collect(desk, lambda m: m["type"] == "customer.message")
            values = {"bad": "a" * 40 + "!", "good": "a" * 60}
            for cid, code in values.items():
                await desk.send(
                    frame(
                        "crm.submit",
                        cid,
                        form="contact",
                        fields={"topic": "Доставка", "code": code},
                    )
                )
            # While the server matches them, it keeps answering everything else.
            health = await asyncio.wait_for(http.get("/healthz"), IO_TIMEOUT_S)
            assert health.status_code == 200
            got: list[dict[str, Any]] = []
            for cid in values:
                got += await collect(desk, lambda m, cid=cid: m["data"].get("cid") == cid)
    echoes = {m["data"]["cid"]: m["data"] for m in got if m["type"] == "crm.submit"}
    assert echoes["bad"]["valid"] is False
    assert [e["field"] for e in echoes["bad"]["errors"]] == ["code"]
    assert echoes["good"]["valid"] is True
    stored = [e["data"] for e in logged_events(db, session_id) if e["type"] == "crm.submit"]
    assert [d["matches"]["code"] for d in stored] == [False, True]
