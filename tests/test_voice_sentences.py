"""The team-written sentences for the voice's round-trip and delivery checks (also used by
benchmarks/voice_delivery.py and benchmarks/tts_latency.py)."""

from __future__ import annotations

SENTENCES = (
    "I'm so sorry to hear that, it sounds like a really hard week.",
    "That's wonderful news, congratulations on the new job!",
    "Take a deep breath, we can go through it one step at a time.",
    "It makes sense that you feel frustrated after waiting so long.",
    "Losing a pet is painful, and it's okay to miss her.",
    "Wow, you finished the marathon, that's amazing!",
    "I understand, nobody likes being ignored by their friends.",
    "Would you like to talk about what happened at the meeting?",
    "You did everything you could, and that matters.",
    "It sounds like the exam went better than you expected.",
    "I can hear how tired you are, maybe rest a little tonight.",
    "Moving to a new city can feel lonely at first.",
    "That must have been frightening, are you safe now?",
    "I'm glad your sister called you back this morning.",
    "Let's think about what would help you feel calmer.",
    "Your garden sounds beautiful in the spring.",
    "It's natural to feel nervous before a big interview.",
    "Thank you for telling me, I know that wasn't easy.",
    "The rain ruined the picnic, but the company was good.",
    "Whatever you decide, I'm here to listen.",
)

# About six seconds of speech in the neutral style: the cancellation check stops it at 2 s.
LONG_REPLY = ("I hear you, and I'm really sorry about the way this week has gone for you. "
              "It makes sense that you feel tired right now.")


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation to spaces (for WER)."""
    kept = "".join(ch if ch.isalnum() or ch.isspace() else " "
                   for ch in text.lower().replace("'", "").replace("\u2019", ""))
    return " ".join(kept.split())


def test_twenty_distinct_sentences():
    assert len(set(SENTENCES)) == 20
    assert all(s[-1] in ".!?" for s in SENTENCES)
