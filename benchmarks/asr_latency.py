"""ASR cost and delay: per-call decode time vs audio length and encoder window,
WER per window, and the delay from end of speech to the final transcript.

    python benchmarks/asr_latency.py [--repeats 5] [--models tiny.en base] [--out FILE.json]

Medians of several runs, CTranslate2 with 2 threads. Needs ../shared/data.
Not a test: numbers vary with machine load; read them, compare in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from duplex_agent.config import SAMPLE_RATE, AsrConfig, ListenConfig  # noqa: E402
from duplex_agent.events import AsrFinal, SpeechEnded  # noqa: E402
from streaming.audio import load_audio  # noqa: E402
from streaming.listener import Listener, ListenModels, listen_file  # noqa: E402
from streaming.models import resolve  # noqa: E402
from streaming.whisper import WhisperDecoder  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
LENGTHS_S = (1.0, 2.0, 3.0, 5.0, 8.0)
# (label, policy, min_window_s): "full" is faster-whisper's fixed 30 s window.
WINDOWS = (("trim>=4s", "trim", 4.0), ("trim>=6s", "trim", 6.0), ("trim>=8s", "trim", 8.0),
           ("trim>=10s", "trim", 10.0), ("trim>=15s", "trim", 15.0), ("full 30s", "full", 30.0))


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def asr_config(model: str, policy: str, min_window: float) -> AsrConfig:
    return AsrConfig(model=model, language="en", window=policy, min_window_s=min_window,
                     partial_interval_s=0)


def cost_table(model: str, speech: np.ndarray, repeats: int) -> dict:
    path = resolve("asr-tiny.en" if model == "tiny.en" else "asr-base")
    rows = {}
    for label, policy, min_window in tqdm(WINDOWS, desc=f"{model} cost", leave=False):
        decoder = WhisperDecoder(path, asr_config(model, policy, min_window))
        rows[label] = {f"{n:g}s": round(median_ms(
            lambda n=n, d=decoder: d.transcribe(speech[:int(n * SAMPLE_RATE)]), repeats), 1)
            for n in LENGTHS_S}
    return rows


def wer_per_window(model: str) -> dict:
    import jiwer
    from test_listen_real import asr_items, final_text, normalise

    manifest = {e["file"]: e for e in json.loads((DATA / "manifest.json").read_text())}
    items = asr_items(manifest)
    audio = {f: load_audio(DATA / f) for f, _ in items}
    out = {}
    for label, policy, min_window in tqdm(WINDOWS, desc=f"{model} WER", leave=False):
        config = replace(ListenConfig(), asr=asr_config(model, policy, min_window))
        models = ListenModels.load(config)
        hyps = [normalise(final_text(listen_file(audio[f], Listener(config, models))))
                for f, _ in items]
        out[label] = round(jiwer.wer([normalise(r) for _, r in items], hyps), 4)
    return out


class TimedDecoder:
    """Wraps a decoder and remembers how long its latest call took."""

    def __init__(self, decoder: WhisperDecoder) -> None:
        self._decoder, self.last_s = decoder, 0.0

    def transcribe(self, audio, **kwargs):
        start = time.perf_counter()
        result = self._decoder.transcribe(audio, **kwargs)
        self.last_s = time.perf_counter() - start
        return result


def end_of_speech_delay(model: str) -> dict:
    """Delay from the last speech frame to the final: VAD hang-over + final decode."""
    config = replace(ListenConfig(), asr=AsrConfig(model=model, language="en"))
    base = ListenModels.load(config)
    timed = TimedDecoder(base.decoder)
    models = ListenModels(base.vad_path, timed)
    hangovers, decodes = [], []
    files = sorted(p for p in (DATA / "asr").rglob("*") if p.suffix in (".wav", ".flac"))
    for path in files:
        listener = Listener(config, models)
        audio = load_audio(path)
        for start in range(0, len(audio), 512):
            for event in listener.push(audio[start:start + 512]):
                if isinstance(event, AsrFinal):
                    decodes.append(timed.last_s)
                if isinstance(event, SpeechEnded):
                    hangovers.append(event.time - event.end)
    hang, dec = statistics.median(hangovers), statistics.median(decodes)
    return {"segments": len(decodes), "vad_hangover_ms": round(1000 * hang),
            "final_decode_ms": round(1000 * dec), "delay_ms": round(1000 * (hang + dec))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per median [5]")
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args()
    if not (DATA / "manifest.json").exists():
        parser.error(f"needs the shared recordings at {DATA}")
    jfk = load_audio(DATA / "asr" / "jfk.flac")
    speech = jfk[int(0.3 * SAMPLE_RATE):]  # starts at the first word
    report = {}
    for model in args.models:
        report[model] = {"decode_ms": cost_table(model, speech, args.repeats),
                         "wer": wer_per_window(model), "end_of_speech": end_of_speech_delay(model)}
        print_model(model, report[model])
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


def print_model(model: str, numbers: dict) -> None:
    print(f"\n## {model}: median decode ms per call (audio length ->), and WER on shared/asr")
    print("| window | " + " | ".join(f"{n:g} s" for n in LENGTHS_S) + " | WER |")
    print("|---" * (len(LENGTHS_S) + 2) + "|")
    for label, row in numbers["decode_ms"].items():
        print(f"| {label} | " + " | ".join(f"{v:.0f}" for v in row.values())
              + f" | {100 * numbers['wer'][label]:.1f} % |")
    eos = numbers["end_of_speech"]
    print(f"end of speech -> final: {eos['delay_ms']} ms median = VAD hang-over "
          f"{eos['vad_hangover_ms']} ms + final decode {eos['final_decode_ms']} ms "
          f"({eos['segments']} segments)")


if __name__ == "__main__":
    sys.exit(main())
