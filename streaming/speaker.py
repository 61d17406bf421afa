"""The speaker check: is this segment the enrolled user, and how loud is it?

The user is enrolled from the first seconds of confident user speech (the
session uses the span of its first turn); every later segment gives a
``SpeakerCheck`` event: the similarity 0..1 and the level relative to the user's.
Two ways to compare voices (``SpeakerConfig.method``):

- "neural" (default): the cosine between GE2E voice prints (``streaming.voiceprint``,
  the pretrained encoder in the resemblyzer wheel). The user's print is the running
  mean of the enrolment and of later turns that were confidently the user
  (``SpeakerProfile.learn``). Judges a voice from 0.5 s of speech.
- "mfcc": cheap statistics, no model: a diagonal Gaussian over 19 MFCCs of the
  louder frames plus the median pitch; the distance is the symmetric
  Kullback-Leibler divergence of the Gaussians (the classic speaker-change
  measure) plus a pitch term. It tells apart voices of another gender, another
  microphone distance or another room, and similar voices poorly.

``benchmarks/speaker_check.py`` measures both (equal-error rate, accuracy, cost);
``tests/test_speaker.py`` asserts the main facts on real recordings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from streaming.config import SAMPLE_RATE, SpeakerConfig
from streaming.events import SpeakerCheck

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
# Voice-print cosine at which the similarity is 0.5, for 0.5 s and for 1 s or more of
# speech (linear between): the equal-error points of benchmarks/speaker_check.py, where
# same-speaker cosines rise with the length checked (EER thresholds 0.54, 0.58, 0.60,
# 0.61 at 0.5, 0.75, 1.0, 1.5 s).
NEURAL_MIDPOINTS = ((0.5, 0.54), (1.0, 0.60))
# Cosine change that moves the similarity from 0.5 to 0.73. Wide on purpose: the
# controller rejects a turn outright below similarity 0.15 (cosine ~0.17 under the
# midpoint), where under 2 % of the benchmark's same-speaker trials fall.
NEURAL_SLOPE = 0.10


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


def _active(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The louder (speech) frames and their levels in dB; None if too short or silent."""
    frames = _frames(audio)
    if len(frames) < MIN_FRAMES:
        return None
    rms_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    active = rms_db >= rms_db.max() - ACTIVE_DB
    if active.sum() < MIN_FRAMES or rms_db.max() < -70:
        return None
    return frames[active], rms_db[active]


def _level(rms_db: np.ndarray) -> float:
    return round(float(10 * np.log10(np.mean(10 ** (rms_db / 10)))), 2)


def speech_level(audio: np.ndarray) -> float | None:
    """RMS level of the louder frames in dBFS; None if too short or silent."""
    found = _active(audio)
    return None if found is None else _level(found[1])


def voice_features(audio: np.ndarray) -> VoiceFeatures | None:
    """Features of one stretch of 16 kHz speech; None if too short or silent."""
    found = _active(audio)
    if found is None:
        return None
    frames, rms_db = found
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    mfcc = np.log(power @ _MEL.T + 1e-10) @ _DCT.T
    return VoiceFeatures(mfcc.mean(axis=0), mfcc.var(axis=0) + VARIANCE_FLOOR,
                         _median_pitch(audio), _level(rms_db), len(frames) * HOP / SAMPLE_RATE)


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
    """Map an MFCC distance to 0..1 (0.5 at ``MIDPOINT``)."""
    return float(1 / (1 + np.exp((value - MIDPOINT) / SLOPE)))


def similarity_from_cosine(value: float, speech_s: float = 1.0) -> float:
    """Map the cosine between voice prints, one of them from ``speech_s`` seconds of
    speech, to 0..1 (0.5 at the midpoint for that length)."""
    lengths, midpoints = zip(*NEURAL_MIDPOINTS)
    midpoint = float(np.interp(speech_s, lengths, midpoints))
    return float(1 / (1 + np.exp((midpoint - value) / NEURAL_SLOPE)))


def neural_voiceprint(audio: np.ndarray) -> np.ndarray | None:
    """The unit GE2E voice print of a stretch of speech; None if too short or silent.
    Raises ModelMissingError without the resemblyzer package."""
    from streaming.voiceprint import load_encoder

    return None if speech_level(audio) is None else load_encoder().embed(audio)


@dataclass(frozen=True)
class SpeakerProfile:
    """The enrolled user: level and MFCC statistics of the enrolment, and (neural
    method) the running mean of the user's voice prints."""

    features: VoiceFeatures
    config: SpeakerConfig = SpeakerConfig()
    voiceprint: np.ndarray | None = None  # mean of the unit voice prints (not unit itself)
    turns: int = 1  # how many stretches of speech the voice print averages

    @classmethod
    def enroll(cls, audio: np.ndarray, config: SpeakerConfig | None = None) -> SpeakerProfile:
        """Enrol from a few seconds of the user's own speech (1-5 s is plenty). Raises
        ValueError for silent or too short audio."""
        config = config or SpeakerConfig()
        if config.method not in ("neural", "mfcc"):
            raise ValueError(f"unknown speaker check method {config.method!r}: neural or mfcc")
        features = voice_features(audio)
        embedding = neural_voiceprint(audio) if config.method == "neural" else None
        if features is None or (config.method == "neural" and embedding is None):
            raise ValueError("cannot enrol a speaker from silent or too short audio")
        return cls(features, config, embedding)

    def _score(self, audio: np.ndarray) -> tuple[float, np.ndarray | None] | None:
        """(similarity, the speech's voice print if neural); None if unjudgeable."""
        if self.voiceprint is None:
            features = voice_features(audio)
            return None if features is None else (
                similarity_from_distance(distance(self.features, features)), None)
        embedding = neural_voiceprint(audio)
        if embedding is None:
            return None
        cosine = float(embedding @ self.voiceprint) / float(np.linalg.norm(self.voiceprint))
        return similarity_from_cosine(cosine, len(audio) / SAMPLE_RATE), embedding

    def compare(self, audio: np.ndarray) -> tuple[float, float] | None:
        """(similarity 0..1, level relative to the user in dB); None if unjudgeable."""
        scored, level = self._score(audio), speech_level(audio)
        if scored is None or level is None:
            return None
        return round(scored[0], 3), round(level - self.features.level_db, 1)

    def learn(self, audio: np.ndarray) -> SpeakerProfile:
        """This profile with a later turn of the user's averaged into the voice print, if
        the turn sounds confidently like the user; otherwise this profile unchanged. (The
        MFCC method keeps its enrolment.)"""
        scored = self._score(audio) if self.voiceprint is not None else None
        if scored is None or scored[1] is None or scored[0] < self.config.learn_similarity:
            return self
        weight = 1.0 / min(self.turns + 1, self.config.learn_turns)
        mean = (1 - weight) * self.voiceprint + weight * scored[1]
        return replace(self, voiceprint=mean.astype(np.float32), turns=self.turns + 1)

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
