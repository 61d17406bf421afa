"""``duplex-agent humdial``: HumDial challenge runners (Track 1, Track 2) and local scoring.

    duplex-agent humdial track1 --data DIR --out DIR [--lang zh|en|both] [--llm ...] [--zip]
    duplex-agent humdial track2 --data DIR --out DIR [--workers N] [--zip]
    duplex-agent humdial score1 --pred DIR --ref DIR [--judge-url URL]
    duplex-agent humdial score2 --pred DIR --data DIR

"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from duplex_agent.commands.think import add_llm_options
from duplex_agent.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "humdial", help="HumDial challenge: Track 1 / Track 2 submissions and local scores",
        description="Produce HumDial (ICASSP 2026) submissions and score them locally.")
    tasks = parser.add_subparsers(dest="humdial_command", required=True, metavar="JOB")
    _track1(tasks)
    _track2(tasks)
    _score1(tasks)
    _score2(tasks)


def _track1(tasks: argparse._SubParsersAction) -> None:
    p = tasks.add_parser(
        "track1", help="emotional intelligence: fill response_text (+ task 3 audio)",
        description="Run every Track 1 dialogue turn by turn through the thinker and write "
                    "{zh,en}/HD-Track1-T{1,2,3}.jsonl and task 3 response audio. Validates "
                    "first; resumable (a rerun skips finished dialogues).")
    p.add_argument("--data", type=Path, required=True,
                   help="folder with zh/ and en/ (HD-Track1-T{1,2,3}.jsonl and audio folders)")
    p.add_argument("--out", type=Path, required=True, help="submission folder")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both",
                   help="language subset(s) to run [default: both]")
    p.add_argument("--voice", choices=["piper", "espeak"], default="piper",
                   help="English TTS backend (Chinese uses espeak-ng) [default: piper]")
    p.add_argument("--zip", action="store_true", help="also write OUT/HD-Track1.zip")
    add_llm_options(p)
    p.set_defaults(run=run_track1)


def _track2(tasks: argparse._SubParsersAction) -> None:
    p = tasks.add_parser(
        "track2", help="full-duplex: each test-*/clean-*.wav to a time-synchronous output",
        description="Run each test-*.wav and clean-*.wav through the duplex file driver and "
                    "write OUT/{test,clean}/NAME_output.wav (same length). Resumable.")
    p.add_argument("--data", type=Path, required=True, help="folder with the input WAVs")
    p.add_argument("--out", type=Path, required=True, help="submission folder")
    p.add_argument("--workers", type=int, default=1,
                   help="processes (each loads the models: ~6 s, ~1.1 GB) [default: 1]")
    p.add_argument("--voice", choices=["piper", "espeak"], default="piper",
                   help="TTS backend [default: piper]")
    p.add_argument("--zip", action="store_true", help="also write OUT/HD-Track2.zip")
    add_llm_options(p)
    p.set_defaults(run=run_track2)


def _score1(tasks: argparse._SubParsersAction) -> None:
    p = tasks.add_parser("score1", help="local Track 1 scores (deterministic rubric checks)",
                         description="Check Track 1 outputs against the official rubric "
                                     "dimensions with deterministic rules, and optionally "
                                     "an LLM judge behind an OpenAI-compatible server.")
    p.add_argument("--pred", type=Path, required=True, help="track1 --out folder")
    p.add_argument("--ref", type=Path, required=True,
                   help="the input folder (its emotion labels are the reference)")
    p.add_argument("--judge-url", default=None,
                   help="OpenAI-compatible base URL for an LLM judge (optional)")
    p.add_argument("--judge-model", default=None, help="model name for the judge")
    p.add_argument("--json", type=Path, default=None, help="write every score as JSON")
    p.add_argument("--show", type=int, default=0, help="print N scored answers per task")
    p.set_defaults(run=run_score1)


def _score2(tasks: argparse._SubParsersAction) -> None:
    p = tasks.add_parser("score2", help="local Track 2 timing metrics (silero VAD)",
                         description="Measure HumDial Track 2 timings on the outputs: stop "
                                     "latency, response latency, first-response delay, the "
                                     "delay score, and local answer / rejection stand-ins.")
    p.add_argument("--pred", type=Path, required=True, help="track2 --out folder")
    p.add_argument("--data", type=Path, required=True, help="folder with the input WAVs")
    p.add_argument("--json", type=Path, default=None, help="write every score as JSON")
    p.set_defaults(run=run_score2)


def _languages(choice: str) -> tuple[str, ...]:
    return ("zh", "en") if choice == "both" else (choice,)


def run_track1(args: argparse.Namespace) -> int:
    from duplex_agent.humdial.track1 import Track1Options
    from duplex_agent.humdial.track1 import run_track1 as run

    if not args.data.is_dir():
        raise UserError(f"--data {args.data}: not a folder")
    options = Track1Options(args.data, args.out, _languages(args.lang), args.llm, args.llm_url,
                            args.llm_model, args.voice, args.zip)
    counts = run(options)
    print(f"track1: {counts['dialogues']} dialogues, {counts['run']} run, "
          f"{counts['skipped']} already done; wrote {args.out}")
    return 0


def run_track2(args: argparse.Namespace) -> int:
    from duplex_agent.humdial.track2 import Track2Options
    from duplex_agent.humdial.track2 import run_track2 as run

    if not args.data.is_dir():
        raise UserError(f"--data {args.data}: not a folder")
    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    options = Track2Options(args.data, args.out, args.workers, args.llm, args.llm_url,
                            args.llm_model, args.voice, args.zip)
    counts = run(options)
    print(f"track2: {counts['files']} files, {counts['run']} run, {counts['skipped']} already "
          f"done; wrote {args.out}")
    return 0


def run_score1(args: argparse.Namespace) -> int:
    from duplex_agent.humdial.score1 import print_scores, score_track1

    result = score_track1(args.pred, args.ref, args.judge_url, args.judge_model)
    print_scores(result, args.show)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def run_score2(args: argparse.Namespace) -> int:
    from duplex_agent.humdial.score2 import print_summary, score_track2

    result = score_track2(args.pred, args.data)
    print_summary(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
