"""Turn signals computed from the user's audio for the controller: Smart Turn and the
final pitch at each pause, the speaker check early in each segment, and the fused
emotion after each final transcript."""

from __future__ import annotations

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.events import (
    AsrFinal,
    FinalPitch,
    SpeakerCheck,
    SpeechEnded,
    SpeechStarted,
)
from duplex_agent.perception import Perceiver
from duplex_agent.session.config import SessionConfig
from streaming.asr import AudioHistory
from streaming.prosody import pitch_movement
from streaming.speaker import SpeakerProfile

SMART_TURN_LEAD_S = 0.5  # audio before the turn's onset given to Smart Turn


class TurnSignals:
    def __init__(self, config: SessionConfig, smart_turn, perceiver: Perceiver) -> None:
        self.config = config
        self.smart_turn = smart_turn if config.smart_turn else None
        self.perceiver = perceiver
        self.history = AudioHistory()
        self.profile: SpeakerProfile | None = None
        self.turn_onset: float | None = None  # onset of the user's current turn
        self._to_check: float | None = None  # segment start awaiting its speaker check

    def audio(self, start: float, end: float) -> np.ndarray:
        return self.history.slice(int(start * SAMPLE_RATE), int(end * SAMPLE_RATE))

    def on_event(self, event, now: float) -> list:
        """Signals caused by a listening event."""
        match event:
            case SpeechStarted(start=start):
                self.turn_onset = start if self.turn_onset is None else self.turn_onset
                self._to_check = start if self.profile and self.config.speaker_check else None
            case SpeechEnded(start=start, end=end):
                return self._pause(start, end, now)
            case AsrFinal(segment_start=start, segment_end=end, text=text, language=lang):
                if text.strip():
                    return [self.perceiver.perceive(now, text, self.audio(start, end),
                                                    learn=False, language=lang).estimate]
        return []

    def user_like_level(self, start: float, now: float) -> bool:
        """Is the speech since ``start`` about as loud as the enrolled user (or is there no
        enrolment yet)?"""
        if self.profile is None:
            return True
        audio = self.audio(start, now)
        if not len(audio):
            return True
        level = 20 * np.log10(max(float(np.sqrt(np.mean(audio ** 2))), 1e-5))
        return level >= self.profile.features.level_db - self.config.pause_level_margin_db

    def on_tick(self, now: float) -> list:
        """A speaker check once a segment has enough speech."""
        start = self._to_check
        if start is None or now - start < self.config.speaker_check_after_s:
            return []
        self._to_check = None
        assert self.profile is not None
        check = self.profile.check(self.audio(start, now), now, start)
        return [check] if isinstance(check, SpeakerCheck) else []

    def turn_taken(self, speech_start: float, speech_end: float) -> None:
        """The user's turn ended: enrol the user's voice on the first one."""
        self.turn_onset = None
        if self.profile is None and speech_end - speech_start >= 1.0:
            try:
                self.profile = SpeakerProfile.enroll(self.audio(speech_start, speech_end))
            except ValueError:
                pass  # too little voiced audio: enrol on a later turn

    def _pause(self, start: float, end: float, now: float) -> list:
        movement = pitch_movement(self.audio(start, end))
        signals: list = [] if movement is None else [FinalPitch(now, start, movement)]
        if self.smart_turn is not None:
            onset = self.turn_onset if self.turn_onset is not None else start
            clip = self.audio(max(0.0, onset - SMART_TURN_LEAD_S), now)
            signals.append(self.smart_turn.predict(clip, now))
        return signals

