"""One agent reply: the only owner of its generation and its playout.

Chunks come from a generator (thought, LLM, TTS) whose compute is charged to a
lane: a chunk is ready at the lane's time, and playout only hands out audio
that is ready. ``interrupt()`` is the only way speech stops: idempotent, it
stops playout within one block, closes the generator, and returns what the
user actually heard, which is what goes into history.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.session.lanes import Lane, Pending
from duplex_agent.voice.chunks import SpeechChunk
from duplex_agent.voice.playout import Playout


class Utterance:
    def __init__(self, uid: str, chunks: Iterator[SpeechChunk], lane: Lane, start: float,
                 block_samples: int = 320, held: bool = False) -> None:
        self.uid = uid
        self.playout = Playout(block_samples)
        self.held = held  # speculative: generate, but do not play until released
        self.paused = False  # held silent while the user may be cutting in
        self._paused_samples = 0  # stream samples spent paused since the last resume
        self.started_at: float | None = None  # stream time of the first audible block
        self.ended_at: float | None = None
        self.interrupted = False
        self._lane, self._chunks = lane, chunks
        self._free_at = start  # when the generator may produce its next chunk
        self._ready: deque[tuple[float, SpeechChunk]] = deque()
        self._next: Pending[SpeechChunk | None] | None = None  # the chunk being made
        self._generated = False
        self.texts: list[str] = []

    @property
    def full_text(self) -> str:
        """Everything generated so far (what an uninterrupted reply says)."""
        return " ".join(self.texts)

    @property
    def finished(self) -> bool:
        return self.ended_at is not None

    def pause(self) -> None:
        """Go silent at the next block without losing the place (generation goes on)."""
        self.paused = True

    def resume(self) -> None:
        """Carry on from where the pause began. A sentence pause that was due is shortened
        by the time spent paused: the user's speech already made that pause."""
        if self.paused:
            self.playout.skip_silence(self._paused_samples)
        self.paused = False
        self._paused_samples = 0

    def release(self) -> None:
        """A speculative reply was confirmed: it may play now."""
        self.held = False

    def pull(self, at_sample: int) -> np.ndarray:
        """The block of reply audio that plays from stream sample ``at_sample``."""
        now = at_sample / SAMPLE_RATE
        self._generate_until(now)
        while not self.held and self._ready and self._ready[0][0] <= now:
            self.playout.push(self._ready.popleft()[1])
        if self._generated and not self._ready and not self.held and not self.playout.closed:
            self.playout.close()
        if self.paused:
            self._paused_samples += self.playout.block_samples
            return np.zeros(self.playout.block_samples, np.float32)
        block = self.playout.pull(at_sample)
        if self.started_at is None and self.playout.played > 0:
            self.started_at = now
        if self.playout.done and self.ended_at is None and not self.held:
            self.ended_at = now
        return block

    def interrupt(self, at_sample: int) -> str:
        """Stop now (idempotent); the text the user heard."""
        if not self.interrupted and self.ended_at is None:
            self.interrupted = True
            self.ended_at = at_sample / SAMPLE_RATE
            close = getattr(self._chunks, "close", None)
            if close is not None:  # a generator mid-reply: stop the LLM and TTS, once the
                self._lane.after(close)  # chunk being made (on the lane's thread) is done
            self._ready.clear()
        return self.playout.stop(at_sample)

    def _generate_until(self, now: float) -> None:
        """Let the generator produce every chunk it would have produced live by ``now``."""
        while not self._generated and not self.interrupted:
            if self._next is None:
                if self._free_at > now:
                    return
                self._next = self._lane.start(self._free_at, lambda: next(self._chunks, None))
            done, chunk, ready = self._next.poll(now)
            if not done:
                return  # still being made on the lane's thread
            self._next, self._free_at = None, ready
            if chunk is None:
                self._generated = True
            else:
                self.texts.append(chunk.text)
                self._ready.append((ready, chunk))
