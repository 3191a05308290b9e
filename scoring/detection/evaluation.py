"""Quality and speed of a detector on a labelled JSONL file (``ccsim bench detector``).

Lives in ``scoring`` so the CLI stays a thin shell and tests can call the same code.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scoring.catalogue import BEHAVIOUR_IDS
from scoring.detection.types import BehaviourDetector


class DataFileError(ValueError):
    """A bad line in a data file; the message names the file, the line and the fix."""


@dataclass(frozen=True, slots=True)
class Item:
    line: int
    id: str
    operator: str
    customer: str | None
    labels: tuple[str, ...] | None


def parse_line(text: str, line: int, path: str, need_labels: bool) -> Item:
    """One JSONL line → :class:`Item`; raises :class:`DataFileError` naming the line."""
    where = f"{path}:{line}"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{where}: not valid JSON ({exc.msg}); fix the line") from exc
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: expected a JSON object with 'id' and 'operator'")
    if "id" not in raw:
        raise DataFileError(f"{where}: missing field 'id'")
    if not isinstance(raw.get("operator"), str):
        raise DataFileError(f"{where}: field 'operator' must be a string (the reply to label)")
    customer = raw.get("customer")
    if customer is not None and not isinstance(customer, str):
        raise DataFileError(f"{where}: field 'customer' must be a string or null")
    labels: tuple[str, ...] | None = None
    if "labels" in raw:
        if not isinstance(raw["labels"], list) or not all(
            isinstance(x, str) for x in raw["labels"]
        ):
            raise DataFileError(f"{where}: field 'labels' must be a list of behaviour ids")
        unknown = [x for x in raw["labels"] if x not in BEHAVIOUR_IDS]
        if unknown:
            raise DataFileError(f"{where}: unknown behaviour ids {unknown}")
        labels = tuple(raw["labels"])
    elif need_labels:
        raise DataFileError(f"{where}: missing field 'labels' (a benchmark needs gold labels)")
    return Item(line, str(raw["id"]), raw["operator"], customer, labels)


def read_items(path: Path, need_labels: bool = False) -> Iterable[Item | DataFileError]:
    """Items in file order; a bad line yields its error instead, and reading goes on."""
    with path.open(encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                yield parse_line(text, n, str(path), need_labels)
            except DataFileError as exc:
                yield exc


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    support: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0 if not self.fn else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0 if not self.fp else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Quality:
    n: int
    labels: tuple[LabelScore, ...]
    micro_f1: float
    macro_f1: float
    exact_match: float
    errors: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # id, missed, extra


def score(
    gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], ids: Sequence[str]
) -> Quality:
    """Per-label and averaged scores; macro-F1 over labels present in gold or predictions."""
    counts = {label: [0, 0, 0, 0] for label in BEHAVIOUR_IDS}  # support, tp, fp, fn
    exact = 0
    errors = []
    for item_id, g, p in zip(ids, gold, predicted, strict=True):
        gs, ps = set(g), set(p)
        exact += gs == ps
        for label in gs:
            counts[label][0] += 1
            counts[label][1 if label in ps else 3] += 1
        for label in ps - gs:
            counts[label][2] += 1
        if gs != ps:
            errors.append((item_id, tuple(sorted(gs - ps)), tuple(sorted(ps - gs))))
    scores = tuple(LabelScore(label, *c) for label, c in counts.items())
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    used = [s for s in scores if s.support or s.fp]
    macro = statistics.fmean(s.f1 for s in used) if used else 1.0
    n = len(gold)
    return Quality(n, scores, micro, macro, exact / n if n else 1.0, tuple(errors))


def rss_mb() -> float:
    """Resident set size now (VmRSS), falling back to the peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True, slots=True)
class Speed:
    replies: int
    replies_per_s: float  # replies / CPU seconds of this single-threaded process
    replies_per_s_wall: float
    p50_ms: float
    p99_ms: float
    p99_cpu_ms: float
    startup_s: float
    rss_mb: float


_STARTUP_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from scoring.detection import default_detector
d = default_detector()
d.detect(sys.argv[1], sys.argv[2] or None)
t = time.perf_counter() - t0
from scoring.detection.evaluation import rss_mb
print(json.dumps({"startup_s": t, "rss_mb": rss_mb()}))
"""


def measure_startup(reply: str, customer: str | None) -> tuple[float, float]:
    """Import + construct + first detect in a fresh interpreter, and that process's resident
    memory afterwards: what a server worker pays, undisturbed by this process's caches."""
    out = subprocess.run(
        [sys.executable, "-c", _STARTUP_PROBE, reply, customer or ""],
        check=True,
        capture_output=True,
        text=True,
    )
    raw = json.loads(out.stdout.strip().splitlines()[-1])
    return float(raw["startup_s"]), float(raw["rss_mb"])


@dataclass(frozen=True, slots=True)
class BenchReport:
    file: str
    detector_version: str
    quality: Quality
    speed: Speed
    skipped_lines: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        q = self.quality
        return {
            "file": self.file,
            "detector_version": self.detector_version,
            "items": q.n,
            "micro_f1": round(q.micro_f1, 4),
            "macro_f1": round(q.macro_f1, 4),
            "exact_match": round(q.exact_match, 4),
            "labels": {
                s.label: {
                    "support": s.support,
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for s in q.labels
                if s.support or s.fp
            },
            "errors": [{"id": i, "missed": list(m), "extra": list(e)} for i, m, e in q.errors],
            "speed": {
                k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self.speed).items()
            },
            "skipped_lines": list(self.skipped_lines),
        }


def bench(
    path: Path,
    make_detector: Callable[[], BehaviourDetector],
    repeat: int = 4,
) -> BenchReport:
    """Start-up (construct + first detect), quality on the file, then speed after a warm-up.

    The timing loop is single-threaded, so replies/s is a one-core figure.
    """
    items: list[Item] = []
    skipped: list[str] = []
    for it in read_items(path, need_labels=True):
        if isinstance(it, DataFileError):
            skipped.append(str(it))
        else:
            items.append(it)
    if not items:
        raise DataFileError(f"{path}: no usable labelled lines")
    startup, startup_rss = measure_startup(items[0].operator, items[0].customer)
    detector = make_detector()
    # The first pass is the quality run and the warm-up (lemma and token caches fill).
    predicted = [detector.detect(it.operator, it.customer).labels for it in items]
    quality = score([it.labels or () for it in items], predicted, [it.id for it in items])
    wall: list[float] = []
    cpu: list[float] = []
    t_all, c_all = time.perf_counter(), time.thread_time()
    for _ in range(repeat):
        for it in items:
            t, c = time.perf_counter(), time.thread_time()
            detector.detect(it.operator, it.customer)
            cpu.append(time.thread_time() - c)
            wall.append(time.perf_counter() - t)
    total_wall = time.perf_counter() - t_all
    total_cpu = time.thread_time() - c_all
    wall.sort()
    cpu.sort()
    n = len(wall)
    speed = Speed(
        replies=n,
        replies_per_s=n / total_cpu if total_cpu else float("inf"),
        replies_per_s_wall=n / total_wall,
        p50_ms=wall[n // 2] * 1000,
        p99_ms=wall[min(n - 1, int(n * 0.99))] * 1000,
        p99_cpu_ms=cpu[min(n - 1, int(n * 0.99))] * 1000,
        startup_s=startup,
        rss_mb=max(startup_rss, rss_mb()),
    )
    return BenchReport(str(path), detector.version, quality, speed, tuple(skipped))


def format_report(report: BenchReport) -> str:
    q, s = report.quality, report.speed
    lines = [f"detector {report.detector_version} on {report.file} ({q.n} replies)", ""]
    lines.append(f"{'label':<22}{'n':>4}{'P':>8}{'R':>8}{'F1':>8}")
    for ls in q.labels:
        if ls.support or ls.fp:
            lines.append(
                f"{ls.label:<22}{ls.support:>4}{ls.precision:>8.3f}{ls.recall:>8.3f}{ls.f1:>8.3f}"
            )
    lines += [
        "",
        f"micro-F1     {q.micro_f1:.3f}",
        f"macro-F1     {q.macro_f1:.3f}",
        f"exact match  {q.exact_match:.3f}",
        "",
        f"throughput   {s.replies_per_s:,.0f} replies/s per core (CPU time; "
        f"{s.replies_per_s_wall:,.0f}/s wall clock), single thread, after warm-up, "
        f"{s.replies} replies",
        f"latency      p50 {s.p50_ms:.3f} ms, p99 {s.p99_ms:.3f} ms per reply (wall clock; "
        f"p99 CPU {s.p99_cpu_ms:.3f} ms)",
        f"start-up     {s.startup_s:.2f} s (fresh process: import + construct + first detect)",
        f"memory       {s.rss_mb:.0f} MB resident with the detector loaded",
    ]
    for line in report.skipped_lines:
        lines.append(f"skipped: {line}")
    return "\n".join(lines)
