from __future__ import annotations

import io
import json
import logging

import pytest

from app.logging_setup import configure_logging


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield stream
    root.handlers[:], root.level = saved[0], saved[1]


def test_json_lines_carry_extra_fields(captured: io.StringIO):
    configure_logging("INFO", json_lines=True, stream=captured)
    logging.getLogger("ccsim.test").info("session %s started", "abc", extra={"user_id": 7})
    logging.getLogger("ccsim.test").debug("below the level")

    lines = captured.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["msg"] == "session abc started"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "ccsim.test"
    assert entry["user_id"] == 7
    assert entry["ts"].endswith("+00:00")


def test_not_a_tty_means_json(captured: io.StringIO):
    configure_logging("INFO", stream=captured)  # StringIO is not a TTY
    logging.getLogger("x").warning("hello")
    assert json.loads(captured.getvalue())["msg"] == "hello"


def test_uvicorn_records_go_through_the_same_handler(captured: io.StringIO):
    uvicorn_logger = logging.getLogger("uvicorn.error")
    uvicorn_logger.addHandler(logging.StreamHandler(io.StringIO()))  # as uvicorn would
    configure_logging("INFO", json_lines=True, stream=captured)
    uvicorn_logger.info("Started server process")
    assert json.loads(captured.getvalue())["logger"] == "uvicorn.error"
    assert uvicorn_logger.handlers == []


def test_text_format_for_people(captured: io.StringIO):
    configure_logging("INFO", json_lines=False, stream=captured)
    logging.getLogger("ccsim").info("listening", extra={"port": 8000})
    line = captured.getvalue().strip()
    assert "INFO" in line and "ccsim: listening" in line and "port=8000" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
