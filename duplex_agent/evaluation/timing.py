"""Speech timing the way the HumDial Track 2 and Full-Duplex-Bench scripts measure it.

The organisers time both sides of a conversation with silero VAD's
``get_speech_timestamps`` (default settings), merge segments separated by short
gaps, and derive stop and response latencies from the intervals:

- ASLP-lab/Hum-Dial, Full-Duplex_Interaction/evaluation/interruption/get_timing.py
  (copied there from DanielLin94144/Full-Duplex-Bench, v1_v1.5/evaluation/get_timing.py):
  ``USER_MERGE_GAP = 0.6``, ``MODEL_MERGE_GAP = 0.5``, ``overlaps`` and ``response_gaps``.
- silero-vad's ``utils_vad.get_speech_timestamps`` defaults (installed package
  silero_vad 6.x): threshold 0.5, neg_threshold = threshold - 0.15,
  min_speech_duration_ms 250, min_silence_duration_ms 100, speech_pad_ms 30,
  512-sample windows at 16 kHz.

Reimplemented here on the bundled silero ONNX graph (``streaming.vad.SileroVad``);
no code is copied. Pure functions except ``speech_probabilities``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from duplex_agent.config import SAMPLE_RATE

Interval = tuple[float, float]

FRAME = 512  # silero window at 16 kHz (32 ms)
THRESHOLD = 0.5  # a frame at or above this is speech (silero default)
NEG_THRESHOLD = THRESHOLD - 0.15  # speech ends below this (silero default)
MIN_SPEECH_S = 0.25  # shorter segments are dropped (silero default 250 ms)
MIN_SILENCE_S = 0.1  # silence that ends a segment (silero default 100 ms)
PAD_S = 0.03  # padding added to each side of a segment (silero default 30 ms)
USER_MERGE_GAP = 0.6  # HumDial get_timing.py: user segments closer than this are merged
MODEL_MERGE_GAP = 0.5  # HumDial get_timing.py: agent segments closer than this are merged


@lru_cache(maxsize=1)
def _vad():
    from streaming.models import resolve
    from streaming.vad import SileroVad

    return SileroVad(resolve("vad"))


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero speech probability for each 512-sample frame (a fresh stream state)."""
    vad = _vad()
    vad.reset()
    whole = len(audio) // FRAME * FRAME
    frames = np.asarray(audio[:whole], dtype=np.float32).reshape(-1, FRAME)
    return np.array([vad(frame) for frame in frames], dtype=np.float32)


def segments_from_probabilities(probs: np.ndarray, duration_s: float) -> list[Interval]:
    """Silero-style speech segments (seconds) from frame probabilities: speech starts at
    the first frame at THRESHOLD, ends where the probability fell below NEG_THRESHOLD
    once that lasted MIN_SILENCE_S (frame starts compared, as silero does), and
    segments not longer than MIN_SPEECH_S are dropped."""
    step = FRAME / SAMPLE_RATE
    raw: list[Interval] = []
    start: float | None = None
    silent_since: float | None = None
    for i, p in enumerate(probs):
        t = i * step
        if p >= THRESHOLD:
            start = t if start is None else start
            silent_since = None
        elif start is not None and p < NEG_THRESHOLD:
            silent_since = t if silent_since is None else silent_since
            if t - silent_since >= MIN_SILENCE_S:
                raw.append((start, silent_since))
                start, silent_since = None, None
    if start is not None:
        raw.append((start, duration_s))
    kept = [(s, e) for s, e in raw if e - s > MIN_SPEECH_S]
    return _pad(kept, duration_s)


def _pad(segments: list[Interval], duration_s: float) -> list[Interval]:
    """Widen each segment by PAD_S; a silence shorter than two pads is split in half
    (silero's rule), and nothing crosses the file's ends."""
    padded = [list(seg) for seg in segments]
    for i, seg in enumerate(padded):
        if i == 0:
            seg[0] = max(0.0, seg[0] - PAD_S)
        if i + 1 < len(padded):
            silence = padded[i + 1][0] - seg[1]
            share = silence / 2 if silence < 2 * PAD_S else PAD_S
            seg[1] += share
            padded[i + 1][0] -= share
        else:
            seg[1] = min(duration_s, seg[1] + PAD_S)
    return [(round(s, 3), round(e, 3)) for s, e in padded]


def speech_segments(audio: np.ndarray) -> list[Interval]:
    """Where ``audio`` (16 kHz) holds speech, as silero's get_speech_timestamps finds it."""
    return segments_from_probabilities(speech_probabilities(audio), len(audio) / SAMPLE_RATE)


def merge(segments: list[Interval], gap: float) -> list[Interval]:
    """Join segments separated by at most ``gap`` seconds (HumDial ``_merge``)."""
    merged: list[Interval] = []
    for s, e in sorted(segments):
        if merged and s - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def overlaps(user: list[Interval], agent: list[Interval]) -> list[Interval]:
    """Stop-latency intervals: where user and agent speech overlap.

    HumDial/FDB ``overlaps``: every intersection of a user and an agent interval;
    of intersections ending at the same millisecond the shortest is kept. Each
    interval's length is one stop latency: how long the agent kept talking over
    the user (capped at the end of the user's speech).
    """
    found: list[Interval] = []
    i = j = 0
    while i < len(user) and j < len(agent):
        s, e = max(user[i][0], agent[j][0]), min(user[i][1], agent[j][1])
        if e > s:
            found.append((s, e))
        if user[i][1] < agent[j][1]:
            i += 1
        else:
            j += 1
    best: dict[int, Interval] = {}
    for s, e in found:
        key = round(e * 1000)
        if key not in best or e - s < best[key][1] - best[key][0]:
            best[key] = (s, e)
    return [(round(s, 3), round(e, 3)) for s, e in sorted(best.values(), key=lambda x: x[1])]


def response_gaps(user: list[Interval], agent: list[Interval]) -> list[Interval]:
    """Response-latency intervals: from the end of user speech to the next agent onset.

    HumDial/FDB ``response_gaps``: for each user interval, the first agent start
    strictly after its end; when several user intervals lead to the same agent
    start, the latest user end (the shortest gap) is kept.
    """
    starts = [s for s, _ in agent]
    best: dict[int, Interval] = {}
    for _, user_end in user:
        following = next((s for s in starts if s > user_end), None)
        if following is None:
            continue
        key = round(following * 1000)
        if key not in best or user_end > best[key][0]:
            best[key] = (round(user_end, 3), round(following, 3))
    return [best[k] for k in sorted(best)]
