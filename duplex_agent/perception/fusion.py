"""Fuse words, voice and nonverbal events into one EmotionEstimate.

Each source gives a distribution over the agent's label set, weighted by how
much it can be trusted this time: confident emotional words weigh most; the
voice weighs more when the words are neutral (a flat sentence said angrily);
laughter, sighs and crying add direct evidence. When the words and the voice
point to opposite feelings (sarcasm, "I'm fine" said sadly) the estimate
follows the voice and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from duplex_agent.events import EmotionEstimate
from duplex_agent.perception.text import LABELS, TextEmotion

VALENCE = {"neutral": 0.0, "happy": 0.7, "surprise": 0.3, "sad": -0.6, "angry": -0.6,
           "fear": -0.6, "disgust": -0.6}
AROUSAL = {"neutral": 0.0, "happy": 0.5, "surprise": 0.6, "sad": -0.4, "angry": 0.7,
           "fear": 0.6, "disgust": 0.2}
# The voice tells neutral / sad / happy / angry; spread the two high-arousal profiles over
# the labels that sound alike (happy ~ surprise; angry ~ fear ~ disgust).
VOCAL_SPREAD = {"neutral": {"neutral": 1.0}, "sad": {"sad": 1.0},
                "happy": {"happy": 0.7, "surprise": 0.3},
                "angry": {"angry": 0.7, "fear": 0.2, "disgust": 0.1}}
NONVERBAL_EVIDENCE = {"laughter": ("happy", 0.6), "sigh": ("sad", 0.35),
                      "crying": ("sad", 0.7)}
MIN_VOCAL_TRUST = 0.5  # voice top probability needed to call words and voice incongruent


@dataclass(frozen=True)
class VocalReading:
    distribution: dict[str, float]  # over neutral / sad / happy / angry
    arousal: float  # -1..1 against the speaker's baseline
    weight: float  # 0..1: how much speech it rests on


def fuse(time: float, text: TextEmotion | None, vocal: VocalReading | None,
         nonverbal: tuple[str, ...] = ()) -> EmotionEstimate:
    sources = _weighted_sources(text, vocal, nonverbal)
    fused = {label: sum(w * dist.get(label, 0.0) for _, w, dist in sources) for label in LABELS}
    total = sum(fused.values()) or 1.0
    fused = {k: v / total for k, v in fused.items()}
    label = max(fused, key=fused.get)
    driver = max(sources, key=lambda s: s[1] * s[2].get(label, 0.0))[0] if sources else "none"
    incongruent, note = _incongruence(text, vocal)
    if incongruent and vocal is not None:
        label, driver = _vocal_top(vocal), "voice"
    arousal = vocal.arousal if vocal is not None else AROUSAL[label]
    valence = _valence(label, text)
    ranked = sorted(fused.values(), reverse=True)
    return EmotionEstimate(
        time=time, label=label, intensity=round(_intensity(label, fused[label], arousal), 3),
        valence=round(valence, 3), arousal=round(arousal, 3),
        confidence=round(min(1.0, ranked[0] - ranked[1] + 0.2), 3), driver=driver,
        incongruent=incongruent, note=note)


def _weighted_sources(text: TextEmotion | None, vocal: VocalReading | None,
                      nonverbal: tuple[str, ...]) -> list[tuple[str, float, dict[str, float]]]:
    sources = []
    if text is not None and text.clean_text:
        emotional = text.label != "neutral"
        weight = 0.3 + 0.7 * text.confidence if emotional else 0.1  # flat words say little
        sources.append(("text", weight, text.distribution))
    if vocal is not None and vocal.weight > 0:
        spread: dict[str, float] = {}
        for vocal_label, p in vocal.distribution.items():
            for label, share in VOCAL_SPREAD[vocal_label].items():
                spread[label] = spread.get(label, 0.0) + p * share
        sources.append(("voice", 0.6 * vocal.weight, spread))
    for event in dict.fromkeys(nonverbal):
        if event in NONVERBAL_EVIDENCE:
            label, weight = NONVERBAL_EVIDENCE[event]
            sources.append((event, weight, {label: 1.0}))
    return sources


def _vocal_top(vocal: VocalReading) -> str:
    return max(vocal.distribution, key=vocal.distribution.get)


def _sign(label: str) -> int:
    return (VALENCE[label] > 0.2) - (VALENCE[label] < -0.2)


def _incongruence(text: TextEmotion | None, vocal: VocalReading | None) -> tuple[bool, str]:
    if text is None or vocal is None or not text.clean_text or vocal.weight < 0.5:
        return False, ""
    voice = _vocal_top(vocal)
    if voice == "neutral" or vocal.distribution[voice] < MIN_VOCAL_TRUST:
        return False, ""
    words_sign = _sign(text.label) if text.label != "neutral" else (text.valence > 0.3) * 1
    if words_sign >= 0 and _sign(voice) < 0 and (text.label != "neutral" or text.valence > 0.3):
        return True, f"the words sound {text.label if text.label != 'neutral' else 'fine'} " \
                     f"but the voice sounds {voice}"
    if words_sign > 0 and voice == "sad":
        return True, f"the words sound {text.label} but the voice sounds sad"
    return False, ""


def _valence(label: str, text: TextEmotion | None) -> float:
    prior = VALENCE[label]
    if text is None or not text.clean_text:
        return prior
    return max(-1.0, min(1.0, 0.6 * prior + 0.4 * text.valence))


def _intensity(label: str, probability: float, arousal: float) -> float:
    if label == "neutral":
        return 0.2
    chance = 1 / len(LABELS)
    strength = max(0.0, (probability - chance) / (1 - chance))
    return max(0.0, min(1.0, 0.3 + 0.5 * strength + 0.2 * abs(arousal)))
