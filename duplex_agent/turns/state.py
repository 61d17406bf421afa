"""The controller's bookkeeping: speech segments, the user's turn, the phase."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from duplex_agent.events import SpeakerCheck

_CJK = re.compile(r"[\u3400-\u9fff，。？！、]")  # Chinese characters and punctuation


class Phase(StrEnum):
    LISTENING = "listening"  # nobody holds the turn
    USER_SPEAKING = "user_speaking"  # the user holds the turn (also in mid-turn pauses)
    THINKING = "thinking"  # the agent took the turn; its reply is not audible yet
    SPEAKING = "speaking"  # the agent's reply is playing


@dataclass
class Segment:
    """One VAD speech segment and everything learnt about it."""

    start: float
    end: float | None = None  # last speech, once the VAD closed the segment
    partial: str = ""
    final: str | None = None  # the ASR final, once it arrived
    language: str = ""
    check: SpeakerCheck | None = None
    level_db: float | None = None  # level relative to the user at onset (VoiceLevel)
    pitch_st: float | None = None  # final pitch movement
    rejected: str | None = None  # the Reject kind, once rejected
    resumes_after: float | None = None  # the pause (s) before it, if it resumed a turn

    @property
    def text(self) -> str:
        return self.final if self.final is not None else self.partial

    @property
    def closed(self) -> bool:
        return self.end is not None


@dataclass
class Turn:
    """The user's turn being built: its segments and what was decided in it."""

    segments: list[Segment] = field(default_factory=list)
    interruption: str | None = None  # set when the turn began by cutting the agent off
    smart_turn: float | None = None  # Smart Turn's P(complete) for the current pause
    speculated: str = ""  # text a StartThinking was issued for
    thought_ahead: int = 0  # size (words) of the partial the last ThinkAhead was for
    backchannel_pause: float | None = None  # the pause (its start) we backchannelled in

    @property
    def accepted(self) -> list[Segment]:
        return [s for s in self.segments if s.rejected is None]

    @property
    def text(self) -> str:
        """The accepted segments' words (Chinese pieces join without a space)."""
        joined = ""
        for piece in (s.text.strip() for s in self.accepted):
            if not piece:
                continue
            if joined and not (_CJK.match(piece[0]) and _CJK.match(joined[-1])):
                joined += " "
            joined += piece
        return joined

    @property
    def start(self) -> float:
        return self.accepted[0].start

    @property
    def last(self) -> Segment | None:
        return self.accepted[-1] if self.accepted else None

    @property
    def pause_start(self) -> float | None:
        """End of the user's last speech if they are silent now, else None."""
        last = self.last
        if last is None or not last.closed or any(not s.closed for s in self.accepted):
            return None
        return last.end

    @property
    def language(self) -> str:
        return next((s.language for s in reversed(self.accepted) if s.language), "")
