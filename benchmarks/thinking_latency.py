"""Time from the final transcript to the finished thought and to the first reply token,
with and without the thought (and the LLM's prompt) prepared on the last partial.

    python benchmarks/thinking_latency.py [--repeats 3]

Turns: the shared TIMIT-like and JFK recordings with their transcripts; the partial
is the transcript without its last word (what LocalAgreement has committed shortly
before the end). Medians over turns and repeats; SmolLM2 with 1 thread, as the
session runs it (the other core keeps listening).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.llm import load_backend  # noqa: E402
from duplex_agent.perception import Perceiver  # noqa: E402
from duplex_agent.perception.text import TextEmotionModel  # noqa: E402
from duplex_agent.reply import ReplyWriter, chat_messages  # noqa: E402
from duplex_agent.reply import opener as writer_opener  # noqa: E402
from duplex_agent.thinking.thinker import Thinker  # noqa: E402
from streaming.audio import load_audio  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def turns() -> list[tuple[str, object]]:
    manifest = json.loads((DATA / "manifest.json").read_text())
    return [(e["transcript"].capitalize() + ".", load_audio(DATA / e["file"]))
            for e in manifest if e["file"].startswith("asr/speechbrain_timit_like")
            or e["file"] == "asr/jfk.flac"]


def one_turn(text: str, audio, thinker: Thinker, writer: ReplyWriter, prepare: bool):
    if prepare:  # while the user is still talking
        partial = " ".join(text.split()[:-1])
        provisional = thinker.on_partial(0.0, partial)
        writer.backend.warm(chat_messages(provisional, partial, thinker.memory))
    start = time.perf_counter()
    thought, _ = thinker.think(0.0, text, audio)
    thought_s = time.perf_counter() - start
    pieces = iter(writer._tokens(thought, text, thinker.memory))
    first = next(pieces)
    if first == writer_opener(thought):  # the opener is ours; wait for the model's first token
        next(pieces, None)
    return thought_s, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    text_model, backend = TextEmotionModel(), load_backend("smollm2", threads=1)
    writer = ReplyWriter(backend)
    data = turns()
    results = {}
    for prepare in (False, True):
        thought_times, token_times = [], []
        for _ in range(args.repeats):
            thinker = Thinker(Perceiver(text_model))
            for text, audio in data:
                backend.warm([{"role": "user", "content": "unrelated warm-up"}])  # evict
                a, b = one_turn(text, audio, thinker, writer, prepare)
                thought_times.append(a)
                token_times.append(b)
        results["prepared on partial" if prepare else "from the final only"] = (
            1000 * statistics.median(thought_times), 1000 * statistics.median(token_times))
    print(f"{len(data)} turns x {args.repeats}; medians in ms")
    print("| | final -> thought | final -> first reply token |\n|---|---|---|")
    for name, (a, b) in results.items():
        print(f"| {name} | {a:.0f} | {b:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
