"""Barge-in: does user speech over the agent stop it, and what kind of interruption is it?

Speech that carries content (words beyond a backchannel or filler) stops the
agent at the moment the words are recognised (a partial is enough). Speech
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


def decide(overlap: Overlap, now: float,
           config: BargeInConfig) -> StopSpeaking | Reject | None:
    """Stop the agent, reject the speech, or None to keep listening."""
    if config.mode == "off":
        return None
    if config.mode == "vad":
        return StopSpeaking(now, "voice activity over the agent", "unclassified")
    size = lexicon.content_size(overlap.text)
    if size >= config.min_content:
        kind = lexicon.interruption_kind(overlap.text)
        return StopSpeaking(now, f"{kind}: {overlap.text!r}", kind)
    if overlap.final:
        return _reject(overlap.text, now)
    if overlap.user_like and overlap.duration_s >= config.sustained_s \
            and not lexicon.is_backchannel(overlap.text):
        return StopSpeaking(now, f"user spoke over the agent for {overlap.duration_s:.1f} s",
                            "unclassified")
    return None


def _reject(text: str, now: float) -> Reject:
    if lexicon.is_backchannel(text):
        return Reject(now, f"backchannel {text.strip()!r}", "backchannel")
    return Reject(now, f"no words ({text.strip()!r})", "noise")
