"""The thinker: perception + a private thought + the emotional memory, per turn.

While the user talks, ``on_partial`` keeps a provisional thought from the words
so far (cheap: text only, nothing learned). At the end of the turn, ``on_final``
perceives the whole segment (words and voice), finalises the thought and adds
it to memory.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from duplex_agent.memory import EmotionalMemory, memory_question
from duplex_agent.perception import Perceiver, Perception
from duplex_agent.perception.text import is_chinese
from duplex_agent.thinking import policy
from duplex_agent.thinking.cause import find_cause, second_person
from duplex_agent.thinking.thought import Thought


def reply_language(text: str, asr_language: str | None = None) -> str:
    """The user's language, which every reply must use: "zh" or "en"."""
    if is_chinese(text) or (asr_language or "").startswith("zh"):
        return "zh"
    return "en"


class Thinker:
    def __init__(self, perceiver: Perceiver | None = None,
                 memory: EmotionalMemory | None = None) -> None:
        self.perceiver = perceiver or Perceiver()
        self.memory = memory or EmotionalMemory()
        self.provisional: Thought | None = None

    @property
    def next_turn(self) -> int:
        return len(self.memory.turns) + 1

    def on_partial(self, time: float, text: str, asr_language: str | None = None) -> Thought:
        language = reply_language(text, asr_language)
        perception = self.perceiver.perceive(time, text, None, learn=False, language=language)
        self.provisional = self._thought(time, text, perception, language, provisional=True)
        return self.provisional

    def on_final(self, time: float, text: str, audio: np.ndarray | None = None,
                 asr_language: str | None = None) -> tuple[Thought, Perception]:
        """Think about a finished turn and remember it."""
        thought, perception = self.think(time, text, audio, asr_language)
        self.commit(thought, text)
        return thought, perception

    def think(self, time: float, text: str, audio: np.ndarray | None = None,
              asr_language: str | None = None) -> tuple[Thought, Perception]:
        """The final thought for a turn, without remembering it yet (a speculative reply
        may be thrown away); ``commit`` remembers it."""
        language = reply_language(text, asr_language)
        perception = self.perceiver.perceive(time, text, audio, language=language)
        thought = self._thought(time, text, perception, language, provisional=False)
        recall = memory_question(text)
        if recall and self.memory.emotional_turns:  # a question about the past, not a feeling
            last = self.memory.emotional_turns[-1].thought
            thought = replace(thought, emotion=last.emotion, intensity=last.intensity,
                              cause=last.cause, cause_you=last.cause_you,
                              shift=f"asks about the {recall}", strategy="recall",
                              need=policy.need(last.emotion, language), voice=last.voice)
        return thought, perception

    def commit(self, thought: Thought, text: str) -> None:
        self.memory.add(thought, text, recall=memory_question(text) is not None)
        self.provisional = None

    def _thought(self, time: float, text: str, perception: Perception, language: str,
                 provisional: bool) -> Thought:
        estimate = perception.estimate
        previous = self.memory.previous_emotion
        cause = find_cause(text, language)
        nonverbal = tuple(dict.fromkeys(perception.tags + (
            (perception.nonverbal,) if perception.nonverbal != "none" else ())))
        return Thought(
            turn=self.next_turn, time=time, emotion=estimate.label,
            intensity=estimate.intensity, cause=cause,
            cause_you=second_person(cause, language), shift=policy.shift(previous, estimate.label),
            need=policy.need(estimate.label, language),
            strategy=policy.strategy(estimate.label, estimate.intensity, previous,
                                     estimate.incongruent),
            voice=policy.voice(estimate.label, estimate.intensity), language=language,
            driver=estimate.driver, note=estimate.note, nonverbal=nonverbal,
            provisional=provisional)
