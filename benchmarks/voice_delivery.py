"""Does each voice style keep the words intelligible and deliver what it promises?

    python benchmarks/voice_delivery.py [--backend piper] [--out-dir /tmp/voice_delivery]
    python benchmarks/voice_delivery.py --pitch-methods

Default: every emotion preset speaks the 20 team sentences (tests/test_voice_sentences.py);
Whisper base transcribes each back (WER per preset), and the delivery is measured on the
audio: F0 median and 10-90 % range, speaking rate, active RMS level, total pause. Prints a
Markdown table, writes delivery.json and delivery.png to --out-dir.

--pitch-methods: shift every sentence by -4, -2, +2, +4 semitones with each pitch method
and report the achieved shift, WER, timbre change (1/3-octave long-term spectrum distance
to the unshifted audio, level-matched), the share of voiced frames kept (a roughness proxy)
and the cost per second of audio.
Not a test: Piper samples noise, so numbers move a little between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_voice_sentences import SENTENCES, normalise  # noqa: E402

from duplex_agent.config import SAMPLE_RATE, AsrConfig  # noqa: E402
from duplex_agent.voice import VoiceConfig, VoiceStyle, load_voice, style_for  # noqa: E402
from duplex_agent.voice.clauses import word_spans  # noqa: E402
from duplex_agent.voice.measure import mean_delivery, measure  # noqa: E402
from duplex_agent.voice.pitch import smooth_f0, voice_pitch  # noqa: E402
from duplex_agent.voice.style import EMOTIONS  # noqa: E402

PAD = np.zeros(SAMPLE_RATE // 4, np.float32)
COLUMNS = (("f0_median_hz", "F0 median (Hz)"), ("f0_range_st", "F0 range (st)"),
           ("words_per_s", "words/s"), ("articulation_rate", "words/s speaking"),
           ("rms_dbfs", "RMS (dBFS)"), ("pause_total_s", "pauses (s)"))


def whisper():
    from streaming.models import resolve
    from streaming.whisper import WhisperDecoder

    return WhisperDecoder(resolve("asr-base"), AsrConfig(model="base", language="en"))


def wer(decoder, audios: list[np.ndarray]) -> float:
    import jiwer

    hyps = [normalise(decoder.transcribe(np.concatenate([PAD, a, PAD])).text) for a in audios]
    return float(jiwer.wer([normalise(s) for s in SENTENCES], hyps))


def presets(backend: str, out_dir: Path) -> None:
    voice, decoder = load_voice(backend), whisper()
    rows = {}
    for emotion in EMOTIONS:
        audios = [voice.synthesize(s, style_for(emotion)) for s in SENTENCES]
        delivery = mean_delivery([measure(a, len(word_spans(s)))
                                  for a, s in zip(audios, SENTENCES)])
        rows[emotion] = {"wer": wer(decoder, audios), **asdict(delivery)}
        print(f"{emotion}: WER {rows[emotion]['wer']:.3f}", file=sys.stderr)
    print_table(rows, backend)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"delivery_{backend}.json").write_text(json.dumps(rows, indent=2))
    plot(rows, out_dir / f"delivery_{backend}.png", backend)
    print(f"\nwrote {out_dir / f'delivery_{backend}.json'} and .png")


def print_table(rows: dict[str, dict], backend: str) -> None:
    print(f"\n{backend}, {len(SENTENCES)} sentences per preset (means per sentence)\n")
    print("| preset | WER | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for emotion, row in rows.items():
        cells = " | ".join(f"{row[key]:.2f}" for key, _ in COLUMNS)
        print(f"| {emotion} | {100 * row['wer']:.1f} % | {cells} |")


def plot(rows: dict[str, dict], path: Path, backend: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [("wer", "WER")] + list(COLUMNS)
    fig, axes = plt.subplots(1, len(keys), figsize=(3 * len(keys), 3.6))
    names = list(rows)
    colours = ["#888888" if n == "neutral" else "#3b6fb6" if n in ("sad", "calm", "fear")
               else "#d9822b" if n in ("happy", "surprise") else "#6a9f58" for n in names]
    for ax, (key, label) in zip(axes, keys):
        values = [rows[n][key] for n in names]
        if key == "wer":
            values, label = [100 * v for v in values], "WER (%)"
        if key == "rms_dbfs":  # relative to neutral, so louder is up
            values, label = [v - rows["neutral"][key] for v in values], "RMS vs neutral (dB)"
        ax.bar(names, values, color=colours)
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="x", rotation=70, labelsize=8)
        if key == "f0_median_hz":
            ax.set_ylim(min(values) * 0.8, max(values) * 1.05)
        ax.axhline(0, color="black", linewidth=0.6)
    fig.suptitle(f"Delivery per preset ({backend}, {len(SENTENCES)} sentences)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def ltas_db(audio: np.ndarray) -> np.ndarray:
    """Long-term spectrum in 1/3-octave bands from 100 Hz to 7 kHz, in dB."""
    frames = np.lib.stride_tricks.sliding_window_view(audio, 512)[::256] * np.hanning(512)
    power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(512, 1 / SAMPLE_RATE)
    edges = 100 * 2 ** (np.arange(19) / 3)
    return np.array([10 * np.log10(power[(freqs >= lo) & (freqs < hi)].mean() + 1e-12)
                     for lo, hi in zip(edges, edges[1:]) if hi < 8000])


def timbre_distance(a: np.ndarray, b: np.ndarray) -> float:
    la, lb = ltas_db(a), ltas_db(b)
    return float(np.sqrt(np.mean((lb - lb.mean() - la + la.mean()) ** 2)))


def median_semitones(audio: np.ndarray) -> tuple[float, int]:
    f0 = smooth_f0(voice_pitch(audio).f0)
    voiced = f0[f0 > 0]
    return float(12 * np.log2(np.median(voiced))) if len(voiced) else float("nan"), len(voiced)


def pitch_methods() -> None:
    decoder = whisper()
    voices = {m: load_voice("piper", VoiceConfig(pitch_method=m)) for m in ("resample", "world")}
    base = [voices["resample"].synthesize(s, VoiceStyle()) for s in SENTENCES]
    base_f0 = [median_semitones(a) for a in base]
    print(f"unshifted: WER {wer(decoder, base):.3f}")
    print("\n| method | shift (st) | achieved (st) | WER | timbre change (dB) | voiced frames "
          "kept | cost (s per s of audio) |\n|---|---|---|---|---|---|---|")
    for method, voice in voices.items():
        for semitones in (-4, -2, 2, 4):
            style = replace(VoiceStyle(), pitch_semitones=float(semitones))
            start = time.perf_counter()
            audios = [voice.synthesize(s, style) for s in SENTENCES]
            cost = (time.perf_counter() - start) / (sum(map(len, audios)) / SAMPLE_RATE)
            f0 = [median_semitones(a) for a in audios]
            achieved = np.nanmean([a[0] - b[0] for a, b in zip(f0, base_f0)])
            kept = sum(a[1] for a in f0) / sum(b[1] for b in base_f0)
            timbre = np.mean([timbre_distance(b, a) for a, b in zip(audios, base)])
            print(f"| {method} | {semitones:+d} | {achieved:+.2f} | "
                  f"{100 * wer(decoder, audios):.1f} % | {timbre:.2f} | {100 * kept:.0f} % | "
                  f"{cost:.3f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["piper", "espeak"], default="piper")
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp/voice_delivery"))
    parser.add_argument("--pitch-methods", action="store_true",
                        help="compare the pitch-shift methods instead")
    args = parser.parse_args()
    if args.pitch_methods:
        pitch_methods()
    else:
        presets(args.backend, args.out_dir)


if __name__ == "__main__":
    main()
