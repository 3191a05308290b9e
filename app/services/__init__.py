"""Trainer and supervisor workspaces: authoring, assignments, reports, readiness, live watch.

Routes stay thin; every rule (who may see what, what counts for readiness, how a version is
stored) lives here so the JSON API, the pages and the exports agree.
"""
