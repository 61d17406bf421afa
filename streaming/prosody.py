"""Low-level prosody measurements shared by perception, turn-taking and the voice:
a pitch track (WORLD's DIO + StoneMask via pyworld) and frame energy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from streaming.config import SAMPLE_RATE

FRAME_PERIOD_MS = 10.0  # one pitch value every 10 ms


@dataclass(frozen=True)
class PitchTrack:
    times: np.ndarray  # seconds from the start of the analysed audio
    f0: np.ndarray  # Hz; 0 where unvoiced

    @property
    def voiced(self) -> np.ndarray:
        return self.f0[self.f0 > 0]


def pitch_track(audio: np.ndarray, rate: int = SAMPLE_RATE, f0_floor: float = 60.0,
                f0_ceil: float = 500.0) -> PitchTrack:
    """F0 every 10 ms (about 15 ms of compute per second of audio on one core)."""
    with warnings.catch_warnings():  # pyworld imports pkg_resources, which warns
        warnings.simplefilter("ignore")
        import pyworld

    x = np.ascontiguousarray(audio, dtype=np.float64)
    if len(x) < rate * FRAME_PERIOD_MS / 1000 * 3:
        return PitchTrack(np.zeros(0), np.zeros(0))
    f0, times = pyworld.dio(x, rate, f0_floor=f0_floor, f0_ceil=f0_ceil,
                            frame_period=FRAME_PERIOD_MS)
    f0 = pyworld.stonemask(x, f0, times, rate)
    return PitchTrack(times, f0)


def frame_rms_db(audio: np.ndarray, frame_s: float = 0.02,
                 rate: int = SAMPLE_RATE) -> np.ndarray:
    """RMS level in dBFS per non-overlapping frame (silence floors at -100 dB)."""
    size = max(1, int(frame_s * rate))
    usable = len(audio) // size * size
    if usable == 0:
        return np.zeros(0)
    frames = audio[:usable].reshape(-1, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-5))


def final_movement(track: PitchTrack, last_s: float = 0.4, min_voiced: int = 8) -> float | None:
    """Pitch movement over the last ``last_s`` of voiced speech, in semitones.

    Pitch is measured in semitones from the track's median F0 and clipped to one
    octave either way (octave errors and final creak then read as a fall, not as
    noise). The movement is the median of the last third of the final voiced frames
    minus the median of their first third; negative means a final fall. None when too
    little is voiced to say.
    """
    voiced = track.f0 > 0
    if voiced.sum() < min_voiced:
        return None
    times, f0 = track.times[voiced], track.f0[voiced]
    semitones = np.clip(12 * np.log2(f0 / np.median(f0)), -12.0, 12.0)
    final = semitones[times >= times[-1] - last_s]
    if len(final) < min_voiced:
        return None
    third = len(final) // 3
    return round(float(np.median(final[-third:]) - np.median(final[:third])), 2)


def pitch_movement(audio: np.ndarray, last_s: float = 0.4) -> float | None:
    """``final_movement`` of the pitch track of ``audio`` (the end-of-turn signal)."""
    return final_movement(pitch_track(np.asarray(audio, dtype=np.float32)), last_s)
