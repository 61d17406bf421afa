"""``duplex-agent speak``: text to a WAV file in the agent's voice, with a style."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from duplex_agent.errors import UserError


class SpeakError(UserError, ValueError):
    """Bad text or output path for ``speak``."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "speak", help="synthesise text in the agent's voice to a WAV file",
        description="Speak TEXT with the agent's voice (Piper joe; espeak-ng for Chinese or "
                    "with --backend espeak) in a delivery style: an emotion preset at an "
                    "intensity, or a JSON style. Writes 16 kHz mono 16-bit WAV.")
    parser.add_argument("text", help="the text to speak ('-' reads it from standard input)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--emotion", default=None,
                     help="preset: neutral, happy, sad, angry, fear, surprise, disgust, calm "
                          "(the delivery for a user who feels it) [default: neutral]")
    how.add_argument("--style", default=None, metavar="JSON",
                     help='a JSON object or a .json file, e.g. \'{"emotion": "sad", '
                          '"intensity": 0.5, "rate": 0.9}\'; fields: rate, pitch_semitones, '
                          'pitch_range, energy_db, brightness_db, expressiveness, '
                          'clause_pause_s, sentence_pause_s')
    parser.add_argument("--intensity", type=float, default=None,
                        help="how strongly the emotion shows, 0 to 1 [default: 1]")
    parser.add_argument("--language", default="en", help="en or zh [default: en]")
    parser.add_argument("--backend", choices=["piper", "espeak"], default="piper",
                        help="voice backend [default: piper]")
    parser.add_argument("--pitch-method", choices=["resample", "world"], default="resample",
                        help="how pitch shifts are made [default: resample]")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.wav",
                        help="where to write the audio")
    parser.add_argument("--json", action="store_true",
                        help="print the style and the clause chunks as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from duplex_agent.voice import VoiceConfig, load_voice

    text = _text(args.text)
    style = _style(args)
    _check_out(args.out)
    english = args.language.split("-")[0].lower() == "en"
    backend = args.backend if english else "espeak"  # the Piper voice is English only
    voice = load_voice(backend, VoiceConfig(pitch_method=args.pitch_method))
    chunks = voice.chunks(text, style, args.language)
    if not chunks:
        raise SpeakError("the text has no words to speak")
    _write(args.out, [c.audio for c in chunks])
    _report(args, backend, style, chunks)
    return 0


def _text(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    if not text.strip():
        raise SpeakError("TEXT is empty: give the words to speak")
    return text


def _style(args: argparse.Namespace):
    from duplex_agent.voice.style import StyleError, style_for, style_from_json

    if args.style is not None:
        if args.intensity is not None:
            raise StyleError("--intensity goes with --emotion; put \"intensity\" in --style")
        return style_from_json(_json_text(args.style))
    intensity = 1.0 if args.intensity is None else args.intensity
    if args.emotion is None and args.intensity is not None:
        raise StyleError("--intensity needs --emotion")
    return style_for(args.emotion or "neutral", intensity)


def _json_text(value: str) -> str:
    from duplex_agent.voice.style import StyleError

    if value.lstrip().startswith("{"):
        return value
    path = Path(value)
    if not path.is_file():
        raise StyleError(f"--style must be a JSON object or a JSON file; {value!r} is neither")
    return path.read_text(encoding="utf-8")


def _check_out(path: Path) -> None:
    if path.suffix.lower() != ".wav":
        raise SpeakError(f"--out {path}: the output must be a .wav file")
    if path.is_dir():
        raise SpeakError(f"--out {path} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SpeakError(f"--out {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise SpeakError(f"--out {path}: not writable")


def _write(path: Path, parts) -> None:
    import numpy as np
    import soundfile as sf

    from duplex_agent.config import SAMPLE_RATE

    try:
        sf.write(str(path), np.concatenate(parts), SAMPLE_RATE, subtype="PCM_16")
    except (OSError, RuntimeError) as err:  # libsndfile reports I/O errors as RuntimeError
        raise SpeakError(f"--out {path}: cannot write ({err})") from None


def _report(args: argparse.Namespace, backend: str, style, chunks) -> None:
    from duplex_agent.config import SAMPLE_RATE

    seconds = sum(len(c.audio) for c in chunks) / SAMPLE_RATE
    if args.json:
        print(json.dumps({
            "out": str(args.out), "duration_s": round(seconds, 3), "backend": backend,
            "language": args.language, "style": asdict(style),
            "chunks": [{"text": c.text, "char_start": c.char_start, "char_end": c.char_end,
                        "duration_s": round(c.duration, 3)} for c in chunks],
        }, indent=2, ensure_ascii=False))
        return
    shown = ", ".join(f"{k} {v:g}" for k, v in asdict(style).items())
    print(f"wrote {args.out}: {seconds:.2f} s, {len(chunks)} clause(s), {backend}; {shown}")
