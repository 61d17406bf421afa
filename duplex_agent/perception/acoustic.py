"""Acoustic cues of one user segment, measured with our own numpy code.

Pitch (level, range, final movement), loudness (level, variability), speaking
rate (syllable nuclei per second), pauses and voice quality (spectral balance,
voicing). Raw values depend on the speaker and microphone; ``baseline.py``
turns them into z-scores against the speaker's own running baseline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from streaming.prosody import final_movement, frame_rms_db, pitch_track

FRAME_S = 0.02  # analysis frame for energy, spectrum and pauses
SPEECH_RANGE_DB = 35.0  # frames within this many dB of the loudest count as speech
MIN_PAUSE_S = 0.2  # a silence inside speech at least this long is a pause


@dataclass(frozen=True)
class AcousticCues:
    duration_s: float  # from first to last speech frame
    f0_median_st: float  # median pitch, semitones re 100 Hz (nan if unvoiced)
    f0_range_st: float  # 10th-90th percentile pitch span, semitones
    f0_end_st: float  # pitch movement over the last voiced 0.4 s, semitones (0 if unknown)
    energy_db: float  # mean level of speech frames, dBFS
    energy_std_db: float  # variability of the level across speech frames
    rate_sps: float  # syllable nuclei per second of speech
    pause_ratio: float  # share of the span spent in pauses of >= 0.2 s
    voiced_ratio: float  # share of speech frames with a pitch
    alpha_ratio_db: float  # energy 1-5 kHz over 50 Hz-1 kHz (tense/loud voice is higher)
    centroid_hz: float  # spectral centroid of speech frames

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


def speech_mask(levels_db: np.ndarray) -> np.ndarray:
    """Frames within SPEECH_RANGE_DB of the loudest frame (and above -60 dBFS)."""
    if not len(levels_db):
        return np.zeros(0, dtype=bool)
    return (levels_db > levels_db.max() - SPEECH_RANGE_DB) & (levels_db > -60.0)


def measure(audio: np.ndarray) -> AcousticCues:
    levels = frame_rms_db(audio, FRAME_S)
    mask = speech_mask(levels)
    if not mask.any():
        return _silent(len(audio) / SAMPLE_RATE)
    first, last = np.flatnonzero(mask)[[0, -1]]
    span = slice(first, last + 1)
    size = int(FRAME_S * SAMPLE_RATE)
    speech_audio = audio[first * size:(last + 1) * size]
    track = pitch_track(speech_audio)
    semitones = 12 * np.log2(track.voiced / 100.0) if len(track.voiced) else np.zeros(0)
    spectrum = _spectral(speech_audio, mask[span])
    return AcousticCues(
        duration_s=(last + 1 - first) * FRAME_S,
        f0_median_st=float(np.median(semitones)) if len(semitones) else float("nan"),
        f0_range_st=float(np.subtract(*np.percentile(semitones, [90, 10])))
        if len(semitones) > 4 else 0.0,
        f0_end_st=final_movement(track) or 0.0,
        energy_db=float(levels[mask].mean()),
        energy_std_db=float(levels[mask].std()),
        rate_sps=_syllable_rate(levels[span], mask[span]),
        pause_ratio=_pause_ratio(mask[span]),
        voiced_ratio=float((track.f0 > 0).mean()) if len(track.f0) else 0.0,
        alpha_ratio_db=spectrum[0],
        centroid_hz=spectrum[1],
    )


def _silent(duration: float) -> AcousticCues:
    nan = float("nan")
    return AcousticCues(duration, nan, 0.0, 0.0, -100.0, 0.0, 0.0, 1.0, 0.0, nan, nan)


def level_peaks(levels: np.ndarray, mask: np.ndarray, smooth: int = 3,
                rise_db: float = 2.0) -> np.ndarray:
    """Frame indices where the smoothed level peaks at least ``rise_db`` above the
    dip before it, inside speech frames: syllable nuclei, or bursts of laughter."""
    if len(levels) < 3:
        return np.zeros(0, dtype=int)
    curve = np.convolve(levels, np.ones(smooth) / smooth, mode="same")
    found, dip = [], curve[0]
    for i in range(1, len(curve) - 1):
        dip = min(dip, curve[i])
        if mask[i] and curve[i] >= curve[i - 1] and curve[i] > curve[i + 1] \
                and curve[i] - dip >= rise_db:
            found.append(i)
            dip = curve[i]
    return np.array(found, dtype=int)


def _syllable_rate(levels: np.ndarray, mask: np.ndarray) -> float:
    if mask.sum() < 3:
        return 0.0
    return len(level_peaks(levels, mask)) / max(mask.sum() * FRAME_S, 1e-6)


def _pause_ratio(mask: np.ndarray) -> float:
    min_frames = int(MIN_PAUSE_S / FRAME_S)
    paused, run = 0, 0
    for is_speech in list(mask) + [True]:
        if is_speech:
            paused += run if run >= min_frames else 0
            run = 0
        else:
            run += 1
    return paused / max(len(mask), 1)


def _spectral(audio: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    size = int(FRAME_S * SAMPLE_RATE)
    n = min(len(mask), len(audio) // size)
    frames = audio[:n * size].reshape(n, size)[mask[:n]]
    if not len(frames):
        return float("nan"), float("nan")
    power = (np.abs(np.fft.rfft(frames * np.hanning(size), axis=1)) ** 2).sum(axis=0)
    freqs = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    low = power[(freqs >= 50) & (freqs < 1000)].sum()
    high = power[(freqs >= 1000) & (freqs < 5000)].sum()
    alpha = 10 * np.log10(max(high, 1e-12) / max(low, 1e-12))
    centroid = float((power * freqs).sum() / max(power.sum(), 1e-12))
    return float(alpha), centroid
