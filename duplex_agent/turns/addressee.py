"""Is this speech meant for the agent? Third parties and the user talking to others.

Three cues: the voice (similarity to the enrolled user), the level (relative to the
user's), and the words ("Mom, ...", "Hey Tom", "..., honey?", "I'm on the phone",
"妈，..."), read over the whole transcript. A strong cue rejects on its own; weak cues
reject in pairs. A voice check that never arrived counts as no evidence, so the user
is never rejected for lack of one.
"""

from __future__ import annotations

from dataclasses import replace

from duplex_agent.events import SpeakerCheck
from duplex_agent.turns import lexicon
from duplex_agent.turns.config import AddresseeConfig


def _voice_cues(check: SpeakerCheck | None,
                config: AddresseeConfig) -> tuple[list[str], list[str]]:
    """(strong, weak) cues from the speaker check."""
    strong: list[str] = []
    weak: list[str] = []
    if check is None:
        return strong, weak
    if config.use_speaker and check.similarity < config.doubt_similarity:
        bucket = strong if check.similarity < config.reject_similarity else weak
        bucket.append(f"voice unlike the user ({check.similarity:.2f})")
    if config.use_level and check.relative_level_db < config.doubt_level_db:
        bucket = strong if check.relative_level_db < config.reject_level_db else weak
        bucket.append(f"{check.relative_level_db:.0f} dB below the user")
    return strong, weak


def combine(old: SpeakerCheck | None, new: SpeakerCheck) -> SpeakerCheck:
    """Two checks of one segment (the later one on more of it): the strongest doubt of
    each kind stands, so a voice that sounded unlike the user, or quieter, at any point
    keeps that cue."""
    if old is None:
        return new
    return replace(new, similarity=min(old.similarity, new.similarity),
                   relative_level_db=min(old.relative_level_db, new.relative_level_db))


def judge(check: SpeakerCheck | None, text: str,
          config: AddresseeConfig) -> tuple[str, str] | None:
    """("third_party" | "not_addressed", reason) when the speech is not for the agent."""
    strong, weak = _voice_cues(check, config)
    if strong:
        return "third_party", "; ".join(strong + weak)
    cue = lexicon.addressed_elsewhere(text) if config.use_content else None
    if cue in ("vocative", "aside") or (cue == "phrase" and weak):
        return "not_addressed", "; ".join([f"words address someone else: {text!r}"] + weak)
    if len(weak) >= 2:
        return "third_party", "; ".join(weak)
    return None
