"""Hostile input at the HTTP edge: oversized bodies, YAML alias bombs, includes that reach
out of the library, path traversal on every file-serving route, markup in user texts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.security.conftest import World


def _alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each level refers nine times to the one before."""
    lines = ["id: bomb", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\n"


ALIAS_BOMB = _alias_bomb()


def test_an_oversized_upload_is_a_clear_413(world: World) -> None:
    source = "id: big\n" + "# padding\n" * 120_000  # ~1.2 MB
    response = world.request("trainer", "POST", "/api/trainer/scenarios", json={"source": source})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "request_too_large"
    assert "limit is 1048576 bytes" in body["detail"]


def test_a_chunked_body_without_a_length_is_capped_too(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"source": "'
        for _ in range(40):
            yield b"x" * 32_768
        yield b'"}'

    client = world.as_actor("trainer")
    response = client.post(
        "/api/trainer/scenarios", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_a_source_just_under_the_scenario_limit_is_answered_with_located_errors(
    world: World,
) -> None:
    source = "id: [unclosed\n" + "# x\n" * 1000
    response = world.request(
        "trainer", "POST", "/api/trainer/scenarios/validate", json={"source": source}
    )
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert errors and all(e["line"] >= 1 and e["message"] for e in errors)


@pytest.mark.parametrize("route", ["/api/trainer/scenarios/validate", "/api/trainer/scenarios"])
def test_a_yaml_alias_bomb_is_refused_quickly(world: World, route: str) -> None:
    started = time.monotonic()
    response = world.request("trainer", "POST", route, json={"source": ALIAS_BOMB})
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"the alias bomb took {elapsed:.1f} s"
    text = response.text
    assert response.status_code in (200, 422)
    assert "alias" in text.lower()
    if route.endswith("validate"):
        assert response.json()["ok"] is False


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "../../../../../../etc/hostname", "../_fragments/../../secret.yaml"]
)
def test_an_include_cannot_read_files_outside_the_library(world: World, target: str) -> None:
    source = f"id: sneaky\ntitle: x\nincludes:\n  - file: {target}\n    with: {{next: end}}\n"
    response = world.request(
        "trainer", "POST", "/api/trainer/scenarios/validate", json={"source": source}
    )
    assert response.status_code == 200
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("outside the scenario library" in m for m in messages), messages
    assert "root:" not in response.text  # nothing of /etc/passwd


TRAVERSALS = [
    "/static/../app/settings.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/js/..%2f..%2f..%2fvar/secret_key",
    "/static/%2e%2e%2f%2e%2e%2fREADME.md",
    "/static//etc/passwd",
    "/static/js/%00.js",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_files_do_not_leave_their_folder(world: World, path: str) -> None:
    response = world.request("anonymous", "GET", path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "[project]" not in response.text and "root:" not in response.text


def test_audio_and_export_routes_take_no_paths(world: World) -> None:
    session = world.session_a
    for path in (
        f"/api/sessions/{session}/audio/..%2f..%2fetc%2fpasswd.wav",
        f"/api/sessions/{session}/audio/1%2f..%2f..%2fx.wav",
        f"/api/sessions/..%2f{session}/audio/1.wav",
    ):
        response = world.request("trainee_a", "GET", path)
        assert response.status_code in (404, 422), (path, response.status_code)
    for path in (
        f"/api/supervisor/cohorts/{world.cohort_x}/export/..%2f..%2fetc%2fpasswd.csv",
        f"/api/supervisor/cohorts/{world.cohort_x}/export/scorecards.csv%2f..%2f..",
    ):
        response = world.request("supervisor_x", "GET", path)
        assert response.status_code in (404, 422), (path, response.status_code)
    ok = world.request(
        "supervisor_x", "GET", f"/api/supervisor/cohorts/{world.cohort_x}/export/scorecards.csv"
    )
    assert ok.status_code == 200
    assert 'filename="ccsim-scorecards-group' in ok.headers["content-disposition"]


def test_malformed_cookies_and_headers_are_not_a_500(world: World) -> None:
    client = world.as_actor("anonymous")
    for cookie in ('ccsim_session="unterminated', "ccsim_session=" + "x" * 5000, "=;=;;"):
        response = client.get("/api/auth/me", headers={"Cookie": cookie})
        assert response.status_code == 401
        response = client.post("/api/sessions", json={}, headers={"Cookie": cookie})
        assert response.status_code in (401, 403)
    bad_length = client.post("/api/auth/login", headers={"Content-Length": "abc"}, content=b"")
    assert bad_length.status_code in (400, 413)
