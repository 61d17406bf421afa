"""The speaker's own running baseline: acoustic cues become z-scores against it.

Voices differ more between people than between one person's emotions, so a
raised pitch only means something relative to how this user usually sounds.
Until enough speech has been heard, population priors stand in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from duplex_agent.perception.acoustic import AcousticCues

# Features that carry emotion, with population priors (mean, spread) used before the
# baseline has its own data. Spreads are typical within-speaker spreads.
PRIORS: dict[str, tuple[float, float]] = {
    "f0_median_st": (9.0, 3.0),
    "f0_range_st": (7.0, 3.0),
    "energy_db": (-35.0, 6.0),
    "energy_std_db": (7.0, 1.5),
    "rate_sps": (4.5, 1.0),
    "alpha_ratio_db": (-6.0, 4.0),
    "centroid_hz": (800.0, 250.0),
    "voiced_ratio": (0.6, 0.15),
}
PRIOR_WEIGHT = 2.0  # the priors count as this many observations
MIN_SPREAD_FRACTION = 0.5  # a spread never shrinks below half the prior spread


@dataclass
class SpeakerBaseline:
    """Running mean and variance per feature (Welford), blended with the priors."""

    count: int = 0
    _mean: dict[str, float] = field(default_factory=dict)
    _m2: dict[str, float] = field(default_factory=dict)

    def add(self, cues: AcousticCues) -> None:
        if cues.energy_db <= -99:
            return  # silence says nothing about the voice
        self.count += 1
        for name in PRIORS:
            value = getattr(cues, name)
            if math.isnan(value):
                continue
            mean = self._mean.get(name, value)
            delta = value - mean
            mean += delta / self.count
            self._m2[name] = self._m2.get(name, 0.0) + delta * (value - mean)
            self._mean[name] = mean

    def stats(self, name: str) -> tuple[float, float]:
        prior_mean, prior_sd = PRIORS[name]
        n = self.count
        if n == 0 or name not in self._mean:
            return prior_mean, prior_sd
        mean = (PRIOR_WEIGHT * prior_mean + n * self._mean[name]) / (PRIOR_WEIGHT + n)
        var = (PRIOR_WEIGHT * prior_sd**2 + self._m2[name]) / (PRIOR_WEIGHT + n)
        return mean, max(math.sqrt(var), MIN_SPREAD_FRACTION * prior_sd)

    def z(self, cues: AcousticCues) -> dict[str, float]:
        """z-score of each feature against this speaker (0 where unmeasured)."""
        scores = {}
        for name in PRIORS:
            value = getattr(cues, name)
            mean, sd = self.stats(name)
            scores[name] = 0.0 if math.isnan(value) else (value - mean) / sd
        return scores
