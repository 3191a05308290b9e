from __future__ import annotations

from scorecard_logs import CONTACT_LOG, PRICE, WRONG_PRICE, LogBuilder, demo_spec

from scoring.scorecard import CrmFieldSpec, CrmFormSpec, score_session


def session(
    *,
    greet: bool = True,
    ask_id: bool = True,
    crm: bool = True,
    fact: dict | None = PRICE,
    closing: bool = True,
) -> LogBuilder:
    b = LogBuilder()
    b.customer(1, "opening")
    labels = (["greeting", "introduction"] if greet else []) + (
        ["identity_check"] if ask_id else []
    )
    b.reply(5, "Здравствуйте, меня зовут Анна, назовите ФИО", labels)
    b.customer(8, "question")
    b.reply(12, "Тариф стоит ...", ["information", "active_listening"], [fact] if fact else [])
    b.customer(15, "closing")
    if crm:
        b.crm(18, "contact_log", CONTACT_LOG)
    if closing:
        b.reply(20, "Чем ещё помочь? Всего доброго!", ["further_help", "farewell"])
    b.mood(20, 75)
    return b.end(25)


def statuses(b: LogBuilder) -> dict[str, tuple[str, float | None]]:
    card = score_session(b.events, demo_spec())
    return {la.code: (la.status, la.score) for la in card.labour_actions}


def test_missing_crm_record_is_missed_on_the_crm_labour_action() -> None:
    got = statuses(session(crm=False))
    assert got["A/01.3 ТД3"] == ("missed", 0.0)
    assert got["A/01.3 ТД1"][0] == "demonstrated"


def test_a_few_missing_expectations_make_an_action_partly_demonstrated() -> None:
    got = statuses(session(closing=False))
    status, score = got["A/01.3 ТД1"]
    assert status == "partly" and score is not None and 40 <= score < 80


def test_a_misstated_fact_loses_on_the_information_action() -> None:
    card = score_session(session(fact=WRONG_PRICE).events, demo_spec())
    info = card.labour_action("A/01.3 ТД2")
    assert info.score is not None and info.score < 80
    lost = [p for p in info.lost_points if p.rule == "fact.misstated"]
    assert len(lost) == 1 and lost[0].reply_index == 1 and lost[0].step == "question"
    assert "890 рублей" in lost[0].explanation_ru and "990 рублей" in lost[0].explanation_ru


def test_an_unstated_fact_the_dialogue_waits_for_is_lost() -> None:
    card = score_session(session(fact=None).events, demo_spec())
    rules = [p.rule for p in card.labour_action("A/01.3 ТД2").lost_points]
    assert "fact.not_stated" in rules


def test_a_behaviour_shown_in_another_step_earns_part_of_its_points() -> None:
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Добрый день", ["greeting", "introduction"])
    b.customer(8, "question").reply(10, "Назовите ФИО, пожалуйста", ["identity_check"])
    b.end(12)
    card = score_session(b.events, demo_spec())
    check = next(
        c
        for c in card.labour_action("A/01.3 ТД2").checks
        if c.detail.get("behaviour") == "identity_check"
    )
    assert check.rule == "expect.other_step"
    assert check.earned == check.max_points * 0.5 and check.reply_index == 1


def test_an_escalation_the_dialogue_waits_for_is_scored_on_the_supervisor_action() -> None:
    spec = demo_spec(function="A/03.3", expects_escalation=True, facts=(), crm_forms=())
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте, меня зовут Анна", ["greeting"])
    missed = score_session([*b.events, *LogBuilder().end(9).events[-1:]], spec)
    supervisor = missed.labour_action("A/03.3 ТД6")
    assert supervisor.status == "missed"
    assert [p.rule for p in supervisor.lost_points] == ["action.escalation_missing"]
    b.add(7, "escalate", {"reason": "массовый сбой"}).end(9)
    done = score_session(b.events, spec).labour_action("A/03.3 ТД6")
    assert (done.status, done.score) == ("demonstrated", 100.0)
    assert done.checks[0].rule == "action.escalation"


def test_a_complaint_form_submitted_shows_the_registration_the_scenario_expects() -> None:
    form = CrmFormSpec(
        "complaint", "complaint", "Претензия", fields=(CrmFieldSpec("text", "Суть"),)
    )
    spec = demo_spec(function="A/04.3", expects_complaint=True, facts=(), crm_forms=(form,))
    b = LogBuilder()
    b.customer(1, "opening").reply(5, "Здравствуйте", ["greeting"])
    b.crm(8, "complaint", {"text": "Товар пришёл разбитым"}).end(9)
    registration = score_session(b.events, spec).labour_action("A/04.3 ТД2")
    rules = [c.rule for c in registration.checks]
    assert "action.complaint" in rules and registration.status == "demonstrated"
