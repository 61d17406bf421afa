"""Streaming ASR: partial hypotheses with LocalAgreement while the user speaks,
a final transcript with word times when the VAD closes the segment.

Decoding depends only on the audio of the segment and on stream time, so the
same input gives the same events however it is chunked.
"""

from __future__ import annotations

import numpy as np

from streaming.config import SAMPLE_RATE, AsrConfig
from streaming.events import (
    AsrEvent,
    AsrFinal,
    AsrPartial,
    SpeechEnded,
    SpeechStarted,
    VadEvent,
    Word,
)
from streaming.whisper import Transcript, WhisperDecoder

PRE_ROLL_S = 0.1  # audio kept before the VAD's speech onset (soft consonants)
POST_ROLL_S = 0.2  # audio kept after the last speech frame
HISTORY_S = 3.0  # audio kept while silent, so a confirmed onset can reach back


class LocalAgreement:
    """Commit the word prefix that two successive hypotheses agree on (LocalAgreement-2).

    The committed prefix only grows; the rest of the newest hypothesis is the tail.
    """

    def __init__(self) -> None:
        self.committed: list[str] = []
        self._previous: list[str] = []

    def update(self, words: list[str]) -> tuple[list[str], list[str]]:
        """Feed a new hypothesis; return (committed words, unstable tail)."""
        n = len(self.committed)
        if [_norm(w) for w in words[:n]] == [_norm(w) for w in self.committed]:
            fresh, before = words[n:], self._previous[n:]
            agreed = 0
            while agreed < min(len(fresh), len(before)) and \
                    _norm(fresh[agreed]) == _norm(before[agreed]):
                agreed += 1
            self.committed += fresh[:agreed]
            tail = fresh[agreed:]
        else:  # the new hypothesis rewrote committed words: keep ours, show its rest
            tail = words[n:]
        self._previous = words
        return list(self.committed), tail


def _norm(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


class AudioHistory:
    """The recent stream, addressable by absolute sample index."""

    def __init__(self) -> None:
        self._buffer = np.zeros(0, dtype=np.float32)
        self._base = 0  # absolute sample index of _buffer[0]

    @property
    def end(self) -> int:
        return self._base + len(self._buffer)

    def append(self, samples: np.ndarray) -> None:
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float32)])

    def slice(self, start: int, stop: int) -> np.ndarray:
        lo = max(start, self._base) - self._base
        return self._buffer[lo:max(lo, stop - self._base)]

    def forget_before(self, sample: int) -> None:
        if sample > self._base:
            cut = min(sample - self._base, len(self._buffer))
            self._buffer = self._buffer[cut:]
            self._base += cut


class StreamingAsr:
    """Audio frames and VAD events in, ASR partials and finals out (no I/O)."""

    def __init__(self, config: AsrConfig, decoder: WhisperDecoder) -> None:
        self.config = config
        self.decoder = decoder
        self._history = AudioHistory()
        self._segment_start: float | None = None
        self._last_partial = 0.0
        self._agreement = LocalAgreement()

    def push_audio(self, samples: np.ndarray) -> list[AsrEvent]:
        """Append audio; emit a partial when the partial interval has elapsed in speech."""
        self._history.append(samples)
        now = self._history.end / SAMPLE_RATE
        if self._segment_start is None:
            self._history.forget_before(self._history.end - int(HISTORY_S * SAMPLE_RATE))
            return []
        if self.config.partial_interval_s <= 0 or \
                now - self._last_partial < self.config.partial_interval_s:
            return []
        self._last_partial = now
        return [self._partial(now)]

    def on_vad(self, event: VadEvent) -> list[AsrEvent]:
        match event:
            case SpeechStarted(time=time, start=start):
                self._segment_start = start
                self._last_partial = time
                self._agreement = LocalAgreement()
                return []
            case SpeechEnded():
                self._segment_start = None
                return [self._final(event)]
        return []

    def _partial(self, now: float) -> AsrPartial:
        assert self._segment_start is not None
        offset = max(0.0, self._segment_start - PRE_ROLL_S)
        audio = self._history.slice(_sample(offset), self._history.end)
        words = self.decoder.transcribe(audio).text.split()
        committed, tail = self._agreement.update(words)
        return AsrPartial(now, self._segment_start, " ".join(committed), " ".join(tail))

    def _final(self, event: SpeechEnded) -> AsrFinal:
        offset = max(0.0, event.start - PRE_ROLL_S)
        audio = self._history.slice(_sample(offset), _sample(event.end + POST_ROLL_S))
        result = self.decoder.transcribe(audio, beam_size=self.config.final_beam_size)
        self._history.forget_before(self._history.end - int(HISTORY_S * SAMPLE_RATE))
        return _final_event(event, offset, result)


def _final_event(event: SpeechEnded, offset: float, result: Transcript) -> AsrFinal:
    words = tuple(Word(w.text, round(offset + w.start, 3), round(offset + w.end, 3),
                       round(w.probability, 3)) for w in result.words)
    return AsrFinal(event.time, event.start, event.end, result.text, words, result.language)


def _sample(t: float) -> int:
    return int(round(t * SAMPLE_RATE))
