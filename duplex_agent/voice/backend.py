"""The ``Voice`` protocol, the shared offline path, and backend selection."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from duplex_agent.errors import UserError
from duplex_agent.voice.chunks import Rendered, SpeechChunk, WordTiming, clause_chunks
from duplex_agent.voice.clauses import ClauseSplitter, word_spans
from duplex_agent.voice.config import VoiceConfig
from duplex_agent.voice.dsp import loud_span
from duplex_agent.voice.style import NEUTRAL, VoiceStyle, check_style

BACKENDS = ("piper", "espeak")
PITCH_METHODS = ("resample", "world")


class VoiceUnavailableError(UserError, RuntimeError):
    """A backend cannot run here (missing program or model) or cannot speak a language."""


class Voice(Protocol):
    name: str
    config: VoiceConfig

    def render(self, text: str, style: VoiceStyle, language: str = "en") -> Rendered:
        """Speak one clause: trimmed, styled 16 kHz float32 audio and its word times."""
        ...

    def chunks(self, text: str, style: VoiceStyle = NEUTRAL,
               language: str = "en") -> list[SpeechChunk]:
        """Speak any text as the clause chunks ``speak_stream`` would give for it."""
        ...

    def synthesize(self, text: str, style: VoiceStyle = NEUTRAL,
                   language: str = "en") -> np.ndarray:
        """Speak any text: clause by clause with the style's pauses, 16 kHz float32."""
        ...


class ClauseVoice:
    """Shared offline path: split the text into clauses, render each, join with pauses.

    Streaming (``speak_stream``) renders the same clauses with the same pauses.
    """

    name = "base"
    config: VoiceConfig

    def render(self, text: str, style: VoiceStyle, language: str = "en") -> Rendered:
        raise NotImplementedError

    def chunks(self, text: str, style: VoiceStyle = NEUTRAL,
               language: str = "en") -> list[SpeechChunk]:
        check_style(style)
        splitter = ClauseSplitter(self.config.min_clause_words, self.config.max_clause_words)
        clauses = splitter.push(text) + splitter.flush()
        return list(clause_chunks(clauses, lambda c: self.render(c, style, language), style))

    def synthesize(self, text: str, style: VoiceStyle = NEUTRAL,
                   language: str = "en") -> np.ndarray:
        parts = [c.audio for c in self.chunks(text, style, language)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def estimate_words(text: str, start: int, end: int) -> tuple[WordTiming, ...]:
    """Word times spread over samples ``start``..``end`` in proportion to each word's
    letters and digits (a Han character counts as two): the fallback when a backend
    gives no alignment."""
    spans = word_spans(text)
    weights = np.array([sum(2 if "\u3400" <= ch <= "\ufaff" else 1
                            for ch in text[a:b] if ch.isalnum()) for a, b in spans], float)
    if not len(spans) or end <= start:
        return ()
    edges = start + np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * (end - start)
    return tuple(WordTiming(a, b, int(edges[i]), int(edges[i + 1]))
                 for i, (a, b) in enumerate(spans))


def with_estimated_words(text: str, audio: np.ndarray, config: VoiceConfig) -> Rendered:
    start, end = loud_span(audio, config.trim_db, 0.0)
    return Rendered(audio, estimate_words(text, start, end))


def resample_factor(style: VoiceStyle, config: VoiceConfig) -> float:
    """Frequency factor a backend applies by synthesising 1/factor times as long and
    resampling (1.0 when the pitch method is WORLD)."""
    if config.pitch_method == "resample":
        return 2 ** (style.pitch_semitones / 12)
    return 1.0


def base_language(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()


def load_voice(backend: str | None = None, config: VoiceConfig | None = None) -> ClauseVoice:
    """The voice for ``backend`` ("piper" or "espeak"; default from the config)."""
    config = config or VoiceConfig()
    if config.pitch_method not in PITCH_METHODS:
        raise VoiceUnavailableError(f"unknown pitch method {config.pitch_method!r}; "
                                    f"known: {', '.join(PITCH_METHODS)}")
    name = backend or config.backend
    if name == "piper":
        from duplex_agent.voice.piper_backend import PiperVoice

        return PiperVoice(config)
    if name == "espeak":
        from duplex_agent.voice.espeak_backend import EspeakVoice

        return EspeakVoice(config)
    raise VoiceUnavailableError(f"unknown voice backend {name!r}; known: {', '.join(BACKENDS)}")
