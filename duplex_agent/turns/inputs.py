"""Turn-taking inputs the session measures besides the listening events.

Frozen, slotted dataclasses stamped with stream time, like every event.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoiceLevel:
    """The level of the speech segment that began at ``segment_start``, measured over its
    first moments (as soon as the VAD confirms it), relative to the enrolled user's level
    in dB (0 = as loud as the user; -10 = a background voice). Sent only once the user is
    enrolled; without it a voice counts as the user's."""

    time: float
    segment_start: float
    relative_db: float
