"""The typed events the listening half produces.

Every event is a frozen, slotted dataclass stamped with stream time in seconds
(samples consumed / sample rate), never wall-clock time. Consumers dispatch on
them with ``match``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """VAD: speech confirmed at ``time`` (after the minimum speech length).

    ``start`` is where the speech began, before it was confirmed.
    """

    time: float
    start: float


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """VAD: the user's speech segment ``start``..``end`` is over.

    ``time`` is when the decision was made (``end`` plus the hang-over).
    """

    time: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its stream-time span and Whisper probability."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class AsrPartial:
    """ASR while the user is still talking.

    ``committed`` is the prefix two successive hypotheses agree on (it will not
    change); ``tail`` is the unstable rest of the newest hypothesis.
    """

    time: float
    segment_start: float
    committed: str
    tail: str

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.committed, self.tail) if part)


@dataclass(frozen=True, slots=True)
class AsrFinal:
    """ASR for a finished speech segment, with word times in stream time."""

    time: float
    segment_start: float
    segment_end: float
    text: str
    words: tuple[Word, ...]
    language: str


# --- Signals from the user's audio for turn-taking decisions ---


@dataclass(frozen=True, slots=True)
class EndOfTurnPrediction:
    """Smart Turn v3.2 on the user's audio up to ``time``: P(the turn is complete)."""

    time: float
    probability: float


@dataclass(frozen=True, slots=True)
class SpeakerCheck:
    """Who is talking in the segment that began at ``segment_start``, against the
    enrolled user: ``similarity`` 0..1, ``relative_level_db`` = segment level minus
    the user's enrolled level, ``level_db`` = the segment's level in dBFS."""

    time: float
    segment_start: float
    similarity: float
    relative_level_db: float
    level_db: float


VadEvent = SpeechStarted | SpeechEnded
AsrEvent = AsrPartial | AsrFinal
ListenEvent = VadEvent | AsrEvent
