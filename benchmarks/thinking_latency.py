"""Time from the final transcript to the first reply token and to the first reply audio,
old path vs our IEAT model, with and without thinking on the partial transcript.

    python benchmarks/thinking_latency.py [--repeats 2] [--threads 1 2]

Turns: dev records of the IEAT corpus (English and Chinese, never trained on), each as
the user's words alone; the partial is the words without the last ~25 % (what
LocalAgreement has committed shortly before the end). "From the final only": perception,
thought and reply all start at the final transcript. "Thought on the partial": the
thought (old: the rule thought and the LLM's prompt warmed; new: the model's thought) is
formed on the partial while the user talks; at the final only the rest is done (new:
the thought is reused, the changed words and the reply are computed). First audio = the
first clause rendered by the session's voice (Piper for English, espeak-ng for Chinese).
Old path: rule-based thought + SmolLM2 told it. Prints p50 / p95 per path and the IEAT
model's decoding speed (tokens per second).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.training.corpus import load  # noqa: E402

DEV = ROOT / "prompts" / "ieat" / "dev.jsonl"


def partial_of(text: str) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text[:max(1, int(len(text) * 0.75))]
    words = text.split()
    return " ".join(words[:max(1, int(len(words) * 0.75))])


class TimedBackend:
    """The reply model with the time of its first token noted (our opener excluded)."""

    def __init__(self, backend) -> None:
        self.backend, self.name, self.first = backend, backend.name, None

    def complete(self, prompt, sampling):
        return self._timed(self.backend.complete(prompt, sampling))

    def chat(self, messages, sampling, opener=""):
        return self._timed(self.backend.chat(messages, sampling, opener), skip=opener)

    def _timed(self, stream, skip=""):
        for piece in stream:
            if self.first is None and not (skip and piece == skip):
                self.first = time.perf_counter()  # wall-clock ok: benchmark
            yield piece


def one_turn(text: str, mind, voice, text_model, prepare: bool) -> tuple[float, float]:
    """Seconds from the final transcript to the first reply token and to the first audio,
    as the session produces it (the first checked sentence, its first clause rendered)."""
    from duplex_agent.perception import Perceiver
    from duplex_agent.reply import ReplyWriter, chat_messages
    from duplex_agent.session.replies import thought_style
    from duplex_agent.voice.clauses import ClauseSplitter

    thinker = mind.thinker(Perceiver(text_model))
    timed = TimedBackend(mind.llm)
    writer = ReplyWriter(timed, mode=mind.mode)
    prior = None
    if prepare:  # while the user is still talking
        partial = partial_of(text)
        if mind.ieat is not None:
            prior, _ = thinker.think(0.0, partial)
        else:
            provisional = thinker.on_partial(0.0, partial)
            mind.llm.warm(chat_messages(provisional, partial, thinker.memory))
    start = time.perf_counter()  # wall-clock ok: benchmark
    thought, _ = thinker.think(0.0, text, prior=prior)
    prompt = thinker.reply_prompt(thought)
    splitter = ClauseSplitter(voice.config.min_clause_words, voice.config.max_clause_words)
    for sentence, _ in writer.stream(thought, text, thinker.memory, prompt):
        clause = (splitter.push(sentence + " ") or [sentence])[0]
        voice.render(clause.strip(), thought_style(thought), thought.language)
        break
    audio = time.perf_counter() - start
    return (timed.first or time.perf_counter()) - start, audio


def decoding_speed(mind, threads: int) -> float:
    from duplex_agent.llm import Sampling

    prompt = "<start_of_turn>user\nnow:\nuser: tell me about your day\nvoice: usual" \
             "<end_of_turn>\n<start_of_turn>model\n"
    list(mind.llm.complete(prompt, Sampling(max_tokens=1)))
    start = time.perf_counter()
    n = sum(1 for _ in mind.llm.complete(prompt + "emotion:", Sampling(
        max_tokens=64, temperature=0.7, stop=())))
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--turns", type=int, default=12, help="dev turns per language")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="LLM threads to measure (the session uses 1 by default)")
    args = parser.parse_args()

    from duplex_agent.mind import Mind
    from duplex_agent.perception.text import TextEmotionModel
    from duplex_agent.voice import load_voice

    records = load([DEV])
    turns = [r["user"] for lang in ("en", "zh")
             for r in [x for x in records if x["lang"] == lang and not x["history"]][:args.turns]]
    text_model = TextEmotionModel()
    text_model.estimate("warm up")
    voices = {"en": load_voice("piper"), "zh": load_voice("espeak")}
    for v in voices.values():
        v.synthesize("Hello.")
    rows = []
    for threads in args.threads:
        for kind in ("smollm2", "ieat"):
            mind = Mind.load(kind, threads=threads)
            mind.warm()
            speed = decoding_speed(mind, threads)
            for prepare in (False, True):
                firsts, audios = [], []
                for _ in range(args.repeats):
                    for text in turns:
                        voice = voices["zh" if any("\u4e00" <= c <= "\u9fff" for c in text)
                                       else "en"]
                        a, b = one_turn(text, mind, voice, text_model, prepare)
                        firsts.append(a)
                        audios.append(b)
                rows.append((kind, threads, "thought on the partial" if prepare else
                             "from the final only", _pct(firsts), _pct(audios), speed))
    print(f"{len(turns)} turns x {args.repeats}; seconds, p50 / p95")
    print("| path | threads | | final -> first reply token | final -> first reply audio |"
          " decoding tok/s |\n|---|---|---|---|---|---|")
    for kind, threads, how, first, audio, speed in rows:
        print(f"| {'old (rules + SmolLM2)' if kind == 'smollm2' else 'new (IEAT model)'} | "
              f"{threads} | {how} | {first} | {audio} | {speed:.0f} |")
    return 0


def _pct(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"{statistics.median(values):.2f} / {p95:.2f}"


if __name__ == "__main__":
    sys.exit(main())
