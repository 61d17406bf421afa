"""Pausing the agent's reply while user speech over it is undecided.

Barge-in is decided on the words, which take 0.5-1 s to arrive; a person goes quiet as
soon as someone clearly starts to talk over them. So speech at about the user's level
(any voice before the user is enrolled) that goes on for ``pause_after_s`` over the
agent pauses the reply (``PauseSpeaking``), and the stop decision only confirms the
pause. While the agent is still thinking (nothing audible yet) the reply is held from
the onset: the user was most likely not finished. Speech that is rejected (a
backchannel, a cough, another voice, words for someone else), or that ends without
words while the agent is audible, resumes the reply at once (``ResumeSpeaking``): the
gap is never longer than that speech. The short wait before pausing lets a quick
"mm-hm" pass without any gap at all.
"""

from __future__ import annotations

from duplex_agent.turns.actions import Action, PauseSpeaking, ResumeSpeaking
from duplex_agent.turns.config import BargeInConfig
from duplex_agent.turns.state import Segment

EPS = 1e-6


class ReplyPause:
    """Who paused the reply, if anyone; one decision: pause now, resume now."""

    def __init__(self, config: BargeInConfig) -> None:
        self.config = config
        self.by: Segment | None = None  # the speech that paused the reply

    def user_like_level(self, segment: Segment) -> bool:
        """About as loud as the user (or no level known: no enrolment yet)."""
        level = segment.level_db
        return level is None or level >= -self.config.pause_level_margin_db

    def due(self, segment: Segment, now: float, audible: bool) -> list[Action]:
        """``PauseSpeaking`` once ``segment`` has gone on long enough at the user's level
        (at once if the reply is not ``audible`` yet)."""
        config = self.config
        after = config.pause_after_s if audible else 0.0
        if not config.pause or config.mode != "content" or self.by is not None or \
                segment.closed or segment.rejected is not None or \
                now - segment.start < after - EPS or not self.user_like_level(segment):
            return []
        self.by = segment
        return [PauseSpeaking(now, f"user-like speech for {now - segment.start:.2f} s "
                                   f"over the agent")]

    def release(self, segment: Segment, now: float, why: str) -> list[Action]:
        """``ResumeSpeaking`` if ``segment`` is what paused the reply."""
        if self.by is not segment:
            return []
        self.by = None
        return [ResumeSpeaking(now, why)]

    def clear(self) -> None:
        """The paused reply was stopped or is over: nothing to resume."""
        self.by = None
