"""Nonverbal vocal events in a segment's audio: laughter, sigh, crying.

Rules over a 10 ms level envelope and the pitch track:
- laughter: a run of short, rapid bursts ("ha-ha-ha"): at least 10 bursts, at
  least 3.5 per second, typically spaced no more than 0.25 s apart;
- sigh: one long, mostly unvoiced exhalation (0.6-3 s, few bursts, little voicing);
- crying: sustained high, mostly voiced sound with few bursts (wailing, sobbing).
Ordinary speech also comes in rapid bursts (syllables), so laughter also needs
the words to be sparse: fewer than 1.2 non-laugh words per second in the
transcript (Whisper writes laughter as nothing, "ha ha", or a few stray words).
The thresholds were chosen by looking at the 14 clips in shared/data/laughter
and the speech clips in shared/data, so rates measured there are in-sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from duplex_agent.perception.acoustic import level_peaks, speech_mask
from streaming.prosody import frame_rms_db, pitch_track

ENVELOPE_S = 0.01
MIN_LAUGH_BURSTS = 10
MIN_LAUGH_RATE = 3.5  # bursts per second of the span
MAX_LAUGH_SPACING_S = 0.25  # median time between bursts
MAX_LAUGH_WORD_RATE = 1.2  # non-laugh words per second above which it is speech
LAUGH_TOKEN = re.compile(r"^(h[aeiu]h?)+$")


@dataclass(frozen=True)
class Nonverbal:
    label: str  # "laughter", "sigh", "crying" or "none"
    bursts: int  # energy bursts found
    burst_rate: float  # bursts per second
    voiced_ratio: float  # share of frames with a pitch


def word_rate(text: str | None, span_s: float) -> float:
    """Words per second that are not laughter tokens ("ha", "hehe", 哈哈)."""
    if not text:
        return 0.0
    latin = [w for w in re.findall(r"[a-z']+", text.lower()) if not LAUGH_TOKEN.match(w)]
    han = sum("\u4e00" <= ch <= "\u9fff" and ch not in "哈呵嘿" for ch in text)
    return (len(latin) + han / 2) / max(span_s, 1e-6)  # about two characters a word


def detect(audio: np.ndarray, transcript: str | None = None) -> Nonverbal:
    """Nonverbal event in ``audio``; pass the ASR ``transcript`` when there is one."""
    levels = frame_rms_db(audio, ENVELOPE_S)
    mask = speech_mask(levels)
    if not mask.any():
        return Nonverbal("none", 0, 0.0, 0.0)
    first, last = np.flatnonzero(mask)[[0, -1]]
    span_s = (last + 1 - first) * ENVELOPE_S
    peaks = level_peaks(levels, mask, smooth=5, rise_db=3.0)
    spacing = float(np.median(np.diff(peaks))) * ENVELOPE_S if len(peaks) > 1 else 0.0
    track = pitch_track(audio[int(first * ENVELOPE_S * 16000):int((last + 1) * ENVELOPE_S * 16000)])
    voiced = float((track.f0 > 0).mean()) if len(track.f0) else 0.0
    rate = len(peaks) / max(span_s, 1e-6)
    label = classify(len(peaks), rate, spacing, voiced, span_s, track.voiced)
    if label == "laughter" and word_rate(transcript, span_s) >= MAX_LAUGH_WORD_RATE:
        label = "none"
    return Nonverbal(label, len(peaks), round(rate, 2), round(voiced, 2))


def classify(bursts: int, rate: float, spacing: float, voiced: float, span_s: float,
             f0: np.ndarray) -> str:
    if bursts >= MIN_LAUGH_BURSTS and rate >= MIN_LAUGH_RATE and spacing <= MAX_LAUGH_SPACING_S:
        return "laughter"
    if 0.6 <= span_s <= 3.0 and bursts <= 3 and voiced < 0.2:
        return "sigh"
    if span_s >= 1.5 and voiced >= 0.6 and len(f0) and np.median(f0) >= 250 and rate < 3.0:
        return "crying"
    return "none"
