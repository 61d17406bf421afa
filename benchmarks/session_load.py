"""CPU load and memory of one session at live speed, plus per-turn latency.

    python benchmarks/session_load.py [--turns 8]

A conversation is built from one speaker's shared recordings (each sentence
followed by 6 s for the agent to answer; another voice would be rejected as a
third party) and run through the file driver. At live speed the
session has the audio's duration to do its work, so its CPU load is the process's
CPU time (user + system, after start-up) over the audio's duration, as a share of
the machine's 2 cores. Peak RSS is the process's maximum resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.session.file_driver import run_file  # noqa: E402
from duplex_agent.session.models import SessionModels  # noqa: E402
from streaming.audio import load_audio  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "asr" / "speechbrain_timit_like"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reply_latencies(timeline: list[dict]) -> list[float]:
    """End of the user's speech -> first audio of the reply to it, for each reply."""
    turns = sorted((e for e in timeline if e["type"] == "TakeTurn"), key=lambda e: e["time"])
    out = []
    for reply in (e for e in timeline if e["type"] == "Utterance" and e["start"] is not None):
        before = [t for t in turns if t["time"] <= reply["start"]]
        if before:
            out.append(reply["start"] - before[-1]["speech_end"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=8)
    args = parser.parse_args()
    one_speaker = [load_audio(p) for p in sorted(DATA.glob("spk1_*.wav"))]  # one user
    clips = (one_speaker * args.turns)[:args.turns]
    gap = np.zeros(6 * 16000, np.float32)
    audio = np.concatenate([np.concatenate([c, gap]) for c in clips])
    started = time.perf_counter()
    models = SessionModels.load()
    load_s = time.perf_counter() - started
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    run = run_file(audio, models=models)
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    duration = len(audio) / 16000
    latencies = reply_latencies(run.timeline)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    takes = sum(e["type"] == "TakeTurn" for e in run.timeline)
    print(f"audio {duration:.1f} s, {len(clips)} user turns, {takes} taken, "
          f"{len(latencies)} replies; start-up {load_s:.1f} s")
    print(f"CPU {cpu:.1f} s over {duration:.1f} s of audio = {100 * cpu / duration / 2:.0f} % "
          f"of 2 cores at live speed (ran {duration / wall:.1f}x real time)")
    print(f"compute charged per lane: {run.compute_s}")
    print(f"peak RSS {peak_mb:.0f} MB (pid {os.getpid()})")
    if latencies:
        q = statistics.quantiles(latencies, n=20, method="inclusive") \
            if len(latencies) > 1 else latencies * 19
        print(f"end of user speech -> first agent audio: p50 {statistics.median(latencies):.2f} s,"
              f" p95 {q[-1]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
