"""The thinker: perception + a private thought + the emotional memory, per turn.

While the user talks, ``on_partial`` keeps a provisional thought from the words
so far (cheap: text only, nothing learned). At the end of the turn, ``on_final``
perceives the whole segment (words and voice), finalises the thought and adds
it to memory.

With our IEAT model the thought is the model's own attribution: perception gives the
voice as cue words, memory gives the last turns, and the model writes emotion, cause,
need and strategy; the reply then continues from that thought (``reply_prompt``). When
the voice contradicts the words, the voice still wins. Without the model, or when its
thought is malformed, the rule-based thought stands in (counted in ``stats``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from duplex_agent.memory import EmotionalMemory, memory_question
from duplex_agent.perception import Perceiver, Perception
from duplex_agent.perception.text import is_chinese, split_tags
from duplex_agent.perception.words import cue_words
from duplex_agent.thinking import policy
from duplex_agent.thinking.cause import find_cause, second_person
from duplex_agent.thinking.ieat_format import EarlierTurn, IeatThought, short_thought, voice_line
from duplex_agent.thinking.thought import Thought

VALENCE_SIGN = {"happy": 1, "surprise": 0, "neutral": 0, "sad": -1, "angry": -1, "fear": -1,
                "disgust": -1}


@dataclass
class ThinkingStats:
    model_thoughts: int = 0
    rule_thoughts: int = 0  # the model's thought was malformed (or there is no model)
    voice_overrides: int = 0  # the voice contradicted the words and won


def reply_language(text: str, asr_language: str | None = None) -> str:
    """The user's language, which every reply must use: "zh" or "en"."""
    if is_chinese(text) or (asr_language or "").startswith("zh"):
        return "zh"
    return "en"


class Thinker:
    def __init__(self, perceiver: Perceiver | None = None,
                 memory: EmotionalMemory | None = None, model=None) -> None:
        self.perceiver = perceiver or Perceiver()
        self.memory = memory or EmotionalMemory()
        self.model = model  # duplex_agent.thinking.ieat_model.IeatModel, or None
        self.provisional: Thought | None = None
        self.stats = ThinkingStats()
        self._draft: tuple[Thought, str] | None = None  # the model's thought, its reply prompt

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
              asr_language: str | None = None, prior: Thought | None = None,
              described_voice: tuple[str, ...] | None = None,
              stopped: Callable[[], bool] = lambda: False) -> tuple[Thought, Perception]:
        """The final thought for a turn, without remembering it yet (a speculative reply
        may be thrown away); ``commit`` remembers it. ``prior``: a model thought formed on
        a partial of this turn, reused instead of thinking again. ``described_voice``: cue
        words for a voice described rather than heard (evaluation on written turns).
        ``stopped``: True once the thought is no longer wanted (the model stops; the
        rule-based thought stands in)."""
        language = reply_language(text, asr_language)
        perception = self.perceiver.perceive(time, text, audio, language=language)
        if self.model is not None:
            thought = self._model_thought(time, text, perception, language, prior,
                                          described_voice, stopped)
            if thought is not None:
                return thought, perception
        self.stats.rule_thoughts += 1
        thought = self._thought(time, text, perception, language, provisional=False)
        recall = memory_question(text)
        if recall and self.memory.emotional_turns:  # a question about the past, not a feeling
            last = self.memory.emotional_turns[-1].thought
            thought = replace(thought, emotion=last.emotion, intensity=last.intensity,
                              cause=last.cause, cause_you=last.cause_you,
                              shift=f"asks about the {recall}", strategy="recall",
                              need=policy.need(last.emotion, language), voice=last.voice)
        return thought, perception

    def reply_prompt(self, thought: Thought) -> str | None:
        """The model's text to continue for the reply to ``thought`` (None if the thought
        is not the model's latest)."""
        if self._draft is not None and self._draft[0] is thought:
            return self._draft[1]
        return None

    def history(self, turns: int) -> list[EarlierTurn]:
        """The last ``turns`` turns of memory, as the model sees them."""
        return [EarlierTurn(split_tags(t.user_text)[0],
                            short_thought(t.thought.emotion, t.thought.intensity, t.thought.cause),
                            t.agent_heard, t.cut_off) for t in self.memory.turns[-turns:]]

    def _model_thought(self, time: float, text: str, perception: Perception, language: str,
                       prior: Thought | None,
                       described_voice: tuple[str, ...] | None = None,
                       stopped: Callable[[], bool] = lambda: False) -> Thought | None:
        recall = memory_question(text) is not None
        history = self.history(4 if recall else 3)
        tags = self._nonverbal(perception)
        words = described_voice or cue_words(perception.cues, perception.z)
        voice = voice_line(words, tags)
        said = split_tags(text)[0]  # nonverbal tags go into the voice line
        if prior is not None and prior.driver == "model":
            attribution = IeatThought(prior.emotion, prior.intensity, prior.cause, prior.need,
                                      prior.strategy, "", prior.note)
            reply_prompt = self.model.rethink(history, said, voice, attribution)
        else:
            attribution, reply_prompt = self.model.think(history, said, voice, stopped)
        if any(not p.startswith("no reply") for p in attribution.problems) or \
                not attribution.strategy:
            return None
        self.stats.model_thoughts += 1
        thought = self._from_model(time, attribution, perception, language, tags)
        self._draft = (thought, reply_prompt)
        return thought

    def _from_model(self, time: float, a: IeatThought, perception: Perception, language: str,
                    tags: tuple[str, ...]) -> Thought:
        emotion, intensity, note, strategy = a.emotion, a.intensity, a.note, a.strategy
        estimate = perception.estimate
        if estimate.incongruent and VALENCE_SIGN[estimate.label] < 0 <= VALENCE_SIGN[emotion]:
            # The words sound fine, the voice does not: the voice wins.
            self.stats.voice_overrides += 1
            emotion, intensity = estimate.label, max(estimate.intensity, 0.4)
            note, strategy = note or estimate.note, "check_in"
        previous = self.memory.previous_emotion
        return Thought(
            turn=self.next_turn, time=time, emotion=emotion, intensity=round(intensity, 2),
            cause=a.cause, cause_you=a.cause, shift=policy.shift(previous, emotion),
            need=a.need, strategy=strategy, voice=policy.voice(emotion, intensity),
            language=language, driver="model", note=note, nonverbal=tags)

    @staticmethod
    def _nonverbal(perception: Perception) -> tuple[str, ...]:
        return tuple(dict.fromkeys(perception.tags + (
            (perception.nonverbal,) if perception.nonverbal != "none" else ())))

    def commit(self, thought: Thought, text: str) -> None:
        self.memory.add(thought, text, recall=memory_question(text) is not None)
        self.provisional = None

    def _thought(self, time: float, text: str, perception: Perception, language: str,
                 provisional: bool) -> Thought:
        estimate = perception.estimate
        previous = self.memory.previous_emotion
        cause = find_cause(text, language)
        nonverbal = self._nonverbal(perception)
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
