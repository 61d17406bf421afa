"""Checks on every reply before it is spoken.

A reply must be in the user's language, one or two short sentences, free of
leaked private notes, repetition and invented facts (numbers or names the user
never said), and it must reference the feeling or its cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from duplex_agent.perception.text import is_chinese
from duplex_agent.thinking.policy import feeling_word
from duplex_agent.thinking.thought import Thought

MAX_WORDS_EN = 35
MAX_CHARS_ZH = 60
LEAKS = re.compile(r"private|note|strategy|intensity|as an ai|language model|assistant:|user:|"
                   r"person:|companion:|feeling:|cause:|<\||\[|\]|笔记|策略|强度|对方：|陪伴者：|"
                   r"回应方式|内心|不要说", re.I)
STOP = set("that this with have just your you they them what when then there their about "
           "really very been from were will would could should feel feeling felt".split())
EMPATHY_EN = re.compile(r"\b(sorry|sounds?|understand|hear|makes sense|must|congratulations|"
                        r"wonderful|glad|happy for|proud|here for|with you|hard|tough)\b", re.I)
POSITIVE_WORDS = re.compile(r"\b(happy|glad|great|wonderful|congratulations|excited|good news|"
                            r"fantastic|amazing|awesome)\b|开心|高兴|恭喜|太棒", re.I)
NEGATIVE_WORDS = re.compile(r"\b(sad|sorry|terrible|awful|heartbroken|tough|hard|painful)\b|"
                            r"难过|伤心|抱歉|遗憾", re.I)
FEELING_STEMS = {"happy": "happ glad joy excit great wonder congrat proud",
                 "sad": "sad sorr hurt lone miss heart down loss",
                 "angry": "angr unfair frustr upset mad annoy furious",
                 "fear": "scar afraid worr anxi nerv fear safe",
                 "surprise": "surpris wow unexpect believ shock",
                 "disgust": "disgust gross awful upset",
                 "neutral": ""}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", text.strip()) if s.strip()]


def check(reply: str, thought: Thought, said: str) -> Verdict:
    """Every rule that ``reply`` breaks; ``said`` is everything the user has said so far."""
    reasons = []
    text = reply.strip()
    if not text:
        return Verdict(False, ("empty",))
    zh = thought.language == "zh"
    if zh != is_chinese(text) or (not zh and re.search(r"[\u4e00-\u9fff]", text)):
        reasons.append("wrong language")
    if len(sentences(text)) > 2:
        reasons.append("more than two sentences")
    if (len(text) > MAX_CHARS_ZH) if zh else (len(text.split()) > MAX_WORDS_EN):
        reasons.append("too long")
    if LEAKS.search(text):
        reasons.append("leaks private notes or roles")
    if _repeats(text):
        reasons.append("repeats itself")
    reasons += _invented(text, said, zh)
    reasons += _wrong_feeling(text, thought)
    if _echoes(text, said, zh):
        reasons.append("echoes the user's words as its own")
    if not _references(text, thought, said, zh):
        reasons.append("does not reference the feeling or its cause")
    return Verdict(not reasons, tuple(reasons))


def _repeats(text: str) -> bool:
    words = re.findall(r"\w+", text.lower())
    bigrams = list(zip(words, words[1:]))
    return any(a == b == c for a, b, c in zip(words, words[1:], words[2:])) or \
        len(bigrams) - len(set(bigrams)) >= 2


def _wrong_feeling(text: str, thought: Thought) -> list[str]:
    """Good news met with "that sounds sad", or grief met with "how wonderful"."""
    if thought.emotion == "happy" and NEGATIVE_WORDS.search(text):
        return ["answers good news with sorrow"]
    if thought.emotion in ("sad", "angry", "fear", "disgust") and POSITIVE_WORDS.search(text):
        return ["answers distress with cheer"]
    return []


def _echoes(text: str, said: str, zh: bool) -> bool:
    """The reply speaks as the user ("my manager...") or repeats what they said."""
    if zh:
        mine = [c for c in re.split(r"[，,。！!？?；;]", said) if "我" in c and len(c) >= 3]
        return (len(text) >= 6 and text.strip("。！!") in said) or any(c in text for c in mine)
    mine = set(re.findall(r"\bmy \w+", said.lower()))
    if mine & set(re.findall(r"\bmy \w+", text.lower())):
        return True
    words = re.findall(r"\w+", text.lower())
    said_words = set(re.findall(r"\w+", said.lower()))
    return len(words) >= 4 and sum(w in said_words for w in words) / len(words) > 0.8


def _invented(text: str, said: str, zh: bool) -> list[str]:
    reasons = []
    numbers = set(re.findall(r"\d+", text)) - set(re.findall(r"\d+", said))
    if numbers:
        reasons.append(f"invents numbers {sorted(numbers)}")
    if not zh:
        said_lower = said.lower()
        names = [w for s in sentences(text) for w in re.findall(r"(?<=\s)[A-Z][a-z]+", s)
                 if w.lower() not in said_lower and w != "I"]
        if names:
            reasons.append(f"invents names {names}")
    return reasons


def _references(text: str, thought: Thought, said: str, zh: bool) -> bool:
    if zh:
        pool = thought.cause + feeling_word(thought.emotion, "zh") + said[-60:]
        return any(text.find(pool[i:i + 2]) >= 0 for i in range(len(pool) - 1)
                   if re.match(r"[\u4e00-\u9fff]{2}", pool[i:i + 2]))
    lower = text.lower()
    content = {w[:5] for w in re.findall(r"[a-z']{4,}", (thought.cause or said).lower())
               if w not in STOP}
    stems = FEELING_STEMS[thought.emotion].split() + [feeling_word(thought.emotion, "en")]
    return any(c in lower for c in content) or any(s and s in lower for s in stems) or \
        (thought.emotion == "neutral" and bool(EMPATHY_EN.search(text)))
