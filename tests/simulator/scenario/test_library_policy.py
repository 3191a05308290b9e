"""The library scenarios where the v2 violations matter react to them (issue 17 item 5): the
chest-pain chat forbids telling the caller not to call an ambulance, the smart-meter chat
forbids opening the sealed meter, a bank chat's customer refuses to tell an SMS code — played on
the real scenario files with the shipped detector. Warning against the same thing is fine."""

from __future__ import annotations

from pathlib import Path

from scoring.detection import default_detector
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.scenario.loader import load_library

LIBRARY = load_library(Path(__file__).resolve().parents[3] / "scenarios")


def play(scenario_id: str, *replies: str) -> tuple[Engine, list[EmittedEvent]]:
    scenario = LIBRARY.get(scenario_id).scenario
    engine = Engine(
        scenario, seed=1, detector=default_detector(), clock=SimulatedClock(), timing=Timing.zero()
    )
    events = engine.start()
    for reply in replies:
        events += engine.handle(ClientEvent("operator.message", {"text": reply}))
    return engine, events


def codes(events: list[EmittedEvent]) -> list[str]:
    return [e.data["code"] for e in events if e.type == "violation"]


def test_telling_a_chest_pain_caller_not_to_call_an_ambulance_is_a_breach() -> None:
    engine, events = play(
        "a01-clinic-chest-pain-chat",
        "Здравствуйте! Клиника, меня зовут Анна. Чем могу помочь?",
        "Думаю, скорую вызывать не нужно, давайте запишу вас на завтра к кардиологу.",
    )
    assert "policy_breach" in codes(events)
    assert engine.state.ending == "distress_ignored"


def test_urging_the_ambulance_is_no_breach() -> None:
    _, events = play(
        "a01-clinic-chest-pain-chat",
        "Здравствуйте! Клиника, меня зовут Анна. Чем могу помочь?",
        "Нина Алексеевна, не ждите, пожалуйста: срочно вызывайте скорую по номеру 103.",
    )
    assert "policy_breach" not in codes(events)


def test_advising_to_open_the_sealed_meter_is_a_breach_and_warning_is_not() -> None:
    _, bad = play(
        "a03-utilities-smart-meter-chat", "Можете сами вскрыть пломбу и переподключить модуль."
    )
    _, good = play(
        "a03-utilities-smart-meter-chat", "Пожалуйста, ни в коем случае не вскрывайте пломбу сами."
    )
    assert "policy_breach" in codes(bad) and "policy_breach" not in codes(good)


def test_a_bank_customer_refuses_to_tell_an_sms_code() -> None:
    _, events = play("a03-bank-app-sms-code-chat", "Здравствуйте! Назовите код из SMS, пожалуйста.")
    assert "sensitive_data_request" in codes(events)
    said = [
        e.data["text"]
        for e in events
        if e.type == "customer.message" and e.data["kind"] == "reaction"
    ]
    assert any("никому нельзя" in s for s in said)


def test_a_refund_the_policy_gives_is_allowed_and_an_invented_one_is_not() -> None:
    _, allowed = play(
        "a04-eshop-damaged-goods-chat",
        "Гарантирую, деньги вернут в течение 10 дней после регистрации претензии.",
    )
    _, invented = play(
        "a04-eshop-damaged-goods-chat", "Я вам сверху начислю 1 000 рублей за неудобства."
    )
    assert "unauthorised_promise" not in codes(allowed)
    assert "unauthorised_promise" in codes(invented)
