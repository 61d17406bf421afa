"""Reference-aware echo gating: the agent's own playback is never user speech.

The session reports what the speaker plays (``PlaybackReference``: level and
words, for replies and backchannels alike). Microphone speech is echo when its
words are mostly words the agent just played, or when it arrives while the
agent plays, at a level the echo path explains, from a voice unlike the user.
"""

from __future__ import annotations

from collections import deque

from duplex_agent.events import PlaybackReference, SpeakerCheck
from duplex_agent.turns import lexicon
from duplex_agent.turns.config import EchoConfig

HISTORY_S = 10.0  # playback older than this is forgotten


def _units(text: str) -> list[str]:
    """Words (English) and characters (Chinese): what text overlap is measured in."""
    return lexicon.words(text) + list(lexicon.cjk(text))


class EchoReference:
    """A rolling window of what the agent played."""

    def __init__(self, config: EchoConfig) -> None:
        self.config = config
        self._played: deque[PlaybackReference] = deque()

    def add(self, reference: PlaybackReference) -> None:
        self._played.append(reference)
        while self._played and self._played[0].time < reference.time - HISTORY_S:
            self._played.popleft()

    def level_during(self, start: float, now: float) -> float | None:
        """Loudest playback that could echo into speech from ``start`` to ``now`` (dBFS)."""
        levels = [p.level_db for p in self._played
                  if start - self.config.window_s <= p.time <= now]
        return max(levels) if levels else None

    def text_overlap(self, text: str, now: float) -> float:
        """Share of the text's words that the agent played recently (0 if too short)."""
        units = _units(text)
        if len(units) < 2:
            return 0.0
        played = {u for p in self._played if p.time >= now - self.config.text_window_s
                  for u in _units(p.text)}
        return sum(u in played for u in units) / len(units)

    def judge(self, start: float, now: float, text: str, check: SpeakerCheck | None,
              doubt_similarity: float) -> str | None:
        """Why the speech from ``start`` is echo, or None if it is not."""
        if not self.config.enabled:
            return None
        overlap = self.text_overlap(text, now)
        if overlap >= self.config.text_overlap:
            return f"{overlap:.0%} of its words were just played"
        level = self.level_during(start, now)
        if level is None or check is None or check.similarity >= doubt_similarity:
            return None
        ceiling = level + self.config.coupling_db + self.config.margin_db
        if check.level_db <= ceiling:
            return (f"{check.level_db:.0f} dB during playback at {level:.0f} dB, "
                    f"voice unlike the user ({check.similarity:.2f})")
        return None

    def playing(self, start: float, now: float) -> bool:
        """Could playback have reached the microphone between ``start`` and ``now``?"""
        return self.config.enabled and self.level_during(start, now) is not None
