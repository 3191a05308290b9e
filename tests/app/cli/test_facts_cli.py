"""``ccsim facts ID "реплика"`` as a trainer uses it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()
SCENARIO = "a01-clinic-chest-pain-chat"


def test_facts_prints_the_verdict_the_clause_and_the_values() -> None:
    result = runner.invoke(cli, ["facts", SCENARIO, "Срочно вызывайте скорую по номеру 102."])
    assert result.exit_code == 0, result.output
    assert "ambulance_number (phone, expected «103» = phone 103): misstated" in result.stdout
    assert "read:     «102» = number 102" in result.stdout
    assert "clause:   «Срочно вызывайте скорую по номеру 102»" in result.stdout


def test_facts_json_has_every_fact_and_the_grounded_labels() -> None:
    reply = "Вызывайте скорую: 103. Консультация кардиолога стоит 2 400 рублей."
    result = runner.invoke(cli, ["facts", SCENARIO, reply, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    status = {f["fact"]: f["status"] for f in report["facts"]}
    assert status == {
        "consult_price": "stated",
        "ambulance_number": "stated",
        "duty_doctor_callback": "not_discussed",
    }
    assert [(g["label"], g["text"]) for g in report["grounded"]] == [
        ("information", "2 400 рублей"),
        ("information", "103"),
    ]


def test_facts_with_an_unknown_scenario_or_an_empty_reply_is_one_line() -> None:
    unknown = runner.invoke(cli, ["facts", "no-such-scenario", "Добрый день"])
    assert unknown.exit_code == 2
    assert "no valid scenario 'no-such-scenario'" in unknown.output
    empty = runner.invoke(cli, ["facts", SCENARIO, "  "])
    assert empty.exit_code == 2 and "the reply is empty" in empty.output
