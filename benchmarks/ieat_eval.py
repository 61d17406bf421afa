"""The IEAT model against the old path on the corpus' dev split (never seen in training).

    python benchmarks/ieat_eval.py [--limit N] [--show 10] [--json out/ieat_eval.json]
                                   [--paths old new full]

Each dev record is replayed as a turn: its earlier turns (with their thoughts and what the
user heard) go into the thinker's memory, then the user's words are thought about and
answered. Old path: the rule-based thought (perception from the words and nonverbal tags)
and SmolLM2 told that thought. New path: our fine-tuned Gemma-3-270M + adapter, which
writes the thought and then the reply, with the record's voice as cue words. The old path
cannot take voice cue words without audio; it gets the nonverbal tags in the text.
Full: the new path on the registry's whole Gemma file rather than the shipped copy that
keeps only the tokens the corpus and the two languages need (``duplex_agent.llm.vocab``);
the copy's tokens come from the train split only, so dev words outside it are split into
smaller pieces here as any unseen words would be live.

Per language and overall: emotion accuracy (7-class; 4-class over records whose reference
is neutral/happy/sad/angry), cause token F1 against the reference (words for English,
characters for Chinese; recall questions excluded, their "cause" is the question),
guard-rail pass rate (the model's draft was spoken), fallback rate (a template or the
memory's summary was spoken instead), echo rate (the reply reads back six or more of the
user's words), and time per turn.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from duplex_agent.training.corpus import _echo, load  # noqa: E402

DEV = Path(__file__).resolve().parents[1] / "prompts" / "ieat" / "dev.jsonl"
FOUR = ("neutral", "happy", "sad", "angry")
STOP_EN = set("the a an and or but to of in on at for with my your i you it is was am are be "
              "been that this so just about from his her their our me".split())


def cause_tokens(text: str, zh: bool) -> list[str]:
    if zh:
        return re.findall(r"[\u4e00-\u9fff]", text)
    return [w for w in re.findall(r"[a-z']+", text.lower()) if w not in STOP_EN]


def token_f1(predicted: str, reference: str, zh: bool) -> float:
    p, r = cause_tokens(predicted, zh), cause_tokens(reference, zh)
    if not p or not r:
        return float(p == r)
    common = sum(min(p.count(t), r.count(t)) for t in set(p))
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


def replay(record: dict, mind, text_model) -> dict:
    """One dev record through a fresh thinker; what it thought and said."""
    from duplex_agent.perception import Perceiver
    from duplex_agent.thinking.thought import Thought, VoiceHint

    thinker, writer = mind.thinker(Perceiver(text_model)), mind.writer()
    for i, turn in enumerate(record["history"], 1):
        earlier = Thought(turn=i, time=0.0, emotion=turn["emotion"],
                          intensity=turn["intensity"], cause=turn["cause"],
                          cause_you=turn["cause"], shift="", need="", strategy="reflect",
                          voice=VoiceHint("neutral", 0.0), language=record["lang"],
                          driver="reference")
        thinker.memory.add(earlier, turn["user"])
        thinker.memory.record_reply(turn["agent"], cut_off=bool(turn.get("cut_off")))
    tags = "".join(f" [{tag}]" for tag in record["nonverbal"])
    text = record["user"] + tags
    started = time.perf_counter()  # wall-clock ok: benchmark
    thought, _ = thinker.think(0.0, text, described_voice=tuple(record["voice"]))
    prompt = thinker.reply_prompt(thought)
    thinker.commit(thought, text)
    reply = writer.write(thought, text, thinker.memory, prompt)
    return {"id": record["id"], "lang": record["lang"], "kind": record["kind"],
            "emotion": thought.emotion, "intensity": thought.intensity, "cause": thought.cause,
            "strategy": thought.strategy, "reply": reply.text, "source": reply.source,
            "rejected_because": list(reply.reasons), "draft": reply.draft,
            "model_thought": thought.driver == "model", "seconds": time.perf_counter() - started}


def score(results: list[dict], records: dict[str, dict]) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        groups[r["lang"]].append(r)
        groups["all"].append(r)
    table = {}
    for name, rows in groups.items():
        refs = [records[r["id"]] for r in rows]
        four = [(r, ref) for r, ref in zip(rows, refs) if ref["emotion"] in FOUR]
        causal = [(r, ref) for r, ref in zip(rows, refs)
                  if ref["kind"] not in ("trajectory", "why")]
        table[name] = {
            "n": len(rows),
            "emotion_7": _mean(r["emotion"] == ref["emotion"] for r, ref in zip(rows, refs)),
            "emotion_4": _mean(r["emotion"] == ref["emotion"] for r, ref in four),
            "cause_f1": _mean(token_f1(r["cause"], ref["cause"], ref["lang"] == "zh")
                              for r, ref in causal),
            "guard_pass": _mean(r["source"] == "llm" for r in rows),
            "fallback": _mean(r["source"] in ("template", "memory") for r in rows),
            "echo": _mean(bool(_echo(ref["user"], r["reply"], ref["lang"] == "zh"))
                          for r, ref in zip(rows, refs)),
            "model_thought": _mean(r["model_thought"] for r in rows),
            "s_per_turn": _mean(r["seconds"] for r in rows),
        }
    return table


def _mean(values) -> float:
    values = [float(v) for v in values]
    return round(sum(values) / len(values), 3) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N dev records per language")
    parser.add_argument("--show", type=int, default=10, help="turns per language to print")
    parser.add_argument("--paths", nargs="+", default=["old", "new"],
                        choices=["old", "new", "full"])
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args()

    from tqdm import tqdm

    from duplex_agent.mind import Mind
    from duplex_agent.perception.text import TextEmotionModel

    records = load([DEV])
    if args.limit:
        records = [r for r in records if r["lang"] == "en"][:args.limit] + \
            [r for r in records if r["lang"] == "zh"][:args.limit]
    by_id = {r["id"]: r for r in records}
    text_model = TextEmotionModel()
    text_model.estimate("warm up")
    results, tables = {}, {}
    for path in args.paths:
        if path == "full":
            from duplex_agent.thinking.ieat_model import IeatModel, base_model

            ieat = IeatModel(threads=1, base=base_model(full=True))
            mind = Mind(ieat.backend, ieat)
        else:
            mind = Mind.load("smollm2" if path == "old" else "ieat", threads=1)
        if path != "old" and mind.ieat is None:
            raise SystemExit(f"the IEAT model is not available: {mind.note}")
        mind.warm()
        results[path] = [replay(r, mind, text_model) for r in tqdm(records, desc=path)]
        tables[path] = score(results[path], by_id)
    print(f"\nIEAT dev split: {len(records)} records\n")
    header = ("path", "lang", "n", "emotion_7", "emotion_4", "cause_f1", "guard_pass",
              "fallback", "echo", "model_thought", "s_per_turn")
    print("  ".join(f"{h:>10s}" for h in header))
    for lang in ("en", "zh", "all"):
        for path in args.paths:
            row = tables[path].get(lang)
            if row:
                print("  ".join([f"{path:>10s}", f"{lang:>10s}"] +
                                [f"{row[h]:>10}" for h in header[2:]]))
    for lang in ("en", "zh"):
        shown = [r for r in records if r["lang"] == lang][:args.show]
        print(f"\n== {args.show} {lang} dev turns")
        for record in shown:
            print(f"\nuser: {record['user']}   (voice: {', '.join(record['voice'])}"
                  f"{'; ' + ', '.join(record['nonverbal']) if record['nonverbal'] else ''})")
            print(f"  reference: {record['emotion']} {record['intensity']}; "
                  f"{record['cause']} | {record['reply']}")
            for path in args.paths:
                r = next(x for x in results[path] if x["id"] == record["id"])
                print(f"  {path}: {r['emotion']} {r['intensity']}; {r['cause']}; "
                      f"{r['strategy']} | {r['reply']}  [{r['source']}]")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"tables": tables, "results": results}, indent=1,
                                        ensure_ascii=False))


if __name__ == "__main__":
    main()
