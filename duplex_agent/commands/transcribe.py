"""``duplex-agent transcribe``: a recording through the streaming listener."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_listen_options(parser: argparse.ArgumentParser) -> None:
    """Flags every command that listens shares (model, language, partial cadence...)."""
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


def listen_config(args: argparse.Namespace):
    """The ListenConfig the shared listen flags describe."""
    from dataclasses import replace

    from duplex_agent.config import AsrConfig, ListenConfig

    language = args.language if args.language else ("en" if args.model == "tiny.en" else None)
    asr = replace(AsrConfig(), model=args.model, language=language, threads=args.threads,
                  partial_interval_s=args.partial_interval, window=args.window)
    return replace(ListenConfig(), asr=asr)


def register(sub: argparse._SubParsersAction) -> None:
    transcribe = sub.add_parser(
        "transcribe", help="streaming VAD + ASR on an audio file",
        description="Feed a recording through the streaming listener as a live stream would "
                    "arrive; print partials with their stream times, finals with word times, "
                    "and the VAD segments. Reads wav, flac, ogg, mp3 and more, any rate, "
                    "any channel count.")
    transcribe.add_argument("file", type=Path, help="audio file")
    add_listen_options(transcribe)
    transcribe.add_argument("--json", action="store_true", help="print one JSON document")
    transcribe.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from duplex_agent.reports import print_transcription
    from duplex_agent.transcribe import transcribe_file

    result = transcribe_file(args.file, listen_config(args))
    print_transcription(result, as_json=args.json)
    return 0
