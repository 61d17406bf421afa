"""The file driver: a recording in, a time-synchronous agent recording out.

The output has the input's length: agent audio at the stream times it would have
played live (compute charged on the session's lanes), silence elsewhere. This is
the Full-Duplex-Bench and HumDial Track 2 contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.session.config import BLOCK_SAMPLES, SessionConfig
from duplex_agent.session.loop import Session
from duplex_agent.session.models import SessionModels


@dataclass
class DuplexRun:
    output: np.ndarray  # agent audio, same length as the input
    timeline: list[dict]  # events, actions, thoughts, agent speech
    compute_s: dict[str, float]  # compute charged per lane
    duration_s: float


def run_file(audio: np.ndarray, config: SessionConfig | None = None,
             models: SessionModels | None = None, progress: bool = False) -> DuplexRun:
    """Run one recording (16 kHz mono float32) through a fresh session."""
    from tqdm import tqdm

    config = config or SessionConfig()
    session = Session(models or SessionModels.load(config), config)
    blocks = -(-len(audio) // BLOCK_SAMPLES)
    padded = np.zeros(blocks * BLOCK_SAMPLES, np.float32)
    padded[:len(audio)] = audio
    out = np.zeros_like(padded)
    for i in tqdm(range(blocks), desc="duplex", unit="block", disable=not progress,
                  leave=False):
        span = slice(i * BLOCK_SAMPLES, (i + 1) * BLOCK_SAMPLES)
        out[span] = session.step(padded[span])
    return DuplexRun(np.clip(out[:len(audio)], -1.0, 1.0), session.timeline.entries,
                     {lane.name: round(lane.total_s, 3)
                      for lane in (session.listen_lane, session.reply_lane)},
                     len(audio) / SAMPLE_RATE)


def write_wav(path: Path, audio: np.ndarray) -> None:
    """Atomically write 16 kHz mono 16-bit PCM."""
    import soundfile as sf

    tmp = path.with_name(path.name + ".part")
    sf.write(tmp, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV")
    tmp.replace(path)


def write_events(path: Path, timeline: list[dict]) -> None:
    """The timeline as JSON lines, in time order."""
    import json

    with path.open("w", encoding="utf-8") as out:
        for entry in sorted(timeline, key=lambda e: e["time"]):
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
