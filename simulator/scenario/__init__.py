"""Scenario format: pydantic models (``model``), the located-error loader (``loader``)."""
