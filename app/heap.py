"""Garbage-collector settings for a long-running server process.

With a thousand live sessions a full (generation 2) collection walked 250,000 objects — the
detector's dictionaries and rules, every socket's coroutines — and stopped the whole process
for 130–700 ms, several times a minute: that, not the work per message, was the tail of the
reply latency (docs/performance.md). Two measures:

* what the process loads once and keeps (modules, the detector, its morphology caches) is
  moved out of the collector's sight with ``gc.freeze()`` after it is loaded;
* the thresholds are raised so that short-lived garbage dies in the young generations and a
  full collection is rare. Reference counting still frees almost everything at once; only
  cyclic garbage waits longer, which costs little memory.
"""

from __future__ import annotations

import gc

# Default (700, 10, 10). A young collection over up to 10,000 objects takes a few ms.
GC_THRESHOLDS = (10_000, 50, 100)


def settle_heap(*, warm_detector: bool = True) -> int:
    """Load what every session needs, then freeze it; returns the objects frozen."""
    if warm_detector:
        from app.sessions.engine_bridge import warm_detector as load_detector

        load_detector()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return gc.get_freeze_count()
