"""The authoring API answers hostile YAML with a 4xx (or a validation report) and located
errors, never a 5xx; the server stays up (issue 16, item 6). Fixed seed, bounded budget."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.web.auth import COOKIE_NAME
from tests.app.services import conftest as workspace
from tests.app.services.conftest import People
from tests.app.web.conftest import login
from tests.simulator.scenario.hostile_yaml import MINIMAL_LINES, hostile_yaml

people = workspace.people
MINIMAL_TEXT = "\n".join(MINIMAL_LINES) + "\n"

FUZZ = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # one server for all examples, as in production
    ],
)


def _as_trainer(client: TestClient) -> None:
    """Once per client: the examples share it, and log-ins are rate-limited."""
    if COOKIE_NAME not in client.cookies:
        login(client, "tom")


def _post(client: TestClient, path: str, source: str | bytes) -> Any:
    body = source if isinstance(source, bytes) else json.dumps({"source": source})
    return client.post(path, content=body, headers={"content-type": "application/json"})


def _assert_answered(client: TestClient, source: str | bytes) -> None:
    checked = _post(client, "/api/trainer/scenarios/validate", source)
    assert checked.status_code < 500, checked.text
    if checked.status_code == 200:
        report = checked.json()
        assert report["ok"] or report["errors"]
        for error in report["errors"]:
            assert error["line"] >= 1 and error["col"] >= 1 and error["message"]
    saved = _post(client, "/api/trainer/scenarios", source)
    assert saved.status_code < 500, saved.text
    if saved.status_code != 201:
        assert 400 <= saved.status_code < 500
        detail = saved.json()["detail"]
        assert detail, saved.text


@FUZZ
@given(source=hostile_yaml)
def test_hostile_yaml_through_the_trainer_api_never_gets_a_5xx(
    live_client: TestClient, people: People, source: str
) -> None:
    _as_trainer(live_client)
    _assert_answered(live_client, source)
    assert live_client.get("/healthz").status_code == 200


def test_the_reported_cases_get_located_422s(live_client: TestClient, people: People) -> None:
    login(live_client, "tom")
    digits = "9" * 5000
    line = next(i for i, t in enumerate(MINIMAL_LINES, 1) if t.startswith("title:"))
    for value in (digits, "-" + digits, "{a: " + digits + "}", "[" + digits + "]"):
        source = MINIMAL_TEXT.replace("title:", f"big: {value}\ntitle:", 1)
        saved = _post(live_client, "/api/trainer/scenarios", source)
        assert saved.status_code == 422, saved.text
        errors = saved.json()["detail"]["errors"]
        assert any(e["line"] == line and "digits" in e["message"] for e in errors), errors
        checked = _post(live_client, "/api/trainer/scenarios/validate", source).json()
        assert any(e["line"] == line for e in checked["errors"])
    assert live_client.get("/healthz").status_code == 200


@FUZZ
@given(
    raw=st.one_of(
        st.sampled_from(
            [
                b'{"source": "\\ud800"}',
                b'{"source": "id: \\udfff\\n"}',
                b'{"source": "\\u0000"}',
                b'{"source": ' + b"9" * 5000 + b"}",
                b'{"source": "x"' + b" " * 10 + b"}",
                b'{"source": "' + b"\xff\xfe" + b'"}',
                b"[" * 5000,
                b'{"source": null}',
            ]
        ),
        st.binary(max_size=64),
    )
)
def test_malformed_bodies_get_a_4xx(live_client: TestClient, people: People, raw: bytes) -> None:
    _as_trainer(live_client)
    _assert_answered(live_client, raw)
