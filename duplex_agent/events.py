"""The typed events that flow through the agent.

Every event is a frozen, slotted dataclass stamped with stream time in seconds
(samples consumed / sample rate), never wall-clock time. Stages produce and
consume these; dispatch on them with ``match``.
"""

from __future__ import annotations

from dataclasses import dataclass

# The listening events (VAD, ASR, Smart Turn, speaker check) live with the listening
# code; re-exported here so the agent has one place to import its events from.
from streaming.events import (  # noqa: F401
    AsrEvent,
    AsrFinal,
    AsrPartial,
    EndOfTurnPrediction,
    ListenEvent,
    SpeakerCheck,
    SpeechEnded,
    SpeechStarted,
    VadEvent,
    Word,
)


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
class FinalPitch:
    """Pitch movement over the last voiced ~0.4 s of the segment that began at
    ``segment_start``, in semitones (negative = a final fall)."""

    time: float
    segment_start: float
    movement_st: float


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
