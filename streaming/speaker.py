"""A light speaker-characteristics check: is this segment the enrolled user?

Cheap features only (a few ms of compute per second of audio, plus the
shared pitch tracker): a diagonal Gaussian over 19 MFCCs of the louder
frames, the median pitch, and the speech level. The distance between two
voices is the symmetric Kullback-Leibler divergence of their Gaussians (the
classic speaker-change measure) plus a pitch term; it maps to a similarity in
0..1. The user is enrolled from the first seconds of confident user speech
(the session uses the spans of its first turns); every later segment gives a
``SpeakerCheck`` event: the similarity and the level relative to the user's.

This is no speaker-recognition model: it tells apart voices of another
gender, another microphone distance or another room well, and similar voices
poorly. ``tests/test_speaker.py`` measures it on a real two-speaker recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.events import SpeakerCheck

N_FFT = 400  # 25 ms analysis window
HOP = 160  # 10 ms hop
N_MELS = 40
N_MFCC = 19  # c1..c19 (c0, the level, is measured separately)
ACTIVE_DB = 25.0  # frames within this many dB of the loudest frame count as speech
MIN_FRAMES = 20  # fewer active frames than this (0.2 s) cannot be judged
VARIANCE_FLOOR = 1e-3  # keeps the divergence finite for near-constant coefficients
PITCH_FREE_ST = 4.0  # pitch differences up to this many semitones cost nothing
PITCH_SCALE_ST = 6.0  # beyond that, this many semitones add one unit of distance
MIDPOINT = 0.9  # distance at which the similarity is 0.5 (same voice ~0.3-0.6)
SLOPE = 0.25  # how quickly the similarity falls around the midpoint


@dataclass(frozen=True)
class VoiceFeatures:
    """What the check compares, for one stretch of speech."""

    mean: np.ndarray  # (19,) mean of MFCC c1..c19 over active frames
    var: np.ndarray  # (19,) their variance (floored)
    pitch_st: float | None  # median F0 in semitones above 55 Hz; None if unvoiced
    level_db: float  # RMS level of the active frames, dBFS
    active_s: float  # seconds of active frames


def _mel_matrix() -> np.ndarray:
    mel = 2595 * np.log10(1 + np.fft.rfftfreq(N_FFT, 1 / SAMPLE_RATE) / 700)
    edges = np.linspace(0, mel[-1], N_MELS + 2)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (mel[None] - lower) / (centre - lower)
    falling = (upper - mel[None]) / (upper - centre)
    return np.maximum(0, np.minimum(rising, falling))  # (N_MELS, bins)


def _dct_matrix() -> np.ndarray:
    n = np.arange(N_MELS)
    k = np.arange(1, N_MFCC + 1)[:, None]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * N_MELS))  # (N_MFCC, N_MELS)


_MEL = _mel_matrix()
_DCT = _dct_matrix()
_WINDOW = np.hanning(N_FFT)


def _frames(audio: np.ndarray) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    if len(x) < N_FFT:
        return np.zeros((0, N_FFT))
    count = 1 + (len(x) - N_FFT) // HOP
    return x[np.arange(N_FFT)[None] + HOP * np.arange(count)[:, None]]


def voice_features(audio: np.ndarray) -> VoiceFeatures | None:
    """Features of one stretch of 16 kHz speech; None if too short or silent."""
    frames = _frames(audio)
    if len(frames) < MIN_FRAMES:
        return None
    rms_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    active = rms_db >= rms_db.max() - ACTIVE_DB
    if active.sum() < MIN_FRAMES or rms_db.max() < -70:
        return None
    power = np.abs(np.fft.rfft(frames[active] * _WINDOW, axis=1)) ** 2
    mfcc = np.log(power @ _MEL.T + 1e-10) @ _DCT.T
    level = 10 * np.log10(np.mean(10 ** (rms_db[active] / 10)))
    return VoiceFeatures(mfcc.mean(axis=0), mfcc.var(axis=0) + VARIANCE_FLOOR,
                         _median_pitch(audio), round(float(level), 2),
                         active.sum() * HOP / SAMPLE_RATE)


def _median_pitch(audio: np.ndarray) -> float | None:
    from streaming.prosody import pitch_track

    voiced = pitch_track(np.asarray(audio, dtype=np.float32)).voiced
    if len(voiced) < 10:
        return None
    return float(12 * np.log2(np.median(voiced) / 55.0))


def _kl(a: VoiceFeatures, b: VoiceFeatures) -> float:
    """KL(a || b) of the diagonal Gaussians, averaged over coefficients."""
    return float(0.5 * np.mean(np.log(b.var / a.var) + (a.var + (a.mean - b.mean) ** 2) / b.var
                               - 1))


def distance(a: VoiceFeatures, b: VoiceFeatures) -> float:
    """How unlike the two voices sound (0 = identical); symmetric."""
    spectral = _kl(a, b) + _kl(b, a)
    if a.pitch_st is None or b.pitch_st is None:
        return spectral
    return spectral + max(0.0, abs(a.pitch_st - b.pitch_st) - PITCH_FREE_ST) / PITCH_SCALE_ST


def similarity_from_distance(value: float) -> float:
    """Map a distance to 0..1 (0.5 at ``MIDPOINT``)."""
    return float(1 / (1 + np.exp((value - MIDPOINT) / SLOPE)))


@dataclass(frozen=True)
class SpeakerProfile:
    """The enrolled user."""

    features: VoiceFeatures

    @classmethod
    def enroll(cls, audio: np.ndarray) -> SpeakerProfile:
        """Enrol from a few seconds of the user's own speech (2-5 s is plenty)."""
        features = voice_features(audio)
        if features is None:
            raise ValueError("cannot enrol a speaker from silent or too short audio")
        return cls(features)

    def compare(self, audio: np.ndarray) -> tuple[float, float] | None:
        """(similarity 0..1, level relative to the user in dB); None if unjudgeable."""
        features = voice_features(audio)
        if features is None:
            return None
        score = similarity_from_distance(distance(self.features, features))
        return round(score, 3), round(features.level_db - self.features.level_db, 1)

    def check(self, audio: np.ndarray, time: float,
              segment_start: float) -> SpeakerCheck | None:
        """The event for the segment that began at ``segment_start`` (its audio so far)."""
        compared = self.compare(audio)
        if compared is None:
            return None
        similarity, relative = compared
        return SpeakerCheck(time=time, segment_start=segment_start, similarity=similarity,
                            relative_level_db=relative,
                            level_db=round(self.features.level_db + relative, 1))
