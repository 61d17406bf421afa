"""Compute lanes: where the session's work runs, and when its results are ready.

On a file the session runs everything inline (``Lane``): each lane measures the real
compute of a piece of work and says when its result would have been ready had the lane
been a thread of its own: after the lane was free and the work was done. Stream time
never waits for a lane; results carry the lane's ready time.

Live, the reply lane is such a thread (``ThreadLane``): the thought, the LLM and the
voice run beside the listening, on the other core, and the session picks their results
up at the first step after they are done. Work is started with ``start`` and collected
with ``Pending.poll``, which is the same code for both: a ``Lane``'s work is done (at its
ready time) as soon as it is started.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from duplex_agent.clock import Stopwatch

T = TypeVar("T")


class Pending(Generic[T]):
    """Work started on a lane; ``poll`` says whether it is done, and its result."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None
        self.ready: float | None = None  # stream time the result was ready (once known)

    def _finish(self, result: T | None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._done.set()

    def value(self) -> T | None:
        """The result if the work is done and did not fail, else None (any thread)."""
        return self._result if self._done.is_set() and self._error is None else None

    def poll(self, now: float) -> tuple[bool, T | None, float]:
        """(done, result, ready): a result first seen at stream time ``now`` was ready at
        ``now``, unless the lane knows better. The work's exception is raised here."""
        if not self._done.is_set():
            return False, None, now
        if self._error is not None:
            raise self._error
        if self.ready is None:
            self.ready = now
        return True, self._result, self.ready


class Lane:
    """A serial worker on the stream timeline, modelled inline (files and tests)."""

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

    def start(self, now: float, work: Callable[[], T]) -> Pending[T]:
        """Start ``work`` that became possible at ``now``."""
        pending: Pending[T] = Pending()
        try:
            result, pending.ready = self.run(now, work)
        except BaseException as err:  # raised where it is polled, as on a thread
            pending._finish(None, err)
        else:
            pending._finish(result)
        return pending

    def after(self, work: Callable[[], object]) -> None:
        """Run ``work`` once the lane's current work is done (uncharged: closing a stream)."""
        work()

    def busy(self, now: float) -> bool:
        """Whether work started earlier is still running at ``now``."""
        return self.busy_until > now

    def close(self) -> None:
        """Nothing to stop: the work ran inline."""


class ThreadLane(Lane):
    """A serial worker thread (live): work runs in start order, beside the caller."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._queued = 0  # started and not yet finished
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name=f"lane-{name}", daemon=True)
        self._thread.start()

    def start(self, now: float, work: Callable[[], T]) -> Pending[T]:
        del now  # it starts when the thread is free; ready is when the session sees it
        pending: Pending[T] = Pending()
        with self._lock:
            self._queued += 1
        self._work.put((work, pending))
        return pending

    def after(self, work: Callable[[], object]) -> None:
        self.start(0.0, work)

    def busy(self, now: float) -> bool:
        del now
        with self._lock:
            return self._queued > 0

    def close(self) -> None:
        """Let the thread end after the work already queued (idempotent)."""
        self._work.put(None)

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            work, pending = item
            try:
                with Stopwatch() as watch:
                    result = work()
            except BaseException as err:  # handed to whoever polls it
                pending._finish(None, err)
            else:
                pending._finish(result)
            self.total_s += watch.elapsed
            with self._lock:
                self._queued -= 1
