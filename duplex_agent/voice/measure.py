"""Measured delivery of synthesised speech: pitch, rate, energy, pauses.

Used by the style tests and ``benchmarks/voice_delivery.py`` to check that a
style does what it says on real audio (not just that its parameters differ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from duplex_agent.voice.dsp import active_level_db
from duplex_agent.voice.pitch import smooth_f0, voice_pitch
from streaming.prosody import frame_rms_db

PAUSE_FRAME_S = 0.01
MIN_PAUSE_S = 0.10  # shorter dips are stop closures, not pauses
PAUSE_BELOW_DB = 30.0  # a frame this far below the active level counts as silent


@dataclass(frozen=True, slots=True)
class Delivery:
    f0_median_hz: float  # median F0 of voiced frames
    f0_range_st: float  # 10th to 90th percentile of voiced F0, in semitones
    duration_s: float  # whole utterance, first to last sound
    words_per_s: float  # words over the whole utterance, pauses included
    articulation_rate: float  # words per second of speech, pauses excluded
    rms_dbfs: float  # active speech level (frames within 30 dB of the loudest)
    pause_total_s: float  # silences of at least 100 ms between the first and last sound


def speech_bounds(silent: np.ndarray) -> tuple[int, int]:
    sounding = np.flatnonzero(~silent)
    return (int(sounding[0]), int(sounding[-1]) + 1) if len(sounding) else (0, 0)


def pause_total(audio: np.ndarray) -> float:
    """Seconds of silence in runs of at least MIN_PAUSE_S between the first and last sound."""
    levels = frame_rms_db(audio, PAUSE_FRAME_S)
    level = active_level_db(audio)
    if level is None:
        return 0.0
    silent = levels < level - PAUSE_BELOW_DB
    start, end = speech_bounds(silent)
    total, run = 0, 0
    for is_silent in silent[start:end]:
        if is_silent:
            run += 1
            continue
        total += run if run * PAUSE_FRAME_S >= MIN_PAUSE_S else 0
        run = 0
    return total * PAUSE_FRAME_S


def measure(audio: np.ndarray, n_words: int) -> Delivery:
    """Delivery of ``audio`` (16 kHz) that speaks ``n_words`` words."""
    voiced = smooth_f0(voice_pitch(audio).f0)
    voiced = voiced[voiced > 0]
    level = active_level_db(audio)
    levels = frame_rms_db(audio, PAUSE_FRAME_S)
    start, end = speech_bounds(levels < (level if level is not None else 0) - PAUSE_BELOW_DB)
    duration = (end - start) * PAUSE_FRAME_S
    pauses = pause_total(audio)
    p10, p50, p90 = np.percentile(voiced, [10, 50, 90]) if len(voiced) else (0.0, 0.0, 0.0)
    return Delivery(
        f0_median_hz=float(p50),
        f0_range_st=float(12 * np.log2(p90 / p10)) if p10 > 0 else 0.0,
        duration_s=duration,
        words_per_s=n_words / duration if duration else 0.0,
        articulation_rate=n_words / (duration - pauses) if duration > pauses else 0.0,
        rms_dbfs=level if level is not None else -100.0,
        pause_total_s=pauses,
    )


def mean_delivery(rows: list[Delivery]) -> Delivery:
    """Field-wise mean (F0 median and range averaged per utterance)."""
    return Delivery(*(float(np.mean([getattr(r, f) for r in rows]))
                      for f in Delivery.__dataclass_fields__))
