"""Clocks: the one place that knows what "now" means.

Agent logic never reads the wall clock; it is handed a ``Clock``. Live drivers
use ``WallClock``; file drivers and tests use ``VirtualClock``, which only
moves when told to (by stream time, or by charging measured compute time).
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on this clock's timeline."""
        ...


class WallClock:
    """Monotonic real time, starting at 0 when created."""

    def __init__(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._origin


class VirtualClock:
    """A clock that moves only when advanced; for files and tests."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance_to(self, t: float) -> None:
        """Move forward to ``t``; never backwards."""
        self._now = max(self._now, t)

    def charge(self, seconds: float) -> None:
        """Add compute time spent by a step, so file latencies match live ones."""
        if seconds < 0:
            raise ValueError(f"cannot charge negative time {seconds}")
        self._now += seconds


class Stopwatch:
    """Measures the real compute time of one step (for ``VirtualClock.charge``)."""

    def __enter__(self) -> Stopwatch:
        self._t0 = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self._t0
