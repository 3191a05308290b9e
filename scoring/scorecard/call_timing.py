"""Call timing: the incidents a caller hears and a chat would not show.

A pause longer than the call_silence target, a hold started without asking, a monologue the
caller cannot follow, a reply over the caller's own words. The KPIs summarise a session (the
longest pause, the share of holds done right); these name every incident with its step and reply,
so a trainee sees *where* the call went quiet or where they talked over the customer. Thresholds
and points are data (``call_timing`` in ``scoring.yaml``, overridable per scenario).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.scorecard.kpis import pauses
from scoring.scorecard.labour import Context, Penalty
from scoring.scorecard.log import Reply
from scoring.standard import Evidence

# Which KPI of a labour action's evidence makes an incident count for that action.
_KPI_OF = {
    "silence_gap": "call_silence",
    "monologue": "call_silence",
    "talk_over": "call_silence",
    "hold_unannounced": "hold_etiquette",
}
# Incidents that by themselves make their KPI miss (a pause over the call-silence target, a hold
# without a warning). Charged one by one, they carry the price of that miss, so the KPI check
# they stand for is left unpriced (score.py): one pause must not cost twice.
KPI_CHECK_PRICED_BY: dict[str, str] = {
    f"kpi.{_KPI_OF[kind]}": f"call.{kind}" for kind in ("silence_gap", "hold_unannounced")
}


@dataclass(frozen=True, slots=True)
class Incident:
    kind: str  # silence_gap | hold_unannounced | monologue | talk_over
    t: float
    step: str | None
    reply: Reply | None
    explanation_ru: str


def _quote(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def silence_target(ctx: Context) -> float | None:
    kpi = next((k for k in ctx.kpis if k.name == "call_silence"), None)
    return kpi.target if kpi is not None else None


def call_incidents(ctx: Context) -> list[Incident]:
    """Every call-timing incident of a call, in the order of the log; none for a chat."""
    if ctx.spec.channel != "call":
        return []
    log, rules = ctx.log, ctx.settings.call_timing
    found: list[Incident] = []
    target = silence_target(ctx)
    if target is not None:
        for p in pauses(log):
            if p.seconds <= target:
                continue
            if p.broken_by_reply and p.reply is not None:
                how = f"тишину прервала реплика {p.reply.index}"
            elif p.customer_text:
                how = f"клиент не дождался и переспросил: «{_quote(p.customer_text)}»"
            else:
                how = "клиент ждал ответа"
            found.append(
                Incident(
                    "silence_gap",
                    p.start,
                    p.step or None,
                    p.reply,
                    f"Пауза {p.seconds:g} с на шаге {p.step} (цель ≤ {target:g} с): {how}",
                )
            )
    for n, hold in enumerate(log.holds, start=1):
        before = log.reply_before(hold.start_pos)
        if before is not None and "hold_request" in before.labels:
            continue
        said = (
            f"в последней реплике перед ним ({before.index}: «{_quote(before.text)}») нет "
            "просьбы подождать"
            if before is not None
            else "до удержания оператор ничего не сказал"
        )
        found.append(
            Incident(
                "hold_unannounced",
                hold.start,
                hold.step,
                before,
                f"Удержание {n} на шаге {hold.step} без предупреждения: {said}; клиент вдруг "
                "слышит тишину или музыку",
            )
        )
    for reply in log.replies:
        words = len(reply.text.split())
        if words > rules.monologue_words:
            seconds = rules.speaking_s(words)
            found.append(
                Incident(
                    "monologue",
                    reply.t,
                    reply.step,
                    reply,
                    f"Монолог: реплика {reply.index} — {words} слов (≈ {seconds:.0f} с "
                    f"речи), больше {rules.monologue_words}: клиент не успевает за оператором; "
                    "говорите частями и давайте клиенту ответить",
                )
            )
        if reply.talk_over:
            found.append(
                Incident(
                    "talk_over",
                    reply.t,
                    reply.step,
                    reply,
                    f"Реплика {reply.index} сказана, пока клиент ещё говорил: оператор перебил "
                    "клиента",
                )
            )
    found.sort(key=lambda i: i.t)
    return found


def call_timing_penalties(ctx: Context, evidence: Evidence) -> list[Penalty]:
    """The incidents that count for a labour action (its evidence lists their KPI), as penalties
    capped per kind."""
    penalties: list[Penalty] = []
    for incident in call_incidents(ctx):
        if _KPI_OF[incident.kind] not in evidence.kpis:
            continue
        rule = getattr(ctx.settings.call_timing, incident.kind)
        if rule.points <= 0:
            continue
        reply = incident.reply
        penalties.append(
            Penalty(
                rule=f"call.{incident.kind}",
                points=rule.points,
                cap_key=f"call.{incident.kind}",
                explanation_ru=incident.explanation_ru,
                step=incident.step,
                reply_index=reply.index if reply is not None else None,
                text=reply.text if reply is not None else "",
                cap=rule.cap,
            )
        )
    return penalties
