"""The desk's pages and JSON on the server side: who may see what, the profile gate, the
catalogues, the home page's lists and the debrief's escaping."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.orm import Session

from app.db.demo import DemoReport, load_scenarios
from app.db.models import Assignment, ScenarioVersion
from app.db.types import utcnow
from app.repositories.scorecards import ScorecardRepository
from app.repositories.sessions import SessionRepository
from app.repositories.users import GroupRepository
from app.settings import find_project_path
from app.web.i18n import LANGUAGES, catalogue
from app.web.routes.pages_home_data import recommend
from tests.app.web.conftest import (
    Accounts,
    add_scenario,
    collect_sync,
    frame,
    login,
    start_session,
)

REPO = Path(__file__).resolve().parents[3]
AIRLINE = REPO / "scenarios" / "a01-airline-baggage-chat" / "scenario.yaml"


def test_pages_send_a_visitor_to_log_in_and_back(live_client: TestClient):
    response = live_client.get("/sessions/abc?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/sessions/abc%3Fx%3D1"
    page = live_client.get("/login?next=/sessions/abc")
    assert 'data-next="/sessions/abc"' in page.text


def test_login_page_refuses_an_open_redirect(live_client: TestClient, accounts: Accounts):
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = live_client.get("/login", params={"next": evil})
        assert 'data-next="/"' in page.text, evil
    login(live_client, "anna")
    response = live_client.get("/login?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_another_trainees_session_is_forbidden_everywhere(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion
):
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    live_client.cookies.clear()
    login(live_client, "boris")
    for path in ("", "/debrief"):
        page = live_client.get(f"/sessions/{session_id}{path}")
        assert page.status_code == 403
        assert "another trainee" in page.text
    for api in ("desk", "profile", "scorecard"):
        assert live_client.get(f"/api/sessions/{session_id}/{api}").status_code == 403
    live_client.cookies.clear()
    login(live_client, "anna")
    assert live_client.get(f"/sessions/{session_id}").status_code == 200
    assert live_client.get(f"/api/sessions/{session_id}/scorecard").status_code == 404


def test_desk_data_never_carries_the_expected_crm_values(
    live_client: TestClient, accounts: Accounts, db: Session
):
    version = add_scenario(db, AIRLINE.read_text(encoding="utf-8"))
    login(live_client, "anna")
    session_id = start_session(live_client, version)
    desk = live_client.get(f"/api/sessions/{session_id}/desk").json()
    assert desk["scenario"]["channel"] == "chat"
    assert [a["id"] for a in desk["knowledge_base"]] == [
        "fares-baggage",
        "extra-baggage",
        "child-items",
    ]
    assert desk["kpi"]["first_response_s"] == 60 and desk["kpi"]["handle_time_s"] == 720
    assert desk["kpi"]["hold_max_s"] == 120  # the organisation default for a chat
    fields = [f for form in desk["crm"] for f in form["fields"]]
    assert fields and all("expected" not in f and "expected_pattern" not in f for f in fields)
    text = json.dumps(desk, ensure_ascii=False)
    assert "KX7P2M" not in text and "Корнилов" not in text  # profile and persona stay hidden


def test_profile_is_withheld_until_the_engine_identifies_the_customer(
    live_client: TestClient, accounts: Accounts, db: Session
):
    version = add_scenario(db, AIRLINE.read_text(encoding="utf-8"))
    login(live_client, "anna")
    session_id = start_session(live_client, version)
    # No socket yet: the answer comes from an engine replayed from the log.
    before = live_client.get(f"/api/sessions/{session_id}/profile").json()
    assert before == {"identified": False, "name": None, "profile": None}
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        ws.send_text(
            frame(
                "operator.message",
                "c1",
                text="Добрый вечер! Авиакомпания «Северный ветер», меня зовут Марина. "
                "Напишите, пожалуйста, код бронирования и фамилию одного из пассажиров.",
            )
        )
        collect_sync(ws, lambda m: m["type"] == "ack")
        collect_sync(ws, lambda m: m["type"] == "customer.message")
        live = live_client.get(f"/api/sessions/{session_id}/profile").json()
    assert live["identified"] is True
    assert live["profile"]["booking"] == "KX7P2M"
    # And after the socket left, the replayed engine agrees.
    assert live_client.get(f"/api/sessions/{session_id}/profile").json() == live


def test_catalogues_have_the_same_keys_and_cover_every_key_used():
    ru, en = catalogue("ru"), catalogue("en")
    assert set(ru) == set(en)
    assert LANGUAGES == ("ru", "en")
    frontend = find_project_path("frontend")
    used: set[str] = set()
    for path in [*frontend.glob("templates/*.html"), *frontend.glob("static/js/*.js")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+(?:\.[a-z_]+)+)['"]""", text))
    assert used, "the templates use the catalogue"
    missing = sorted(k for k in used if k not in ru)
    assert not missing, f"keys used but not in frontend/i18n/*.json: {missing}"


def test_language_switch_sets_a_cookie_and_english_pages_follow(live_client: TestClient):
    response = live_client.get("/lang/en?next=/login", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert response.cookies["ccsim_lang"] == "en"
    page = live_client.get("/login")
    assert '<html lang="en">' in page.text and "Log in to the simulator" in page.text
    unknown = live_client.get("/lang/xx?next=https://evil.example", follow_redirects=False)
    assert unknown.headers["location"] == "/" and "ccsim_lang" not in unknown.cookies


def test_home_of_a_new_trainee_lists_assignments_and_easy_scenarios_per_function(
    live_client: TestClient, accounts: Accounts, db: Session
):
    load_scenarios(db, REPO / "scenarios", DemoReport())
    group = GroupRepository(db).create("Группа 1")
    GroupRepository(db).add_member(group, accounts.trainee)
    due = utcnow() + timedelta(days=3)
    db.add(Assignment(group_id=group.id, scenario_key="a04-clinic-threat-call", due_at=due))
    db.add(Assignment(user_id=accounts.other_trainee.id, scenario_key="a03-mobile-no-data-call"))
    db.commit()
    login(live_client, "anna")
    page = live_client.get("/").text
    assigned = page.split('id="assigned-h"')[1].split("</section>")[0]
    assert "a04-clinic-threat-call" in assigned and due.strftime("%d.%m.%Y") in assigned
    assert "a03-mobile-no-data-call" not in assigned  # someone else's
    recommended = page.split('id="recommended"')[1].split("</ul>")[0]
    keys = re.findall(r'data-scenario="([^"]+)"', recommended)
    functions = [k[:3] for k in keys[:4]]
    assert sorted(functions) == ["a01", "a02", "a03", "a04"], keys
    assert "Вы ещё не прошли ни одного сценария" in page


def test_staff_home_links_to_their_workspaces(live_client: TestClient, accounts: Accounts):
    login(live_client, "vera")  # a supervisor
    page = live_client.get("/")
    assert page.status_code == 200 and "Ваши рабочие места" in page.text
    assert 'href="/supervisor"' in page.text and 'href="/trainer"' not in page.text


def test_debrief_renders_the_trainees_text_as_text(
    live_client: TestClient, accounts: Accounts, scenario_version: ScenarioVersion
):
    login(live_client, "anna")
    session_id = start_session(live_client, scenario_version)
    with live_client.websocket_connect(f"/ws/sessions/{session_id}?last_seq=0") as ws:
        ws.send_text(frame("operator.message", "c1", text="<script>alert(1)</script> Здравствуйте"))
        collect_sync(ws, lambda m: m["type"] == "ack")
        ws.send_text(frame("session.end", "c2"))
        collect_sync(ws, lambda m: m["type"] == "session.ended")
    page = live_client.get(f"/sessions/{session_id}/debrief")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    card = live_client.get(f"/api/sessions/{session_id}/scorecard").json()
    assert f'data-score="{card["overall"]:.1f}"' in page.text


def _card(key: str, function: str, scores: dict[str, float]) -> dict[str, object]:
    labour = [{"code": code, "score": score} for code, score in scores.items()]
    overall = sum(scores.values()) / len(scores)
    return {
        "scenario_key": key,
        "function": function,
        "overall": overall,
        "passed": overall >= 80,
        "labour_actions": labour,
    }


def test_recommendations_weakest_labour_action_then_new_functions(db: Session):
    load_scenarios(db, REPO / "scenarios", DemoReport())
    db.commit()
    scored = [
        _card("a01-airline-baggage-chat", "A/01.3", {"A/01.3 ТД1": 95, "A/01.3 ТД2": 90}),
        _card("a02-isp-home-internet-chat", "A/02.3", {"A/02.3 ТД1": 85, "A/02.3 ТД2": 40}),
    ]
    recs = recommend(db, scored, limit=20)
    # The weak spot first: A/02.3, whose weakest labour action is at 40 %.
    weak = [r for r in recs if r.reason == "weak"]
    assert weak and recs[: len(weak)] == weak
    assert all(r.scenario.function == "A/02.3" for r in weak)
    assert weak[0].weak_code == "A/02.3 ТД2" and weak[0].weak_score == 40
    assert recs[-1].scenario.scenario_key in {"a01-airline-baggage-chat"}  # passed: last
    # Then one easy scenario of each function never practised.
    new = recs[len(weak) : len(weak) + 2]
    assert [r.reason for r in new] == ["new", "new"]
    assert {r.scenario.function for r in new} == {"A/03.3", "A/04.3"}
    assert all(r.scenario.difficulty == "easy" for r in new)
    first_a01 = next(i for i, r in enumerate(recs) if r.scenario.function == "A/01.3")
    assert recs[first_a01].reason == "practice"
    assert first_a01 > recs.index(new[-1])
    # A scenario already passed comes after the ones not yet played of its function.
    a01 = [r.scenario.scenario_key for r in recs if r.scenario.function == "A/01.3"]
    assert len(a01) > 1 and a01[-1] == "a01-airline-baggage-chat"


def test_an_exam_assignment_starts_through_the_assignment_without_hints(
    live_client: TestClient, accounts: Accounts, db: Session, scenario_version: ScenarioVersion
):
    exam = Assignment(
        user_id=accounts.trainee.id,
        scenario_key=scenario_version.scenario_key,
        mode="exam",
        mood_meter=False,
    )
    db.add(exam)
    db.commit()
    login(live_client, "anna")
    home = live_client.get("/").text
    assert f'data-assignment="{exam.id}"' in home
    started = live_client.post(f"/api/assignments/{exam.id}/sessions", json={})
    assert started.status_code == 201, started.text
    desk = live_client.get(f"/api/sessions/{started.json()['session_id']}/desk").json()
    assert desk["hints"] is False
    assert desk["customer"]["show_mood"] is False
    practice = start_session(live_client, scenario_version)
    desk = live_client.get(f"/api/sessions/{practice}/desk").json()
    assert desk["hints"] is True


def test_debrief_marks_each_lost_point_and_violation_at_its_reply(
    live_client: TestClient, accounts: Accounts, db: Session
):
    """A poor playthrough (a rude reply) stored as a session, as `ccsim play` plays it."""
    from scoring.detection import default_detector
    from scoring.scorecard import score_session
    from simulator.playthrough import play
    from simulator.scenario.loader import load_playthrough_file, load_scenario_file
    from simulator.scenario.scoring_spec import scoring_spec

    folder = REPO / "scenarios" / "a03-utilities-smart-meter-chat"
    scenario = load_scenario_file(folder / "scenario.yaml").value
    script = load_playthrough_file(folder / "poor-rudeness.play.yaml").value
    assert scenario is not None and script is not None
    version = add_scenario(db, (folder / "scenario.yaml").read_text(encoding="utf-8"))
    result = play(scenario, script, default_detector())
    card = score_session(result.events, scoring_spec(scenario)).to_dict()
    sessions = SessionRepository(db)
    training = sessions.create(accounts.trainee.id, version.id, script.seed)
    for event in result.events:
        sessions.append_event(training.id, event.t, event.type, dict(event.data))
    ScorecardRepository(db).add(training.id, card["overall"], card["passed"], card, "test")
    db.commit()

    login(live_client, "anna")
    page = live_client.get(f"/sessions/{training.id}/debrief").text
    assert 'id="pass-badge">Не сдано' in page
    rude = next(v for v in card["violations"] if v["code"] == "rudeness")
    reply = page.split(f'data-reply="{rude["reply_index"]}"')[1].split("</li>\n")[0]
    assert 'class="chip chip-violation" data-code="rudeness"' in reply
    assert '<mark class="hl-violation"' in reply
    lost_here = [p for p in card["lost_points"] if p["reply_index"] == rude["reply_index"]]
    assert lost_here
    for lost in lost_here:
        assert escape(lost["explanation_ru"]) in reply
    # Losses tied to no reply are listed apart, not attached to a reply.
    general = [p for p in card["lost_points"] if p["reply_index"] is None]
    section = page.split("Потери, не связанные с конкретной репликой")[1]
    assert all(escape(p["explanation_ru"]) in section for p in general)


def test_transcript_segments_follow_the_detector_offsets():
    from app.web.routes.pages_debrief_data import behaviour_title, segments

    text = "Здравствуйте! Вы сами виноваты."
    pieces = segments(
        text,
        [
            {"label": "greeting", "start": 0, "end": 12},
            {"label": "rudeness", "start": 14, "end": 30},
            {"label": "broken", "start": 25, "end": 99},  # out of range: ignored
        ],
    )
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.labels, p.violation) for p in pieces if p.labels] == [
        ("Здравствуйте", ("greeting",), False),
        ("Вы сами виноваты", ("rudeness",), True),
    ]
    assert behaviour_title("personal_data_unverified", "ru") == (
        "Персональные данные до идентификации клиента",
        True,
    )
    assert behaviour_title("greeting", "en")[1] is False
