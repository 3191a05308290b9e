"""``score_session``: the event log of one session in, its scorecard out.

Pure and deterministic: no clock, no randomness, lists built in the order of the standard, the
scenario and the log. Overall = weighted mean of the applicable labour actions' scores minus the
overall deductions; a critical violation fails the contact whatever the score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from scoring.events import Event
from scoring.scorecard.call_timing import KPI_CHECK_PRICED_BY, call_timing_penalties
from scoring.scorecard.crm import review_crm
from scoring.scorecard.kpis import measure_kpis
from scoring.scorecard.labour import (
    Context,
    Penalty,
    action_checks,
    behaviour_ru,
    crm_checks,
    expectation_checks,
    fact_checks,
    forms_for,
    kpi_checks,
    violation_penalties,
)
from scoring.scorecard.log import FactMention, Reply, SessionLog, read_log
from scoring.scorecard.model import (
    Check,
    LabourActionResult,
    LostPoint,
    Scorecard,
    Status,
    Violation,
)
from scoring.scorecard.settings import ScoringSettings, settings_with_overrides
from scoring.scorecard.spec import ScoringSpec
from scoring.standard import KpiCatalogue, Standard, load_kpis, load_standard


def _status(score: float, settings: ScoringSettings) -> Status:
    if score >= settings.status.demonstrated:
        return "demonstrated"
    if score >= settings.status.partly:
        return "partly"
    return "missed"


def _score_action(
    ctx: Context, code: str, title: str
) -> tuple[float | None, tuple[Check, ...], list[tuple[Check | Penalty, float]]]:
    """The action's score, its checks, and each loss with its points on the 0..100 scale."""
    evidence = ctx.standard.evidence_for(code)
    core = expectation_checks(ctx, evidence)
    expected = {str(c.detail.get("behaviour")) for c in core}
    core += action_checks(ctx, evidence, expected)
    core += fact_checks(ctx, code)
    core += crm_checks(ctx, forms_for(ctx, evidence))
    penalties = violation_penalties(ctx, evidence) + call_timing_penalties(ctx, evidence)
    # Checks that weigh nothing (a step never reached) are shown but do not make an action
    # applicable: an action is scored only when the session's path called for something of it.
    if not any(c.max_points > 0 for c in core) and not evidence.violations and not penalties:
        return None, (), []
    checks = tuple(_not_twice(kpi_checks(ctx, evidence), penalties, core))
    possible = sum(c.max_points for c in checks)
    earned = sum(c.earned for c in checks)
    score = 100.0 * earned / possible if possible else 100.0
    losses: list[tuple[Check | Penalty, float]] = [
        (c, 100.0 * c.lost / possible) for c in checks if c.lost > 0
    ]
    used: dict[str, float] = {}
    for p in penalties:
        cap = p.cap if p.cap is not None else ctx.settings.violation(p.cap_key).cap
        points = min(p.points, cap - used.get(p.cap_key, 0.0), score)
        if points <= 0:
            continue
        used[p.cap_key] = used.get(p.cap_key, 0.0) + points
        score -= points
        losses.append((p, points))
    return max(score, 0.0), checks, losses


def _not_twice(kpis: list[Check], penalties: list[Penalty], core: list[Check]) -> list[Check]:
    """The core checks, then the KPI checks, with a KPI whose miss its incidents already priced
    left on the card unpriced (``KPI_CHECK_PRICED_BY``)."""
    charged = {p.rule for p in penalties if p.points > 0}
    out = list(core)
    for check in kpis:
        incident = KPI_CHECK_PRICED_BY.get(check.rule)
        if incident in charged and check.lost > 0:
            check = replace(
                check,
                max_points=0.0,
                earned=0.0,
                explanation_ru=check.explanation_ru
                + " — снижение начислено за каждый случай отдельно (см. потерянные баллы)",
            )
        out.append(check)
    return out


def _violations(ctx: Context) -> tuple[Violation, ...]:
    out = []
    for v in ctx.log.violations:
        reply = ctx.log.reply(v.reply_index) if v.reply_index is not None else None
        out.append(
            Violation(
                code=v.code,
                title_ru=behaviour_ru(v.code),
                critical=v.code in ctx.settings.critical,
                reply_index=v.reply_index,
                step=v.step or None,
                text=reply.text if reply else v.text,
            )
        )
    return tuple(out)


def _deductions(ctx: Context) -> list[LostPoint]:
    out: list[LostPoint] = []
    used: dict[str, float] = {}
    for v in ctx.log.violations:
        rule = ctx.settings.violation(v.code)
        points = min(rule.overall, rule.overall_cap - used.get(v.code, 0.0))
        if points <= 0:
            continue
        used[v.code] = used.get(v.code, 0.0) + points
        reply = ctx.log.reply(v.reply_index) if v.reply_index is not None else None
        out.append(
            LostPoint(
                rule=f"deduction.{v.code}",
                labour_action=None,
                points=points,
                overall_points=points,
                explanation_ru=f"Вычет из итога: {behaviour_ru(v.code)} в реплике {v.reply_index}",
                step=v.step or None,
                reply_index=v.reply_index,
                text=reply.text if reply else v.text,
            )
        )
    return out


def _outcome_deduction(ctx: Context) -> list[LostPoint]:
    """The contact's outcome priced once on the overall (``outcome_deductions``)."""
    log = ctx.log
    points = ctx.settings.outcome_deductions.get(log.outcome or "", 0.0)
    if points <= 0 or log.outcome in ctx.settings.resolved_outcomes:
        return []
    before = log.reply_before(log.ending_line_pos) if log.ending_line_pos is not None else None
    reply = before or (log.replies[-1] if log.replies else None)
    ending = f" ({log.ending})" if log.ending else ""
    return [
        LostPoint(
            rule=f"deduction.outcome.{log.outcome}",
            labour_action=None,
            points=points,
            overall_points=points,
            explanation_ru=f"Вычет из итога: контакт завершился с исходом «{log.outcome}»{ending}"
            " — клиент ушёл, не получив того, за чем обращался",
            step=log.final_step,
            reply_index=reply.index if reply else None,
            text=reply.text if reply else "",
        )
    ]


UNRESOLVED_BY_OPERATOR = ("unresolved", "operator_ended")


def closing_outcome(log: SessionLog, spec: ScoringSpec) -> None:
    """The outcome the dialogue reached, when the operator closed the contact after the
    customer's closing line.

    The engine calls a contact the operator ends before any ending "unresolved". When the last
    step reached is a closing step (every way out of it ends with one outcome: the customer has
    said «Спасибо, всё понятно» and only a goodbye is left), the operator saying goodbye and
    closing is the ending the step leads to, not an abandoned contact.
    """
    if log.ending is not None or (log.outcome, log.end_reason) != UNRESOLVED_BY_OPERATOR:
        return
    step = spec.step(log.final_step or "")
    if step is not None and step.closes_as is not None:
        log.outcome, log.outcome_from_step = step.closes_as, step.id


def score_session(
    events: Sequence[Event],
    spec: ScoringSpec,
    standard: Standard | None = None,
    settings: ScoringSettings | None = None,
    kpi_catalogue: KpiCatalogue | None = None,
) -> Scorecard:
    """Score one session. ``settings`` defaults to the organisation's, with the scenario's
    ``scoring:`` overrides applied (pass settings explicitly to score with others)."""
    standard = standard or load_standard()
    settings = settings or settings_with_overrides(spec.overrides, f"scenario {spec.scenario_id}")
    catalogue = kpi_catalogue or load_kpis()
    log = read_log(events)
    closing_outcome(log, spec)
    crm = review_crm(log, spec)
    resolved = log.outcome in settings.resolved_outcomes if log.outcome else False
    ctx = Context(log, spec, settings, standard, crm, (), resolved)
    kpis = tuple(measure_kpis(log, spec, settings, catalogue, crm))
    ctx = Context(log, spec, settings, standard, crm, kpis, resolved)

    scored: list[tuple[LabourActionResult, list[tuple[Check | Penalty, float]]]] = []
    for la in standard.labour_actions(spec.function):
        evidence = standard.evidence_for(la.code)
        score, checks, losses = _score_action(ctx, la.code, la.text)
        status: Status = "not_applicable" if score is None else _status(score, settings)
        result = LabourActionResult(
            code=la.code,
            title=la.text,
            weight=settings.weight(la.code),
            score=None if score is None else round(score, 4),
            status=status,
            checks=checks,
            lost_points=(),
            evidence_description=evidence.description,
            skills=evidence.skills,
        )
        scored.append((result, losses))

    applicable = [(r, losses) for r, losses in scored if r.score is not None]
    total_weight = sum(r.weight for r, _ in applicable)
    final: list[LabourActionResult] = []
    all_lost: list[LostPoint] = []
    for r, losses in scored:
        share = r.weight / total_weight if r.score is not None and total_weight else 0.0
        lost = tuple(
            LostPoint(
                rule=item.rule,
                labour_action=r.code,
                points=points,
                overall_points=points * share,
                explanation_ru=item.explanation_ru,
                step=item.step,
                reply_index=item.reply_index,
                text=item.text,
            )
            for item, points in losses
        )
        all_lost.extend(lost)
        final.append(
            LabourActionResult(
                r.code,
                r.title,
                r.weight,
                r.score,
                r.status,
                r.checks,
                lost,
                r.evidence_description,
                r.skills,
            )
        )

    mean = (
        sum(r.weight * (r.score or 0.0) for r, _ in applicable) / total_weight
        if total_weight
        else 0.0
    )
    deductions = _deductions(ctx) + _outcome_deduction(ctx)
    overall = mean
    clamped: list[LostPoint] = []
    for d in deductions:
        points = min(d.points, overall)
        overall -= points
        if points > 0:
            clamped.append(
                LostPoint(
                    d.rule, None, points, points, d.explanation_ru, d.step, d.reply_index, d.text
                )
            )
    all_lost.extend(clamped)
    overall = round(max(overall, 0.0), 4)

    decided_by, decided_ru = _decide(ctx, overall, final)
    return Scorecard(
        scenario=spec.scenario_id,
        scenario_version=spec.scenario_version,
        function=spec.function,
        channel=spec.channel,
        overall=overall,
        passed=decided_by == "overall.meets_threshold",
        decided_by=decided_by,
        decided_by_ru=decided_ru,
        ending=log.ending,
        outcome=log.outcome,
        labour_actions=tuple(final),
        kpis=kpis,
        violations=_violations(ctx),
        lost_points=tuple(all_lost),
        detector_version=log.detector_version,
        pass_threshold=settings.pass_threshold,
    )


def _uncorrected_misstatement(ctx: Context) -> tuple[Reply, FactMention] | None:
    """The first fact stated wrong that no later reply states right."""
    for i, reply in enumerate(ctx.log.replies):
        for m in reply.facts:
            if m.status != "misstated":
                continue
            later = ctx.log.replies[i + 1 :]
            if not any(f.fact == m.fact and f.status == "stated" for r in later for f in r.facts):
                return reply, m
    return None


def _decide(ctx: Context, overall: float, actions: list[LabourActionResult]) -> tuple[str, str]:
    settings = ctx.settings
    for v in ctx.log.violations:
        if v.code in settings.critical:
            return (
                f"critical.{v.code}",
                f"Критическое нарушение «{behaviour_ru(v.code)}» в реплике {v.reply_index}: "
                "контакт не засчитан независимо от баллов",
            )
    if settings.crm_points.critical_fails:
        for fc, f in ctx.crm.critical_wrong():
            action = next(
                (
                    la.code
                    for la in actions
                    for lp in la.lost_points
                    if lp.rule == "crm.critical_wrong_value" and lp.text == f.value
                ),
                None,
            )
            step = f", шаг «{fc.record.step}»" if fc.record is not None and fc.record.step else ""
            return (
                "crm.critical_field_wrong",
                f"Существенная ошибка в записи CRM «{fc.form.title}»{step}: в ключевом поле "
                f"«{f.label}» внесено «{f.value}», ожидалось «{f.expected}»"
                + (f" (трудовое действие {action}: внесение данных)" if action else "")
                + " — контакт не засчитан независимо от баллов",
            )
    if settings.fact_points.uncorrected_fails:
        wrong = _uncorrected_misstatement(ctx)
        if wrong is not None:
            reply, mention = wrong
            return (
                "fact.misstated_uncorrected",
                f"Неверный факт «{mention.fact}» в реплике {reply.index}: "
                f"сказано «{mention.said}», по базе знаний «{mention.expected}», и до конца контакта оператор это не "
                "исправил — клиент ушёл с неверными сведениями, контакт не засчитан",
            )
    if round(overall, 2) < settings.pass_threshold:
        return (
            "overall.below_threshold",
            f"Итог {overall:.1f} ниже проходного балла {settings.pass_threshold:g}",
        )
    if settings.min_action_score is not None:
        for la in actions:
            if la.score is not None and round(la.score, 2) < settings.min_action_score:
                return (
                    "labour_action.below_minimum",
                    f"Трудовое действие {la.code} набрало {la.score:.1f} — ниже минимума "
                    f"{settings.min_action_score:g} для каждого применимого действия",
                )
    return (
        "overall.meets_threshold",
        f"Итог {overall:.1f} не ниже проходного балла {settings.pass_threshold:g}, "
        "критических нарушений нет",
    )
