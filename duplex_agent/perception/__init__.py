"""Perception per user segment: acoustic cues against the speaker's baseline,
nonverbal events, text emotion, and their fusion into an EmotionEstimate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from duplex_agent.events import EmotionEstimate
from duplex_agent.perception import acoustic, nonverbal
from duplex_agent.perception.baseline import SpeakerBaseline
from duplex_agent.perception.fusion import VocalReading, fuse
from duplex_agent.perception.text import TextEmotion, TextEmotionModel, split_tags
from duplex_agent.perception.vocal import arousal, vocal_distribution

MIN_VOICED_S = 0.5  # below this much speech the voice is not used for emotion
TEXT_LANGUAGES = ("en", "zh")  # languages whose words the text model understands


@dataclass(frozen=True)
class Perception:
    estimate: EmotionEstimate
    cues: acoustic.AcousticCues | None
    z: dict[str, float]
    nonverbal: str  # from the audio: laughter / sigh / crying / none
    tags: tuple[str, ...]  # from the text: [laughter], [sigh]...
    text: TextEmotion | None

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return {"estimate": asdict(self.estimate),
                "cues": self.cues.as_dict() if self.cues else None,
                "z": {k: round(v, 2) for k, v in self.z.items()},
                "nonverbal": self.nonverbal, "tags": list(self.tags),
                "text": None if self.text is None else {
                    "label": self.text.label, "valence": self.text.valence,
                    "confidence": round(self.text.confidence, 3),
                    "distribution": {k: round(v, 3) for k, v in self.text.distribution.items()}}}


class Perceiver:
    """One per conversation: keeps the user's running voice baseline."""

    def __init__(self, text_model: TextEmotionModel | None = None) -> None:
        self.text_model = text_model or TextEmotionModel()
        self.baseline = SpeakerBaseline()

    def perceive(self, time: float, text: str, audio: np.ndarray | None = None,
                 use_text: bool = True, use_voice: bool = True, learn: bool = True,
                 language: str = "en") -> Perception:
        """Perceive one user segment: its transcript (tags allowed) and its audio.

        ``learn`` adds the segment to the speaker's baseline afterwards.
        """
        understood = language.split("-")[0].lower() in TEXT_LANGUAGES
        text_emotion = self.text_model.estimate(text) \
            if use_text and understood and text.strip() else None
        tags = text_emotion.tags if text_emotion else split_tags(text)[1]
        cues, z, vocal, event = None, {}, None, "none"
        if audio is not None and len(audio):
            cues = acoustic.measure(audio)
            event = nonverbal.detect(audio, split_tags(text)[0]).label
            if use_voice and cues.duration_s >= MIN_VOICED_S:
                z = self.baseline.z(cues)
                weight = min(1.0, cues.duration_s / 1.5)
                vocal = VocalReading(vocal_distribution(z), arousal(z), weight)
            if learn:
                self.baseline.add(cues)
        events = tags + ((event,) if event != "none" else ())
        estimate = fuse(time, text_emotion, vocal, events)
        return Perception(estimate, cues, z, event, tags, text_emotion)
