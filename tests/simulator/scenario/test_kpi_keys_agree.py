"""The scenario format's `kpi:` keys and the KPI catalogue's overrides name the same things."""

from __future__ import annotations

from scoring.standard import load_kpis
from scoring.standard.checks import _scenario_kpi_keys
from simulator.scenario.model import KpiTargets


def test_scenario_kpi_keys_match_the_catalogue() -> None:
    keys = set(KpiTargets.model_fields)
    assert keys == set(_scenario_kpi_keys())
    assert keys == set(load_kpis().by_scenario_key())
