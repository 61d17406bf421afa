"""Compute lanes: where the session's work runs, and when its results are ready.

Live, listening and replying run on their own threads; work takes real time. On
a file the session runs everything inline, so each lane measures the real compute
of a step and says when its result would have been ready: after the lane was free
and the work was done. Stream time never waits for a lane; results carry the lane's
ready time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from duplex_agent.clock import Stopwatch

T = TypeVar("T")


class Lane:
    """A serial worker on the stream timeline (one per concurrent thread live)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.busy_until = 0.0
        self.total_s = 0.0  # compute charged so far (for CPU-load reports)

    def run(self, now: float, work: Callable[[], T]) -> tuple[T, float]:
        """Do ``work`` that became possible at ``now``; (its result, when it is ready)."""
        with Stopwatch() as watch:
            result = work()
        self.total_s += watch.elapsed
        self.busy_until = max(now, self.busy_until) + watch.elapsed
        return result, self.busy_until
