"""Scoring one labour action: its evidence (from the standard's evidence map) against what the
scenario expected, as a list of checks and penalties.

Each check has a weight (points from ``scoring.yaml``) and what was earned; the action's score is
earned / possible × 100 minus its violation penalties. Nothing expected of the action in this
scenario → "not applicable", so a complaint scenario is not marked down for never taking an order.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.catalogue import catalogue
from scoring.scorecard.crm import CrmReview, FormCheck
from scoring.scorecard.kpis import KpiResult
from scoring.scorecard.log import NeedMet, Reply, SessionLog
from scoring.scorecard.model import Check
from scoring.scorecard.settings import ScoringSettings
from scoring.scorecard.spec import ScoredFact, ScoringSpec, StepSpec
from scoring.standard import Evidence, Standard

VIOLATION_TITLES_RU: dict[str, str] = {b.id: b.ru for b in catalogue().engine_violations}


def behaviour_ru(behaviour: str) -> str:
    if behaviour in catalogue():
        return catalogue().get(behaviour).ru
    return VIOLATION_TITLES_RU.get(behaviour, behaviour)


def _quote(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Penalty:
    rule: str
    points: float
    cap_key: str
    explanation_ru: str
    step: str | None
    reply_index: int | None
    text: str
    cap: float | None = None  # None: the cap of the violation rule named by cap_key


@dataclass(frozen=True, slots=True)
class Context:
    log: SessionLog
    spec: ScoringSpec
    settings: ScoringSettings
    standard: Standard
    crm: CrmReview
    kpis: tuple[KpiResult, ...]
    resolved: bool


def _shown(reply: Reply, behaviour: str) -> dict[str, object]:
    span = reply.span_of(behaviour)
    if span is None:
        return {"behaviour": behaviour}
    return {
        "behaviour": behaviour,
        "span": [span.start, span.end],
        "fragment": reply.text[span.start : span.end],
        "source": span.source,
    }


def shows(ctx: Context, reply: Reply, behaviour: str) -> dict[str, object] | None:
    """Evidence that a reply shows a behaviour: the detector's span, or a fact stated right
    whose kind shows it (``facts_show``); None if it does not."""
    if behaviour in reply.labels:
        return _shown(reply, behaviour)
    kinds = {f.id: f.kind for f in ctx.spec.facts}
    for m in reply.facts:
        shown = ctx.settings.facts_show.get(kinds.get(m.fact, ""), [])
        if m.status == "stated" and behaviour in (*shown, *ctx.settings.facts_show.get("*", [])):
            return {
                "behaviour": behaviour,
                "span": [m.start, m.end],
                "fragment": reply.text[m.start : m.end],
                "source": f"fact:{m.fact}",
            }
    return None


def _action_showing(ctx: Context, behaviour: str, step: str | None) -> str | None:
    for action in ctx.log.actions:
        if ctx.settings.actions_show.get(action.type) == behaviour and (
            step is None or action.step == step
        ):
            return action.type
    return None


def _action_before(ctx: Context, behaviour: str, step: str) -> str | None:
    """An operator action showing ``behaviour`` taken before the session entered ``step``."""
    for action in ctx.log.actions:
        if ctx.settings.actions_show.get(action.type) == behaviour and ctx.log.before_step(
            step, action.pos
        ):
            return action.type
    return None


# Behaviours that are an operator action, by the ``optional_actions`` key of that action.
_ACTION_OF_BEHAVIOUR = {
    "escalation": ("escalation", "эскалация"),
    "transfer_department": ("transfer_department", "передача в подразделение"),
    "hold_request": ("hold", "удержание"),
    "hold_return": ("hold", "удержание"),
}


def _action_taken(ctx: Context, key: str) -> bool:
    """The operator did it: a hold; an escalation or transfer pressed, or said (the key is
    also the behaviour's id), as the scenario's conditions accept it."""
    if key == "hold":
        return bool(ctx.log.holds)
    event = {"escalation": "escalate", "transfer_department": "transfer"}[key]
    return any(a.type == event for a in ctx.log.actions) or any(
        key in r.labels for r in ctx.log.replies
    )


def _optional_not_taken(ctx: Context, behaviour: str) -> str | None:
    """The action's name when a step expects a behaviour that is an optional action (only some
    paths to a resolved ending call for it) and the operator did not take that path."""
    key, name = _ACTION_OF_BEHAVIOUR.get(behaviour, ("", ""))
    if not key or not _excused(ctx, key):
        return None
    return name


def _excused(ctx: Context, key: str) -> bool:
    """An optional action not taken is excused when the session visibly took another path:
    the contact was resolved without it, or the operator took another optional action instead
    (a transfer to security where an escalation was one of the ways). An unresolved contact
    with none of them taken is charged: the path it needed was not taken."""
    if key not in ctx.spec.optional_actions or _action_taken(ctx, key):
        return False
    others = [k for k in ctx.spec.optional_actions if k != key and k != "hold"]
    return ctx.resolved or (key != "hold" and any(_action_taken(ctx, k) for k in others))


def _not_reached(step: str, behaviour: str, name: str) -> Check:
    """An expectation of a step the session never reached weighs nothing.

    The operator had no chance to show it there; whatever stopped the contact short (a missed
    behaviour in the step it stopped at, a fact never stated, a missing record, the outcome and
    the customer's mood) is charged where it happened. Charging every expectation of every
    unreached step as a miss would let one missed label cost many times its own points.
    """
    return Check(
        "expect.step_not_reached",
        0.0,
        0.0,
        f"Контакт не дошёл до шага {step}, где ожидалось «{name}»: не оценивается — "
        "потеря учтена там, где контакт остановился",
        step,
        None,
        "",
        {"behaviour": behaviour},
    )


def _contact_handling(ctx: Context) -> str | None:
    actions = ctx.standard.labour_actions(ctx.spec.function)
    return actions[0].code if actions else None


# Expected behaviours that are operator actions: an escalation or a transfer the scenario asks
# for is substance (the chest-pain patient's duty doctor, the fraud victim's security desk), and
# the desk's buttons show it whatever the detector reads.
ORPHAN_ACTIONS = frozenset({"escalation", "transfer_department"})


def orphan_behaviours(ctx: Context) -> set[str]:
    """Operator actions a step expects that no labour action of the function lists as evidence
    (an escalation in an A/01.3 scenario). They count for contact handling (ТД1) rather than
    vanishing: the trainer asked for them, so missing them must cost something. Other unlisted
    behaviours (empathy in A/01.3) stay unscored, as the evidence map says: scoring them would
    charge an excellent operator for every label the detector misses."""
    listed = {
        b
        for la in ctx.standard.labour_actions(ctx.spec.function)
        for b in ctx.standard.evidence_for(la.code).behaviours
    }
    return {
        b for step in ctx.spec.steps for b in step.expect if b not in listed and b in ORPHAN_ACTIONS
    }


def _need_met_showing(ctx: Context, step: StepSpec, behaviour: str) -> NeedMet | None:
    """A need of the step that accepts ``behaviour`` as one way to meet it and was met in
    substance by another of its signals: a fact stated right, a record, a transfer."""
    needs = {need for need, said in step.need_signals if said == behaviour}
    return next(
        (
            m
            for m in ctx.log.needs_met
            if m.step == step.id and m.need in needs and m.by != f"said:{behaviour}"
        ),
        None,
    )


def expectation_checks(ctx: Context, evidence: Evidence) -> list[Check]:
    """One check per behaviour a step expects (the action's evidence lists it).

    Shown in the step: full points. Shown before the session reached the step (the operator
    was ahead of the customer: a fact given before it was asked for): full points once the step
    is reached (``expect.shown_earlier``). Shown only after the step: ``other_step_factor``.
    A step never reached: weighs nothing (``_not_reached``).
    """
    checks: list[Check] = []
    factor = ctx.settings.other_step_factor
    orphans = orphan_behaviours(ctx) if evidence.code == _contact_handling(ctx) else set()
    for step in ctx.spec.steps:
        for behaviour in step.expect:
            if behaviour not in evidence.behaviours and behaviour not in orphans:
                continue
            points = ctx.settings.behaviour_value(behaviour)
            name = behaviour_ru(behaviour)
            if step.id not in ctx.log.steps_visited:
                if not ctx.resolved:  # a resolved contact took another path: nothing to say
                    checks.append(_not_reached(step.id, behaviour, name))
                continue
            optional = _optional_not_taken(ctx, behaviour)
            if optional is not None:
                checks.append(
                    Check(
                        "expect.optional_path",
                        0.0,
                        0.0,
                        f"«{name}» на шаге {step.id} не оценивается: {optional} — лишь один из "
                        "путей сценария, а оператор решал вопрос другим путём",
                        step.id,
                        None,
                        "",
                        {"behaviour": behaviour},
                    )
                )
                continue
            in_step = [r for r in ctx.log.replies_in(step.id) if shows(ctx, r, behaviour)]
            action = _action_showing(ctx, behaviour, step.id)
            if in_step:
                r = in_step[0]
                checks.append(
                    Check(
                        "expect.shown",
                        points,
                        points,
                        f"«{name}» показано на шаге {step.id} (реплика {r.index})",
                        step.id,
                        r.index,
                        r.text,
                        _shown(r, behaviour),
                    )
                )
                continue
            if action is not None:
                checks.append(
                    Check(
                        "expect.shown",
                        points,
                        points,
                        f"«{name}»: действие «{action}» на шаге {step.id}",
                        step.id,
                        None,
                        "",
                        {"behaviour": behaviour, "action": action},
                    )
                )
                continue
            earlier = [
                r
                for r in ctx.log.replies
                if ctx.log.before_step(step.id, r.pos) and shows(ctx, r, behaviour)
            ]
            early_action = _action_before(ctx, behaviour, step.id)
            if earlier or early_action is not None:
                r0 = earlier[0] if earlier else None
                where = f"реплика {r0.index}, шаг {r0.step}" if r0 else f"действие «{early_action}»"
                checks.append(
                    Check(
                        "expect.shown_earlier",
                        points,
                        points,
                        f"«{name}» показано ещё до шага {step.id} ({where}): засчитано полностью",
                        step.id,
                        r0.index if r0 else None,
                        r0.text if r0 else "",
                        (shows(ctx, r0, behaviour) or {}) if r0 else {"behaviour": behaviour},
                    )
                )
                continue
            met = _need_met_showing(ctx, step, behaviour)
            if met is not None:
                reply = next((r for r in ctx.log.replies if r.index == met.reply_index), None)
                checks.append(
                    Check(
                        "expect.need_met",
                        points,
                        points,
                        f"«{name}»: потребность клиента «{met.need}» на шаге {step.id} "
                        f"удовлетворена по существу ({met.by}) — засчитано",
                        step.id,
                        met.reply_index,
                        reply.text if reply else "",
                        {"behaviour": behaviour, "need": met.need, "by": met.by},
                    )
                )
                continue
            elsewhere = [r for r in ctx.log.replies if shows(ctx, r, behaviour)]
            other_action = _action_showing(ctx, behaviour, None)
            if elsewhere or other_action is not None:
                r0 = elsewhere[0] if elsewhere else None
                where = f"реплика {r0.index}, шаг {r0.step}" if r0 else f"действие «{other_action}»"
                checks.append(
                    Check(
                        "expect.other_step",
                        points,
                        points * factor,
                        f"«{name}» ожидалось на шаге {step.id}, но показано позже ({where}): "
                        f"засчитано {factor:.0%}",
                        step.id,
                        r0.index if r0 else None,
                        r0.text if r0 else "",
                        (shows(ctx, r0, behaviour) or {}) if r0 else {"behaviour": behaviour},
                    )
                )
                continue
            last = ctx.log.replies_in(step.id)
            checks.append(
                Check(
                    "expect.missing",
                    points,
                    0.0,
                    f"На шаге {step.id} ожидалось «{name}», но ни в одной реплике этого не было",
                    step.id,
                    last[-1].index if last else None,
                    last[-1].text if last else "",
                    {"behaviour": behaviour},
                )
            )
    return checks


_FLAG_BEHAVIOUR = (
    ("expects_escalation", "escalation", "escalation", "эскалация руководителю"),
    ("expects_transfer", "transfer_department", "transfer_department", "передача в подразделение"),
    ("expects_hold", "hold_request", "hold", "удержание"),
    ("expects_order", "order_confirmation", "order", "оформление заказа"),
    ("expects_complaint", "ticket_registration", "complaint", "регистрация претензии"),
)


def action_checks(ctx: Context, evidence: Evidence, expected_already: set[str]) -> list[Check]:
    """Expectations of the whole scenario (an escalation the dialogue waits for), scored once
    where a step's ``expect`` does not already cover them."""
    checks: list[Check] = []
    for flag, behaviour, key, name_ru in _FLAG_BEHAVIOUR:
        if not getattr(ctx.spec, flag) or behaviour not in evidence.behaviours:
            continue
        if behaviour in expected_already:
            continue
        points = ctx.settings.action_points.get(key, 10.0)
        if key == "hold":
            done = bool(ctx.log.holds)
            reply = None
        else:
            replies = [r for r in ctx.log.replies if behaviour in r.labels]
            reply = replies[0] if replies else None
            kinds = {f.id: f.kind for f in ctx.spec.crm_forms}
            recorded = any(kinds.get(rec.form) == key for rec in ctx.log.crm)
            done = (
                reply is not None or recorded or _action_showing(ctx, behaviour, None) is not None
            )
        if not done and _excused(ctx, key):
            # One path of the dialogue calls for it and the contact could be resolved on
            # another: an operator who took the other path is not charged for it.
            continue
        if done:
            checks.append(
                Check(
                    f"action.{key}",
                    points,
                    points,
                    f"Сценарий ожидает: {name_ru} — выполнено",
                    reply.step if reply else None,
                    reply.index if reply else None,
                    reply.text if reply else "",
                )
            )
        else:
            last = ctx.log.replies[-1] if ctx.log.replies else None
            checks.append(
                Check(
                    f"action.{key}_missing",
                    points,
                    0.0,
                    f"Сценарий ожидает: {name_ru} — не выполнено за весь контакт",
                    last.step if last else None,
                    last.index if last else None,
                    last.text if last else "",
                )
            )
    return checks


def facts_for(ctx: Context, code: str) -> list[ScoredFact]:
    """Facts routed to the action by kind (``fact_routing``), else to the function's actions
    whose evidence has ``facts: true``."""
    function = ctx.spec.function
    with_facts = [
        la.code
        for la in ctx.standard.labour_actions(function)
        if ctx.standard.evidence_for(la.code).facts
    ]
    routing = ctx.settings.fact_routing.get(function, {})
    return [f for f in ctx.spec.facts if code in routing.get(f.kind, with_facts)]


def fact_checks(ctx: Context, code: str) -> list[Check]:
    checks: list[Check] = []
    stated_pts = ctx.settings.fact_points.stated
    wrong_pts = ctx.settings.fact_points.misstated
    for fact in facts_for(ctx, code):
        mentions = [(r, m) for r in ctx.log.replies for m in r.facts if m.fact == fact.id]
        right = [(r, m) for r, m in mentions if m.status == "stated"]
        wrong = [(r, m) for r, m in mentions if m.status == "misstated"]
        for r, m in wrong:
            checks.append(
                Check(
                    "fact.misstated",
                    wrong_pts,
                    0.0,
                    f"Неверный факт «{fact.id}»: сказано «{m.said}», по базе знаний «{m.expected}»",
                    r.step,
                    r.index,
                    r.text,
                    {
                        "fact": fact.id,
                        "span": [m.start, m.end],
                        "said": m.said,
                        "expected": m.expected,
                    },
                )
            )
        if not fact.expected:
            continue
        if right:
            r, m = right[0]
            checks.append(
                Check(
                    "fact.stated",
                    stated_pts,
                    stated_pts,
                    f"Факт «{fact.id}» назван верно: «{m.said}»",
                    r.step,
                    r.index,
                    r.text,
                    {"fact": fact.id, "span": [m.start, m.end], "said": m.said},
                )
            )
        elif not wrong:
            visited = [st for st in fact.steps if st in ctx.log.steps_visited]
            if fact.steps and not visited:
                # Like a step's expectation: the customer never got to asking for it.
                checks.append(
                    Check(
                        "fact.step_not_reached",
                        0.0,
                        0.0,
                        f"Факт «{fact.id}» ждали на шаге {fact.steps[0]}, но контакт до него "
                        "не дошёл: не оценивается",
                        fact.steps[0],
                        None,
                        "",
                        {"fact": fact.id, "expected": fact.value},
                    )
                )
                continue
            candidates = visited or list(fact.steps)
            step = candidates[0] if candidates else None
            last = ctx.log.replies_in(step)[-1:] if step else []
            checks.append(
                Check(
                    "fact.not_stated",
                    stated_pts,
                    0.0,
                    f"Клиенту не назван факт «{fact.id}» ({fact.value}) из базы знаний"
                    + (f"; его ждали на шаге {step}" if step else ""),
                    step,
                    last[0].index if last else None,
                    last[0].text if last else "",
                    {"fact": fact.id, "expected": fact.value},
                )
            )
    return checks


def forms_for(ctx: Context, evidence: Evidence) -> list[FormCheck]:
    """Forms of the kinds the action lists, plus kinds no action of the function lists (a contact
    log in a technical-support scenario still belongs to the action that records things)."""
    if not evidence.crm:
        return []
    return ctx.crm.for_kinds((*evidence.crm, *orphan_kinds(ctx)))


def orphan_kinds(ctx: Context) -> tuple[str, ...]:
    """Form kinds the scenario uses that no labour action of its function lists."""
    listed = {
        kind
        for la in ctx.standard.labour_actions(ctx.spec.function)
        for kind in ctx.standard.evidence_for(la.code).crm
    }
    return tuple(sorted({f.form.kind for f in ctx.crm.forms} - listed))


def crm_checks(ctx: Context, forms: list[FormCheck]) -> list[Check]:
    pts = ctx.settings.crm_points
    checks: list[Check] = []
    for fc in forms:
        form = fc.form
        if fc.record is None:
            total = pts.form + sum(
                (pts.field if f.required else 0.0)
                + (pts.accuracy if f.expected is not None or f.expected_pattern else 0.0)
                for f in form.fields
            )
            checks.append(
                Check(
                    "crm.missing_form",
                    total,
                    0.0,
                    f"Обязательная запись «{form.title}» ({form.kind}) не внесена в CRM "
                    "до конца контакта",
                    ctx.log.final_step,
                    None,
                    "",
                    {"form": form.id, "kind": form.kind},
                )
            )
            continue
        rec = fc.record
        checks.append(
            Check(
                "crm.form_submitted",
                pts.form,
                pts.form,
                f"Запись «{form.title}» внесена в CRM",
                rec.step,
                None,
                "",
                {"form": form.id, "kind": form.kind, "fields": dict(sorted(rec.fields.items()))},
            )
        )
        for f in fc.fields:
            if f.required:
                checks.append(
                    Check(
                        "crm.field_filled" if f.filled else "crm.missing_field",
                        pts.field,
                        pts.field if f.filled else 0.0,
                        f"Поле «{f.label}» заполнено"
                        if f.filled
                        else f"Обязательное поле «{f.label}» записи «{form.title}» не заполнено",
                        rec.step,
                        None,
                        f.value,
                        {"form": form.id, "field": f.field},
                    )
                )
            if f.correct is not None and f.filled:
                wrong = (
                    "crm.critical_wrong_value"
                    if f.critical_wrong and pts.critical_fails
                    else "crm.wrong_value"
                )
                checks.append(
                    Check(
                        "crm.value_correct" if f.correct else wrong,
                        pts.accuracy,
                        pts.accuracy if f.correct else 0.0,
                        f"Поле «{f.label}»: «{f.value}» верно"
                        if f.correct
                        else f"Поле «{f.label}» записи «{form.title}»: внесено «{f.value}», "
                        f"ожидалось «{f.expected}»"
                        + (
                            " — существенная ошибка в ключевом поле, контакт не засчитан"
                            if wrong == "crm.critical_wrong_value"
                            else ""
                        ),
                        rec.step,
                        None,
                        f.value,
                        {"form": form.id, "field": f.field, "expected": f.expected},
                    )
                )
            elif f.correct is False and not f.required:
                checks.append(
                    Check(
                        "crm.wrong_value",
                        pts.accuracy,
                        0.0,
                        f"Поле «{f.label}» пусто, ожидалось «{f.expected}»",
                        rec.step,
                        None,
                        "",
                        {"form": form.id, "field": f.field},
                    )
                )
    return checks


def fmt_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:g} с"
    if unit == "%":
        return f"{value:g} %"
    if unit == "bool":
        return "да" if value >= 1 else "нет"
    return f"{value:g}"


def kpi_checks(ctx: Context, evidence: Evidence) -> list[Check]:
    checks: list[Check] = []
    for kpi in ctx.kpis:
        if kpi.name not in evidence.kpis:
            continue
        points = ctx.settings.kpi_points.get(kpi.name, 0.0)
        if points <= 0:
            continue
        sign = "≤" if kpi.direction == "max" else "≥"
        verdict = "в норме" if kpi.met else "цель не достигнута"
        reply = ctx.log.reply(kpi.reply_index) if kpi.reply_index is not None else None
        checks.append(
            Check(
                f"kpi.{kpi.name}",
                points,
                points if kpi.met else 0.0,
                f"{kpi.title_ru}: {fmt_value(kpi.value, kpi.unit)} при цели {sign} "
                f"{fmt_value(kpi.target, kpi.unit)} — {verdict}"
                + (f" ({kpi.detail})" if kpi.detail else ""),
                kpi.step,
                kpi.reply_index,
                reply.text if reply else "",
                {"kpi": kpi.name, "value": round(kpi.value, 2), "target": kpi.target},
            )
        )
    return checks


def violation_penalties(ctx: Context, evidence: Evidence) -> list[Penalty]:
    penalties: list[Penalty] = []
    for v in ctx.log.violations:
        if v.code not in evidence.violations:
            continue
        rule = ctx.settings.violation(v.code)
        if rule.points <= 0:
            continue
        reply = ctx.log.reply(v.reply_index) if v.reply_index is not None else None
        text = reply.text if reply else v.text
        critical = " (критическое нарушение)" if v.code in ctx.settings.critical else ""
        penalties.append(
            Penalty(
                f"violation.{v.code}",
                rule.points,
                v.code,
                f"{behaviour_ru(v.code)}{critical} в реплике {v.reply_index}: «{_quote(text)}»",
                v.step,
                v.reply_index,
                text,
            )
        )
    return penalties
