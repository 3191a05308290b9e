"""The fact tester: what the engine reads in one reply, and why, on a library scenario."""

from __future__ import annotations

from pathlib import Path

from simulator.fact_tester import fact_report, format_report
from simulator.scenario.loader import load_scenario_file

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def utility() -> object:
    return load_scenario_file(LIBRARY / "a01-utility-debt-readings-chat" / "scenario.yaml").unwrap()


def test_a_wrong_day_is_misstated_with_its_clause_and_values() -> None:
    report = fact_report(utility(), "Показания принимаются до 28 числа.")  # type: ignore[arg-type]
    readings = next(f for f in report.facts if f.fact == "readings_deadline")
    assert (readings.status, readings.said, readings.value_read) == (
        "misstated",
        "28 числа",
        "day 28",
    )
    assert readings.expected_read == "day 25"
    assert readings.clause == "Показания принимаются до 28 числа"
    payment = next(f for f in report.facts if f.fact == "payment_deadline")
    assert payment.status == "not_discussed"
    assert "оплатить" in payment.why


def test_a_keyword_without_a_value_and_a_value_set_aside_are_explained() -> None:
    reply = "Оплатить нужно до 10 числа, а показания передайте в личном кабинете."
    report = fact_report(utility(), reply)  # type: ignore[arg-type]
    by_id = {f.fact: f for f in report.facts}
    assert by_id["payment_deadline"].status == "stated"
    readings = by_id["readings_deadline"]
    assert readings.status == "no_value"
    assert readings.keywords_found == ["показания", "передайте"]
    assert readings.ignored == [
        {
            "clause": "Оплатить нужно до 10 числа",
            "said": "10 числа",
            "reason": "clause about another fact",
        }
    ]
    text = format_report(report)
    assert "payment_deadline (deadline, expected «10 числа» = day 10): stated" in text
    assert "readings_deadline" in text and "no_value" in text


def test_grounded_labels_are_reported_and_echoes_are_not() -> None:
    reply = "Ваш лицевой счёт 4020-118-36, долг 1 847,60 рублей."
    report = fact_report(utility(), reply)  # type: ignore[arg-type]
    assert [(g["label"], g["text"]) for g in report.grounded] == [
        ("personal_data", "4020-118-36"),
        ("personal_data", "1 847,60 рублей"),
    ]
    echoed = fact_report(utility(), reply, customer="лицевой 4020-118-36")  # type: ignore[arg-type]
    assert [(g["label"], g["text"]) for g in echoed.grounded] == [
        ("personal_data", "1 847,60 рублей")
    ]
