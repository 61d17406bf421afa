"""The agent's own backchannels: when one fits a pause, and which one fits the mood.

A backchannel fits a pause in a long user turn that the end-of-turn rule does
not expect to be the end (otherwise the agent should simply take the turn),
and not too soon after the previous one. The words follow the user's mood and
language; distress only ever gets soft ones.
"""

from __future__ import annotations

from duplex_agent.events import EmotionEstimate
from duplex_agent.turns import policy
from duplex_agent.turns.config import BackchannelConfig

# (language, mood) -> options in order of preference, each (text, tone, kind); the kind
# names the voice's pre-synthesised clip (prompts/backchannels/).
OPTIONS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("en", "distress"): [("mm", "soft", "continuer"), ("oh no", "soft", "sympathy")],
    ("en", "upset"): [("I see", "calm", "understanding"), ("mm", "calm", "continuer")],
    ("en", "cheerful"): [("oh nice", "bright", "surprise"), ("ha", "bright", "agreement")],
    ("en", "surprise"): [("oh wow", "bright", "surprise"), ("really", "bright", "surprise")],
    ("en", "neutral"): [("mm-hm", "neutral", "continuer"), ("uh-huh", "neutral", "continuer"),
                        ("right", "neutral", "agreement")],
    ("zh", "distress"): [("嗯", "soft", "continuer"), ("唉", "soft", "sympathy")],
    ("zh", "upset"): [("我明白", "calm", "understanding"), ("嗯", "calm", "continuer")],
    ("zh", "cheerful"): [("哇", "bright", "surprise"), ("真好", "bright", "agreement")],
    ("zh", "surprise"): [("天哪", "bright", "surprise"), ("真的啊", "bright", "surprise")],
    ("zh", "neutral"): [("嗯", "neutral", "continuer"), ("嗯嗯", "neutral", "continuer"),
                        ("对", "neutral", "agreement")],
}
CHEERFUL_TONES = {"bright"}


def choose(emotion: EmotionEstimate | None, language: str,
           previous: str = "") -> tuple[str, str, str]:
    """(text, tone, kind) for the user's mood and language, not repeating ``previous``."""
    lang = "zh" if language.startswith("zh") else "en"
    mood = policy.mood(emotion)
    options = OPTIONS[(lang, mood)]
    if mood == "distress" and emotion is not None and emotion.intensity >= 0.6:
        options = options[::-1]  # strong distress: "oh no" before "mm"
    return next((o for o in options if o[0] != previous), options[0])


def fits(pause_s: float, turn_s: float, since_last_s: float, wait_s: float,
         config: BackchannelConfig) -> bool:
    """Does a backchannel fit now, ``pause_s`` into a pause of a ``turn_s`` long turn?

    ``wait_s`` is the silence after which the turn would be taken. A backchannel
    belongs to long turns and long pauses only: a short one lands in the user's
    breath between two words and is heard as talking over them.
    """
    return (config.enabled and turn_s >= config.min_turn_s
            and since_last_s >= config.min_gap_s and pause_s >= config.pause_s
            and wait_s >= config.pause_s + config.margin_s and pause_s < wait_s)
