"""Cross-checks between the evidence map and everything it names.

The evidence map is hand-written data that points at four other catalogues; one misspelt id
would silently score nothing, so the check lists every dangling name and every labour action
left without evidence.
"""

from __future__ import annotations

from scoring.catalogue import Catalogue
from scoring.standard.model import CRM_KINDS, ENGINE_VIOLATIONS, KpiCatalogue, Standard


def evidence_problems(standard: Standard, behaviours: Catalogue, kpis: KpiCatalogue) -> list[str]:
    """Every problem of the evidence map, one readable line each; empty when it is sound."""
    problems: list[str] = []
    action_codes = {a.code for a in standard.labour_actions()}
    violations = {*behaviours.violation_ids, *behaviours.engine_violation_ids, *ENGINE_VIOLATIONS}
    for code, ev in standard.evidence.items():
        if code not in action_codes:
            problems.append(f"evidence {code!r}: not a labour action of the standard")
        for b in ev.behaviours:
            if b not in behaviours:
                problems.append(f"evidence {code!r}: unknown behaviour {b!r}")
            elif b in behaviours.violation_ids:
                problems.append(f"evidence {code!r}: violation {b!r} listed under behaviours")
        problems += [
            f"evidence {code!r}: unknown violation {v!r}"
            for v in ev.violations
            if v not in violations
        ]
        problems += [f"evidence {code!r}: unknown KPI {k!r}" for k in ev.kpis if k not in kpis]
        problems += [
            f"evidence {code!r}: unknown CRM form kind {c!r}" for c in ev.crm if c not in CRM_KINDS
        ]
        for s in ev.skills:
            if not standard.has_item(s) or standard.item(s).kind != "skill":
                problems.append(f"evidence {code!r}: unknown skill {s!r}")
            elif standard.item(s).function != code.split(" ")[0]:
                problems.append(f"evidence {code!r}: skill {s!r} belongs to another function")
    for code in sorted(action_codes):
        if standard.evidence_for(code).is_empty():
            problems.append(f"labour action {code!r} has no evidence")
    for kpi in kpis.kpis.values():
        if kpi.scenario_key is not None and kpi.scenario_key not in _scenario_kpi_keys():
            problems.append(f"KPI {kpi.name!r}: unknown scenario key {kpi.scenario_key!r}")
    return problems


def _scenario_kpi_keys() -> tuple[str, ...]:
    # The scenario format lives above scoring in the layers, so its KpiTargets keys are
    # repeated here; tests/simulator/scenario checks both lists agree.
    return (
        "first_response_s",
        "response_s",
        "handle_time_s",
        "hold_max_s",
        "holds_max",
        "silence_s",
        "csat_min",
    )
