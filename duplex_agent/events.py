"""The typed events that flow through the agent.

Every event is a frozen, slotted dataclass stamped with stream time in seconds
(samples consumed / sample rate), never wall-clock time. Stages produce and
consume these; dispatch on them with ``match``.
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


@dataclass(frozen=True, slots=True)
class EmotionEstimate:
    """Perception's fused reading of the user's emotion for one segment (or partial).

    ``driver`` names the cue that decided it ("text", "voice", "laughter"...);
    ``incongruent`` is set when words and voice disagree (sarcasm, masked feeling).
    """

    time: float
    label: str  # neutral happy sad angry fear surprise disgust
    intensity: float  # 0..1
    valence: float  # -1..1
    arousal: float  # -1..1 relative to the speaker's baseline
    confidence: float  # 0..1
    driver: str
    incongruent: bool = False
    note: str = ""


# --- Turn-taking inputs beyond listening (consumed by duplex_agent.turns) ---


@dataclass(frozen=True, slots=True)
class EndOfTurnPrediction:
    """Smart Turn v3.2 on the user's audio up to ``time``: P(the turn is complete)."""

    time: float
    probability: float


@dataclass(frozen=True, slots=True)
class FinalPitch:
    """Pitch movement over the last voiced ~0.4 s of the segment that began at
    ``segment_start``, in semitones (negative = a final fall)."""

    time: float
    segment_start: float
    movement_st: float


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


@dataclass(frozen=True, slots=True)
class AgentSpeechStarted:
    """The first audio of agent reply ``utterance_id`` reached the speaker."""

    time: float
    utterance_id: str


@dataclass(frozen=True, slots=True)
class AgentSpeechEnded:
    """Agent reply ``utterance_id`` stopped: finished, or ``interrupted`` after the
    user heard ``heard_text``."""

    time: float
    utterance_id: str
    heard_text: str
    interrupted: bool


@dataclass(frozen=True, slots=True)
class PlaybackReference:
    """Echo reference: the agent's own output at ``time`` (replies and backchannels),
    its RMS level in dBFS and the words being played (may be empty)."""

    time: float
    level_db: float
    text: str = ""


VadEvent = SpeechStarted | SpeechEnded
AsrEvent = AsrPartial | AsrFinal
ListenEvent = VadEvent | AsrEvent
