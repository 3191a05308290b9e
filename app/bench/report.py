"""Merging client processes' figures and writing them out (one JSON object, or text)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from app.bench.loadgen import ClientStats


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return round(ordered[rank - 1], 2)


def merge(parts: Sequence[ClientStats]) -> ClientStats:
    total = ClientStats()
    for part in parts:
        total.ack_ms += part.ack_ms
        total.reply_ms += part.reply_ms
        for name in (
            "actions",
            "messages",
            "sessions_started",
            "sessions_completed",
            "errors",
            "refusals",
            "lost_events",
            "duplicate_events",
            "events_received",
            "cpu_s",
        ):
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.error_samples += part.error_samples[: max(0, 40 - len(total.error_samples))]
        total.wall_s = max(total.wall_s, part.wall_s)
    return total


def window_s(parts: Sequence[ClientStats]) -> float:
    """From the first action of any client to the last one: the span the rates are over."""
    firsts = [p.first_action_at for p in parts if p.first_action_at is not None]
    lasts = [p.last_action_at for p in parts if p.last_action_at is not None]
    if not firsts or not lasts:
        return 0.0
    # perf_counter is system-wide on Linux (CLOCK_MONOTONIC), so processes compare.
    return max(lasts) - min(firsts)


def latency_block(prefix: str, samples: Sequence[float]) -> dict[str, Any]:
    return {
        f"{prefix}p50_ms": percentile(samples, 50),
        f"{prefix}p95_ms": percentile(samples, 95),
        f"{prefix}p99_ms": percentile(samples, 99),
        f"{prefix}max_ms": round(max(samples), 2) if samples else None,
        f"{prefix}samples": len(samples),
    }


def format_text(result: dict[str, Any]) -> str:
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {v}" for v in value]
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
