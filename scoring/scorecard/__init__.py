"""Scorecards: a session's event log scored against the labour actions and KPI targets of its
labour function, every lost point naming the rule, the dialogue step and the reply."""

from scoring.scorecard.kpis import KpiResult
from scoring.scorecard.model import (
    SCORECARD_VERSION,
    SCORER_VERSION,
    Check,
    LabourActionResult,
    LostPoint,
    Scorecard,
    Violation,
    readable_scorecard,
)
from scoring.scorecard.score import score_session
from scoring.scorecard.settings import (
    ScoringSettings,
    ScoringSettingsError,
    load_settings,
    settings_with_overrides,
)
from scoring.scorecard.spec import CrmFieldSpec, CrmFormSpec, ScoredFact, ScoringSpec, StepSpec

__all__ = [
    "SCORECARD_VERSION",
    "SCORER_VERSION",
    "Check",
    "CrmFieldSpec",
    "CrmFormSpec",
    "KpiResult",
    "LabourActionResult",
    "LostPoint",
    "Scorecard",
    "ScoredFact",
    "ScoringSettings",
    "ScoringSettingsError",
    "ScoringSpec",
    "StepSpec",
    "Violation",
    "load_settings",
    "readable_scorecard",
    "score_session",
    "settings_with_overrides",
]
