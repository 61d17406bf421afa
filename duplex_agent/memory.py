"""The dialogue's emotional memory: one record per user turn, forming a trajectory.

It answers "how did my feelings change?" (each turn's emotion in order, each shift
linked to the event that caused it) and "why do I feel this way?" (causes across
turns, including unspoken ones: a voice that contradicted the words, a sigh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from duplex_agent.thinking.policy import feeling_word
from duplex_agent.thinking.thought import Thought

TRAJECTORY_CUES = re.compile(
    r"how (?:did|have|has) my (?:feelings?|mood|emotions?)|my (?:feelings?|mood|emotions?) "
    r"(?:change|changed|shift)|how (?:have|did) i (?:been )?feel\w* (?:change|over)|"
    r"summari[sz]e (?:my|how i)|(?:情绪|心情|感受).{0,6}(?:变化|怎么变|如何变)|"
    r"总结.{0,6}(?:情绪|心情|感受)", re.I)
CAUSE_CUES = re.compile(
    r"why (?:do|did|am|was|have) i (?:feel|been feeling|so|this|like)|what(?:'s| is| was) "
    r"(?:making|made) me|why .{0,20}feel|为什么.{0,8}(?:难过|生气|开心|伤心|这样|感觉|心情|情绪)|"
    r"什么让我|是什么原因", re.I)


def memory_question(text: str) -> str | None:
    """"trajectory", "causes" or None: is the user asking about their own feelings?"""
    if TRAJECTORY_CUES.search(text):
        return "trajectory"
    if CAUSE_CUES.search(text):
        return "causes"
    return None


@dataclass
class TurnRecord:
    thought: Thought
    user_text: str
    recall: bool = False  # the turn asked about the memory itself
    agent_heard: str = ""  # what the user actually heard of the agent's reply
    cut_off: bool = False  # the user cut the reply off


class EmotionalMemory:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []

    @property
    def emotional_turns(self) -> list[TurnRecord]:
        return [t for t in self.turns if not t.recall]

    @property
    def previous_emotion(self) -> str | None:
        turns = self.emotional_turns
        return turns[-1].thought.emotion if turns else None

    def add(self, thought: Thought, user_text: str, recall: bool = False) -> None:
        self.turns.append(TurnRecord(thought, user_text, recall))

    def record_reply(self, heard: str, cut_off: bool = False) -> None:
        if self.turns:
            self.turns[-1].agent_heard = heard
            self.turns[-1].cut_off = cut_off

    def trajectory(self) -> list[dict]:
        return [{"turn": t.thought.turn, "emotion": t.thought.emotion,
                 "intensity": t.thought.intensity, "cause": t.thought.cause,
                 "shift": t.thought.shift} for t in self.emotional_turns]

    def answer(self, kind: str, language: str) -> str:
        zh = language.startswith("zh")
        turns = self.emotional_turns
        if not turns:
            return "我们才刚开始聊，我还不太了解你的感受。" if zh else \
                "We've only just started talking, so I don't know your feelings yet."
        if kind == "trajectory":
            return _trajectory_zh(turns) if zh else _trajectory_en(turns)
        return _causes_zh(turns) if zh else _causes_en(turns)


def _because(turn: TurnRecord, zh: bool) -> str:
    cause = turn.thought.cause_you
    if not cause:
        return ""
    return f"（因为{cause}）" if zh else f", when {cause}"


def _trajectory_en(turns: list[TurnRecord]) -> str:
    parts = []
    for i, turn in enumerate(turns):
        feeling = feeling_word(turn.thought.emotion, "en")
        lead = "At first you felt" if i == 0 else \
            "and now you feel" if i == len(turns) - 1 else "then you felt"
        parts.append(f"{lead} {feeling}{_because(turn, False)}")
    return "; ".join(parts) + "."


def _trajectory_zh(turns: list[TurnRecord]) -> str:
    parts = []
    for i, turn in enumerate(turns):
        feeling = feeling_word(turn.thought.emotion, "zh")
        lead = "一开始你感到" if i == 0 else "现在你感到" if i == len(turns) - 1 else "后来你感到"
        parts.append(f"{lead}{feeling}{_because(turn, True)}")
    return "；".join(parts) + "。"


def _unspoken(turns: list[TurnRecord], zh: bool) -> list[str]:
    found = []
    for turn in turns:
        t = turn.thought
        if t.note:
            found.append(f"你说的和语气不太一样：{t.note}" if zh else
                         f"though you didn't say it, {t.note}")
        for event in t.nonverbal:
            if event in ("sigh", "crying"):
                word = {"sigh": ("叹了口气", "you sighed"), "crying": ("哭了", "you were crying")}
                found.append(f"你在说“{turn.user_text[:20]}”时{word[event][0]}" if zh else
                             f"{word[event][1]} when you said {t.cause_you or 'that'}")
    return found


def _earlier(turns: list[TurnRecord]) -> list[Thought]:
    return [t.thought for t in turns[:-1] if t.thought.cause_you and t.thought.emotion != "neutral"]


def _causes_en(turns: list[TurnRecord]) -> str:
    latest = turns[-1].thought
    lines = [f"You feel {feeling_word(latest.emotion, 'en')} mostly because "
             f"{latest.cause_you or 'of what has been happening'}."]
    if earlier := _earlier(turns):
        lines.append("It builds on earlier moments too: " + "; ".join(
            f"when {t.cause_you}, you felt {feeling_word(t.emotion, 'en')}" for t in earlier)
            + ".")
    if unspoken := _unspoken(turns, zh=False):
        lines.append("And " + "; ".join(unspoken) + ".")
    return " ".join(lines)


def _causes_zh(turns: list[TurnRecord]) -> str:
    latest = turns[-1].thought
    lines = [f"你现在感到{feeling_word(latest.emotion, 'zh')}，"
             f"主要是因为{latest.cause_you or '最近发生的事'}。"]
    if earlier := _earlier(turns):
        lines.append("之前的事也有影响：" + "；".join(
            f"{t.cause_you}让你{feeling_word(t.emotion, 'zh')}" for t in earlier) + "。")
    if unspoken := _unspoken(turns, zh=True):
        lines.append("另外，" + "；".join(unspoken) + "。")
    return "".join(lines)
