"""Small charts drawn on the server as inline SVG: no chart library, no CDN, and the report
looks the same in the browser, in a screenshot and with JavaScript off.

Every text goes through ``escape``; numbers are formatted here, so a chart is safe to embed
with ``|safe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

PASS = "#1f8a4c"
FAIL = "#c23b3b"
INK = "#1d2433"
MUTED = "#6b7385"
GRID = "#e3e7ef"
ACCENT = "#2f5fd0"


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def line_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    title: str,
    target: float | None = None,
    y_max: float = 100.0,
    width: int = 360,
    height: int = 150,
) -> str:
    """Scores in play order (x = the n-th session), with an optional target line."""
    pad_l, pad_r, pad_t, pad_b = 32, 10, 22, 22
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max([y_max, *(p[1] for p in points), target or 0.0]) or 1.0
    parts = [
        f'<svg class="chart chart-line" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad_l}" y="14" font-size="11" fill="{MUTED}">{escape(title)}</text>',
    ]

    def y_of(v: float) -> float:
        return pad_t + h - (v / top) * h

    for tick in (0.0, top / 2, top):
        y = y_of(tick)
        parts.append(
            f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{pad_l - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end" '
            f'fill="{MUTED}">{_fmt(tick)}</text>'
        )
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line class="target" x1="{pad_l}" x2="{pad_l + w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{FAIL}" stroke-dasharray="4 3"/>'
            f'<text x="{pad_l + w}" y="{y - 3:.1f}" font-size="9" text-anchor="end" '
            f'fill="{FAIL}">{escape(_fmt(target))}</text>'
        )
    if not points:
        parts.append(
            f'<text x="{pad_l + w / 2}" y="{pad_t + h / 2}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">нет данных</text></svg>'
        )
        return "".join(parts)
    n = len(points)
    xs = [pad_l + (w * i / (n - 1) if n > 1 else w / 2) for i in range(n)]
    coords = [(x, y_of(v)) for x, (_, v) in zip(xs, points, strict=True)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
    for (x, y), (moment, v) in zip(coords, points, strict=True):
        label = f"{moment:%d.%m.%Y}: {_fmt(v)}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{ACCENT}">'
            f"<title>{escape(label)}</title></circle>"
        )
    parts.append(
        f'<text x="{pad_l}" y="{height - 6}" font-size="9" fill="{MUTED}">'
        f"{escape(f'{points[0][0]:%d.%m}')}</text>"
        f'<text x="{pad_l + w}" y="{height - 6}" font-size="9" text-anchor="end" '
        f'fill="{MUTED}">{escape(f"{points[-1][0]:%d.%m}")}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    bars: Sequence[tuple[str, float | None, str]],
    *,
    title: str,
    threshold: float | None = 80.0,
    width: int = 520,
    row: int = 22,
) -> str:
    """Horizontal bars (label, score 0..100 or None, tooltip), coloured against a threshold."""
    pad_l, pad_r, pad_t = 110, 44, 24
    w = width - pad_l - pad_r
    height = pad_t + row * max(len(bars), 1) + 8
    parts = [
        f'<svg class="chart chart-bars" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="11" fill="{MUTED}">{escape(title)}</text>',
    ]
    for i, (label, value, tip) in enumerate(bars):
        y = pad_t + i * row
        parts.append(
            f'<text x="{pad_l - 6}" y="{y + row / 2 + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect x="{pad_l}" y="{y + 3}" width="{w}" height="{row - 8}" rx="3" fill="{GRID}"/>'
        )
        if value is None:
            parts.append(
                f'<text x="{pad_l + 6}" y="{y + row / 2 + 4:.1f}" font-size="10" '
                f'fill="{MUTED}">нет данных</text>'
            )
            continue
        colour = PASS if threshold is None or value >= threshold else FAIL
        bw = max(0.0, min(value, 100.0)) / 100.0 * w
        parts.append(
            f'<rect x="{pad_l}" y="{y + 3}" width="{bw:.1f}" height="{row - 8}" rx="3" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            f'<text x="{pad_l + w + 6}" y="{y + row / 2 + 4:.1f}" font-size="11" '
            f'fill="{INK}">{escape(_fmt(value))}</text>'
        )
    if threshold is not None:
        x = pad_l + threshold / 100.0 * w
        parts.append(
            f'<line class="target" x1="{x:.1f}" x2="{x:.1f}" y1="{pad_t}" y2="{height - 6}" '
            f'stroke="{INK}" stroke-dasharray="3 3" opacity="0.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def kpi_chart(
    values: Sequence[tuple[datetime, float]],
    target: float | None,
    *,
    title: str,
    direction: str,
    width: int = 260,
    height: int = 110,
) -> str:
    """One KPI over sessions against its target; points that miss the target are red."""
    pad_l, pad_r, pad_t, pad_b = 30, 8, 20, 14
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max([*(v for _, v in values), target or 0.0, 1.0]) * 1.1
    parts = [
        f'<svg class="chart chart-kpi" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="12" font-size="10" fill="{MUTED}">{escape(title)}</text>',
        f'<line x1="{pad_l}" x2="{pad_l + w}" y1="{pad_t + h}" y2="{pad_t + h}" stroke="{GRID}"/>',
    ]

    def y_of(v: float) -> float:
        return pad_t + h - (v / top) * h

    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line class="target" x1="{pad_l}" x2="{pad_l + w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{INK}" stroke-dasharray="4 3" opacity="0.6"/>'
            f'<text x="{pad_l - 3}" y="{y + 3:.1f}" font-size="9" text-anchor="end" '
            f'fill="{INK}">{escape(_fmt(target))}</text>'
        )
    n = len(values)
    for i, (moment, v) in enumerate(values):
        x = pad_l + (w * i / (n - 1) if n > 1 else w / 2)
        met = target is None or (v <= target if direction == "max" else v >= target)
        label = f"{moment:%d.%m.%Y}: {_fmt(v)}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_of(v):.1f}" r="3" fill="{PASS if met else FAIL}">'
            f"<title>{escape(label)}</title></circle>"
        )
    if not values:
        parts.append(
            f'<text x="{pad_l + w / 2}" y="{pad_t + h / 2}" font-size="10" text-anchor="middle" '
            f'fill="{MUTED}">нет данных</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
