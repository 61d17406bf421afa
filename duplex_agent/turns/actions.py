"""What the turn controller decides. The session carries these out.

Every action is a frozen, slotted dataclass with the stream ``time`` of the
decision and a short ``reason`` for the log and the timeline plot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

InterruptionKind = Literal["follow_up", "negation", "repeat", "topic_switch", "stop",
                           "unclassified"]
RejectKind = Literal["backchannel", "pause", "third_party", "not_addressed", "echo", "noise"]


@dataclass(frozen=True, slots=True)
class TakeTurn:
    """The user's turn is over: reply to ``user_text``.

    ``speech_start``..``speech_end`` is the user's speech in the turn (for
    latency measurement and speaker enrolment). ``interruption`` is set when the
    turn began by cutting the agent off; the reply should answer it (for
    "stop": stop and say the agent is ready).
    """

    time: float
    reason: str
    user_text: str
    speech_start: float
    speech_end: float
    language: str = ""
    interruption: InterruptionKind | None = None


@dataclass(frozen=True, slots=True)
class StartThinking:
    """Speculative: the user paused after a complete-looking ``partial_text``.

    The session may start the thought and reply early; the following
    ``TakeTurn`` says whether the text held (compare ``user_text``).
    """

    time: float
    reason: str
    partial_text: str


@dataclass(frozen=True, slots=True)
class ThinkAhead:
    """The user is still speaking and ``partial_text`` already says enough to start working
    out how they feel and why: the session may form the thought (not the reply) now, so
    that at the end of the turn only the reply is left to write."""

    time: float
    reason: str
    partial_text: str


@dataclass(frozen=True, slots=True)
class StopSpeaking:
    """Barge-in: stop the agent's reply (playout and generation) now."""

    time: float
    reason: str
    kind: InterruptionKind


@dataclass(frozen=True, slots=True)
class PauseSpeaking:
    """User-like speech is going on over the agent: go silent now, keep the place (and
    keep generating). A ``ResumeSpeaking`` or a ``StopSpeaking`` follows."""

    time: float
    reason: str


@dataclass(frozen=True, slots=True)
class ResumeSpeaking:
    """The speech that paused the agent did not take the turn: carry on where it paused."""

    time: float
    reason: str


@dataclass(frozen=True, slots=True)
class Backchannel:
    """Say a short backchannel (``text``, e.g. "mm-hm", "oh no", "嗯") in ``tone``
    (neutral / soft / calm / bright) without taking the turn. ``kind`` is the voice's
    cached clip for it (continuer, agreement, sympathy, understanding, surprise)."""

    time: float
    reason: str
    text: str
    tone: str
    kind: str = "continuer"


@dataclass(frozen=True, slots=True)
class Reject:
    """A logged non-decision: this speech did not take the turn or stop the agent."""

    time: float
    reason: str
    kind: RejectKind


Action = (TakeTurn | StartThinking | ThinkAhead | StopSpeaking | PauseSpeaking | ResumeSpeaking
          | Backchannel | Reject)
