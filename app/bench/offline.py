"""Benchmarks without a server: scoring finished sessions and loading the library.

Scoring is timed exactly as the live runtime calls it when a session ends
(``app.sessions.scoring``: the scenario's scoring spec, ``score_session``, the card as a dict),
on the event logs of the library's own playthroughs, played with realistic timing so that the
logs have the pauses, holds and KPIs a real session has.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from app.bench.report import percentile
from app.bench.run import machine
from scoring.detection import default_detector
from scoring.scorecard import score_session
from simulator.engine import Timing
from simulator.playthrough import play
from simulator.scenario.loader import load_library
from simulator.scenario.scoring_spec import scoring_spec


def bench_scoring(root: Path, repeat: int) -> dict[str, Any]:
    library = load_library(root)
    detector = default_detector()
    finished = []
    for scenario_id, plays in sorted(library.playthroughs.items()):
        loaded = library.scenarios.get(scenario_id)
        if loaded is None:
            continue
        for item in plays:
            result = play(loaded.scenario, item.playthrough, detector, Timing(), version="bench")
            finished.append((loaded.scenario, result.events))
    if not finished:
        raise ValueError(f"no playthroughs to score in {root}")
    samples: list[float] = []
    per_event: list[float] = []
    for scenario, events in finished:  # warm-up: first-use caches (standard, KPI catalogue)
        score_session(events, scoring_spec(scenario, version="bench")).to_dict()
    gc.collect()
    for _ in range(repeat):
        for scenario, events in finished:
            start = time.perf_counter()
            score_session(events, scoring_spec(scenario, version="bench")).to_dict()
            elapsed = (time.perf_counter() - start) * 1000
            samples.append(elapsed)
            per_event.append(elapsed / max(1, len(events)))
    sizes = [len(events) for _, events in finished]
    return {
        "sessions": len(finished),
        "scorings": len(samples),
        "events_per_session_min": min(sizes),
        "events_per_session_max": max(sizes),
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "p99_ms": percentile(samples, 99),
        "max_ms": round(max(samples), 2),
        "per_event_p50_ms": percentile(per_event, 50),
        "machine": machine(),
    }


def bench_library(root: Path, repeat: int) -> dict[str, Any]:
    timings = []
    library = None
    for _ in range(repeat):
        start = time.perf_counter()
        library = load_library(root)
        timings.append((time.perf_counter() - start) * 1000)
    assert library is not None
    return {
        "scenarios": len(library.scenarios),
        "playthroughs": sum(len(p) for p in library.playthroughs.values()),
        "errors": len(library.errors),
        "first_load_ms": round(timings[0], 1),
        "p50_ms": percentile(timings, 50),
        "max_ms": round(max(timings), 1),
        "machine": machine(),
    }
