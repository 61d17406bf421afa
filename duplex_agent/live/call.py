"""One live call: a ``Session`` stepped in its own thread, fed from a bounded queue.

The driver (WebSocket handler, sound-card callback, file pacer) calls ``feed`` with
user audio of any length; the worker steps the session 20 ms at a time and hands
``emit`` the agent's audio and the feed's messages. A reply can make one step take
~0.3-1 s; the queue absorbs that and the session catches up afterwards (it runs
several times faster than real time). Sessions of one process share one loaded
``SessionModels``, so their steps take a shared lock (2 cores: one call computes
at a time, the others queue up to ``max_backlog_s``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from duplex_agent.live.feed import Feed
from duplex_agent.protocol import Message, Tag

BLOCK = 320  # 20 ms at 16 kHz, the session's step
SAMPLE_RATE = 16000
STEP_LOCK = threading.Lock()  # one step at a time across the calls of this process


class SteppedSession(Protocol):
    timeline: object  # has ``entries: list[dict]``

    def step(self, block: np.ndarray) -> np.ndarray: ...


class CallWorker:
    """Runs one session; ``emit(messages)`` is called from the worker thread."""

    def __init__(self, session: SteppedSession, emit: Callable[[list[Message]], None],
                 max_backlog_s: float = 10.0, lock: threading.Lock = STEP_LOCK) -> None:
        self.session = session
        self._emit = emit
        self._lock = lock
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(
            maxsize=int(max_backlog_s * SAMPLE_RATE / BLOCK))
        self._pending = np.zeros(0, np.float32)
        self._feed = Feed()
        self._seen = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="call-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def feed(self, samples: np.ndarray) -> bool:
        """Queue user audio; False when the session is more than the backlog behind
        or has failed (``error`` says which)."""
        self._pending = np.concatenate([self._pending, samples.astype(np.float32)])
        while len(self._pending) >= BLOCK:
            block, self._pending = self._pending[:BLOCK], self._pending[BLOCK:]
            try:
                self._queue.put_nowait(block)
            except queue.Full:
                return False
        return self.error is None

    @property
    def backlog_s(self) -> float:
        return self._queue.qsize() * BLOCK / SAMPLE_RATE

    def hang_up(self) -> None:
        """The call is over: drop every queued block and let the worker exit after its
        current step. Idempotent; returns at once."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        try:
            self._queue.put_nowait(None)
        except queue.Full:  # feed() raced us; the worker stops at the next drain
            self.hang_up()

    def stop(self, timeout: float = 5.0) -> None:
        """Hang up and wait (up to ``timeout``) for the worker to finish its step."""
        self.hang_up()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while (block := self._queue.get()) is not None:
                self._emit(self._step(block))
        except BaseException as err:  # reported to the driver, which ends the call
            self.error = err
            self._emit([Message(Tag.ERROR, data={"code": "internal",
                                                 "message": f"the agent failed: {err}"})])
        finally:
            close = getattr(self.session, "close", None)
            if close is not None:
                close()  # the session's reply thread ends with the call

    def _step(self, block: np.ndarray) -> list[Message]:
        with self._lock:
            out = self.session.step(block)
        entries = self.session.timeline.entries
        new, self._seen = entries[self._seen:], len(entries)
        messages = self._feed.messages(new, self.backlog_s)
        if np.any(out):
            messages.append(Message(Tag.AUDIO_OUT, audio=out))
        return messages
