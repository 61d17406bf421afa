"""Perception quality on the shared recordings: arousal AUC, 4-class accuracy per dataset
(text-only, voice-only, fused, chance) and laughter precision / recall.

    python benchmarks/emotion_eval.py [--json OUT]

See duplex_agent/evaluation/emotion.py for how each number is defined.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.evaluation.emotion import emotion_numbers, laughter_numbers  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text())
    entries = [e for e in manifest if e["file"].startswith("emotion/")]
    report = {"emotion": emotion_numbers(DATA, entries),
              "laughter": laughter_numbers(DATA, entries)}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
