"""Branching: the scenario semantics of docs/engine.md on the fixture scenario."""

from __future__ import annotations

from engine_test_kit import load_fixture, make_engine, of_type, say, types

from simulator.engine import ClientEvent, Engine

CRM_OK = {"contract": "12345", "topic": "Доставка"}


def messages(events: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e.data["kind"], e.data["text"]) for e in of_type(events, "customer.message")]


def to_price_step(engine: Engine) -> None:
    engine.start()
    say(engine, "Здравствуйте! Назовите, пожалуйста, номер договора.")
    assert engine.state.step.id == "price"


def test_start_emits_session_step_hint_and_first_line() -> None:
    engine, _ = make_engine()
    events = engine.start()
    assert types(events) == [
        "session.started",
        "step.entered",
        "hint",
        "customer.typing",
        "customer.message",
    ]
    assert events[0].data == {
        "scenario": "test-shop",
        "version": "",
        "seed": 1,
        "function": "A/01.3",
        "channel": "chat",
    }
    first = events[-1].data
    assert first["kind"] == "line" and first["step"] == "opening"
    assert first["text"] == load_fixture().dialogue.steps["opening"].customer[first["variant"]]


def test_variant_choice_is_reproducible_by_seed() -> None:
    def variants(seed: int) -> list[int]:
        engine, _ = make_engine(seed=seed)
        return [e.data["variant"] for e in of_type(engine.start(), "customer.message")]

    assert variants(7) == variants(7)
    assert len({variants(seed)[0] for seed in range(12)}) == 3  # all three variants occur


def test_hints_can_be_turned_off() -> None:
    engine, _ = make_engine(hints=False)
    assert "hint" not in types(engine.start())


def test_behaviours_accumulate_over_replies_in_a_step() -> None:
    engine, _ = make_engine()
    engine.start()
    first = say(engine, "Здравствуйте!")
    # greeting without identity_check: the stay-in-step branch reacts
    assert messages(first) == [("reaction", "Так что с доставкой?")]
    assert engine.state.step.id == "opening"
    second = say(engine, "Назовите номер договора.")
    assert engine.state.step.id == "price"
    assert of_type(second, "step.entered")[0].data == {
        "step": "price",
        "from": "opening",
        "branch": "branches[0]",
        "identified": True,  # set: {identified: true}, announced for clients folding the log
    }
    assert engine.state.identified


def test_a_stay_in_step_branch_fires_once_per_visit() -> None:
    engine, _ = make_engine()
    engine.start()
    say(engine, "Здравствуйте!")
    again = say(engine, "Здравствуйте ещё раз!")
    # second reply: the reaction does not repeat; max_replies (2) reached → otherwise fires
    assert messages(again) == [("reaction", "Вы меня слышите?"), ("line", "Договор 12345.")]
    assert of_type(again, "customer.mood")[0].data == {
        "mood": 50,
        "delta": -10,
        "reason": "branch:opening.otherwise",
    }
    assert engine.state.step.id == "price"


def test_otherwise_waits_for_max_replies() -> None:
    engine, _ = make_engine()
    engine.start()
    assert messages(say(engine, "Ммм.")) == []  # nothing fired: the customer waits
    assert engine.state.step.id == "opening"
    assert messages(say(engine, "Ммм...")) == [
        ("reaction", "Вы меня слышите?"),
        ("line", "Договор 12345."),
    ]


def test_violation_branch_handles_the_violation_instead_of_the_reaction() -> None:
    engine, _ = make_engine()
    engine.start()
    events = say(engine, "Я не знаю.")
    violation = of_type(events, "violation")[0].data
    assert violation["code"] == "stop_phrase"
    assert violation["text"] == "не знаю" and violation["reply_index"] == 0
    assert messages(events) == [("reaction", "Как это не знаете?")]


def test_reaction_to_a_violation_and_hang_up_on_rudeness() -> None:
    engine, _ = make_engine()
    engine.start()
    events = say(engine, "Отстаньте от меня.")
    assert [e.data["code"] for e in of_type(events, "violation")] == ["rudeness"]
    assert messages(events) == [
        ("reaction", "Как вы разговариваете?!"),
        ("ending", "Всё, до свидания."),
    ]
    ended = of_type(events, "session.ended")[0].data
    assert ended["ending"] == "hung_up" and ended["outcome"] == "hung_up"
    assert ended["reason"] == "customer_hung_up" and ended["cause"] == "reaction:rudeness"
    assert engine.ended


def test_informal_reaction_changes_mood_only() -> None:
    engine, _ = make_engine()
    engine.start()
    events = say(engine, "Короче, щас посмотрю.")
    assert of_type(events, "customer.mood")[0].data["reason"] == "reaction:informal"
    assert engine.state.mood == 55
    assert messages(events) == []


def test_personal_data_before_identification_is_a_violation() -> None:
    engine, _ = make_engine()
    engine.start()
    events = say(engine, "На вашем счёте 100 рублей.")
    violation = of_type(events, "violation")[0].data
    assert violation["code"] == "personal_data_unverified"
    assert violation["text"] == "На вашем счёте"
    assert messages(events) == [("reaction", "Вы даже не спросили, кто я.")]


def test_naming_the_subject_of_a_call_before_identification_discloses_nothing() -> None:
    # The detector says personal_data, but there is no value: neither a profile value nor a
    # figure in its sentence («звоню по вашему вкладу, назовите ФИО»).
    engine, _ = make_engine()
    engine.start()
    events = say(engine, "Звоню по вопросу на вашем счёте. Назовите, пожалуйста, ФИО.")
    assert of_type(events, "violation") == []


def test_personal_data_after_identification_is_fine() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    assert of_type(say(engine, "На вашем счёте 100 рублей."), "violation") == []


def test_stated_fact_moves_on_and_is_recorded_in_the_reply() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    events = say(engine, "Доставка стоит 590 рублей.")
    facts = events[0].data["facts"]
    assert facts == [
        {
            "fact": "delivery_price",
            "status": "stated",
            "start": 15,
            "end": 25,
            "said": "590 рублей",
            "expected": "590 рублей",
            "clause_start": 0,
            "clause_end": 25,
        }
    ]
    assert engine.state.step.id == "wrapup"


def test_misstated_fact_takes_the_misstated_branch() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    events = say(engine, "Доставка стоит 490 рублей.")
    assert events[0].data["facts"][0]["status"] == "misstated"
    assert messages(events)[0] == ("reaction", "На сайте другая цена!")
    assert engine.state.step.id == "complaint"


def test_replies_at_least_counts_replies_in_the_step() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    say(engine, "Доставка стоит 490 рублей.")
    assert engine.state.ending is None
    say(engine, "Извините.")
    assert engine.state.ending is None
    events = say(engine, "Соединяю.")
    assert engine.state.ending == "unresolved"
    assert messages(events) == [("ending", "Ладно.")]
    assert "session.ended" not in types(events)  # waits for the operator to close


def test_crm_submission_is_checked_and_counts_for_branching() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    say(engine, "Доставка стоит 590 рублей.")
    bad = engine.handle(
        ClientEvent("crm.submit", {"form": "contact_log", "fields": {"contract": "12", "x": "1"}})
    )[0]
    assert bad.type == "crm.submit" and bad.data["valid"] is False
    assert {e["field"] for e in bad.data["errors"]} == {"contract", "topic", "x"}
    assert "contact_log" not in engine.state.forms
    good = engine.handle(
        ClientEvent("crm.submit", {"form": "contact_log", "fields": {**CRM_OK, "topic": "Другое"}})
    )[0]
    assert good.data["valid"] is True
    assert good.data["matches"] == {"contract": True, "topic": False}
    events = say(engine, "Есть ещё вопросы?")
    assert engine.state.ending == "resolved"
    assert of_type(events, "customer.mood")[-1].data["reason"] == "ending:resolved"


def test_farewell_after_the_ending_closes_the_session() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    say(engine, "Доставка стоит 590 рублей.")
    engine.handle(ClientEvent("crm.submit", {"form": "contact_log", "fields": CRM_OK}))
    say(engine, "Остались ещё вопросы?")
    events = say(engine, "Всего доброго!")
    assert of_type(events, "session.ended")[0].data == {
        "ending": "resolved",
        "outcome": "resolved",
        "reason": "operator_farewell",
        "cause": "branch:wrapup.branches[0]",
    }


def test_hold_in_step_escalation_and_transfer() -> None:
    engine, clock = make_engine()
    to_price_step(engine)
    clock.advance(5)
    start = engine.handle(ClientEvent("hold.start"))
    assert start[0].type == "hold.start"
    assert messages(start) == [("reaction", "Жду.")]
    clock.advance(20)
    end = engine.handle(ClientEvent("hold.end"))
    assert end[0].data == {"duration_s": 20.0}
    assert engine.state.hold.count == 1 and engine.state.hold.total_s == 20.0
    assert messages(end) == []  # the hold branch stays in the step and fires once

    escalated, _ = make_engine()
    to_price_step(escalated)
    events = escalated.handle(ClientEvent("escalate", {"reason": "жалоба"}))
    assert events[0].data == {"reason": "жалоба"} and escalated.state.ending == "escalated"

    transferred, _ = make_engine()
    to_price_step(transferred)
    events = transferred.handle(ClientEvent("transfer", {"department": "logistics"}))
    assert events[0].data == {"department": "logistics"}
    assert transferred.state.ending == "transferred"


def test_kb_open_is_logged() -> None:
    engine, _ = make_engine()
    engine.start()
    events = engine.handle(ClientEvent("kb.open", {"article": "prices"}))
    assert events[0].type == "kb.open" and events[0].data == {"article": "prices"}


def test_low_mood_makes_the_customer_hang_up() -> None:
    engine, _ = make_engine()
    engine.start()
    for _ in range(9):  # informal: -5 each, from 60
        events = say(engine, "Короче.")
        if engine.ended:
            break
    assert engine.state.mood <= 10
    ended = of_type(events, "session.ended")[0].data
    assert ended["ending"] == "hung_up" and ended["cause"] == "low_mood"


def test_session_end_by_the_operator_before_an_ending() -> None:
    engine, _ = make_engine()
    engine.start()
    events = engine.handle(ClientEvent("session.end"))
    assert types(events) == ["session.end", "session.ended"]
    assert events[1].data["ending"] is None and events[1].data["outcome"] == "unresolved"
    assert events[1].data["reason"] == "operator_ended"
    assert engine.next_due() is None and engine.advance() == []


def test_snapshot_for_a_reconnecting_desk() -> None:
    engine, _ = make_engine()
    to_price_step(engine)
    engine.handle(ClientEvent("hold.start"))
    snap = engine.snapshot()
    assert snap["step"] == "price" and snap["on_hold"] is True and snap["hold_count"] == 1
    assert snap["identified"] is True and snap["replies"] == 1 and snap["ended"] is False
    assert snap["show_mood"] is True and snap["mood"] == 60
