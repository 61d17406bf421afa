"""Ten team-written user turns through the thinker and the reply writer, for each
LLM backend side by side: the thought, the reply, where it came from, and the
fallback rate (how often the guard-rails rejected the LLM and a template spoke).

    python benchmarks/reply_quality.py [--backends smollm2 gemma] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.llm import load_backend  # noqa: E402
from duplex_agent.perception import Perceiver  # noqa: E402
from duplex_agent.perception.text import TextEmotionModel  # noqa: E402
from duplex_agent.reply import ReplyWriter  # noqa: E402
from duplex_agent.thinking.thinker import Thinker  # noqa: E402

# One dialogue of ten turns (team-written), English then Chinese.
TURNS = [
    "Hi. I just got home from the hospital.",
    "My dad had a small stroke this morning. [sigh]",
    "The doctors say he will probably be okay, but I'm really scared.",
    "And my manager keeps texting me about a deadline, it's so unfair.",
    "Oh wait, my sister just said she can take care of dad tonight!",
    "I'm fine, it's fine, everything is fine.",
    "How did my feelings change today?",
    "我今天终于把论文交上去了！",
    "可是导师说还要大改，我好难过。",
    "为什么我会这么难过？",
]


def run(backend_name: str, text_model: TextEmotionModel) -> dict:
    backend = None if backend_name == "none" else load_backend(backend_name)
    writer = ReplyWriter(backend, mode="fewshot" if backend_name == "gemma" else "chat")
    english, chinese = Thinker(Perceiver(text_model)), Thinker(Perceiver(text_model))
    rows = []
    for text in TURNS:
        thinker = chinese if any("\u4e00" <= ch <= "\u9fff" for ch in text) else english
        thought, _ = thinker.on_final(0.0, text)
        reply = writer.write(thought, text, thinker.memory)
        thinker.memory.record_reply(reply.text)
        rows.append({"user": text, "thought": thought.summary(), "reply": reply.text,
                     "source": reply.source, "rejected_because": list(reply.reasons),
                     "draft": reply.draft})
    llm_turns = sum(r["source"] != "memory" for r in rows)
    fallbacks = sum(r["source"] == "template" for r in rows)
    return {"backend": backend_name, "turns": rows, "fallbacks": fallbacks,
            "llm_turns": llm_turns, "fallback_rate": round(fallbacks / max(llm_turns, 1), 3),
            "reasons": writer.stats.reasons}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["smollm2", "gemma"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    text_model = TextEmotionModel()
    results = [run(name, text_model) for name in args.backends]
    for result in results:
        print(f"\n## {result['backend']}: fallback {result['fallbacks']}/{result['llm_turns']} "
              f"= {result['fallback_rate']:.0%}  reasons {result['reasons']}")
        for row in result["turns"]:
            print(f"- user: {row['user']}\n  thought: {row['thought']}\n"
                  f"  reply [{row['source']}]: {row['reply']}")
            if row["source"] == "template":
                print(f"  (rejected draft: {row['draft']!r}: {row['rejected_because']})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
