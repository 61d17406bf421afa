"""When the user's turn is over: evidence from text, pitch and Smart Turn -> a wait.

Each enabled signal gives P(complete); the evidence is the weighted sum of
their log-odds (a signal without an opinion contributes nothing). The silence
the controller waits for after the user's last speech is

    wait = clamp(base * exp(-sensitivity * evidence), min, max) * patience

so no evidence gives the plain ``base_silence_s`` timeout, a complete-looking
ending shortens it, an unfinished one stretches it, and a confident Smart Turn
prediction outweighs the other two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from duplex_agent.turns import lexicon
from duplex_agent.turns.config import EndOfTurnConfig


@dataclass(frozen=True)
class Evidence:
    """P(complete) from each signal; None where a signal is off or has no data."""

    text: float | None = None
    pitch: float | None = None
    smart_turn: float | None = None

    def describe(self) -> str:
        parts = [f"{name} {value:.2f}" for name, value in
                 (("text", self.text), ("pitch", self.pitch), ("smart-turn", self.smart_turn))
                 if value is not None]
        return ", ".join(parts) or "no signal"


def text_probability(text: str, config: EndOfTurnConfig) -> float | None:
    verdict = lexicon.completeness(text)
    if verdict == "complete":
        return config.text_complete_p
    if verdict == "incomplete":
        return config.text_incomplete_p
    if verdict == "hanging":
        return config.text_hanging_p
    return None


def pitch_probability(movement_st: float | None, config: EndOfTurnConfig) -> float | None:
    if movement_st is None:
        return None
    if movement_st <= config.pitch_fall_st:
        return config.pitch_fall_p
    if abs(movement_st) < config.pitch_flat_st:
        return config.pitch_flat_p
    return None  # a rise: a question or a continuation, no opinion


def gather(text: str, movement_st: float | None, smart_turn: float | None,
           config: EndOfTurnConfig) -> Evidence:
    """The evidence the enabled signals give."""
    return Evidence(
        text=text_probability(text, config) if config.use_text else None,
        pitch=pitch_probability(movement_st, config) if config.use_pitch else None,
        smart_turn=smart_turn if config.use_smart_turn else None)


def _logit(p: float) -> float:
    p = min(max(p, 0.02), 0.98)
    return math.log(p / (1 - p))


def evidence_logit(evidence: Evidence, config: EndOfTurnConfig) -> float:
    pairs = ((evidence.text, config.text_weight), (evidence.pitch, config.pitch_weight),
             (evidence.smart_turn, config.smart_turn_weight))
    return sum(weight * _logit(p) for p, weight in pairs if p is not None)


def completion_probability(evidence: Evidence, config: EndOfTurnConfig) -> float:
    return 1 / (1 + math.exp(-evidence_logit(evidence, config)))


def required_silence(evidence: Evidence, config: EndOfTurnConfig,
                     patience: float = 1.0) -> float:
    """Seconds of silence after the user's last speech before the turn is taken."""
    wait = config.base_silence_s * math.exp(-config.sensitivity *
                                            evidence_logit(evidence, config))
    return min(max(wait, config.min_silence_s), config.max_silence_s) * patience
