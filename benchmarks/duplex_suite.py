"""The duplex evaluation suite for the default agent, the naive baseline and each
ablation (one signal or rule switched off), scored the HumDial Track 2 way.

Prints the per-kind table and the metric table with one column per configuration,
the latency ratio against the naive baseline, and optionally writes everything as
JSON. All configurations share the loaded models and see the same scenarios.

    python benchmarks/duplex_suite.py                       # default, naive, all ablations
    python benchmarks/duplex_suite.py --configs default naive --scenarios 10
    python benchmarks/duplex_suite.py --llm none --json /tmp/duplex_suite.json
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

from duplex_agent.evaluation.duplex_report import format_report, load_note, to_json  # noqa: E402
from duplex_agent.evaluation.scenarios import EVENT_OFFSET_S, build_scenarios  # noqa: E402
from duplex_agent.evaluation.suite import ABLATIONS, CONFIGS, run_suite, session_config  # noqa: E402

GROUP = 4  # configurations per printed table (keeps the columns readable)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS),
                        default=["default", "naive", *ABLATIONS])
    parser.add_argument("--scenarios", type=int, default=None, help="first N scenarios")
    parser.add_argument("--offset", type=float, default=EVENT_OFFSET_S,
                        help="event onset after the first turn's end (s)")
    parser.add_argument("--llm", choices=["ieat", "smollm2", "gemma", "none"], default=None,
                        help="reply model for every configuration [default: the config's]")
    parser.add_argument("--details", action="store_true", help="per-scenario outcomes")
    parser.add_argument("--json", type=Path, help="also write all results here")
    args = parser.parse_args()

    print(f"at the start: {load_note()}")
    scenarios = build_scenarios(args.scenarios, args.offset)
    configs = {name: session_config(name, args.llm) for name in args.configs}
    results = run_suite(scenarios, configs)
    print(f"{len(scenarios)} scenarios, event offset {args.offset:.1f} s, "
          f"configurations: {', '.join(configs)}\n")
    names = list(results)
    head, rest = names[:2], names[2:]
    groups = [head] + [["default", *rest[i:i + GROUP - 1]] for i in range(0, len(rest), GROUP - 1)]
    for group in groups:
        chosen = {name: results[name] for name in group if name in results}
        if "naive" in results and "naive" not in chosen:
            chosen["naive"] = results["naive"]
        print(format_report(chosen, details=args.details and group == head), end="\n\n")
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=1, ensure_ascii=False))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
