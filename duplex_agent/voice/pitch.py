"""Pitch-range scaling (and optionally shifting) with the WORLD vocoder (pyworld).

Piper has no pitch control. The default shift is done by the backends by
resampling (see ``VoiceConfig.pitch_method``); WORLD is needed to change the
*range* of the contour. WORLD splits the audio into F0, spectral envelope and
aperiodicity, so F0 can be moved while the envelope (the formants, i.e. the
speaker's timbre) stays put and the timing is unchanged, which keeps word
times valid. ``benchmarks/voice_delivery.py --pitch-methods`` compares the two.

F0 comes from the shared tracker ``streaming.prosody.pitch_track`` (DIO +
StoneMask, 10 ms frames) with an octave check added here: Piper's joe voice
has a weak fundamental (its training audio was high-passed), and DIO, which
follows the lowest strong component, reports the second harmonic in about 3
of 4 voiced frames (YIN and the harmonic spacing both put joe near 95 Hz, DIO
near 185 Hz). Resynthesising from that track moved the whole voice up an
octave. ``correct_octaves`` halves a frame's F0 when the spectrum has strong
peaks halfway between its harmonics (the subharmonic-to-harmonic ratio, after
Sun 2002): agreement with YIN on joe went from 19 % to 91 % of frames, and
did not change on espeak-ng (100 %), the TIMIT-like recordings (99 %) or JFK
(91 %). ``streaming.prosody.pitch_track`` itself is left as it is.
"""

from __future__ import annotations

import warnings

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from streaming.prosody import FRAME_PERIOD_MS, PitchTrack, pitch_track

F0_MIN, F0_MAX = 50.0, 600.0  # the shifted contour is kept inside this band (Hz)
SHR_THRESHOLD = 0.3  # subharmonic-to-harmonic amplitude ratio above which F0 is halved
SHR_WINDOW_S = 0.04  # analysis window per frame
SHR_MAX_HZ = 1500.0  # harmonics up to here take part


def _pyworld():
    with warnings.catch_warnings():  # pyworld imports pkg_resources, which warns
        warnings.simplefilter("ignore")
        import pyworld
    return pyworld


def correct_octaves(track: PitchTrack, audio: np.ndarray,
                    rate: int = SAMPLE_RATE) -> PitchTrack:
    """Halve F0 in voiced frames whose spectrum shows the true F0 is half of it: the
    amplitude halfway between the tracked harmonics (the odd harmonics of F0 / 2) is
    more than SHR_THRESHOLD of the amplitude at them."""
    voiced = np.flatnonzero(track.f0 >= F0_MIN * 2)
    if not len(voiced):
        return track
    n, nfft = int(SHR_WINDOW_S * rate), 4096
    padded = np.pad(audio.astype(np.float64), (n, n))
    starts = (track.times[voiced] * rate).astype(int) + n - n // 2
    frames = np.stack([padded[s:s + n] for s in starts]) * np.hanning(n)
    spectra = np.abs(np.fft.rfft(frames, nfft, axis=1))
    f0 = track.f0.copy()
    for row, i in enumerate(voiced):
        harmonics = np.arange(1, max(1, int(SHR_MAX_HZ // f0[i])) + 1) * f0[i] * nfft / rate
        at = spectra[row, np.round(harmonics).astype(int)].sum()
        between = spectra[row, np.round(harmonics - f0[i] * nfft / rate / 2).astype(int)].sum()
        if between > SHR_THRESHOLD * at:
            f0[i] /= 2
    return PitchTrack(track.times, f0)


def voice_pitch(audio: np.ndarray, rate: int = SAMPLE_RATE,
                f0_floor: float = F0_MIN) -> PitchTrack:
    """The shared pitch track with the octave check (use this for synthetic voices)."""
    return correct_octaves(pitch_track(audio, rate, f0_floor=f0_floor), audio, rate)


def smooth_f0(f0: np.ndarray, median: int = 5, mean: int = 3) -> np.ndarray:
    """Median then moving-average filter of log F0 inside each voiced run: the frame-to-frame
    jitter of the estimate (not of the voice) would otherwise be resynthesised as
    roughness. 5 + 3 frames raised the periodicity WORLD keeps on joe from 48 % to 73 %."""
    out = f0.copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (f0 > 0).astype(int), [0]])))
    for start, end in zip(edges[::2], edges[1::2]):
        seg = np.log(f0[start:end])
        for width, reduce in ((median, np.median), (mean, np.mean)):
            if width > 1 and len(seg) >= width:
                padded = np.pad(seg, width // 2, mode="edge")
                seg = reduce(np.lib.stride_tricks.sliding_window_view(padded, width), axis=1)
        out[start:end] = np.exp(seg)
    return out


def reshape_f0(f0: np.ndarray, semitones: float, pitch_range: float) -> np.ndarray:
    """Scale the contour's excursions (log domain) by ``pitch_range``, then shift it by
    ``semitones``; unvoiced frames (0) stay 0.

    A wider range is anchored at the baseline (10th percentile): liveliness raises the
    peaks and keeps a low voice out of creak. A narrower one is anchored at the median,
    so the shift alone decides how low a calm or sad voice goes.
    """
    voiced = f0 > 0
    if not voiced.any():
        return f0.copy()
    log_f0 = np.log(f0[voiced])
    base = np.percentile(log_f0, 10 if pitch_range > 1 else 50)
    moved = base + pitch_range * (log_f0 - base) + semitones * np.log(2) / 12
    out = np.zeros_like(f0)
    out[voiced] = np.clip(np.exp(moved), F0_MIN, F0_MAX)
    return out


def shift_pitch(audio: np.ndarray, semitones: float = 0.0, pitch_range: float = 1.0,
                rate: int = SAMPLE_RATE) -> np.ndarray:
    """``audio`` with its F0 shifted and its range scaled; same length, float32.

    Returns the input untouched for a neutral request or audio with no voiced frame
    (WORLD analysis and resynthesis alone is not transparent: avoid it when idle).
    """
    if abs(semitones) < 1e-3 and abs(pitch_range - 1.0) < 1e-3:
        return audio
    track = voice_pitch(audio, rate)
    if not (track.f0 > 0).any():
        return audio
    pw = _pyworld()
    x = np.ascontiguousarray(audio, dtype=np.float64)
    analysis_f0 = smooth_f0(track.f0)
    envelope = pw.cheaptrick(x, analysis_f0, track.times, rate)
    aperiodicity = pw.d4c(x, analysis_f0, track.times, rate)
    f0 = reshape_f0(analysis_f0, semitones, pitch_range)
    y = pw.synthesize(f0, envelope, aperiodicity, rate, FRAME_PERIOD_MS)
    y = y[:len(audio)]
    if len(y) < len(audio):
        y = np.pad(y, (0, len(audio) - len(y)))
    return y.astype(np.float32)
