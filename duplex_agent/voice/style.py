"""How the reply is delivered: ``VoiceStyle`` and the emotion presets.

A preset is the delivery for *answering a user who feels* that emotion (the
thought's emotion), not an imitation of it: the agent mirrors positive
feelings, softens and slows for sad or frightened users, and meets anger and
disgust with a calm, even voice (never with hostility). ``style_for`` blends
from neutral to the preset by the thought's intensity.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from typing import Any

from duplex_agent.errors import UserError


class StyleError(UserError, ValueError):
    """An unknown emotion, a bad intensity, or a style field out of range."""


@dataclass(frozen=True, slots=True)
class VoiceStyle:
    # Speaking-rate factor: 1.0 is the voice's own pace, > 1 faster (Piper length_scale = 1/rate).
    rate: float = 1.0
    # Pitch shift of the whole utterance, in semitones.
    pitch_semitones: float = 0.0
    # Scale of pitch movement, in log-frequency: < 1 flatter, > 1 livelier. Done with the
    # WORLD vocoder, which roughens joe's voice (see pitch.py), so the presets leave it at 1.
    pitch_range: float = 1.0
    # Loudness relative to the voice's reference level, in dB.
    energy_db: float = 0.0
    # Spectral tilt above ~1.5 kHz, in dB: > 0 brighter (more effort), < 0 softer, darker.
    brightness_db: float = 0.0
    # Piper's variability (noise_scale and noise_w multiplier): < 1 more even, > 1 more varied.
    expressiveness: float = 1.0
    # Silence after a clause break (, ; : —), in seconds.
    clause_pause_s: float = 0.12
    # Silence after a sentence end (. ! ?), in seconds.
    sentence_pause_s: float = 0.30


# Allowed range of every field: far enough for strong emotion, near enough to stay intelligible.
LIMITS: dict[str, tuple[float, float]] = {
    "rate": (0.5, 2.0), "pitch_semitones": (-8.0, 8.0), "pitch_range": (0.0, 2.5),
    "energy_db": (-20.0, 10.0), "brightness_db": (-12.0, 12.0), "expressiveness": (0.0, 1.6),
    "clause_pause_s": (0.0, 2.0), "sentence_pause_s": (0.0, 3.0),
}

NEUTRAL = VoiceStyle()

# Delivery at intensity 1.0 for replying to a user who feels the named emotion;
# "calm" is a strategy preset (de-escalate, reassure) the thinker may ask for directly.
PRESETS: dict[str, VoiceStyle] = {
    "neutral": NEUTRAL,
    "happy": VoiceStyle(rate=1.08, pitch_semitones=2.0, energy_db=2.0,
                        brightness_db=2.0, expressiveness=1.15, clause_pause_s=0.10,
                        sentence_pause_s=0.25),
    "sad": VoiceStyle(rate=0.85, pitch_semitones=-2.0, energy_db=-5.0,
                      brightness_db=-3.0, expressiveness=0.8, clause_pause_s=0.25,
                      sentence_pause_s=0.55),
    "angry": VoiceStyle(rate=0.92, pitch_semitones=-1.0, energy_db=-2.0,
                        brightness_db=-1.0, expressiveness=0.7, clause_pause_s=0.18,
                        sentence_pause_s=0.40),
    "fear": VoiceStyle(rate=0.9, pitch_semitones=-1.0, energy_db=-3.0,
                       brightness_db=-2.0, expressiveness=0.75, clause_pause_s=0.20,
                       sentence_pause_s=0.45),
    "surprise": VoiceStyle(rate=1.05, pitch_semitones=2.5, energy_db=1.5,
                           brightness_db=1.5, expressiveness=1.2, clause_pause_s=0.10,
                           sentence_pause_s=0.25),
    "disgust": VoiceStyle(rate=0.95, pitch_semitones=-0.5, energy_db=-1.0,
                          brightness_db=-1.0, expressiveness=0.9, clause_pause_s=0.15,
                          sentence_pause_s=0.35),
    "calm": VoiceStyle(rate=0.85, pitch_semitones=-1.0, energy_db=-3.0,
                       brightness_db=-2.0, expressiveness=0.6, clause_pause_s=0.25,
                       sentence_pause_s=0.55),
}
EMOTIONS = tuple(PRESETS)


def style_for(emotion: str, intensity: float = 1.0) -> VoiceStyle:
    """The delivery for ``emotion`` at ``intensity`` in [0, 1] (0 = neutral, 1 = full preset).

    Every field moves linearly from neutral towards the preset.
    """
    key = emotion.strip().lower()
    if key not in PRESETS:
        raise StyleError(f"unknown emotion {emotion!r}; known: {', '.join(EMOTIONS)}")
    if not isinstance(intensity, int | float) or not 0.0 <= intensity <= 1.0:
        raise StyleError(f"intensity must be a number from 0 to 1, got {intensity!r}")
    preset = PRESETS[key]
    return VoiceStyle(**{f.name: _mix(getattr(NEUTRAL, f.name), getattr(preset, f.name),
                                      intensity) for f in fields(VoiceStyle)})


def _mix(a: float, b: float, t: float) -> float:
    return round(a + (b - a) * t, 6)


def check_style(style: VoiceStyle) -> VoiceStyle:
    """Return ``style`` if every field is a finite number within LIMITS, else raise."""
    for name, (low, high) in LIMITS.items():
        value = getattr(style, name)
        if not isinstance(value, int | float) or isinstance(value, bool) \
                or not math.isfinite(value) or not low <= value <= high:
            raise StyleError(f"style field {name} must be a number from {low} to {high}, "
                             f"got {value!r}")
    return style


def style_from_mapping(data: dict[str, Any]) -> VoiceStyle:
    """A style from a mapping: optional "emotion" and "intensity" pick the base preset,
    any VoiceStyle field overrides it. Unknown keys are errors."""
    if not isinstance(data, dict):
        raise StyleError("a style must be a JSON object such as {\"rate\": 0.9}")
    known = {f.name for f in fields(VoiceStyle)}
    unknown = set(data) - known - {"emotion", "intensity"}
    if unknown:
        raise StyleError(f"unknown style field(s) {', '.join(sorted(unknown))}; known: "
                         f"emotion, intensity, {', '.join(sorted(known))}")
    base = style_for(str(data.get("emotion", "neutral")), data.get("intensity", 1.0))
    return check_style(replace(base, **{k: v for k, v in data.items() if k in known}))


def style_from_json(text: str) -> VoiceStyle:
    """Parse a JSON object (see ``style_from_mapping``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise StyleError(f"style is not valid JSON ({err.msg} at column {err.colno})") from None
    return style_from_mapping(data)
