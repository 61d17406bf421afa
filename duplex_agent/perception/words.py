"""The voice in words, for the IEAT model's input: "low, slow, soft, falling".

Each cue is named only when it stands out against this speaker's own baseline
(|z| >= ``STANDS_OUT``); the pitch at the end of the turn is named when it moves by more
than ``END_MOVE_ST`` semitones. "usual" when nothing stands out, "unknown" with no audio.
"""

from __future__ import annotations

from duplex_agent.perception.acoustic import AcousticCues

STANDS_OUT = 1.0  # z-score against the speaker's baseline
END_MOVE_ST = 2.0  # final pitch movement, semitones
# (feature, word when high, word when low), in the order the words are listed.
AXES = (("f0_median_st", "high", "low"), ("f0_range_st", "lively", "flat"),
        ("rate_sps", "fast", "slow"), ("energy_db", "loud", "soft"),
        ("alpha_ratio_db", "tense", None))


def cue_words(cues: AcousticCues | None, z: dict[str, float]) -> tuple[str, ...]:
    """The cue words for one segment (see the module docstring)."""
    if cues is None:
        return ("unknown",)
    words = []
    for feature, high, low in AXES:
        value = z.get(feature, 0.0)
        if value >= STANDS_OUT and high:
            words.append(high)
        elif value <= -STANDS_OUT and low:
            words.append(low)
    if cues.f0_end_st >= END_MOVE_ST:
        words.append("rising")
    elif cues.f0_end_st <= -END_MOVE_ST:
        words.append("falling")
    return tuple(words) or ("usual",)
