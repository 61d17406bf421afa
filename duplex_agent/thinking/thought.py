"""The private thought before every reply (Injected Emotional-Attribution Thinking).

It is logged and shown in the debug panel, never spoken.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class VoiceHint:
    """How the reply should sound: a voice preset and how strongly to apply it."""

    emotion: str  # preset name for duplex_agent.voice (neutral, happy, sad, calm, ...)
    intensity: float  # 0..1


@dataclass(frozen=True)
class Thought:
    turn: int  # 1-based user turn in the dialogue
    time: float  # stream time the thought was (last) updated
    emotion: str  # the user's feeling: neutral happy sad angry fear surprise disgust
    intensity: float  # 0..1
    cause: str  # why, in the user's own words ("" if not said)
    cause_you: str  # the cause turned to the second person, for replies
    shift: str  # change since the previous turn, e.g. "neutral -> sad (worse)"
    need: str  # what the user likely needs now
    strategy: str  # validate, reflect, calm, encourage, celebrate, ask, check_in
    voice: VoiceHint  # delivery for the reply
    language: str  # "en" or "zh": the reply's language
    driver: str  # the cue that decided the emotion (text, voice, laughter...)
    note: str = ""  # e.g. "the words sound fine but the voice sounds sad"
    nonverbal: tuple[str, ...] = ()  # laughter, sigh, crying heard in this turn
    provisional: bool = False  # built from partials while the user still talks

    def as_dict(self) -> dict:
        data = asdict(self)
        data["nonverbal"] = list(self.nonverbal)
        return data

    def summary(self) -> str:
        """One line for logs and the debug panel."""
        why = f" because {self.cause}" if self.cause else ""
        extra = f" [{self.note}]" if self.note else ""
        return (f"turn {self.turn}: {self.emotion} ({self.intensity:.1f}){why}; {self.shift}; "
                f"needs {self.need}; {self.strategy}; voice {self.voice.emotion}{extra}")
