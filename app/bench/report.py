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
        total.ack_at += part.ack_at
        total.reply_at += part.reply_at
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
    starts = [p.started_at for p in parts if p.started_at]
    total.started_at = min(starts) if starts else 0.0
    total.ramp_end_at = max((p.ramp_end_at for p in parts), default=0.0)
    return total


def after(samples: Sequence[float], times: Sequence[float], start: float) -> list[float]:
    """The samples taken at or after ``start`` (e.g. once every trainee has arrived)."""
    return [v for v, t in zip(samples, times, strict=True) if t >= start]


def timeline(total: ClientStats, bucket_s: float = 10.0) -> list[dict[str, Any]]:
    """Ack and reply latency per ``bucket_s`` of the run: shows whether the tail comes from
    the arrival ramp, a steady queue, or a few stalls."""
    buckets: dict[int, tuple[list[float], list[float]]] = {}
    for name, samples, times in (
        (0, total.ack_ms, total.ack_at),
        (1, total.reply_ms, total.reply_at),
    ):
        for value, at in zip(samples, times, strict=True):
            key = int((at - total.started_at) // bucket_s)
            buckets.setdefault(key, ([], []))[name].append(value)
    return [
        {
            "from_s": key * bucket_s,
            "acks": len(acks),
            "ack_p99_ms": percentile(acks, 99),
            "reply_p99_ms": percentile(replies, 99),
        }
        for key, (acks, replies) in sorted(buckets.items())
    ]


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
