"""``duplex-agent listen`` (perception + thought for a recording) and
``duplex-agent respond`` (thought + reply for one user turn)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from duplex_agent.commands.transcribe import add_listen_options, listen_config
from duplex_agent.errors import UserError


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    """Flags for choosing the LLM that writes replies."""
    parser.add_argument("--llm", choices=["ieat", "smollm2", "gemma", "http", "none"],
                        default="ieat",
                        help="what thinks and replies: our fine-tuned IEAT model (Gemma-3-270M "
                             "+ the repository's adapter; thought and reply in one pass), local "
                             "SmolLM2 chat or Gemma few-shot told the rule-based thought, an "
                             "OpenAI-compatible server (--llm-url), or none (templates only) "
                             "[default: ieat]")
    parser.add_argument("--llm-url", default=None,
                        help="base URL of an OpenAI-compatible server, e.g. "
                             "http://127.0.0.1:8000/v1 (vLLM, python -m llama_cpp.server)")
    parser.add_argument("--llm-model", default=None, help="model name to ask the server for")


def register(sub: argparse._SubParsersAction) -> None:
    listen = sub.add_parser(
        "listen", help="perception and private thought for each turn of a recording",
        description="Transcribe a recording, then for each speech segment print what the "
                    "agent perceives (voice cues against the speaker's baseline, nonverbal "
                    "events, text emotion, the fused estimate) and its private thought.")
    listen.add_argument("file", type=Path, help="audio file")
    add_listen_options(listen)
    listen.add_argument("--json", action="store_true", help="print one JSON document")
    add_llm_options(listen)
    listen.set_defaults(run=run_listen)

    respond = sub.add_parser(
        "respond", help="private thought and empathetic reply for one user turn",
        description="Think about one user turn (text, or audio that is transcribed and "
                    "perceived) in the light of earlier turns, and write the reply.")
    source = respond.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="what the user said (tags such as [sigh] allowed)")
    source.add_argument("--audio", type=Path, help="a recording of the user's turn")
    respond.add_argument("--history", type=Path,
                         help="JSON list of earlier turns: strings, or objects with 'user' "
                              "and optional 'agent'")
    add_llm_options(respond)
    add_listen_options(respond)
    respond.add_argument("--json", action="store_true", help="print one JSON document")
    respond.set_defaults(run=run_respond)


def run_listen(args: argparse.Namespace) -> int:
    from duplex_agent.mind import Mind
    from duplex_agent.transcribe import segment_audio, transcribe_file

    result = transcribe_file(args.file, listen_config(args), keep_audio=True)
    thinker = Mind.load(args.llm, args.llm_url, args.llm_model).thinker()
    turns = []
    for final in result.finals:
        audio = segment_audio(result, final)
        thought, perception = thinker.on_final(final.time, final.text, audio, final.language)
        turns.append({"start": final.segment_start, "end": final.segment_end,
                      "text": final.text, "perception": perception.as_dict(),
                      "thought": thought.as_dict()})
    if args.json:
        print(json.dumps({"file": str(args.file), "turns": turns}, indent=2, ensure_ascii=False))
    else:
        for turn in turns:
            est = turn["perception"]["estimate"]
            print(f"[{turn['start']:6.2f}-{turn['end']:6.2f}] {turn['text']}")
            print(f"    feels {est['label']} ({est['intensity']:.2f}, driven by {est['driver']})"
                  f"{'; ' + est['note'] if est['note'] else ''}")
            print(f"    thought: {thinker.memory.turns[turns.index(turn)].thought.summary()}")
    return 0


def load_history(path: Path | None) -> list[dict]:
    if path is None:
        return []
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not a readable JSON history ({err})") from None
    if not isinstance(items, list):
        raise UserError(f"{path}: the history must be a JSON list of turns")
    turns = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"user": item}
        if not isinstance(item, dict) or not isinstance(item.get("user"), str):
            raise UserError(f"{path}: turn {i + 1} needs a 'user' string")
        turns.append(item)
    return turns


def run_respond(args: argparse.Namespace) -> int:
    from duplex_agent.mind import Mind

    mind = Mind.load(args.llm, args.llm_url, args.llm_model)
    thinker, writer = mind.thinker(), mind.writer()
    for turn in load_history(args.history):
        thinker.on_final(0.0, turn["user"])
        thinker.memory.record_reply(turn.get("agent", ""))
    text, audio, language = args.text, None, None
    if args.audio is not None:
        text, audio, language = _transcribe_turn(args)
    if not text or not text.strip():
        raise UserError("the user's turn is empty: no words to respond to")
    thought, perception = thinker.think(0.0, text, audio, language)
    prompt = thinker.reply_prompt(thought)
    thinker.commit(thought, text)
    reply = writer.write(thought, text, thinker.memory, prompt)
    out = {"user": text, "thought": thought.as_dict(), "perception": perception.as_dict(),
           "reply": {"text": reply.text, "source": reply.source, "rejected_because":
                     list(reply.reasons), "draft": reply.draft}}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(f"user:    {text}\nthought: {thought.summary()}\nreply:   {reply.text}"
              f"  [{reply.source}]")
    return 0


def _transcribe_turn(args: argparse.Namespace):
    import numpy as np

    from duplex_agent.transcribe import segment_audio, transcribe_file

    result = transcribe_file(args.audio, listen_config(args), keep_audio=True)
    if not result.finals:
        raise UserError(f"{args.audio}: no speech found")
    audio = np.concatenate([segment_audio(result, f) for f in result.finals])
    return result.text, audio, result.finals[0].language
