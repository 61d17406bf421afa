"""Short acknowledgements and backchannels ("uh-huh", "I see", "oh no", ...),
synthesised once per (kind, emotion, language) and then played instantly.

Texts live in ``prompts/backchannels/<language>.txt`` as ``kind: text`` lines;
kinds are shared by all languages so the caller asks for "sympathy", not for
"oh no". ``get`` synthesises on first use; ``warm`` does it all at start-up
(call it in a worker thread: about 0.1 s per entry with Piper).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import cache

import numpy as np

from duplex_agent.errors import UserError
from duplex_agent.prompts import PROMPTS_DIR, load_pairs
from duplex_agent.voice.backend import Voice, base_language
from duplex_agent.voice.style import EMOTIONS, LIMITS, VoiceStyle, style_for


class BackchannelError(UserError, KeyError):
    """An unknown backchannel kind or language."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@cache
def load_texts(language: str) -> dict[str, str]:
    """kind -> text for ``language`` from ``prompts/backchannels/<language>.txt``."""
    try:
        return dict(load_pairs(f"backchannels/{base_language(language)}.txt"))
    except FileNotFoundError:
        known = sorted(p.stem for p in (PROMPTS_DIR / "backchannels").glob("*.txt"))
        raise BackchannelError(f"no backchannels for language {language!r}; known: "
                               f"{', '.join(known)}") from None


class BackchannelCache:
    def __init__(self, voice: Voice, intensity: float | None = None,
                 gain_db: float | None = None) -> None:
        self.voice = voice
        self.intensity = voice.config.backchannel_intensity if intensity is None else intensity
        self.gain_db = voice.config.backchannel_gain_db if gain_db is None else gain_db
        self._audio: dict[tuple[str, str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def kinds(self, language: str = "en") -> tuple[str, ...]:
        return tuple(load_texts(language))

    def text(self, kind: str, language: str = "en") -> str:
        texts = load_texts(language)
        if kind not in texts:
            raise BackchannelError(f"unknown backchannel {kind!r}; known: {', '.join(texts)}")
        return texts[kind]

    def style(self, emotion: str) -> VoiceStyle:
        """The emotion's style at the backchannel intensity, quieter by ``gain_db``."""
        base = style_for(emotion, self.intensity)
        low, high = LIMITS["energy_db"]
        return replace(base, energy_db=float(np.clip(base.energy_db + self.gain_db, low, high)))

    def get(self, kind: str, emotion: str = "neutral", language: str = "en") -> np.ndarray:
        """16 kHz float32 audio, synthesised on first request and cached (thread-safe)."""
        key = (kind, emotion, base_language(language))
        with self._lock:
            if key in self._audio:
                return self._audio[key]
        audio = self.voice.synthesize(self.text(kind, language), self.style(emotion), language)
        audio.setflags(write=False)
        with self._lock:
            return self._audio.setdefault(key, audio)

    def warm(self, languages: tuple[str, ...] = ("en", "zh"),
             emotions: tuple[str, ...] = EMOTIONS) -> int:
        """Synthesise every kind for every language and emotion; returns the entry count."""
        for language in languages:
            for kind in self.kinds(language):
                for emotion in emotions:
                    self.get(kind, emotion, language)
        return len(self._audio)
