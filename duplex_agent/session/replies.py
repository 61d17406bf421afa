"""What the agent says for a turn, as a lazy stream of voice chunks.

Thinking, the LLM and the voice all run inside the generator, so whoever pulls
it (an Utterance, through a compute lane) pays for them when they happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from duplex_agent.prompts import load_pairs
from duplex_agent.reply import Reply, ReplyWriter
from duplex_agent.thinking.thinker import Thinker, reply_language
from duplex_agent.thinking.thought import Thought
from duplex_agent.voice import VoiceStyle, style_for
from duplex_agent.voice.backend import Voice
from duplex_agent.voice.chunks import SpeechChunk, make_chunk, pause_before
from duplex_agent.voice.clauses import ClauseSplitter, break_kind


@dataclass
class ReplyJob:
    """One reply being produced; ``thought`` is set once the thinking is done."""

    time: float  # stream time the reply was started
    user_text: str
    audio: np.ndarray | None
    language: str | None
    interruption: str | None = None
    # a model thought formed on a partial of this turn, asked for when the thinking starts
    # (on the reply lane, so a thought still being formed ahead is done by then)
    prior: Callable[[], Thought | None] | None = None
    thought: Thought | None = None
    reply: Reply | None = None  # the checked reply (source, rejected draft), once written
    logged: bool = False  # the thought is on the timeline
    stopped: Callable[[], bool] = field(default=lambda: False)  # the reply was cut off


def fixed_reply(kind: str, language: str) -> str:
    lang = "zh" if language.startswith("zh") else "en"
    return dict(load_pairs(f"replies/{lang}.txt"))[kind]


def reply_chunks(job: ReplyJob, thinker: Thinker, writer: ReplyWriter, voice: Voice,
                 last_reply: str) -> Iterator[SpeechChunk]:
    """Think, write and speak the reply to ``job``, one clause at a time."""
    lang = reply_language(job.user_text, job.language)
    if job.interruption == "stop":
        yield from speak_text(fixed_reply("stop", lang), voice, style_for("calm", 0.5), lang)
        return
    if job.interruption == "repeat" and last_reply:
        text = f"{fixed_reply('repeat_prefix', lang)} {last_reply}"
        yield from speak_text(text, voice, style_for("neutral", 0.0), lang)
        return
    prior = job.prior() if job.prior is not None else None
    job.thought, _ = thinker.think(job.time, job.user_text, job.audio, job.language, prior,
                                   stopped=job.stopped)
    if job.stopped():  # cut off while thinking (live, the lane is a thread of its own)
        return
    style = thought_style(job.thought)
    prompt = thinker.reply_prompt(job.thought)

    def sentences() -> Iterator[str]:
        for sentence, reply in writer.stream(job.thought, job.user_text, thinker.memory,
                                             prompt, stopped=job.stopped):
            job.reply = reply
            yield sentence

    yield from speak_sentences(sentences(), voice, style, job.thought.language)


def thought_style(thought: Thought) -> VoiceStyle:
    return style_for(thought.voice.emotion, thought.voice.intensity)


def speak_text(text: str, voice: Voice, style: VoiceStyle, language: str) -> Iterator[SpeechChunk]:
    yield from speak_sentences(iter([text]), voice, style, language)


def speak_sentences(sentences: Iterator[str], voice: Voice, style: VoiceStyle,
                    language: str) -> Iterator[SpeechChunk]:
    """Clause by clause as sentences arrive, with the style's pauses between them."""
    config = voice.config
    splitter = ClauseSplitter(config.min_clause_words, config.max_clause_words)
    offset, previous = 0, None
    for sentence in sentences:
        for clause in splitter.push(sentence + " "):
            yield make_chunk(clause, offset, voice.render(clause.strip(), style, language),
                             pause_before(previous, style))
            offset, previous = offset + len(clause), break_kind(clause)
    for clause in splitter.flush():
        if clause.strip():
            yield make_chunk(clause, offset, voice.render(clause.strip(), style, language),
                             pause_before(previous, style))
            offset, previous = offset + len(clause), break_kind(clause)
