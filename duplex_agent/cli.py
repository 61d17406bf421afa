"""The one console script, ``duplex-agent``, with a subcommand per job.

Heavy libraries load inside each command, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from duplex_agent import __version__

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_RECORDING = REPO_ROOT.parent / "shared" / "data" / "asr" / "jfk.flac"


def _add_listen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=["tiny.en", "base"], default="tiny.en",
                        help="Whisper model: tiny.en (fast, English) or base (accurate, "
                             "multilingual) [default: tiny.en]")
    parser.add_argument("--language", default=None,
                        help="language code for base (e.g. en, zh); default: en for tiny.en, "
                             "detected for base")
    parser.add_argument("--partial-interval", type=float, default=0.5, metavar="SECONDS",
                        help="stream time between partial hypotheses; 0 disables partials "
                             "[default: 0.5]")
    parser.add_argument("--window", choices=["trim", "full"], default="trim",
                        help="Whisper encoder window: trim to the speech, or full 30 s "
                             "[default: trim]")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for Whisper [2]")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duplex-agent",
        description="A full-duplex empathetic spoken dialogue agent that runs on a CPU. "
                    "Every model comes from an installed package; nothing is downloaded.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = sub.add_parser("models", help="list every bundled model and whether it resolves",
                            description="Resolve every model from its installed package (joining "
                                        "split files into the cache once) and print a table. "
                                        "Exit 1 if a required model is missing.")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")

    transcribe = sub.add_parser(
        "transcribe", help="streaming VAD + ASR on an audio file",
        description="Feed a recording through the streaming listener as a live stream would "
                    "arrive; print partials with their stream times, finals with word times, "
                    "and the VAD segments. Reads wav, flac, ogg, mp3 and more, any rate, "
                    "any channel count.")
    transcribe.add_argument("file", type=Path, help="audio file")
    _add_listen_options(transcribe)

    demo = sub.add_parser("demo", help="run the main job on the bundled defaults",
                          description="Transcribe a shared recording with the default "
                                      "settings, as a first check that everything works.")
    demo.add_argument("file", type=Path, nargs="?", default=DEMO_RECORDING,
                      help=f"audio file [default: {DEMO_RECORDING}]")
    _add_listen_options(demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from streaming.audio import AudioError
    from streaming.models import ModelMissingError

    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "models": _models, "transcribe": _transcribe, "demo": _transcribe}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        return 130
    except (AudioError, ModelMissingError) as err:
        print(f"duplex-agent {args.command}: error: {err}", file=sys.stderr)
        return 2


def _models(args: argparse.Namespace) -> int:
    from duplex_agent.reports import print_models
    from streaming.models import MODELS, check_all

    rows = check_all()
    print_models(rows, as_json=args.json)
    required = {role for role, spec in MODELS.items() if spec.required}
    return 1 if any(r.status != "ok" and r.role in required for r in rows) else 0


def _transcribe(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from duplex_agent.config import AsrConfig, ListenConfig
    from duplex_agent.reports import print_transcription
    from duplex_agent.transcribe import transcribe_file

    language = args.language if args.language else ("en" if args.model == "tiny.en" else None)
    asr = replace(AsrConfig(), model=args.model, language=language, threads=args.threads,
                  partial_interval_s=args.partial_interval, window=args.window)
    result = transcribe_file(args.file, replace(ListenConfig(), asr=asr))
    print_transcription(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
