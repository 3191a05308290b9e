"""The professional standard as data: functions, labour actions, skills, knowledge, the evidence
map, and the KPI catalogue with organisation defaults (``scoring/data/*.yaml``)."""

from scoring.standard.checks import evidence_problems
from scoring.standard.load import StandardDataError, load_kpis, load_standard
from scoring.standard.model import Evidence, Item, Kpi, KpiCatalogue, LabourFunction, Standard

__all__ = [
    "Evidence",
    "Item",
    "Kpi",
    "KpiCatalogue",
    "LabourFunction",
    "Standard",
    "StandardDataError",
    "evidence_problems",
    "load_kpis",
    "load_standard",
]
