"""The models a Track 1 run shares across dialogues, each loaded on first use."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.thinking.thought import Thought

MIN_RESPONSE_S = 0.3  # a reply with no speakable words still gets this much silence


class DialogueModels:
    """Text emotion model, reply writer, voices and listeners, shared by all dialogues.

    Per-dialogue state (memory, the speaker's voice baseline) lives in the ``Thinker``
    and ``Perceiver`` each dialogue makes, so dialogues do not leak into each other and a
    resumed run gives the same answers as an uninterrupted one.
    """

    def __init__(self, llm: str = "ieat", llm_url: str | None = None,
                 llm_model: str | None = None, voice: str = "piper") -> None:
        self.llm, self.llm_url, self.llm_model, self.voice_backend = llm, llm_url, llm_model, voice
        self._text_model = None
        self._mind = None
        self._writer = None
        self._voices: dict[str, object] = {}
        self._listen: dict[str, tuple] = {}

    def perceiver(self):
        """A fresh perceiver (new voice baseline) sharing the loaded text model."""
        from duplex_agent.perception import Perceiver
        from duplex_agent.perception.text import TextEmotionModel

        if self._text_model is None:
            self._text_model = TextEmotionModel()
        return Perceiver(self._text_model)

    @property
    def mind(self):
        if self._mind is None:
            from duplex_agent.mind import Mind

            self._mind = Mind.load(self.llm, self.llm_url, self.llm_model)
        return self._mind

    def thinker(self):
        """A fresh thinker (own memory and voice baseline) on the shared models."""
        return self.mind.thinker(self.perceiver())

    def writer(self):
        if self._writer is None:
            self._writer = self.mind.writer()
        return self._writer

    def transcribe(self, audio: np.ndarray, language: str) -> str:
        """The listener's transcript of a turn with no text (tiny.en, or base for zh)."""
        from duplex_agent.events import AsrFinal
        from streaming.listener import Listener, listen_file

        config, models = self._listener(language)
        events = listen_file(audio, Listener(config, models))
        return " ".join(e.text for e in events if isinstance(e, AsrFinal) and e.text).strip()

    def _listener(self, language: str) -> tuple:
        if language not in self._listen:
            from dataclasses import replace

            from duplex_agent.config import AsrConfig, ListenConfig
            from streaming.listener import ListenModels

            model = "tiny.en" if language == "en" else "base"
            asr = replace(AsrConfig(), model=model, language=language, partial_interval_s=0.0)
            config = replace(ListenConfig(), asr=asr)
            self._listen[language] = (config, ListenModels.load(config))
        return self._listen[language]

    def voice(self, language: str):
        """Piper (or the chosen backend) for English; espeak-ng for Chinese."""
        name = self.voice_backend if language == "en" else "espeak"
        if name not in self._voices:
            from duplex_agent.voice import load_voice

            self._voices[name] = load_voice(name)
        return self._voices[name]

    def speak(self, text: str, thought: Thought, path: Path) -> None:
        """Synthesise ``text`` in the style the thought asks for; write it atomically."""
        from duplex_agent.session.file_driver import write_wav
        from duplex_agent.voice import style_for

        style = style_for(thought.voice.emotion, min(1.0, max(0.0, thought.voice.intensity)))
        audio = self.voice(thought.language).synthesize(text, style, thought.language)
        if len(audio) < MIN_RESPONSE_S * SAMPLE_RATE:
            audio = np.concatenate([audio, np.zeros(int(MIN_RESPONSE_S * SAMPLE_RATE),
                                                    np.float32)])
        write_wav(path, np.clip(audio, -1.0, 1.0))
