"""``duplex-agent duplex``: a recording in, the agent's time-synchronous recording out."""

from __future__ import annotations

import argparse
from pathlib import Path

from duplex_agent.commands.think import add_llm_options
from duplex_agent.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "duplex", help="full-duplex run on a recording: time-synchronous agent audio out",
        description="Play a recording to the agent as a live user would, and write what "
                    "the agent says as a WAV of the same length: agent audio at the times "
                    "it would have played live (compute time included), silence elsewhere. "
                    "This is the Full-Duplex-Bench and HumDial Track 2 format.")
    parser.add_argument("input", type=Path, help="user audio (any common format and rate)")
    parser.add_argument("--out", type=Path, required=True, help="output WAV (16 kHz mono)")
    parser.add_argument("--events", type=Path, help="also write the timeline as JSON lines")
    parser.add_argument("--plot", type=Path, help="also draw the timeline as a PNG")
    parser.add_argument("--naive", action="store_true",
                        help="the baseline: 0.8 s silence timeout, whole-utterance ASR, "
                             "no barge-in policy")
    parser.add_argument("--voice", choices=["piper", "espeak"], default="piper",
                        help="TTS backend [default: piper]")
    add_llm_options(parser)
    parser.set_defaults(run=run)


def session_config(args: argparse.Namespace):
    from dataclasses import replace

    from duplex_agent.session.config import SessionConfig

    config = SessionConfig.naive() if args.naive else SessionConfig()
    reply = replace(config.reply, llm=args.llm, llm_url=args.llm_url, llm_model=args.llm_model)
    return replace(config, reply=reply, voice=replace(config.voice, backend=args.voice))


def run(args: argparse.Namespace) -> int:
    from duplex_agent.session.file_driver import run_file, write_events, write_wav
    from streaming.audio import load_audio

    if args.out.suffix.lower() != ".wav":
        raise UserError(f"--out must name a .wav file, got {args.out}")
    if not args.out.parent.is_dir():
        raise UserError(f"--out: folder {args.out.parent} does not exist")
    audio = load_audio(args.input)
    result = run_file(audio, session_config(args), progress=True)
    write_wav(args.out, result.output)
    if args.events:
        write_events(args.events, result.timeline)
    if args.plot:
        from duplex_agent.session.plot import plot_run

        plot_run(audio, result.output, result.timeline, args.plot)
    turns = [e for e in result.timeline if e["type"] == "Utterance"]
    print(f"{args.input}: {result.duration_s:.1f} s, {len(turns)} agent replies, compute "
          f"{result.compute_s}; wrote {args.out}")
    for turn in turns:
        cut = " (interrupted)" if turn["interrupted"] else ""
        print(f"  [{turn['start'] or 0:6.2f}-{turn['end'] or 0:6.2f}] {turn['heard']}{cut}")
    return 0
