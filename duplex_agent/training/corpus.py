"""The team-written IEAT corpus: its record schema, checks and rendering for training.

A record (one JSON line) is one user turn with up to a few earlier turns, the thought the
agent should form about it and the reply it should give. ``check`` names every record that
breaks a rule; ``python -m duplex_agent.training.corpus FILE...`` prints the problems and
what the files cover.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from duplex_agent.thinking.ieat_format import (
    EMOTIONS,
    MAX_HISTORY,
    NONVERBAL,
    STRATEGIES,
    VOICE_WORDS,
    EarlierTurn,
    render_prompt,
    render_target,
    short_thought,
    voice_line,
)

LANGUAGES = ("en", "zh")
DOMAINS = ("loss", "health", "work", "school", "money", "family", "friends", "romance", "pets",
           "travel", "home", "achievement", "everyday")
KINDS = ("single", "multi", "masked", "question", "after_cut", "trajectory", "why")
RECALL_KINDS = ("trajectory", "why")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
STAGE = re.compile(r"[*\[\]()（）]")
SENTENCE_END = re.compile(r"[.!?。！？]+")


def load(paths: Iterable[Path]) -> list[dict]:
    records = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{number}: not JSON ({err.msg})") from None
    return records


def render(record: dict) -> tuple[str, str]:
    """The model's input and its target for one record."""
    history = [EarlierTurn(t["user"], short_thought(t["emotion"], t["intensity"], t["cause"]),
                           t["agent"], bool(t.get("cut_off"))) for t in record["history"]]
    prompt = render_prompt(history, record["user"],
                           voice_line(record["voice"], record["nonverbal"]))
    target = render_target(record["emotion"], record["intensity"], record["cause"],
                           record["need"], record["strategy"], record["reply"],
                           record.get("note", ""))
    return prompt, target


def check(record: dict) -> list[str]:
    """Every rule ``record`` breaks (empty when it is fine)."""
    try:
        return _schema(record) or _content(record)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return [f"malformed: {err!r}"]


def _schema(r: dict) -> list[str]:
    p = []
    required = ("id", "lang", "domain", "kind", "history", "user", "voice", "nonverbal",
                "emotion", "intensity", "cause", "need", "strategy", "reply")
    p += [f"missing {k}" for k in required if k not in r]
    if p:
        return p
    p += [] if r["lang"] in LANGUAGES else [f"lang {r['lang']!r}"]
    p += [] if r["domain"] in DOMAINS else [f"domain {r['domain']!r}"]
    p += [] if r["kind"] in KINDS else [f"kind {r['kind']!r}"]
    p += [] if r["emotion"] in EMOTIONS else [f"emotion {r['emotion']!r}"]
    p += [] if r["strategy"] in STRATEGIES else [f"strategy {r['strategy']!r}"]
    p += [] if _intensity_ok(r["intensity"]) else [f"intensity {r['intensity']!r}"]
    p += [f"voice word {w!r}" for w in r["voice"] if w not in VOICE_WORDS]
    p += [f"nonverbal {w!r}" for w in r["nonverbal"] if w not in NONVERBAL]
    limit = MAX_HISTORY if r["kind"] in RECALL_KINDS else 3
    p += [] if len(r["history"]) <= limit else [f"{len(r['history'])} earlier turns > {limit}"]
    for i, turn in enumerate(r["history"], 1):
        for key in ("user", "emotion", "intensity", "cause", "agent"):
            if key not in turn:
                p.append(f"history {i}: missing {key}")
        if turn.get("emotion") not in EMOTIONS:
            p.append(f"history {i}: emotion {turn.get('emotion')!r}")
        if not _intensity_ok(turn.get("intensity")):
            p.append(f"history {i}: intensity {turn.get('intensity')!r}")
    if r["kind"] in ("multi", "after_cut", "trajectory", "why") and not r["history"]:
        p.append(f"kind {r['kind']} needs earlier turns")
    if r["kind"] == "after_cut" and not (r["history"] and r["history"][-1].get("cut_off")):
        p.append("after_cut: the last earlier turn must have cut_off true")
    return p


def _intensity_ok(value) -> bool:
    return isinstance(value, int | float) and 0.1 <= value <= 1.0 and round(value, 1) == value


def _content(r: dict) -> list[str]:
    p = []
    zh = r["lang"] == "zh"
    reply, user, cause = r["reply"].strip(), r["user"].strip(), r["cause"].strip()
    recall = r["kind"] in RECALL_KINDS
    if not reply or not user or not r["need"].strip():
        p.append("empty user, need or reply")
    if zh and (not CJK.search(reply) or len(LATIN_WORD.findall(reply)) > 1):
        p.append("a Chinese record needs a Chinese reply")
    if zh and not CJK.search(user):
        p.append("a Chinese record needs a Chinese user turn")
    if not zh and CJK.search(reply + cause):
        p.append("an English record's reply and cause must be English")
    size = len(CJK.findall(reply)) if zh else len(reply.split())
    most = (120 if zh else 75) if recall else (60 if zh else 40)
    if size > most:
        p.append(f"reply too long ({size} {'characters' if zh else 'words'} > {most})")
    sentences = len([s for s in SENTENCE_END.split(reply) if s.strip()])
    if sentences > (4 if recall else 2):
        p.append(f"reply has {sentences} sentences")
    if EMOJI.search(reply) or STAGE.search(reply):
        p.append("emoji, brackets or stage directions in the reply")
    if r["emotion"] != "neutral" and not cause:
        p.append("an emotion needs its cause")
    cause_size = len(cause) if zh else len(cause.split())
    if cause_size > (30 if zh else 16):
        p.append(f"cause too long ({cause_size})")
    if cause and _norm(cause) == _norm(user):
        p.append("the cause copies the user's turn")
    if echo := _echo(user, reply, zh):
        p.append(f"the reply reads the user's words back: {echo!r}")
    return p


def _norm(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def _echo(user: str, reply: str, zh: bool) -> str:
    """A long run of the user's own words inside the reply ("" if none)."""
    if zh:
        u, r = _norm(user), _norm(reply)
        n = 9
        return next((u[i:i + n] for i in range(len(u) - n + 1) if u[i:i + n] in r), "")
    uw, rw = re.findall(r"[a-z']+", user.lower()), " ".join(re.findall(r"[a-z']+", reply.lower()))
    n = 6
    return next((" ".join(uw[i:i + n]) for i in range(len(uw) - n + 1)
                 if f" {' '.join(uw[i:i + n])} " in f" {rw} "), "")


def asr_style(text: str) -> bool:
    """Written as ASR gives it: lower case without punctuation (Chinese: no punctuation)."""
    if CJK.search(text):
        return not re.search(r"[，。！？、,.!?]", text)
    return text == text.lower() and not re.search(r"[.,!?;]", text)


def summary(records: list[dict]) -> str:
    def share(counter: Counter) -> str:
        return ", ".join(f"{k} {v}" for k, v in counter.most_common())

    lines = [f"{len(records)} records",
             f"languages: {share(Counter(r.get('lang') for r in records))}",
             f"kinds: {share(Counter(r.get('kind') for r in records))}",
             f"domains: {share(Counter(r.get('domain') for r in records))}",
             f"emotions: {share(Counter(r.get('emotion') for r in records))}",
             f"strategies: {share(Counter(r.get('strategy') for r in records))}",
             f"intensity: {share(Counter(r.get('intensity') for r in records))}",
             f"ASR-style user turns: {sum(asr_style(r.get('user', '')) for r in records)}",
             f"with nonverbal: {sum(bool(r.get('nonverbal')) for r in records)}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        print("usage: python -m duplex_agent.training.corpus FILE.jsonl ...", file=sys.stderr)
        return 2
    records = load(paths)
    bad = 0
    ids = Counter(r.get("id") for r in records)
    users = Counter(_norm(r.get("user", "")) for r in records)
    replies = Counter(_norm(r.get("reply", "")) for r in records)
    for r in records:
        problems = check(r)
        problems += ["duplicate id"] if ids[r.get("id")] > 1 else []
        problems += ["duplicate user turn"] if users[_norm(r.get("user", ""))] > 1 else []
        problems += ["duplicate reply"] if replies[_norm(r.get("reply", ""))] > 1 else []
        if problems:
            bad += 1
            print(f"{r.get('id')}: " + "; ".join(problems))
    print(summary(records))
    print(f"{bad} records with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
