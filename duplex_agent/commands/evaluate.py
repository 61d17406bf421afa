"""``duplex-agent eval duplex``: the full-duplex evaluation suite (HumDial Track 2 style)."""

from __future__ import annotations

import argparse

from duplex_agent.commands.think import add_llm_options


def register(sub: argparse._SubParsersAction) -> None:
    evaluate = sub.add_parser("eval", help="evaluation suites",
                              description="Measure the agent on built-in test suites.")
    suites = evaluate.add_subparsers(dest="suite", required=True, metavar="SUITE")
    duplex = suites.add_parser(
        "duplex", help="full-duplex scenarios scored the HumDial Track 2 way",
        description="Build scenarios from the shared recordings (interruptions of five "
                    "kinds, user backchannels, mid-sentence pauses, background speakers, "
                    "speech to others, smooth turn ends), run each through a real session "
                    "as a live user would, and score the time-synchronous output: "
                    "interruption and rejection rates, stop / response / first-response "
                    "latency, HumDial's delay score and total, Full-Duplex-Bench takeover "
                    "rates.")
    duplex.add_argument("--config", default="default", metavar="NAME",
                        help="configuration, or several side by side (comma-separated): "
                             "default, naive, no-smart-turn, no-text, "
                             "no-pitch, no-speaker, no-level, no-content, no-partials, "
                             "no-speculation, no-think-ahead, vad-barge-in, "
                             "no-pause-on-onset [default: default]")
    duplex.add_argument("--baseline", action="store_true",
                        help="also run the naive baseline and print both side by side, "
                             "with the latency ratio")
    duplex.add_argument("--scenarios", type=int, default=None, metavar="N",
                        help="run only the first N scenarios (round-robin over kinds)")
    duplex.add_argument("--offset", type=float, default=None, metavar="SECONDS",
                        help="event onset after the end of the first turn [default: 2.5]")
    duplex.add_argument("--details", action="store_true",
                        help="also list every scenario's outcome and the decisions made")
    duplex.add_argument("--json", action="store_true", help="print one JSON document")
    add_llm_options(duplex)
    duplex.set_defaults(run=run_duplex, llm=None)


def run_duplex(args: argparse.Namespace) -> int:
    import json

    from duplex_agent.errors import UserError
    from duplex_agent.evaluation.duplex_report import format_report, to_json
    from duplex_agent.evaluation.scenarios import EVENT_OFFSET_S, build_scenarios
    from duplex_agent.evaluation.suite import run_suite, session_config

    if args.scenarios is not None and args.scenarios < 1:
        raise UserError("--scenarios must be at least 1")
    names = [n.strip() for n in args.config.split(",") if n.strip()]
    names += ["naive"] if args.baseline and "naive" not in names else []
    configs = {name: session_config(name, args.llm, args.llm_url, args.llm_model)
               for name in names}
    offset = EVENT_OFFSET_S if args.offset is None else args.offset
    scenarios = build_scenarios(args.scenarios, offset)
    results = run_suite(scenarios, configs)
    if args.json:
        print(json.dumps(to_json(results), indent=1, ensure_ascii=False))
    else:
        print(format_report(results, details=args.details))
    return 0
