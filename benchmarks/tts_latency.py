"""How soon the voice starts and how fast it runs, per backend and per preset.

    python benchmarks/tts_latency.py [--backends piper espeak] [--token-rate 55] [--out FILE.json]

For each of the 20 team sentences (tests/test_voice_sentences.py), streamed word by word
through ``speak_stream``:
  first clause: seconds from the token that completes the first clause to its audio
                (the synthesis of that clause; median and 90th percentile),
  first audio:  seconds from the first token to the first audio when tokens arrive at
                --token-rate tokens per second (a word per token; 55/s is SmolLM2 here),
  RTF:          synthesis seconds per second of audio for whole sentences (median).
Medians over the sentences after one warm-up. Not a test: numbers vary with machine load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_voice_sentences import SENTENCES  # noqa: E402

from duplex_agent.config import SAMPLE_RATE  # noqa: E402
from duplex_agent.voice import load_voice, speak_stream, style_for  # noqa: E402
from duplex_agent.voice.clauses import ClauseSplitter  # noqa: E402
from duplex_agent.voice.style import EMOTIONS  # noqa: E402

CHINESE = ("我明白，这真的很不容易。", "别着急，我们慢慢来。", "听到这个消息我也很开心！",
           "你已经尽力了，这很重要。", "想聊聊发生了什么吗？")


def words(text: str) -> list[str]:
    """Tokens as an LLM would send them: a word with its leading space."""
    parts = text.split(" ")
    return [parts[0]] + [" " + p for p in parts[1:]] if " " in text else list(text)


async def first_clause_latency(voice, text: str, style, language: str) -> float:
    """Seconds from the clause-completing token to the first chunk (tokens all ready)."""
    splitter, complete_at = ClauseSplitter(), None
    tokens = words(text)
    for i, token in enumerate(tokens):  # where does the first clause complete?
        if splitter.push(token):
            complete_at = i
            break
    marks: dict[str, float] = {}

    async def source():
        for i, token in enumerate(tokens):
            if i == (complete_at if complete_at is not None else len(tokens) - 1):
                marks["complete"] = time.perf_counter()
            yield token

    stream = speak_stream(source(), voice, style, language)
    await anext(stream)
    done = time.perf_counter()
    await stream.aclose()
    return done - marks.get("complete", done)


async def first_audio(voice, text: str, style, language: str, rate: float) -> float:
    """Seconds from the first token to the first chunk, tokens arriving at ``rate``/s."""
    start = time.perf_counter()

    async def source():
        for i, token in enumerate(words(text)):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            yield token

    stream = speak_stream(source(), voice, style, language)
    await anext(stream)
    elapsed = time.perf_counter() - start
    await stream.aclose()
    return elapsed


def rtf(voice, texts, style, language: str) -> float:
    ratios = []
    for text in texts:
        start = time.perf_counter()
        audio = voice.synthesize(text, style, language)
        ratios.append((time.perf_counter() - start) / (len(audio) / SAMPLE_RATE))
    return statistics.median(ratios)


def measure_row(voice, style, texts, language: str, token_rate: float) -> dict:
    clause = [asyncio.run(first_clause_latency(voice, t, style, language)) for t in texts]
    audio = [asyncio.run(first_audio(voice, t, style, language, token_rate)) for t in texts]
    return {"first_clause_s": statistics.median(clause),
            "first_clause_p90_s": statistics.quantiles(clause, n=10)[-1],
            "first_audio_s": statistics.median(audio), "rtf": rtf(voice, texts, style, language)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["piper", "espeak"])
    parser.add_argument("--token-rate", type=float, default=55.0)
    parser.add_argument("--out", type=Path, default=None, help="also write JSON here")
    args = parser.parse_args()
    results = {}
    print("| backend | language | preset | first clause (s) | p90 (s) | first audio at "
          f"{args.token_rate:g} tok/s (s) | RTF |\n|---|---|---|---|---|---|---|")
    for backend in args.backends:
        start = time.perf_counter()
        voice = load_voice(backend)
        load = time.perf_counter() - start
        voice.synthesize(SENTENCES[0], style_for("neutral"))  # warm-up
        cases = [("en", e, SENTENCES) for e in EMOTIONS]
        if backend == "espeak":
            cases.append(("zh", "neutral", CHINESE))
        for language, emotion, texts in cases:
            row = measure_row(voice, style_for(emotion), texts, language, args.token_rate)
            results[f"{backend}/{language}/{emotion}"] = {**row, "load_s": load}
            print(f"| {backend} | {language} | {emotion} | {row['first_clause_s']:.3f} | "
                  f"{row['first_clause_p90_s']:.3f} | {row['first_audio_s']:.3f} | "
                  f"{row['rtf']:.3f} |", flush=True)
        print(f"({backend} load: {load:.2f} s)")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
