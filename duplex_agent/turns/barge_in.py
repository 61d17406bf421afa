"""Barge-in: does user speech over the agent stop it, and what kind of interruption is it?

Speech that carries content (words beyond a backchannel or filler) stops the
agent at the moment the words are recognised (a partial is enough); while the
reply is already paused for it (``pause.py``) the stop waits for the end of the
speech (or a command, or 3 s of it), so words meant for someone else are heard
whole. A voice quieter than the user's waits for its speaker check. Speech
that only says "mm-hm", "yeah", "对", laughs, or is a filler is rejected once
its final transcript confirms it; until then the agent keeps talking.
Sustained speech from a voice that is clearly the user's stops the agent
even before the ASR has words. The kind (follow-up, negation, repeat, topic
switch, stop) comes from the words, in English or Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from duplex_agent.turns import lexicon
from duplex_agent.turns.actions import Reject, StopSpeaking
from duplex_agent.turns.config import BargeInConfig


@dataclass(frozen=True)
class Overlap:
    """What barge-in needs to know about one stretch of user speech over the agent."""

    text: str  # the newest transcript (partial or final)
    final: bool  # the ASR final has arrived: the text will not grow
    duration_s: float  # how long the speech has lasted so far
    user_like: bool  # the voice is clearly the user's (not echo, not a third party)
    closed: bool = False  # the VAD closed the segment: the partial is all there is
    paused: bool = False  # the reply is paused for this speech: no hurry to stop
    doubtful: bool = False  # quieter than the user and not yet checked: maybe another voice


def decide(overlap: Overlap, now: float,
           config: BargeInConfig) -> StopSpeaking | Reject | None:
    """Stop the agent, reject the speech, or None to keep listening."""
    if config.mode == "off":
        return None
    if config.mode == "vad":
        return StopSpeaking(now, "voice activity over the agent", "unclassified")
    if overlap.doubtful:  # wait for the speaker check: background voices say words too
        return None
    hurry = _hurry(overlap, config)
    if hurry and lexicon.content_size(overlap.text) >= config.min_content:
        kind = lexicon.interruption_kind(overlap.text)
        return StopSpeaking(now, f"{kind}: {overlap.text!r}", kind)
    if overlap.final:
        return _reject(overlap.text, now)
    if hurry and overlap.user_like and overlap.duration_s >= config.sustained_s \
            and not lexicon.is_backchannel(overlap.text):
        return StopSpeaking(now, f"user spoke over the agent for {overlap.duration_s:.1f} s",
                            "unclassified")
    return None


def _hurry(overlap: Overlap, config: BargeInConfig) -> bool:
    """Decide a stop now? At once while the agent is audible; while it is paused, only
    once the speech is over (whom it is for may come last), or it is a command, or it
    has gone on for ``confirm_s``."""
    return (not overlap.paused or overlap.final or overlap.closed
            or overlap.duration_s >= config.confirm_s
            or lexicon.interruption_kind(overlap.text) in ("stop", "repeat"))


def _reject(text: str, now: float) -> Reject:
    if lexicon.is_backchannel(text):
        return Reject(now, f"backchannel {text.strip()!r}", "backchannel")
    return Reject(now, f"no words ({text.strip()!r})", "noise")
