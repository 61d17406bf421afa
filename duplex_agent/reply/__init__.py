"""The reply: the LLM, constrained by the injected thought and checked by the
guard-rails, with a strategy template when it fails; memory questions are
answered from memory. With our IEAT model, the reply continues the model's own
thought (``ieat_prompt``), recall questions included; memory answers them only when
the model's answer fails its checks.

``ReplyWriter.stream()`` yields the reply sentence by sentence, each one checked
before it is released, so the voice can start on the first sentence.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from duplex_agent.llm import LlmBackend, Message, Sampling, until_stopped
from duplex_agent.memory import EmotionalMemory, memory_question
from duplex_agent.prompts import load_pairs, load_text
from duplex_agent.reply.guardrails import Verdict, check, sentences
from duplex_agent.thinking.policy import feeling_word
from duplex_agent.thinking.thought import Thought

HISTORY_TURNS = 3  # earlier exchanges shown to the LLM
MAX_FIRST_SENTENCE_CHARS = 160  # a first sentence still open after this is rambling


@dataclass
class ReplyStats:
    replies: int = 0
    fallbacks: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.replies if self.replies else 0.0


@dataclass(frozen=True)
class Reply:
    text: str
    source: str  # "llm", "template" or "memory"
    reasons: tuple[str, ...] = ()  # why the LLM's reply was rejected, if it was
    draft: str = ""  # what the LLM wrote


class ReplyWriter:
    def __init__(self, backend: LlmBackend | None, mode: str = "chat",
                 sampling: Sampling | None = None) -> None:
        if mode not in ("chat", "fewshot"):
            raise ValueError(f"unknown reply mode {mode!r}: use chat or fewshot")
        self.backend, self.mode = backend, mode
        self.sampling = sampling or Sampling(max_tokens=60,
                                             stop=("\n", "<|im_end|>", "Person:", "对方："))
        self.stats = ReplyStats()

    def write(self, thought: Thought, user_text: str, memory: EmotionalMemory,
              ieat_prompt: str | None = None, recall: str | None = None) -> Reply:
        """The whole reply at once (see ``stream`` for sentence-by-sentence)."""
        pieces = list(self.stream(thought, user_text, memory, ieat_prompt, recall))
        return pieces[-1][1] if pieces else Reply("", "llm")

    def stream(self, thought: Thought, user_text: str, memory: EmotionalMemory,
               ieat_prompt: str | None = None, recall: str | None = None,
               stopped: Callable[[], bool] = lambda: False) -> Iterator[tuple[str, Reply]]:
        """Yield (sentence, reply so far) as each checked sentence is ready.
        ``ieat_prompt``: the IEAT model's input and thought, to continue with the reply;
        ``recall``: "trajectory" or "causes" when the turn is known to ask about the
        feelings so far (else it is recognised from the words); ``stopped``: asked at
        each token, True ends the reply there (it was cut off: the LLM stops at once)."""
        self.stats.replies += 1
        kind = recall or memory_question(user_text)
        fallback = memory.answer(kind, thought.language) if kind else template(thought)
        said = " ".join(t.user_text for t in memory.turns) + " " + user_text
        if ieat_prompt is not None and self.backend is not None:
            from duplex_agent.thinking.ieat_model import RECALL_SAMPLING, REPLY_SAMPLING

            recall = thought.strategy == "recall"
            tokens = self.backend.complete(ieat_prompt,
                                           RECALL_SAMPLING if recall else REPLY_SAMPLING)
            yield from self._checked(thought, said, tokens, fallback, 4 if recall else 2,
                                     stopped)
            return
        if kind is not None or self.backend is None:
            yield fallback, Reply(fallback, "memory" if kind else "template")
            return
        yield from self._checked(thought, said, self._tokens(thought, user_text, memory),
                                 fallback, stopped=stopped)

    def _checked(self, thought: Thought, said: str, tokens: Iterator[str], fallback: str,
                 most: int = 2, stopped: Callable[[], bool] = lambda: False
                 ) -> Iterator[tuple[str, Reply]]:
        """Release the draft sentence by sentence, each checked; at most ``most``. A reply
        ``stopped`` ends where it is, nothing more checked or released."""
        draft, released = "", []
        for token in until_stopped(tokens, stopped):
            draft += token
            if not released and len(draft.lstrip()) > MAX_FIRST_SENTENCE_CHARS and \
                    not _ends_sentence(draft) and len(sentences(draft)) <= 1:
                yield from self._fallback(released, Verdict(False, ("rambles",)), draft,
                                          fallback)
                return
            done = sentences(draft)
            complete = done if _ends_sentence(draft) else done[:-1]
            for sentence in complete[len(released):most]:
                verdict = check(" ".join(released + [sentence]), thought, said)
                if not verdict.ok:
                    yield from self._fallback(released, verdict, draft, fallback)
                    return
                released.append(sentence)
                yield sentence, Reply(" ".join(released), "llm", draft=draft)
            if len(released) >= most:
                return
        if stopped():
            return
        tail = sentences(draft)[len(released):len(released) + 1]
        if tail and len(released) < most:
            verdict = check(" ".join(released + tail), thought, said)
            if verdict.ok:
                released += tail
                yield tail[0], Reply(" ".join(released), "llm", draft=draft)
            elif not released:
                yield from self._fallback(released, verdict, draft, fallback)
        elif not released:
            yield from self._fallback(released, Verdict(False, ("empty",)), draft, fallback)

    def _fallback(self, released: list[str], verdict: Verdict, draft: str,
                  text: str) -> Iterator[tuple[str, Reply]]:
        if released:  # the first sentence is out already: stop cleanly after it
            return
        self.stats.fallbacks += 1
        for reason in verdict.reasons:
            key = reason.split(" [")[0]
            self.stats.reasons[key] = self.stats.reasons.get(key, 0) + 1
        yield text, Reply(text, "template", verdict.reasons, draft)

    def _tokens(self, thought: Thought, user_text: str, memory: EmotionalMemory) -> Iterator[str]:
        assert self.backend is not None
        if self.mode == "fewshot":
            return self.backend.complete(fewshot_prompt(thought, user_text), self.sampling)
        return self.backend.chat(chat_messages(thought, user_text, memory), self.sampling,
                                 opener=opener(thought))


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", "。", "！", "？"))


def chat_messages(thought: Thought, user_text: str, memory: EmotionalMemory) -> list[Message]:
    """System prompt with the private thought injected, recent history, the user's words."""
    lang = "zh" if thought.language == "zh" else "en"
    system = load_text(f"reply/system_{lang}.md").strip() + "\n\n" + thought_note(thought)
    messages: list[Message] = [{"role": "system", "content": system}]
    for turn in memory.turns[-HISTORY_TURNS - 1:-1] if memory.turns else []:
        messages.append({"role": "user", "content": turn.user_text})
        if turn.agent_heard:
            messages.append({"role": "assistant", "content": turn.agent_heard})
    messages.append({"role": "user", "content": user_text})
    return messages


def opener(thought: Thought) -> str:
    lang = "zh" if thought.language == "zh" else "en"
    return dict(load_pairs("reply/openers.txt")).get(f"{thought.strategy}.{lang}", "")


def thought_note(thought: Thought) -> str:
    lang = "zh" if thought.language == "zh" else "en"
    hints = dict(load_pairs("reply/strategies.txt"))
    cause = thought.cause_you or ("没有明说" if lang == "zh" else "not said")
    return load_text(f"reply/thought_{lang}.md").strip().format(
        emotion=feeling_word(thought.emotion, lang), intensity=f"{thought.intensity:.1f}",
        cause=cause, shift=thought.shift, need=thought.need,
        strategy_hint=hints.get(f"{thought.strategy}.{lang}", thought.strategy),
        note=f" {thought.note}" if thought.note else "")


def fewshot_prompt(thought: Thought, user_text: str) -> str:
    lang = "zh" if thought.language == "zh" else "en"
    head = load_text(f"reply/fewshot_{lang}.txt")
    feeling = feeling_word(thought.emotion, lang)
    if lang == "zh":
        return f"{head}感受：{feeling}。原因：{thought.cause_you or '没有明说'}。策略：" \
               f"{thought.strategy}。\n对方：{user_text}\n陪伴者："
    return f"{head}Feeling: {feeling}. Cause: {thought.cause_you or 'not said'}. Strategy: " \
           f"{thought.strategy}.\nPerson: {user_text}\nCompanion:"


def template(thought: Thought) -> str:
    """The strategy's short fallback line (never the user's words); picked by turn so it
    varies."""
    lang = "zh" if thought.language == "zh" else "en"
    lines = load_pairs(f"templates/{lang}.txt")
    options = [text for key, text in lines if key == thought.strategy] or \
        [text for key, text in lines if key == "ask"]
    chosen = options[zlib.crc32(f"{thought.turn}".encode()) % len(options)]
    return chosen.format(feeling=feeling_word(thought.emotion, lang))
