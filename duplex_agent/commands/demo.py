"""``duplex-agent demo``: the main job on the bundled defaults.

Builds a short conversation from the shared recordings (a question, then the user
cutting in while the agent answers), runs it through the full-duplex session, and
writes the agent's time-synchronous reply, the timeline and a picture to ``out/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from duplex_agent.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared" / "data" / "asr" / "speechbrain_timit_like"
QUESTION, CUT_IN = SHARED / "spk2_snt2.wav", SHARED / "spk2_snt4.wav"
CUT_IN_AFTER_S = 3.0  # silence between the question and the cut-in


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo", help="run the agent on a short conversation (the main job, default settings)",
        description="Run the full-duplex agent on a short conversation made from the shared "
                    "recordings (a question, then the user cutting in while the agent "
                    "answers), or on FILE; write the agent's audio, timeline and picture.")
    parser.add_argument("file", type=Path, nargs="?", help="a recording of your own instead")
    parser.add_argument("--out-dir", type=Path, default=Path("out"),
                        help="where to write demo_in.wav, demo_out.wav, demo_events.jsonl "
                             "and demo.png [default: out]")
    parser.set_defaults(run=run)


def conversation():
    import numpy as np

    from streaming.audio import load_audio

    missing = [str(p) for p in (QUESTION, CUT_IN) if not p.exists()]
    if missing:
        raise UserError(f"demo recordings not found ({', '.join(missing)}); "
                        "pass a recording: duplex-agent demo FILE")
    gap = np.zeros(int(CUT_IN_AFTER_S * 16000), np.float32)
    lead, tail = np.zeros(8000, np.float32), np.zeros(6 * 16000, np.float32)
    return np.concatenate([lead, load_audio(QUESTION), gap, load_audio(CUT_IN), tail])


def run(args: argparse.Namespace) -> int:
    from duplex_agent.session.file_driver import run_file, write_events, write_wav
    from duplex_agent.session.plot import plot_run
    from streaming.audio import load_audio

    audio = load_audio(args.file) if args.file else conversation()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    result = run_file(audio, progress=True)
    write_wav(args.out_dir / "demo_in.wav", audio)
    write_wav(args.out_dir / "demo_out.wav", result.output)
    write_events(args.out_dir / "demo_events.jsonl", result.timeline)
    plot_run(audio, result.output, result.timeline, args.out_dir / "demo.png")
    for entry in sorted(result.timeline, key=lambda e: e["time"]):
        if entry["type"] == "AsrFinal":
            print(f"[{entry['time']:6.2f}] user:    {entry['text']}")
        elif entry["type"] == "Thought":
            print(f"[{entry['time']:6.2f}] thought: {entry['summary']}")
        elif entry["type"] == "Utterance":
            cut = "  (interrupted)" if entry["interrupted"] else ""
            print(f"[{entry['start'] or 0:6.2f}] agent:   {entry['heard']}{cut}")
    print(f"wrote {args.out_dir}/demo_out.wav (time-synchronous with demo_in.wav), "
          f"demo_events.jsonl and demo.png")
    return 0
