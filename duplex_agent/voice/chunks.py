"""What the voice hands to playout: audio with the exact text span it speaks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.voice.clauses import break_kind
from duplex_agent.voice.style import VoiceStyle


@dataclass(frozen=True, slots=True)
class WordTiming:
    """One spoken word: its characters in the chunk's text and its samples in the audio."""

    char_start: int
    char_end: int
    start: int  # first sample of the word in the audio it belongs to
    end: int  # sample after the word's last one

    def shifted(self, samples: int) -> WordTiming:
        return WordTiming(self.char_start, self.char_end, self.start + samples,
                          self.end + samples)


@dataclass(frozen=True, slots=True, eq=False)
class Rendered:
    """One clause as a backend spoke it: 16 kHz float32 audio and word times in it."""

    audio: np.ndarray
    words: tuple[WordTiming, ...]


@dataclass(frozen=True, slots=True, eq=False)
class SpeechChunk:
    """One clause ready to play: a leading pause, then the clause.

    ``reply[char_start:char_end] == text`` where ``reply`` is all text the LLM
    sent; ``words`` locate every word of ``text`` in ``audio`` (pause included).
    """

    audio: np.ndarray  # 16 kHz mono float32
    text: str
    char_start: int
    char_end: int
    words: tuple[WordTiming, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def pause_before(previous_break: str | None, style: VoiceStyle) -> float:
    """Seconds of silence before a clause that follows a break of this kind."""
    if previous_break == "sentence":
        return style.sentence_pause_s
    if previous_break == "clause":
        return style.clause_pause_s
    return 0.0


def make_chunk(clause: str, offset: int, rendered: Rendered, pause_s: float) -> SpeechChunk:
    """The chunk for ``clause`` (raw splitter output starting at ``offset`` in the reply)."""
    lead = len(clause) - len(clause.lstrip())
    text = clause.strip()
    pad = int(round(pause_s * SAMPLE_RATE))
    audio = np.concatenate([np.zeros(pad, np.float32), rendered.audio]) if pad \
        else rendered.audio
    words = tuple(w.shifted(pad) for w in rendered.words)
    return SpeechChunk(audio.astype(np.float32, copy=False), text, offset + lead,
                       offset + lead + len(text), words)


def clause_chunks(clauses: Iterable[str], render: Callable[[str], Rendered],
                  style: VoiceStyle) -> Iterator[SpeechChunk]:
    """Render clauses in order with the style's pauses between them (the offline path;
    ``speak_stream`` does the same clause by clause from tokens)."""
    offset, previous = 0, None
    for clause in clauses:
        yield make_chunk(clause, offset, render(clause.strip()), pause_before(previous, style))
        offset += len(clause)
        previous = break_kind(clause)
