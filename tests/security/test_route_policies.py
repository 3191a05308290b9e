"""Every route of the app declares who may call it, and answers accordingly.

The test walks ``app.routes`` (HTTP and websocket): a route whose rule ``policy_of`` cannot
find fails at once, so a new route cannot ship without a rule. Then each route is called as
every actor — anonymous, trainee A, trainee B, a trainer, the supervisor of A's cohort, the
supervisor of another cohort, an admin — and the answer must match the rule: 401 (or a
redirect to /login for pages) without a log-in, 403 for a role the rule does not name, and
neither for a role it does. Object rules are checked too: a session is A's (B, the trainer
and the other supervisor get 403/404), the cohort is X (the other supervisor gets 404).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Mount
from starlette.websockets import WebSocketDisconnect

from app.security.policies import Policy, all_routes, policy_of
from app.web.main import create_app
from tests.app.web.conftest import recv
from tests.security.conftest import ACTORS, ROLE_OF, World

# Who may read objects of a kind, beyond the policy's roles (object-level rules).
SESSION_READERS = {"trainee_a", "supervisor_x", "admin"}


def _routes() -> list[Any]:
    from app.settings import Settings

    return all_routes(create_app(Settings(secret_key="x")).routes)


def test_every_route_declares_a_policy() -> None:
    missing = []
    for route in _routes():
        if policy_of(route) is None:
            methods = sorted(getattr(route, "methods", None) or ["WS"])
            missing.append(f"{'/'.join(methods)} {getattr(route, 'path', route)}")
    assert not missing, (
        "routes without an access rule (use CurrentUser, require_role(...) or public(...), "
        "or add a page/websocket rule in app/security/policies.py): " + ", ".join(missing)
    )


def test_a_route_without_a_rule_is_caught() -> None:
    from fastapi import APIRouter, FastAPI

    app = FastAPI()
    router = APIRouter()

    @router.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    [route] = [r for r in all_routes(app.routes) if getattr(r, "path", "") == "/api/forgotten"]
    assert policy_of(route) is None


def _fill(path: str, world: World) -> str:
    admin_area = path.startswith(("/api/admin", "/admin"))
    values = {
        "session_id": world.session_a,
        "group_id": str(world.cohort_x),
        "user_id": str(world.victim.id if admin_area else world.users["trainee_a"].id),
        "scenario_key": world.version.scenario_key,
        "version_id": str(world.version.id),
        "assignment_id": str(world.assignment_x),
        "seq": "1",
        "lang": "en",
        "what": "scorecards",
        "fmt": "csv",
        "role": "supervisor",
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in values, f"the policy test needs a value for the path parameter {name}"
        return values[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def _object_readers(path: str) -> set[str] | None:
    if "{session_id}" in path and path.startswith(("/api/sessions", "/sessions")):
        return SESSION_READERS
    supervising = path.startswith(("/api/supervisor", "/supervisor"))
    if supervising and ("{group_id}" in path or "{user_id}" in path):
        return {"supervisor_x", "admin"}
    if path.startswith("/api/assignments/"):
        return {"trainee_a"}
    return None


QUERY_VALUES = {"code": "A/01.3"}


def _required(route: APIRoute, name: str) -> bool:
    return any(q.alias == name and q.field_info.is_required() for q in route.dependant.query_params)


def _denied_anonymous(response: Any) -> bool:
    if response.status_code == 401:
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and location.startswith("/login")


def _check(world: World, route: APIRoute, policy: Policy, method: str) -> list[str]:
    problems = []
    url = _fill(route.path, world)
    # Required query parameters get a plausible value, so validation (which runs before a
    # page's own log-in check) does not mask the answer.
    query = {q.alias: QUERY_VALUES.get(q.alias, "1") for q in route.dependant.query_params}
    required = {k: v for k, v in query.items() if _required(route, k)}
    if required:
        url += "?" + "&".join(f"{k}={v}" for k, v in required.items())
    readers = _object_readers(route.path)
    for actor in ACTORS:
        role = ROLE_OF[actor]
        kwargs: dict[str, Any] = {}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = {}
        response = world.request(actor, method, url, **kwargs)
        status = response.status_code
        where = f"{method} {route.path} as {actor}: {status} ({policy.describe()})"
        assert status < 500, f"{where}: {response.text[:300]}"
        if not policy.allows(role):
            expected = _denied_anonymous(response) if role is None else status == 403
            if not expected:
                problems.append(f"{where}, expected to be refused")
        elif role is not None:
            refused = status in (401, 403) or _denied_anonymous(response)
            if readers is None or actor in readers:
                if refused:
                    problems.append(f"{where}, expected to be let in")
            elif status not in (403, 404):
                problems.append(f"{where}, the object is not theirs: expected 403/404")
        elif _denied_anonymous(response) or status == 403:
            problems.append(f"{where}: a public route refused an anonymous caller")
    return problems


def test_every_http_route_answers_each_role_by_its_policy(world: World) -> None:
    problems: list[str] = []
    checked = 0
    # Mutating routes last, so the reads see the world as the fixture made it.
    routes = [r for r in all_routes(world.app.routes) if isinstance(r, APIRoute)]
    routes.sort(key=lambda r: (r.methods != {"GET"}, "logout" in r.path, r.path))
    for route in routes:
        policy = policy_of(route)
        assert policy is not None, route.path
        for method in sorted(route.methods):
            if method == "HEAD":
                continue
            problems += _check(world, route, policy, method)
            checked += 1
    assert checked >= 40
    assert not problems, "\n".join(problems)


def _close_code(world: World, actor: str, path: str) -> int | None:
    """The close code the server sends first, or None when it let the socket in."""
    client = world.as_actor(actor)
    with client.websocket_connect(path) as ws:
        try:
            message = recv(ws, timeout=5)
        except WebSocketDisconnect as closed:
            return closed.code
        assert message.get("type") in ("welcome", "event", "error", "hello", "session.state")
        return None


def test_every_websocket_route_answers_each_role_by_its_policy(world: World) -> None:
    sockets = [r for r in all_routes(world.app.routes) if isinstance(r, APIWebSocketRoute)]
    assert any(r.path == "/ws/sessions/{session_id}" for r in sockets)
    for route in sockets:
        policy = policy_of(route)
        assert policy is not None, route.path
        if route.path != "/ws/sessions/{session_id}":
            assert policy.kind == "public"
            assert _close_code(world, "anonymous", route.path) not in (4401, 4403)
            continue
        path = _fill(route.path, world) + "?last_seq=0"
        for actor in ACTORS:
            code = _close_code(world, actor, path)
            if actor == "anonymous":
                assert code == 4401, (actor, code)
            elif actor in SESSION_READERS:
                assert code is None, (actor, code)
            else:
                assert code in (4403, 4404), (actor, code)


def test_static_files_are_public(world: World) -> None:
    [mount] = [r for r in all_routes(world.app.routes) if isinstance(r, Mount)]
    assert policy_of(mount) == Policy("public", reason="static files")
    assert world.request("anonymous", "GET", "/static/js/csrf.js").status_code == 200


@pytest.mark.parametrize("actor", ["trainee_b", "trainer", "supervisor_y"])
def test_another_persons_session_and_scorecard_stay_hidden(world: World, actor: str) -> None:
    for url in (
        f"/api/sessions/{world.session_a}",
        f"/api/sessions/{world.session_a}/events",
        f"/api/sessions/{world.session_a}/scorecard",
        f"/api/sessions/{world.session_a}/desk",
    ):
        assert world.request(actor, "GET", url).status_code in (403, 404), (actor, url)


def test_a_supervisor_sees_only_their_cohort(world: World) -> None:
    x, y = world.cohort_x, world.cohort_y
    a = world.users["trainee_a"].id
    for url in (
        f"/api/supervisor/cohorts/{x}/readiness",
        f"/api/supervisor/trainees/{a}/readiness",
    ):
        assert world.request("supervisor_x", "GET", url).status_code == 200
        assert world.request("supervisor_y", "GET", url).status_code == 404
    assert world.request("supervisor_y", "GET", f"/api/supervisor/cohorts/{y}/readiness").is_success
    export = world.request(
        "supervisor_y", "GET", f"/api/supervisor/cohorts/{x}/export/scorecards.csv"
    )
    assert export.status_code == 404
    readiness = world.request(
        "supervisor_x", "GET", f"/api/supervisor/cohorts/{x}/export/readiness.csv"
    )
    assert readiness.status_code == 200
    assert "trainee_a" in readiness.text and "trainee_b" not in readiness.text
    everyone = world.request("admin", "GET", f"/api/supervisor/cohorts/{y}/export/readiness.csv")
    assert "trainee_b" in everyone.text and "trainee_a" not in everyone.text
    live = world.request("supervisor_y", "GET", "/api/supervisor/live").json()
    assert all(s["session_id"] != world.session_a for s in live)
    live_x = world.request("supervisor_x", "GET", "/api/supervisor/live").json()
    assert any(s["session_id"] == world.session_a for s in live_x)
