"""Simulator: the scenario model and loader, and the dialogue engine.

Pure Python: no web or database imports (enforced by import-linter). Time and randomness come
in from the caller, so a session is a deterministic fold over its events.
"""
