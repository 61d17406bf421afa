"""Emotion from the voice alone: arousal and a 4-way vocal profile match.

Directions come from the speech-emotion literature (Banse & Scherer 1996;
Juslin & Laukka 2003), not from fitting data: high arousal raises loudness,
pitch, pitch range, spectral balance and tempo; sadness lowers them all;
happiness raises pitch and its range more than loudness; anger raises
loudness and the high-frequency balance most. Inputs are z-scores against
the speaker's own baseline.
"""

from __future__ import annotations

import math

# Arousal: weights over baseline z-scores (they sum to 1).
AROUSAL_WEIGHTS = {
    "energy_db": 0.30, "f0_median_st": 0.20, "alpha_ratio_db": 0.15, "centroid_hz": 0.10,
    "f0_range_st": 0.10, "energy_std_db": 0.05, "rate_sps": 0.10,
}

# Typical z-profile of each vocal emotion relative to the speaker's neutral voice.
PROFILES: dict[str, dict[str, float]] = {
    "neutral": {},
    "sad": {"energy_db": -0.8, "f0_median_st": -0.3, "f0_range_st": -0.8, "rate_sps": -0.5,
            "alpha_ratio_db": -0.6, "centroid_hz": -0.5, "energy_std_db": -0.5},
    "happy": {"energy_db": 0.6, "f0_median_st": 0.9, "f0_range_st": 0.8, "rate_sps": 0.2,
              "alpha_ratio_db": 0.4, "centroid_hz": 0.4, "energy_std_db": 0.3},
    "angry": {"energy_db": 1.4, "f0_median_st": 0.8, "f0_range_st": 0.5, "rate_sps": 0.3,
              "alpha_ratio_db": 1.2, "centroid_hz": 1.1, "energy_std_db": 0.6},
}
FEATURES = sorted(AROUSAL_WEIGHTS)
SHARPNESS = 1.0  # softmax temperature over negative squared distances


def arousal(z: dict[str, float]) -> float:
    """Arousal in -1..1 from baseline z-scores (0 = the speaker's usual voice)."""
    raw = sum(weight * z.get(name, 0.0) for name, weight in AROUSAL_WEIGHTS.items())
    return math.tanh(raw / 1.5)


def vocal_distribution(z: dict[str, float]) -> dict[str, float]:
    """Probability of each vocal profile (neutral / sad / happy / angry)."""
    scores = {}
    for label, profile in PROFILES.items():
        distance = sum((z.get(f, 0.0) - profile.get(f, 0.0)) ** 2 for f in FEATURES)
        scores[label] = -SHARPNESS * distance / len(FEATURES)
    top = max(scores.values())
    exp = {label: math.exp(s - top) for label, s in scores.items()}
    total = sum(exp.values())
    return {label: v / total for label, v in exp.items()}
