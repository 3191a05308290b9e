"""The bench's own parts: percentiles, library scripts, the echo route's switch, and one short
real run of ``ccsim bench load`` against a server process it starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from typer.testing import CliRunner

from app.bench.loadgen import ClientStats, Play
from app.bench.report import percentile
from app.bench.scripts import library_scripts
from app.cli import cli
from app.settings import Settings
from app.web.main import create_app

ROOT = Path(__file__).resolve().parents[3]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_every_library_playthrough_becomes_a_script_of_protocol_frames() -> None:
    scripts = library_scripts(ROOT / "scenarios")
    assert len({s.scenario for s in scripts}) >= 10
    kinds = {step.type for s in scripts for step in s.steps}
    assert "operator.message" in kinds and "crm.submit" in kinds
    assert kinds <= {
        None,
        "operator.message",
        "crm.submit",
        "hold.start",
        "hold.end",
        "kb.open",
        "transfer",
        "escalate",
        "session.end",
    }
    for script in scripts:
        for step in script.steps:
            assert step.after_s >= 0
            if step.type == "operator.message":
                assert step.data["text"].strip()


def test_the_echo_is_off_unless_switched_on(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client, client.websocket_connect("/ws/echo") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 4404


def test_the_echo_returns_each_frame_when_on(settings: Settings) -> None:
    app = create_app(settings)
    app.state.bench_echo = True
    with TestClient(app) as client, client.websocket_connect("/ws/echo") as ws:
        for text in ('{"type": "operator.message", "data": {"text": "Здравствуйте"}}', "x"):
            ws.send_text(text)
            assert ws.receive_text() == text


@pytest.mark.slow
def test_a_short_flat_out_run_reports_its_figures() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "bench", "load", "--sessions", "3", "--duration", "4", "--pace", "flat",
            "--ramp", "0.5", "--echo-duration", "2", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in ("sessions", "errors", "lost_events", "p50_ms", "p99_ms", "messages_per_s"):
        assert key in report
    assert report["sessions"] == 3
    assert report["errors"] == 0, report["error_samples"]
    assert report["lost_events"] == 0 and report["duplicate_events"] == 0
    assert report["sessions_completed"] >= 1
    assert report["messages"] > 0 and report["messages_per_s"] > 0
    assert report["p50_ms"] <= report["p99_ms"]
    assert report["reply_samples"] > 0
    assert report["steady"]["samples"] <= report["samples"]
    assert sum(b["acks"] for b in report["timeline"]) == report["samples"]
    assert report["echo_messages_per_s"] > 0
    assert report["server"]["cpu_s"] > 0 and report["server"]["rss_peak_mib"] > 0


def test_a_bad_pace_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["bench", "load", "--pace", "fast"])
    assert result.exit_code == 2
    assert "unknown --pace 'fast'" in result.output


def _frame(seq: int, type_: str, t: float, **data: object) -> dict[str, object]:
    return {"v": 1, "type": type_, "seq": seq, "t": t, "data": data}


def test_reply_latency_counts_only_a_line_that_answers_the_message() -> None:
    """A nudge after a silence is simulated waiting, not the server's delay: no sample."""
    stats = ClientStats()
    play = Play(None, stats)  # type: ignore[arg-type]  # on_frame never touches the socket
    # The answer: the customer starts typing at the same session time as the logged message.
    play.reply_sent_at, play.reply_cid = 100.0, "b1"
    play.on_frame(_frame(1, "operator.message", 5.0, cid="b1", text="Добрый день"))
    play.on_frame(_frame(2, "customer.typing", 5.0, duration_s=0.0))
    play.on_frame(_frame(3, "customer.message", 5.0, text="Здравствуйте"))
    assert len(stats.reply_ms) == 1 and len(stats.reply_at) == 1
    # A message the customer does not answer; 20 s later they nudge: not a reply sample.
    play.reply_sent_at, play.reply_cid, play.reply_t = 200.0, "b2", None
    play.on_frame(_frame(4, "operator.message", 9.0, cid="b2", text="Минуту"))
    play.on_frame(_frame(5, "customer.typing", 29.0, duration_s=0.0))
    play.on_frame(_frame(6, "customer.message", 29.0, text="Вы тут?"))
    assert len(stats.reply_ms) == 1
    assert stats.lost_events == 0 and stats.duplicate_events == 0
