"""Behaviour detection of long replies in worker processes (issue 16, item 5).

The detector's cost grows with a reply's length (about 0.8 ms per character of words the
dictionary does not know, mostly typo repair), and in a thread it would still hold the server's
GIL: the event loop, and every other trainee of the process, would wait behind it. A worker
process has its own interpreter and loads the same shipped detector, so its result is the one
the server would have computed (detection is a pure function of the reply and the customer's
last line).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from scoring.detection.types import DetectionResult


def _load() -> None:
    from scoring.detection import default_detector

    default_detector()


def _detect(text: str, customer: str | None) -> DetectionResult:
    from scoring.detection import default_detector

    return default_detector().detect(text, customer=customer)


class DetectPool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the server has threads (a fork could copy a held lock).
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_load,
            )
        return self._pool

    def prewarm(self) -> None:
        """Start the workers and load their detectors now, not on the first long reply."""
        pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_load)

    def submit(self, text: str, customer: str | None) -> Future[DetectionResult]:
        return self._executor().submit(_detect, text, customer)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
