"""Scoring: the professional standard as data, Russian NLP, behaviour detection and scorecards.

This package is the bottom layer: it imports nothing from ``simulator`` or ``app`` and nothing
of the web or the database, so it can be reasoned about (and tested) as pure functions.
"""
