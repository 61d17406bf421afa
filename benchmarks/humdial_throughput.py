"""HumDial runner throughput on the team-written fixtures (tests/fixtures/humdial).

    python benchmarks/humdial_throughput.py [--llm none|smollm2|gemma|http] [--workers N]

Track 1: dialogues per minute (both languages, tasks 1-3, task 3 audio included).
Track 2: input minutes per minute of wall time. Model loading is included in both (it is
part of a real submission run) and also reported on its own for Track 2. The fixture audio is
voiced first (not timed).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "humdial"


def track1(data: Path, out: Path, llm: str) -> dict:
    from duplex_agent.humdial.track1 import Track1Options, run_track1

    started = time.perf_counter()
    counts = run_track1(Track1Options(data, out, ("zh", "en"), llm=llm, progress=False))
    seconds = time.perf_counter() - started
    return {"dialogues": counts["run"], "seconds": round(seconds, 1),
            "dialogues_per_minute": round(counts["run"] / seconds * 60, 2)}


def track2(data: Path, out: Path, llm: str, workers: int) -> dict:
    import soundfile as sf

    from duplex_agent.humdial.track2 import Track2Options, inputs, run_track2

    minutes = sum(sf.info(str(p)).duration for p in inputs(data)) / 60
    started = time.perf_counter()
    run_track2(Track2Options(data, out, workers=workers, llm=llm, progress=False))
    seconds = time.perf_counter() - started
    return {"files": len(inputs(data)), "input_minutes": round(minutes, 3),
            "seconds": round(seconds, 1),
            "input_minutes_per_minute": round(minutes / (seconds / 60), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", default="none", help="reply model [default: none]")
    parser.add_argument("--workers", type=int, default=1, help="Track 2 processes [1]")
    args = parser.parse_args()
    from duplex_agent.humdial.synthetic import build_track1, build_track2

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data1 = build_track1(FIXTURES, root / "data1")
        data2 = build_track2(FIXTURES, root / "data2")
        result = {"llm": args.llm, "workers": args.workers,
                  "track1": track1(data1, root / "out1", args.llm),
                  "track2": track2(data2, root / "out2", args.llm, args.workers)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
