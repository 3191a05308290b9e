"""Scoring rules a QA lead signs (issue 17, item 6): early work counts, a closing goodbye is not
"unresolved", unreached steps do not multiply one miss, optional paths are not mandatory, and
every lost point still adds up to what the overall lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scorecard_logs import CONTACT_LOG, PRICE, LogBuilder, demo_spec

from scoring import events as ev
from scoring.scorecard import Check, Scorecard, ScoringSpec, StepSpec, score_session


def _check(card: Scorecard, code: str, behaviour: str, step: str) -> Check:
    return next(
        c
        for c in card.labour_action(code).checks
        if c.detail.get("behaviour") == behaviour and c.step == step
    )


def _adds_up(card: Scorecard) -> None:
    assert sum(p.overall_points for p in card.lost_points) == pytest.approx(
        100 - card.overall, abs=1e-3
    )
    for la in card.labour_actions:
        if la.score is not None:
            assert sum(p.points for p in la.lost_points) == pytest.approx(100 - la.score, abs=1e-3)
    for p in card.lost_points:
        assert p.rule and p.explanation_ru and p.points > 0


def test_a_behaviour_shown_before_its_step_counts_in_full_once_the_step_is_reached() -> None:
    b = LogBuilder()
    b.customer(1, "opening")
    b.reply(5, "Здравствуйте, меня зовут Анна. Назовите ФИО, пожалуйста.", ["greeting"])
    b.reply(6, "И ещё: тариф стоит 990 рублей", ["introduction", "identity_check", "information"])
    b.customer(8, "question").reply(10, "Понимаю вас", ["active_listening"])
    b.customer(12, "closing").reply(14, "Чем ещё помочь? Всего доброго!", ["further_help"])
    b.reply(15, "До свидания", ["farewell"])
    card = score_session(b.end(20).events, demo_spec())
    early = _check(card, "A/01.3 ТД2", "information", "question")
    assert early.rule == "expect.shown_earlier"
    assert early.earned == early.max_points and early.reply_index == 1
    _adds_up(card)


def test_a_fact_stated_before_the_customer_asked_counts_in_full() -> None:
    b = LogBuilder()
    b.customer(1, "opening")
    b.reply(
        5,
        "Здравствуйте, меня зовут Анна, назовите ФИО. Тариф стоит 990 рублей.",
        ["greeting", "introduction", "identity_check"],
        [PRICE],
    )
    b.customer(8, "question").reply(10, "Понимаю", ["active_listening"])
    card = score_session(b.end(20).events, demo_spec())
    info = _check(card, "A/01.3 ТД2", "information", "question")
    assert info.rule == "expect.shown_earlier" and info.earned == info.max_points
    assert str(info.detail.get("source")) == "fact:price"
    assert "fact.stated" in {c.rule for c in card.labour_action("A/01.3 ТД2").checks}


def test_a_behaviour_shown_only_after_its_step_still_earns_the_other_step_share() -> None:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Добрый день", ["greeting", "introduction"])
    b.customer(8, "question").reply(10, "Назовите ФИО", ["identity_check"])
    card = score_session(b.end(12).events, demo_spec())
    late = _check(card, "A/01.3 ТД2", "identity_check", "opening")
    assert late.rule == "expect.other_step" and late.earned == late.max_points * 0.5


def test_an_unreached_step_is_listed_but_weighs_nothing() -> None:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте, назовите ФИО", ["greeting", "identity_check"])
    card = score_session(b.end(30, "hung_up", "hung_up").events, demo_spec())
    unreached = _check(card, "A/01.3 ТД1", "farewell", "closing")
    assert unreached.rule == "expect.step_not_reached"
    assert unreached.max_points == 0 and unreached.lost == 0
    assert "expect.step_not_reached" not in {p.rule for p in card.lost_points}
    _adds_up(card)


def test_one_missed_label_costs_no_more_than_its_own_points_through_unreached_steps() -> None:
    """The contact stops in `question` because `information` was missed there: the miss costs
    that behaviour's points; `closing` is never charged, and an action whose every expectation
    sits in unreached steps is not applicable rather than 0."""
    spec = replace(
        demo_spec(crm_forms=(), facts=()),
        steps=(
            *demo_spec().steps,
            StepSpec("status", ("status_update",)),  # only ever expected after the miss
        ),
    )
    b = LogBuilder()
    b.customer(1, "opening")
    b.reply(
        5, "Здравствуйте, меня зовут Анна, ФИО?", ["greeting", "introduction", "identity_check"]
    )
    b.customer(8, "question").reply(10, "Понимаю", ["active_listening"])
    card = score_session(b.end(20, "gave_up", "unresolved").events, spec)
    info = card.labour_action("A/01.3 ТД2")
    behaviour_losses = [p for p in info.lost_points if p.rule.startswith("expect.")]
    assert [p.rule for p in behaviour_losses] == ["expect.missing"]
    missing = _check(card, "A/01.3 ТД2", "information", "question")
    assert behaviour_losses[0].points == pytest.approx(
        100 * missing.max_points / sum(c.max_points for c in info.checks)
    )
    handling = card.labour_action("A/01.3 ТД1")
    assert not [p for p in handling.lost_points if p.step == "closing"]
    _adds_up(card)


def _closing_log(*, farewell_detected: bool, last_step: str = "closing") -> LogBuilder:
    b = LogBuilder()
    b.customer(1, "opening")
    b.reply(
        5, "Здравствуйте, меня зовут Анна, ФИО?", ["greeting", "introduction", "identity_check"]
    )
    b.customer(8, "question").reply(10, "Тариф 990 рублей", ["information"], [PRICE])
    b.crm(11, "contact_log", CONTACT_LOG)
    if last_step == "closing":
        b.customer(12, "closing", "Всё понятно, спасибо, до свидания!")
        b.reply(14, "Всего вам доброго!", ["farewell"] if farewell_detected else [])
    b.add(15, ev.SESSION_END, {})
    return b.add(
        15, ev.SESSION_ENDED, {"ending": None, "outcome": "unresolved", "reason": "operator_ended"}
    )


def _closing_spec() -> ScoringSpec:
    steps = tuple(
        replace(s, closes_as="resolved") if s.id == "closing" else s for s in demo_spec().steps
    )
    return demo_spec(steps=steps)


def test_closing_after_the_customers_closing_line_gets_the_outcome_of_the_closing_step() -> None:
    card = score_session(_closing_log(farewell_detected=False).events, _closing_spec())
    assert card.outcome == "resolved"
    resolution = card.kpi("resolution")
    assert resolution is not None and resolution.met and "closing" in resolution.detail
    assert not [p for p in card.lost_points if "outcome" in p.rule or "resolution" in p.rule]
    _adds_up(card)


def test_closing_before_the_closing_step_stays_unresolved_and_is_deducted_once() -> None:
    card = score_session(
        _closing_log(farewell_detected=True, last_step="question").events, _closing_spec()
    )
    assert card.outcome == "unresolved"
    outcome = [p for p in card.lost_points if p.rule == "deduction.outcome.unresolved"]
    assert len(outcome) == 1 and outcome[0].overall_points == 15
    assert outcome[0].step == "question" and outcome[0].reply_index == 1
    assert "kpi.resolution" not in {p.rule for p in card.lost_points}  # priced once
    _adds_up(card)


def _supervisor_spec(optional: tuple[str, ...]) -> ScoringSpec:
    return demo_spec(
        function="A/03.3",
        expects_escalation=True,
        optional_actions=optional,
        facts=(),
        crm_forms=(),
    )


def _greeted() -> LogBuilder:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте, меня зовут Анна", ["greeting"])
    return b


def test_an_optional_escalation_is_not_charged_to_an_operator_who_took_the_other_path() -> None:
    card = score_session(_greeted().end(9).events, _supervisor_spec(("escalation",)))
    assert card.labour_action("A/03.3 ТД6").status == "not_applicable"
    assert not [p for p in card.lost_points if p.rule.startswith("action.escalation")]


def test_an_optional_escalation_taken_is_credited() -> None:
    b = _greeted()
    b.add(6, ev.ESCALATE, {"reason": "массовый сбой"})
    card = score_session(b.end(9).events, _supervisor_spec(("escalation",)))
    supervisor = card.labour_action("A/03.3 ТД6")
    assert supervisor.score == 100 and supervisor.checks[0].rule == "action.escalation"


def test_a_mandatory_escalation_missed_is_still_charged() -> None:
    card = score_session(_greeted().end(9).events, _supervisor_spec(()))
    assert [p.rule for p in card.labour_action("A/03.3 ТД6").lost_points] == [
        "action.escalation_missing"
    ]


def _hold_spec() -> ScoringSpec:
    steps = (
        StepSpec("opening", ("greeting",)),
        StepSpec("question", ("hold_request", "hold_return", "information")),
    )
    return demo_spec(steps=steps, facts=(), crm_forms=(), optional_actions=("hold",))


def _answered_without_hold(outcome: str) -> LogBuilder:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте", ["greeting"])
    b.customer(8, "question").reply(10, "Тариф стоит 990 рублей", ["information"])
    return b.end(12, outcome, outcome)


def test_a_step_expected_optional_hold_is_not_charged_when_resolved_without_it() -> None:
    card = score_session(_answered_without_hold("resolved").events, _hold_spec())
    checks = {c.detail.get("behaviour"): c for c in card.labour_action("A/01.3 ТД1").checks}
    assert checks["hold_request"].rule == "expect.optional_path"
    assert checks["hold_request"].max_points == 0 and checks["hold_return"].max_points == 0
    assert not [p for p in card.lost_points if p.rule.startswith("expect.")]


def test_an_optional_hold_missed_in_an_unresolved_contact_is_charged() -> None:
    card = score_session(_answered_without_hold("unresolved").events, _hold_spec())
    lost = {p.rule for p in card.labour_action("A/01.3 ТД1").lost_points}
    assert "expect.missing" in lost


def test_a_transfer_taken_instead_of_an_optional_escalation_excuses_it() -> None:
    spec = demo_spec(
        function="A/03.3",
        expects_escalation=True,
        expects_transfer=True,
        optional_actions=("escalation", "transfer_department"),
        facts=(),
        crm_forms=(),
    )
    b = _greeted()
    b.add(6, ev.TRANSFER, {"department": "security"})
    card = score_session(b.end(9, "lost", "unresolved").events, spec)
    assert not [p for p in card.lost_points if p.rule == "action.escalation_missing"]
    neither = score_session(_greeted().end(9, "lost", "unresolved").events, spec)
    assert "action.escalation_missing" in {p.rule for p in neither.lost_points}


def test_a_real_operator_closing_after_the_closing_line_is_resolved_end_to_end() -> None:
    """The a04 model playthrough, but the operator answers the customer's «Спасибо» with a
    reply the detector does not read as a farewell and closes the contact: the engine logs
    "unresolved" (no ending was reached); the scorecard gives the closing step's outcome."""
    from pathlib import Path

    from scoring.detection import default_detector
    from simulator.playthrough import play
    from simulator.scenario.loader import load_playthrough_file, load_scenario_file
    from simulator.scenario.model import Action
    from simulator.scenario.scoring_spec import scoring_spec

    folder = Path(__file__).resolve().parents[3] / "scenarios" / "a04-utilities-overcharge-call"
    scenario = load_scenario_file(folder / "scenario.yaml").unwrap()
    model = load_playthrough_file(folder / "model.play.yaml").unwrap()
    cut = next(i for i, a in enumerate(model.actions) if a.say and "ещё чем-нибудь" in a.say)
    actions = [
        *model.actions[:cut],
        Action(after=3, say="Пожалуйста, Виктор Андреевич."),
        Action(after=2, end=True),
    ]
    result = play(scenario, model.model_copy(update={"actions": actions}), default_detector())
    assert (result.ending, result.outcome) == (None, "unresolved")
    card = score_session(result.events, scoring_spec(scenario))
    assert card.outcome == "resolved" and card.passed
    assert not [p for p in card.lost_points if p.rule.startswith("deduction.outcome")]


def _spec_with_a_need() -> ScoringSpec:
    steps = list(demo_spec().steps)
    steps[1] = StepSpec(
        "question", ("information", "active_listening"), need_signals=(("price", "information"),)
    )
    return demo_spec(steps=tuple(steps))


def test_a_need_met_in_substance_shows_the_behaviour_it_accepts() -> None:
    """The label is one signal among several: the record the customer needed was made, so the
    behaviour the need also accepts counts although the detector did not label the reply."""
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте, Анна. ФИО?", ["greeting", "introduction"])
    b.customer(8, "question").reply(10, "Так, записываю всё в карточку", [])
    b.crm(11, "contact_log", {"phone": "+79000000001", "topic": "Тарифы", "summary": "тариф"})
    b.add(
        11,
        ev.NEED_MET,
        {"step": "question", "need": "price", "kind": "done", "by": "crm:contact_log"},
    )
    b.customer(12, "closing").reply(14, "Чем ещё помочь? Всего доброго!", ["further_help"])
    card = score_session(b.end(20).events, _spec_with_a_need())
    check = _check(card, "A/01.3 ТД2", "information", "question")
    assert check.rule == "expect.need_met" and check.earned == check.max_points
    assert check.reply_index == 1 and check.detail["by"] == "crm:contact_log"
    _adds_up(card)


def test_a_need_met_only_by_the_label_itself_or_not_at_all_earns_nothing_extra() -> None:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте, Анна. ФИО?", ["greeting", "introduction"])
    b.customer(8, "question").reply(10, "Благодарю за ожидание, уточняю", [])
    b.customer(12, "closing").reply(14, "Чем ещё помочь? Всего доброго!", ["further_help"])
    card = score_session(b.end(20).events, _spec_with_a_need())
    check = _check(card, "A/01.3 ТД2", "information", "question")
    assert check.rule == "expect.missing" and check.earned == 0
