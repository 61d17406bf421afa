"""Block-wise, cancellable playout of one reply (pure: no timers, no clock; time is an
argument in samples of stream time).

The sink asks for the block that starts at a stream position; the playout
hands out the next ``block_samples`` of reply audio, or silence while the
voice is behind (an underrun never cuts a word: a partial block waits for
more audio unless the reply is complete). ``stop(at)`` ends playback within
one block and returns the text the user heard.

The heard rule: a block handed to the sink is played whole, so the reply's
audio ends at the end of the last block that started before ``at``; a word was
heard when its midpoint (half-way between its first and last sample) lies in
the played audio. So a word cut in its first half is not heard, one cut in
its second half is. The result is the reply's own text up to the end of the
last heard word (its punctuation included), clauses joined by one space.
"""

from __future__ import annotations

import bisect

import numpy as np

from duplex_agent.voice.chunks import SpeechChunk


class Playout:
    def __init__(self, block_samples: int = 320) -> None:
        if block_samples <= 0:
            raise ValueError("block_samples must be positive")
        self.block_samples = block_samples
        self._chunks: list[SpeechChunk] = []
        self._chunk_starts: list[int] = []  # first sample of each chunk in the reply's audio
        self._pending: list[np.ndarray] = []  # audio not handed out yet, in order
        self.queued = 0  # reply samples received
        self.played = 0  # reply samples handed out
        self._block_starts: list[int] = []  # stream sample of every block that carried audio
        self._block_ends: list[int] = []  # reply samples handed out after that block
        self._last_start: int | None = None
        self.closed = False
        self.stopped_at: int | None = None  # stream sample where the audio ended, once stopped
        self.heard_samples: int | None = None  # reply samples played, once stopped
        self.heard: str | None = None  # the heard text, once stopped

    def push(self, chunk: SpeechChunk) -> None:
        """Append a chunk; ignored once stopped (the reply was cut)."""
        if self.closed:
            raise RuntimeError("push() after close()")
        if self.stopped_at is not None:
            return
        self._chunks.append(chunk)
        self._chunk_starts.append(self.queued)
        self._pending.append(np.asarray(chunk.audio, dtype=np.float32))
        self.queued += len(chunk.audio)

    def close(self) -> None:
        """No more chunks: the last partial block may be padded and handed out."""
        self.closed = True

    @property
    def done(self) -> bool:
        """Stopped, or complete and fully handed out."""
        return self.stopped_at is not None or (self.closed and self.played >= self.queued)

    def pull(self, at_sample: int) -> np.ndarray:
        """The block that plays from stream sample ``at_sample``: reply audio, or silence
        (underrun, finished or stopped). Positions must advance by at least one block."""
        if self._last_start is not None and at_sample < self._last_start + self.block_samples:
            raise ValueError(f"pull({at_sample}) overlaps the block at {self._last_start}")
        self._last_start = at_sample
        available = self.queued - self.played
        if self.stopped_at is not None or available <= 0 or \
                (available < self.block_samples and not self.closed):
            return np.zeros(self.block_samples, np.float32)
        block = self._take(min(self.block_samples, available))
        self._block_starts.append(at_sample)
        self._block_ends.append(self.played)
        return np.pad(block, (0, self.block_samples - len(block)))

    def stop(self, at_sample: int) -> str:
        """Stop at stream sample ``at_sample``; the text heard. Idempotent: later calls
        return the first answer."""
        if self.heard is not None:
            return self.heard
        i = bisect.bisect_left(self._block_starts, at_sample) - 1
        played = self._block_ends[i] if i >= 0 else 0
        self.stopped_at = self._block_starts[i] + self.block_samples if i >= 0 else at_sample
        self.heard_samples = played
        self.heard = self.heard_text(played)
        self._pending.clear()
        return self.heard

    def skip_silence(self, most: int) -> int:
        """Drop up to ``most`` samples of digital silence (a clause's leading pause) from
        the head of the audio not handed out yet; the number dropped. Words are never
        skipped: the first non-zero sample stops it."""
        skipped = 0
        while self._pending and skipped < most:
            head = self._pending[0]
            nonzero = np.flatnonzero(head[:most - skipped])
            n = int(nonzero[0]) if len(nonzero) else min(len(head), most - skipped)
            if n == 0:
                break
            self._pending[0] = head[n:]
            if not len(self._pending[0]):
                self._pending.pop(0)
            skipped += n
        self.played += skipped
        return skipped

    def heard_text(self, samples: int) -> str:
        """The reply's text up to the last word whose midpoint is within ``samples``."""
        parts: list[str] = []
        previous_end = None
        for chunk, start in zip(self._chunks, self._chunk_starts):
            cut = _heard_chars(chunk, samples - start)
            if cut == 0:
                break
            if previous_end is not None and chunk.char_start > previous_end:
                parts.append(" ")
            parts.append(chunk.text[:cut])
            previous_end = chunk.char_end
            if cut < len(chunk.text):
                break
        return "".join(parts)

    @property
    def text(self) -> str:
        """All text pushed so far (what a complete playout would have said)."""
        return self.heard_text(self.queued + 1)

    def _take(self, n: int) -> np.ndarray:
        out, need = [], n
        while need:
            head = self._pending[0]
            out.append(head[:need])
            if len(head) <= need:
                self._pending.pop(0)
            else:
                self._pending[0] = head[need:]
            need -= len(out[-1])
        self.played += n
        return np.concatenate(out)


def _heard_chars(chunk: SpeechChunk, samples: int) -> int:
    """Characters of ``chunk.text`` heard when its first ``samples`` samples were played."""
    if not chunk.words:
        return len(chunk.text) if samples >= len(chunk.audio) else 0
    cut = 0
    for word in chunk.words:
        if (word.start + word.end) / 2 >= samples:
            break
        cut = word.char_end
    if cut == chunk.words[-1].char_end:
        cut = len(chunk.text)  # the whole clause: keep punctuation after its last word
    return cut
