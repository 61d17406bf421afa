"""Emotion-aware policy: patience before taking the turn, and the user's mood.

A sad or fearful user gets more time to finish (people in distress pause longer
mid-thought), and so does a hesitant one (fillers, "hesitant" estimates), and one whose
own pauses inside earlier turns were long (pacing). The mood also picks the agent's
backchannels: never a cheerful one to distress.
"""

from __future__ import annotations

from duplex_agent.events import EmotionEstimate
from duplex_agent.turns import lexicon
from duplex_agent.turns.config import PolicyConfig

DISTRESS = {"sad", "fear", "fearful", "anxious", "hurt", "lonely", "grief"}
UPSET = {"angry", "disgust", "frustrated", "annoyed"}
HESITANT = {"hesitant", "uncertain", "confused", "nervous", "anxious"}
CHEERFUL = {"happy", "joy", "excited", "amused"}


def fresh(emotion: EmotionEstimate | None, now: float,
          config: PolicyConfig) -> EmotionEstimate | None:
    """The estimate if it is recent and confident enough to act on."""
    if emotion is None or emotion.confidence < config.min_confidence:
        return None
    return emotion if now - emotion.time <= config.max_age_s else None


def mood(emotion: EmotionEstimate | None) -> str:
    """distress / upset / cheerful / surprise / neutral."""
    if emotion is None:
        return "neutral"
    label = emotion.label.lower()
    if label in DISTRESS or (emotion.valence <= -0.3 and label not in UPSET):
        return "distress"
    if label in UPSET:
        return "upset"
    if emotion.incongruent:  # words and voice disagree: no cheer, no drama
        return "neutral"
    if label == "surprise":
        return "surprise"
    if label in CHEERFUL or emotion.valence >= 0.3:
        return "cheerful"
    return "neutral"


def is_hesitant(emotion: EmotionEstimate | None, text: str, config: PolicyConfig) -> bool:
    if emotion is not None and emotion.label.lower() in HESITANT:
        return True
    return lexicon.filler_count(text) >= config.hesitant_fillers


def pacing(pauses: list[float], config: PolicyConfig) -> float:
    """Patience from the user's own mid-turn pauses (1.0 without any)."""
    if not pauses:
        return 1.0
    typical = max(pauses[-config.pacing_memory:])
    return min(config.pacing_patience, max(1.0, typical / config.pacing_reference_s))


def patience(emotion: EmotionEstimate | None, text: str, config: PolicyConfig,
             pauses: list[float] | None = None) -> tuple[float, str]:
    """Multiplier on the end-of-turn wait, and why. ``pauses``: the user's mid-turn
    pauses so far (s)."""
    factor, why = 1.0, ""
    paced = pacing(pauses or [], config)
    if paced > factor:
        factor, why = paced, f"user pauses up to {max(pauses[-config.pacing_memory:]):.1f} s"  # type: ignore[index]
    if mood(emotion) == "distress":
        factor, why = config.sad_patience, f"user {emotion.label}"  # type: ignore[union-attr]
    if is_hesitant(emotion, text, config) and config.hesitant_patience > factor:
        factor, why = config.hesitant_patience, "user hesitant"
    return factor, why
