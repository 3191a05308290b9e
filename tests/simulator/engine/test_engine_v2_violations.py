"""The engine's catalogue v2 violations on the fixture shop, with the shipped detector (the
wording matters here): policy_breach from the knowledge base, false_claim from the session's
state, an allowed commitment, the default reactions and a scenario's own."""

from __future__ import annotations

from typing import Any

import yaml
from engine_test_kit import FIXTURES, of_type

from scoring import events as ev
from scoring.detection import default_detector
from simulator.engine import ClientEvent, EmittedEvent, Engine, SimulatedClock, Timing
from simulator.engine.violations import DEFAULT_REACTIONS
from simulator.scenario.model import Scenario

SEAL = {
    "id": "open_seal",
    "says": ["вскройте пломбу"],
    "reason": "Пломбу снимает только сотрудник сетевой компании",
}


def scenario(**changes: Any) -> Scenario:
    raw = yaml.safe_load((FIXTURES / "shop.yaml").read_text("utf-8"))
    raw["knowledge_base"][0]["forbidden"] = [SEAL]
    for key, value in changes.items():
        raw[key] = value
    return Scenario.model_validate(raw)


def engine(sc: Scenario | None = None) -> Engine:
    e = Engine(
        sc or scenario(),
        seed=1,
        detector=default_detector(),
        clock=SimulatedClock(),
        timing=Timing.zero(),
    )
    e.start()
    return e


def say(e: Engine, text: str) -> list[EmittedEvent]:
    return e.handle(ClientEvent("operator.message", {"text": text}))


def violations(events: list[EmittedEvent], code: str) -> list[dict[str, Any]]:
    return [x.data for x in of_type(events, "violation") if x.data["code"] == code]


def reactions(events: list[EmittedEvent]) -> list[str]:
    return [
        x.data["text"] for x in of_type(events, "customer.message") if x.data["kind"] == "reaction"
    ]


# ---- policy_breach ----------------------------------------------------------------------


def test_advising_what_the_knowledge_base_forbids_is_a_breach() -> None:
    e = engine()
    text = "Понимаю. Можете сами аккуратно вскрыть пломбу и посмотреть."
    events = say(e, text)
    [v] = violations(events, "policy_breach")
    assert v["reply_index"] == 0 and v["step"] == "opening"
    assert text[v["start"] : v["end"]] == v["text"] and "вскрыть пломбу" in v["text"]
    assert "open_seal" in v["reason"] and "сетевой компании" in v["reason"]
    assert reactions(events)[0] in (DEFAULT_REACTIONS["policy_breach"].say or [])


def test_forbidding_the_same_thing_is_no_breach() -> None:
    for text in (
        "Ни в коем случае не вскрывайте пломбу, к вам приедет мастер.",
        "Пломбу вскрывать нельзя, это сделает только инспектор.",
        "Если пломба вскрыта, сообщите нам, пожалуйста.",
        "Скажите, пломбу кто-нибудь вскрывал?",
    ):
        assert violations(say(engine(), text), "policy_breach") == [], text


def test_a_scenario_reaction_replaces_the_default() -> None:
    sc = scenario(reactions={"policy_breach": {"say": ["Мне так нельзя!"], "mood": -50}})
    e = engine(sc)
    events = say(e, "вскройте пломбу сами, это быстро")
    assert reactions(events) == ["Мне так нельзя!"] and e.state.mood == 10


# ---- false_claim ------------------------------------------------------------------------


def test_registration_claimed_without_a_record_is_false_at_the_next_reply() -> None:
    e = engine()
    claim = say(e, "Я зарегистрировала ваше обращение, номер 4521.")
    assert violations(claim, "false_claim") == []  # the record may follow the words
    events = say(e, "Могу ли я ещё чем-нибудь помочь?")
    [v] = violations(events, "false_claim")
    assert v["reply_index"] == 0 and v["step"] == "opening"
    assert "contact_log" in v["reason"] and v["text"]
    assert reactions(events)[0] in (DEFAULT_REACTIONS["false_claim"].say or [])


def test_registration_with_the_record_is_true() -> None:
    e = engine()
    e.handle(
        ClientEvent(
            "crm.submit",
            {"form": "contact_log", "fields": {"contract": "12345", "topic": "Доставка"}},
        )
    )
    say(e, "Я зарегистрировала ваше обращение, номер 4521.")
    assert violations(say(e, "Что-то ещё подсказать?"), "false_claim") == []


def test_a_record_submitted_incomplete_makes_the_claim_no_lie() -> None:
    # the topic (required) left out: the record is rejected and costs its field's points,
    # but the registration was made, so saying so is not a false claim
    e = engine()
    e.handle(ClientEvent("crm.submit", {"form": "contact_log", "fields": {"contract": "12345"}}))
    say(e, "Я зарегистрировала ваше обращение, номер 4521.")
    assert violations(say(e, "Что-то ещё подсказать?"), "false_claim") == []


def test_an_empty_submission_does_not_bear_out_a_claim() -> None:
    e = engine()
    e.handle(ClientEvent("crm.submit", {"form": "contact_log", "fields": {"contract": " "}}))
    say(e, "Я зарегистрировала ваше обращение, номер 4521.")
    assert len(violations(say(e, "Что-то ещё подсказать?"), "false_claim")) == 1


def test_the_record_right_after_the_words_makes_the_claim_true() -> None:
    e = engine()
    say(e, "Я зарегистрировала ваше обращение, номер 4521.")
    e.handle(
        ClientEvent(
            "crm.submit",
            {"form": "contact_log", "fields": {"contract": "12345", "topic": "Доставка"}},
        )
    )
    assert violations(say(e, "Что-то ещё подсказать?"), "false_claim") == []


def test_transfer_claimed_and_never_made_is_false_when_the_contact_ends() -> None:
    e = engine()
    say(e, "Передала ваш вопрос в отдел логистики, они свяжутся с вами.")
    events = e.handle(ClientEvent("session.end", {}))
    [v] = violations(events, "false_claim")
    assert "transfer" in v["reason"] and v["reply_index"] == 0


def test_transfer_made_is_no_false_claim() -> None:
    e = engine()
    say(e, "Передаю ваш вопрос в отдел логистики.")
    e.handle(ClientEvent("transfer", {"department": "logistics"}))
    assert violations(e.handle(ClientEvent("session.end", {})), "false_claim") == []


TWO_DEPARTMENTS = [
    {"id": "logistics", "name": "Отдел логистики"},
    {"id": "claims", "name": "Отдел претензий"},
]


def test_a_true_transfer_does_not_cover_a_claim_about_another_named_department() -> None:
    e = engine(scenario(departments=TWO_DEPARTMENTS))
    say(
        e,
        "Заявка передана в отдел логистики. А копию я дополнительно направила в отдел претензий.",
    )
    e.handle(ClientEvent("transfer", {"department": "logistics"}))
    [v] = violations(e.handle(ClientEvent("session.end", {})), "false_claim")
    assert "Отдел претензий" in v["reason"]


def test_each_named_transfer_made_is_no_false_claim_and_the_customer_s_own_is_none() -> None:
    e = engine(scenario(departments=TWO_DEPARTMENTS))
    say(e, "Вы передали жалобу в отдел претензий, вижу. Я направила заявку в отдел логистики.")
    e.handle(ClientEvent("transfer", {"department": "logistics"}))
    assert violations(e.handle(ClientEvent("session.end", {})), "false_claim") == []


def test_a_decision_is_checked_only_when_the_scenario_says_none_exists() -> None:
    text = "По вашей претензии принято решение вернуть 590 рублей."
    unknown = engine()
    say(unknown, text)
    assert violations(unknown.handle(ClientEvent("session.end", {})), "false_claim") == []
    pending = engine(scenario(policy={"decision": "pending"}))
    say(pending, text)
    [v] = violations(pending.handle(ClientEvent("session.end", {})), "false_claim")
    assert "decision" in v["reason"]


def test_no_departments_means_a_transfer_claim_is_not_checked() -> None:
    e = engine(scenario(departments=[]))
    say(e, "Передала ваш вопрос в отдел логистики.")
    assert violations(e.handle(ClientEvent("session.end", {})), "false_claim") == []


# ---- unauthorised_promise and allowed commitments ----------------------------------------


def test_a_promise_is_a_violation_with_the_default_reaction() -> None:
    e = engine()
    events = say(e, "Гарантирую, стоимость доставки вам вернут.")
    [v] = violations(events, "unauthorised_promise")
    assert v["reply_index"] == 0 and v["reason"].startswith("rule:unauthorised_promise")
    assert reactions(events)[0] in (DEFAULT_REACTIONS["unauthorised_promise"].say or [])


def test_a_commitment_the_policy_allows_is_no_violation() -> None:
    allowed = {
        "allowed_commitments": [{"id": "delivery_refund", "says": ["стоимость доставки вернут"]}]
    }
    e = engine(scenario(policy=allowed))
    events = say(e, "Гарантирую, стоимость доставки вам вернут.")
    assert violations(events, "unauthorised_promise") == []
    message = of_type(events, "operator.message")[0].data
    assert message["allowed"][0]["commitment"] == "delivery_refund"
    # another promise in the same scenario still counts
    other = say(e, "А ещё я вам сверху начислю 500 бонусов за неудобства.")
    assert violations(other, "unauthorised_promise")


# ---- sensitive_data_request --------------------------------------------------------------


def test_asking_for_a_one_time_code_upsets_the_customer() -> None:
    e = engine()
    events = say(e, "Здравствуйте! Продиктуйте, пожалуйста, код из СМС.")
    [v] = violations(events, "sensitive_data_request")
    assert v["step"] == "opening" and v["text"].startswith("Продиктуйте")
    assert e.state.mood == 60 + (DEFAULT_REACTIONS["sensitive_data_request"].mood)


def test_a_replay_of_the_log_agrees() -> None:
    """Violations settled later (a claim) and found at once (a breach) replay identically."""
    sc = scenario(policy={"decision": "pending"})
    e = engine(sc)
    out = list(e.replayed_tail)
    for text in ("Передала ваш вопрос в отдел логистики.", "вскройте пломбу сами"):
        out += say(e, text)
    assert violations(out, "false_claim") and violations(out, "policy_breach")
    fresh = Engine(
        sc, seed=1, detector=default_detector(), clock=SimulatedClock(), timing=Timing.zero()
    )
    log = fresh.start()
    for text in ("Передала ваш вопрос в отдел логистики.", "вскройте пломбу сами"):
        log += fresh.handle(ClientEvent("operator.message", {"text": text}))
    stored = [ev.Event(n + 1, x.t, x.type, x.data) for n, x in enumerate(log)]
    restored = Engine.restore(
        sc,
        seed=1,
        detector=default_detector(),
        clock=SimulatedClock(),
        timing=Timing.zero(),
        log=stored,
    )
    assert restored.state.mood == fresh.state.mood == e.state.mood
    assert restored.replayed_tail == []


def test_an_announced_escalation_may_follow_later_in_the_contact() -> None:
    e = engine()
    say(e, "Я сообщу о ситуации руководителю смены.")
    say(e, "Пока уточню детали: когда был заказ?")
    e.handle(ClientEvent("escalate", {"reason": "жалоба"}))
    assert violations(e.handle(ClientEvent("session.end", {})), "false_claim") == []


def test_an_announced_escalation_never_made_is_false_at_the_end() -> None:
    e = engine()
    say(e, "Я сообщу о ситуации руководителю смены.")
    assert violations(say(e, "Что-то ещё подсказать?"), "false_claim") == []
    [v] = violations(e.handle(ClientEvent("session.end", {})), "false_claim")
    assert "supervisor" in v["reason"] and v["reply_index"] == 0
