"""What the peer-latency driver and the Pipecat worker share: constants, the output chunk
record, the latency measure and real-time pacing (stdlib + numpy only: both venvs import
it). See benchmarks/peer_latency.py."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
BLOCK = 320  # 20 ms: what a sound card hands over at a time, and our session's step
LEAD_S = 0.5  # silence before the user's turn
TAIL_S = 8.0  # silence after it: pipecat waits up to 3 s when Smart Turn says "incomplete"
AUDIBLE = 0.01  # |sample| from which the reply can be heard (-40 dBFS)
REPLY_GAP_S = 0.35  # peer: output resuming after this long starts a new reply
VAD_THRESHOLD = 0.5
VAD_FRAME = 512
PEER_PROMPT = ("You are a warm, empathetic voice companion. Your words are spoken aloud: "
               "reply in one or two short sentences, with no lists, emojis or formatting.")

# name -> (recording under ../shared/data, (start, end) seconds to cut, or None for all)
INPUTS: dict[str, tuple[str, tuple[float, float] | None]] = {
    **{f"spk{s}_snt{n}": (f"asr/speechbrain_timit_like/spk{s}_snt{n}.wav", None)
       for s in (1, 2) for n in range(1, 6)},
    "jfk": ("asr/jfk.flac", None),
    # speaker90 alone in the two-speaker conversation (sample.rttm), each cut ending where
    # the other speaker takes the turn: "... This is Diane in New Jersey." (speaker91 until
    # 11.03, back at 14.49) and "... I'm in New Jersey now though." (back at 21.78)
    "pyannote_a": ("dialogue/pyannote/sample.wav", (11.05, 14.12)),
    "pyannote_b": ("dialogue/pyannote/sample.wav", (18.62, 21.75)),
}


# --- shared by both sides (stdlib + numpy only) ---------------------------------------------

@dataclass
class Chunk:
    wall: float  # perf_counter() when the chunk was handed to the output
    audio: np.ndarray  # float32 at SAMPLE_RATE
    reply_start: bool  # the first chunk of a reply proper


def measure(chunks: list[Chunk], end_wall: float) -> dict:
    """Latencies of the first reply that starts after ``end_wall`` (see the module doc)."""
    play_end, starts = float("-inf"), []
    for chunk in chunks:
        starts.append(max(chunk.wall, play_end))
        play_end = starts[-1] + len(chunk.audio) / SAMPLE_RATE
    onsets = [i for i, c in enumerate(chunks) if c.reply_start]
    early = sum(chunks[i].wall < end_wall for i in onsets)
    first = next((i for i in onsets if chunks[i].wall >= end_wall), None)
    result = {"latency_s": None, "handed_s": None, "early": early}
    if first is None:
        return result
    result["handed_s"] = round(chunks[first].wall - end_wall, 3)
    for chunk, start in zip(chunks[first:], starts[first:], strict=True):
        loud = np.flatnonzero(np.abs(chunk.audio) >= AUDIBLE)
        if len(loud):
            result["latency_s"] = round(start + loud[0] / SAMPLE_RATE - end_wall, 3)
            break
    return result


def pace(n_samples: int, t0: float):
    """(offset, seconds to wait) per block: a block is delivered when its last sample
    would have been captured, as a sound card delivers it."""
    for i in range(0, n_samples, BLOCK):
        yield i, max(0.0, t0 + (i + BLOCK) / SAMPLE_RATE - time.perf_counter())


