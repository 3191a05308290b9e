from __future__ import annotations

import pytest

from simulator.engine import MonotonicClock, SimulatedClock, Timing


def test_simulated_clock_moves_only_forward() -> None:
    clock = SimulatedClock()
    assert clock.now() == 0.0
    assert clock.advance(2.5) == 2.5
    assert clock.set(10) == 10.0
    with pytest.raises(ValueError, match="back"):
        clock.set(9)
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1)


def test_monotonic_clock_starts_at_its_offset() -> None:
    clock = MonotonicClock(offset=42.0)
    first = clock.now()
    assert 42.0 <= first < 43.0
    assert clock.now() >= first


def test_typing_time_grows_with_length_within_bounds() -> None:
    timing = Timing(chat_chars_per_s=10, call_chars_per_s=20, min_s=1, max_s=8)
    assert timing.speak("а" * 30, "chat") == 3.0
    assert timing.speak("а" * 60, "chat") == 6.0
    assert timing.speak("а" * 60, "call") == 3.0  # speaking is faster than typing
    assert timing.speak("да", "chat") == 1.0  # min
    assert timing.speak("а" * 500, "chat") == 8.0  # max
    assert timing.read("а" * 40) == 1.0


def test_zero_timing_makes_everything_instant() -> None:
    zero = Timing.zero()
    assert zero.speak("а" * 500, "chat") == 0.0
    assert zero.speak("а" * 500, "call") == 0.0
    assert zero.read("а" * 500) == 0.0


def test_timing_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Timing(chat_chars_per_s=0)
    with pytest.raises(ValueError):
        Timing(min_s=5, max_s=1)
