"""The text format of Injected Emotional-Attribution Thinking (IEAT) for our own model.

One format serves the corpus (``prompts/ieat/``), training (``duplex_agent/training``) and
the runtime thinker, so what the model learned is exactly what it is asked at run time.

The model sees the last few turns (the user's words, its own earlier thought, what the
user heard of its reply) and the user's turn now, with the voice cues in words, and writes
its private thought line by line, then the reply::

    <start_of_turn>user
    earlier:
    user: my teammate sent the wrong numbers again
    thought: angry 0.8; teammate's wrong numbers made the project late
    agent: That's maddening when it isn't even your mistake.
    now:
    user: oh wow i just won the raffle at work
    voice: high, fast, lively; laughter<end_of_turn>
    <start_of_turn>model
    emotion: surprise 0.7
    cause: winning the work raffle out of the blue
    need: to share the good news
    strategy: celebrate
    reply: No way, after a morning like that? What did you win?<end_of_turn>
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EMOTIONS = ("neutral", "happy", "sad", "angry", "fear", "surprise", "disgust")
STRATEGIES = ("comfort", "validate", "calm", "encourage", "celebrate", "reflect", "ask",
              "inform", "check_in", "recall")
# Words perception can say about the voice, relative to the speaker's usual voice.
VOICE_WORDS = ("high", "low", "lively", "flat", "fast", "slow", "loud", "soft", "rising",
               "falling", "tense", "shaky", "usual", "unknown")
NONVERBAL = ("sigh", "laughter", "crying")
MAX_HISTORY = 4  # earlier turns shown to the model (recall questions need the whole story)

TURN_START, TURN_END = "<start_of_turn>", "<end_of_turn>"
FIELDS = ("emotion", "note", "cause", "need", "strategy", "reply")


@dataclass(frozen=True)
class EarlierTurn:
    user: str  # what the user said
    thought: str  # the agent's thought then, short: "angry 0.8; the cause"
    agent: str  # what the user heard of the agent's reply
    cut_off: bool = False  # the user cut the agent off: ``agent`` is the part heard


@dataclass(frozen=True)
class IeatThought:
    """The model's private thought and its reply, as parsed from its output."""

    emotion: str
    intensity: float
    cause: str
    need: str
    strategy: str
    reply: str
    note: str = ""  # when the voice contradicts the words, what gives it away
    problems: tuple[str, ...] = field(default=())  # what was missing or malformed


def voice_line(cues: tuple[str, ...] | list[str], nonverbal: tuple[str, ...] | list[str]) -> str:
    """``voice: low, slow, soft; sigh`` from cue words and nonverbal tags."""
    words = ", ".join(cues) if cues else "unknown"
    tags = "; " + ", ".join(nonverbal) if nonverbal else ""
    return f"voice: {words}{tags}"


def render_prompt(history: list[EarlierTurn], user: str, voice: str) -> str:
    """The model's input for one user turn; ``voice`` is a ``voice_line``."""
    lines = [TURN_START + "user"]
    if history:
        lines.append("earlier:")
        for turn in history[-MAX_HISTORY:]:
            lines.append(f"user: {_one_line(turn.user)}")
            lines.append(f"thought: {_one_line(turn.thought)}")
            heard = _one_line(turn.agent) + (" [cut off]" if turn.cut_off else "")
            lines.append(f"agent: {heard}")
    lines += ["now:", f"user: {_one_line(user)}", voice + TURN_END, TURN_START + "model", ""]
    return "\n".join(lines)


def render_thought(emotion: str, intensity: float, cause: str, need: str, strategy: str,
                   note: str = "") -> str:
    """The thought lines the model writes before ``reply:``."""
    lines = [f"emotion: {emotion} {intensity:.1f}"]
    if note:
        lines.append(f"note: {_one_line(note)}")
    lines += [f"cause: {_one_line(cause)}", f"need: {_one_line(need)}",
              f"strategy: {strategy}", "reply: "]
    return "\n".join(lines)


def render_target(emotion: str, intensity: float, cause: str, need: str, strategy: str,
                  reply: str, note: str = "") -> str:
    """What the model learns to write: the thought, the reply, the end of its turn."""
    return render_thought(emotion, intensity, cause, need, strategy, note) + \
        _one_line(reply) + TURN_END


def short_thought(emotion: str, intensity: float, cause: str) -> str:
    """An earlier turn's thought as the history shows it."""
    return f"{emotion} {intensity:.1f}; {_one_line(cause)}"


FIELD_LINE = re.compile(r"^(emotion|note|cause|need|strategy|reply):\s?(.*)$")
EMOTION_VALUE = re.compile(r"^([a-z]+)\s+([01](?:\.\d+)?)\s*$")


def parse_output(text: str) -> IeatThought:
    """The thought and reply in the model's output (tolerant: missing parts are named in
    ``problems`` and given neutral defaults)."""
    text = text.split(TURN_END)[0]
    values: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        match = FIELD_LINE.match(line.strip())
        if match and match.group(1) not in values:
            current = match.group(1)
            values[current] = match.group(2).strip()
        elif current == "reply" and line.strip():
            values["reply"] += " " + line.strip()
    problems = [f"no {name}" for name in ("emotion", "cause", "strategy", "reply")
                if not values.get(name)]
    emotion, intensity = "neutral", 0.2
    if match := EMOTION_VALUE.match(values.get("emotion", "")):
        if match.group(1) in EMOTIONS:
            emotion, intensity = match.group(1), min(1.0, float(match.group(2)))
        else:
            problems.append(f"unknown emotion {match.group(1)!r}")
    elif values.get("emotion"):
        problems.append(f"malformed emotion {values['emotion']!r}")
    strategy = values.get("strategy", "")
    if strategy and strategy not in STRATEGIES:
        problems.append(f"unknown strategy {strategy!r}")
        strategy = ""
    return IeatThought(emotion=emotion, intensity=intensity, cause=values.get("cause", ""),
                       need=values.get("need", ""), strategy=strategy,
                       reply=values.get("reply", "").strip(), note=values.get("note", ""),
                       problems=tuple(problems))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
