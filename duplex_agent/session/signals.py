"""Turn signals computed from the user's audio for the controller: the voice level at
each onset, Smart Turn and the final pitch at each pause, the speaker check early in
each segment, and the fused emotion after each final transcript.

The user's audio is held once, here (``UserAudio``), for everything the session
needs from it; perception runs once per final transcript, and the thinker is handed
that same perception (``PerceptionCache``) instead of perceiving the segment again.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.events import (
    AsrFinal,
    FinalPitch,
    SpeakerCheck,
    SpeechEnded,
    SpeechStarted,
)
from duplex_agent.perception import Perceiver, Perception
from duplex_agent.session.config import SessionConfig
from duplex_agent.turns.inputs import VoiceLevel
from streaming.prosody import pitch_movement
from streaming.speaker import SpeakerProfile

SMART_TURN_LEAD_S = 0.5  # audio before the turn's onset given to Smart Turn
KEEP_S = 30.0  # user audio kept for turn-level features
CHECK_RETRY_S = 0.25  # a segment too short to judge is checked again this much later
CHECK_GIVE_UP_S = 3.0  # ... until it has lasted this long
CHECK_AGAIN_X = 2.0  # a segment still going on is checked again at twice its length
CHECK_LAST_S = 2.0  # ... up to this long
LEVEL_FRAME = 320  # 20 ms frames for the active-speech level
ACTIVE_DB = 25.0  # frames within this many dB of the loudest count as speech
USER_LEVEL_WEIGHT = 0.3  # weight of each later turn in the user's running level


class UserAudio:
    """The last ``KEEP_S`` of user audio in a ring, addressable by absolute sample index
    (appending a block copies only the block)."""

    def __init__(self, seconds: float = KEEP_S) -> None:
        self._ring = np.zeros(int(seconds * SAMPLE_RATE), np.float32)
        self.end = 0  # absolute index of the next sample

    def append(self, samples: np.ndarray) -> None:
        samples = samples[-len(self._ring):]
        at = self.end % len(self._ring)
        first = min(len(samples), len(self._ring) - at)
        self._ring[at:at + first] = samples[:first]
        self._ring[:len(samples) - first] = samples[first:]
        self.end += len(samples)

    def slice(self, start: int, stop: int) -> np.ndarray:
        """Samples ``start``..``stop`` (clipped to what is kept), as a new array."""
        start = max(start, self.end - len(self._ring), 0)
        stop = min(stop, self.end)
        if stop <= start:
            return np.zeros(0, np.float32)
        a, b = start % len(self._ring), stop % len(self._ring)
        if a < b or b == 0:
            return self._ring[a:b or len(self._ring)].copy()
        return np.concatenate([self._ring[a:], self._ring[:b]])


def active_level_db(audio: np.ndarray) -> float | None:
    """RMS level (dBFS) of the 20 ms frames within ACTIVE_DB of the loudest one."""
    n = len(audio) // LEVEL_FRAME * LEVEL_FRAME
    if n == 0:
        return None
    power = np.mean(audio[:n].reshape(-1, LEVEL_FRAME).astype(np.float64) ** 2, axis=1)
    db = 10 * np.log10(power + 1e-12)
    return float(10 * np.log10(np.mean(power[db >= db.max() - ACTIVE_DB]) + 1e-12))


@dataclass
class _Perceived:
    text: str
    audio: np.ndarray
    perception: Perception
    ready: float | None  # stream time the perception was ready (None: not known yet)
    learned: bool = False


class PerceptionCache:
    """The one Perceiver of a session, as the thinker sees it: a segment the session
    already perceived (for the controller's emotion estimate) is handed over, not
    perceived again. The speaker's baseline learns a turn once, when the turn is
    committed (``learn``), never from a speculative reply that was thrown away."""

    def __init__(self, perceiver: Perceiver, keep: int = 16) -> None:
        self.inner = perceiver
        self._recent: deque[_Perceived] = deque(maxlen=keep)
        self._lock = threading.Lock()  # live, the reply lane's thread reads it too

    def perceive(self, time: float, text: str, audio: np.ndarray | None = None,
                 use_text: bool = True, use_voice: bool = True, learn: bool = True,
                 language: str = "en") -> Perception:
        """``Perceiver.perceive``, from the cache when the same words and audio were
        perceived already; ``learn`` is deferred to ``learn``."""
        del learn
        found = self._find(text, audio)
        if found is not None:
            return found.perception
        perception = self.inner.perceive(time, text, audio, use_text, use_voice,
                                         learn=False, language=language)
        if audio is not None:
            self._add(_Perceived(text.strip(), audio, perception, time))
        return perception

    def segment(self, time: float, text: str, audio: np.ndarray, language: str) -> Perception:
        """Perceive a finished segment for the controller; ready once ``settle`` says."""
        perception = self.inner.perceive(time, text, audio, learn=False, language=language)
        self._add(_Perceived(text.strip(), audio, perception, None))
        return perception

    def settle(self, ready: float) -> None:
        """The work that perceived the newest entries is done: it was ready at ``ready``."""
        for entry in self._entries():
            entry.ready = ready if entry.ready is None else entry.ready

    def ready_at(self, text: str, audio: np.ndarray | None) -> float:
        """When the cached perception of these words and audio was ready (0 if none)."""
        found = self._find(text, audio)
        return 0.0 if found is None or found.ready is None else found.ready

    def learn(self, audio: np.ndarray | None) -> None:
        """Add the turn perceived with ``audio`` to the speaker's baseline (once)."""
        for entry in self._entries():
            if entry.audio is audio and not entry.learned:
                entry.learned = True
                if entry.perception.cues is not None:
                    self.inner.baseline.add(entry.perception.cues)
                return

    def _add(self, entry: _Perceived) -> None:
        with self._lock:
            self._recent.append(entry)

    def _entries(self) -> list[_Perceived]:
        with self._lock:
            return list(self._recent)

    def _find(self, text: str, audio: np.ndarray | None) -> _Perceived | None:
        if audio is None:
            return None
        for entry in reversed(self._entries()):
            if entry.text == text.strip() and (entry.audio is audio or (
                    len(entry.audio) == len(audio) and np.array_equal(entry.audio, audio))):
                return entry
        return None


class TurnSignals:
    def __init__(self, config: SessionConfig, smart_turn, perception: PerceptionCache) -> None:
        self.config = config
        self.smart_turn = smart_turn if config.smart_turn else None
        self.perception = perception
        self.history = UserAudio()
        self.profile: SpeakerProfile | None = None
        self.user_level_db: float | None = None  # the enrolled user's speech level
        self.turn_onset: float | None = None  # onset of the user's current turn
        self._to_check: dict[float, float] = {}  # segment start -> when to check it
        self._checked: set[float] = set()  # segments checked at least once

    def audio(self, start: float, end: float) -> np.ndarray:
        return self.history.slice(int(start * SAMPLE_RATE), int(end * SAMPLE_RATE))

    def on_event(self, event, now: float) -> list:
        """Signals caused by a listening event (``now``: when the work starts)."""
        match event:
            case SpeechStarted(start=start):
                self.turn_onset = start if self.turn_onset is None else self.turn_onset
                if self.profile is not None and self.config.speaker_check:
                    self._to_check[start] = start + self.config.speaker_check_after_s
                return self._level(start, now)
            case SpeechEnded(start=start, end=end):
                if start in self._checked:  # no more checks of a finished segment
                    self._to_check.pop(start, None)
                    self._checked.discard(start)
                return self._pause(start, end, now)
            case AsrFinal(segment_start=start, segment_end=end, text=text, language=lang):
                if text.strip():
                    audio = self.audio(start, end)
                    return [self.perception.segment(now, text, audio, lang).estimate]
        return []

    def on_tick(self, now: float) -> list:
        """Speaker checks: each segment once it has enough speech, again with more of it
        while it goes on (the controller keeps the strongest doubt), and a little later
        if it could not be judged yet."""
        checks = []
        for start in [s for s, due in self._to_check.items() if now >= due]:
            del self._to_check[start]
            check = self.profile.check(self.audio(start, now), now, start) \
                if self.profile is not None else None
            if isinstance(check, SpeakerCheck):
                checks.append(check)
                self._checked.add(start)
                if start + CHECK_AGAIN_X * (now - start) <= start + CHECK_LAST_S + 1e-6:
                    self._to_check[start] = start + CHECK_AGAIN_X * (now - start)
                else:
                    self._checked.discard(start)
            elif now - start + CHECK_RETRY_S <= CHECK_GIVE_UP_S:
                self._to_check[start] = now + CHECK_RETRY_S
        return checks

    def turn_taken(self, speech_start: float, speech_end: float) -> None:
        """The user's turn ended: follow the user's speech level, enrol the user's voice
        on the first turn and keep the voice print up to date on later ones."""
        self.turn_onset = None
        if speech_end - speech_start < 1.0:
            return
        audio = self.audio(speech_start, speech_end)
        level = active_level_db(audio)
        if level is not None:
            self.user_level_db = level if self.user_level_db is None else \
                (1 - USER_LEVEL_WEIGHT) * self.user_level_db + USER_LEVEL_WEIGHT * level
        if not self.config.speaker_check:
            return
        if self.profile is not None:
            self.profile = self.profile.learn(audio)
            return
        try:
            self.profile = SpeakerProfile.enroll(audio)
        except ValueError:
            pass  # too little voiced audio: enrol on a later turn

    def _level(self, start: float, now: float) -> list:
        """The onset's level relative to the user (none before the user is known)."""
        level = active_level_db(self.audio(start, now))
        if self.user_level_db is None or level is None:
            return []
        return [VoiceLevel(now, start, round(level - self.user_level_db, 1))]

    def _pause(self, start: float, end: float, now: float) -> list:
        movement = pitch_movement(self.audio(start, end))
        signals: list = [] if movement is None else [FinalPitch(now, start, movement)]
        if self.smart_turn is not None:
            onset = self.turn_onset if self.turn_onset is not None else start
            clip = self.audio(max(0.0, onset - SMART_TURN_LEAD_S), now)
            signals.append(self.smart_turn.predict(clip, now))
        return signals
