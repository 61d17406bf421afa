"""Per-clause audio shaping shared by every backend: trim, pitch, tilt, level, fades.

All operations work on one whole clause (16 kHz float32) and keep word times
valid: trimming shifts them, nothing else changes timing.
"""

from __future__ import annotations

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.voice.chunks import Rendered, WordTiming
from duplex_agent.voice.config import VoiceConfig
from duplex_agent.voice.pitch import shift_pitch
from duplex_agent.voice.style import VoiceStyle
from streaming.prosody import frame_rms_db

TILT_LOW_HZ, TILT_HIGH_HZ = 700.0, 3000.0  # the tilt ramps in between, in log frequency
PEAK_LIMIT = 0.98


def loud_span(audio: np.ndarray, trim_db: float, margin_s: float) -> tuple[int, int]:
    """(start, end) samples from the first to the last 10 ms frame within ``trim_db`` of
    the loudest frame, widened by ``margin_s``; (0, 0) for silence."""
    hop = SAMPLE_RATE // 100
    levels = frame_rms_db(audio, 0.01)
    if not len(levels) or levels.max() <= -90:
        return 0, 0
    loud = np.flatnonzero(levels >= levels.max() + trim_db)
    margin = int(margin_s * SAMPLE_RATE)
    return max(0, loud[0] * hop - margin), min(len(audio), (loud[-1] + 1) * hop + margin)


def trim(rendered: Rendered, trim_db: float, margin_s: float) -> Rendered:
    start, end = loud_span(rendered.audio, trim_db, margin_s)
    length = end - start
    words = tuple(WordTiming(w.char_start, w.char_end, int(np.clip(w.start - start, 0, length)),
                             int(np.clip(w.end - start, 0, length)))
                  for w in rendered.words)
    return Rendered(rendered.audio[start:end], words)


def active_level_db(audio: np.ndarray) -> float | None:
    """RMS over the 20 ms frames within 30 dB of the loudest one (speech, not pauses)."""
    levels = frame_rms_db(audio, 0.02)
    if not len(levels) or levels.max() <= -90:
        return None
    active = levels[levels >= levels.max() - 30]
    return float(10 * np.log10(np.mean(10 ** (active / 10))))


def tilt(audio: np.ndarray, db: float) -> np.ndarray:
    """Zero-phase spectral tilt: 0 dB below 700 Hz rising to ``db`` above 3 kHz."""
    if abs(db) < 1e-3 or len(audio) < 2:
        return audio
    spectrum = np.fft.rfft(audio.astype(np.float64))
    freqs = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    ramp = np.log2(np.maximum(freqs, 1.0) / TILT_LOW_HZ) / np.log2(TILT_HIGH_HZ / TILT_LOW_HZ)
    ramp = np.clip(ramp, 0.0, 1.0)
    ramp = ramp * ramp * (3 - 2 * ramp)  # smoothstep
    return np.fft.irfft(spectrum * 10 ** (db * ramp / 20), n=len(audio)).astype(np.float32)


def set_level(audio: np.ndarray, target_dbfs: float) -> np.ndarray:
    """Scale so the active level is ``target_dbfs``; lower the gain if a peak would clip."""
    level = active_level_db(audio)
    if level is None:
        return audio
    gain = 10 ** ((target_dbfs - level) / 20)
    peak = float(np.max(np.abs(audio))) * gain
    if peak > PEAK_LIMIT:
        gain *= PEAK_LIMIT / peak
    return (audio * gain).astype(np.float32)


def fade(audio: np.ndarray, seconds: float) -> np.ndarray:
    n = min(int(seconds * SAMPLE_RATE), len(audio) // 2)
    if n < 2:
        return audio
    out = audio.copy()
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def finish(rendered: Rendered, style: VoiceStyle, config: VoiceConfig,
           shifted: bool = False) -> Rendered:
    """Trim, pitch range (and shift, unless the backend ``shifted`` by resampling), tilt,
    level, fade."""
    clause = trim(rendered, config.trim_db, config.edge_margin_s)
    semitones = 0.0 if shifted else style.pitch_semitones
    audio = shift_pitch(clause.audio, semitones, style.pitch_range)
    audio = tilt(audio, style.brightness_db)
    audio = set_level(audio, config.level_dbfs + style.energy_db)
    return Rendered(fade(audio, config.fade_s), clause.words)
