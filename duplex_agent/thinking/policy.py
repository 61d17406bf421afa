"""What the user likely needs, how to respond, and how to sound: from the emotion,
its intensity and how it changed. Needs and strategy names follow common
empathetic-response taxonomies (validation, reflection, reassurance, shared joy).
"""

from __future__ import annotations

from duplex_agent.thinking.thought import VoiceHint

VALENCE = {"neutral": 0, "happy": 1, "surprise": 0, "sad": -1, "angry": -1, "fear": -1,
           "disgust": -1}
NEEDS = {
    "en": {"neutral": "a listening ear", "happy": "to share the good news",
           "sad": "comfort and to feel understood", "angry": "to be heard and taken seriously",
           "fear": "reassurance and a sense of safety", "surprise": "to make sense of it",
           "disgust": "to have the reaction acknowledged"},
    "zh": {"neutral": "有人倾听", "happy": "分享喜悦", "sad": "安慰和被理解",
           "angry": "被倾听和重视", "fear": "安心和安全感", "surprise": "弄明白发生了什么",
           "disgust": "感受被认可"},
}
BASE_STRATEGY = {"neutral": "ask", "happy": "celebrate", "sad": "validate", "angry": "validate",
                 "fear": "calm", "surprise": "reflect", "disgust": "validate"}
# The agent does not mirror anger or fear: it answers them calmly.
VOICE_FOR = {"neutral": "neutral", "happy": "happy", "surprise": "happy", "sad": "sad",
             "angry": "calm", "fear": "calm", "disgust": "calm"}
FEELING_WORD = {
    "en": {"neutral": "okay", "happy": "happy", "sad": "sad", "angry": "angry",
           "fear": "worried", "surprise": "surprised", "disgust": "upset"},
    "zh": {"neutral": "平静", "happy": "开心", "sad": "难过", "angry": "生气", "fear": "担心",
           "surprise": "惊讶", "disgust": "反感"},
}


def shift(previous: str | None, current: str) -> str:
    if previous is None:
        return f"first turn: {current}"
    if previous == current:
        return f"still {current}"
    delta = VALENCE[current] - VALENCE[previous]
    trend = "better" if delta > 0 else "worse" if delta < 0 else "different"
    return f"{previous} -> {current} ({trend})"


def strategy(emotion: str, intensity: float, previous: str | None, incongruent: bool) -> str:
    if incongruent:
        return "check_in"
    if previous is not None and VALENCE[previous] < 0 <= VALENCE[emotion] and emotion != "happy":
        return "encourage"
    if emotion == "sad" and intensity < 0.5:
        return "reflect"
    if emotion == "angry" and intensity >= 0.75:
        return "calm"
    return BASE_STRATEGY[emotion]


def voice(emotion: str, intensity: float) -> VoiceHint:
    preset = VOICE_FOR[emotion]
    return VoiceHint(preset, round(min(1.0, 0.4 + 0.6 * intensity), 2) if preset != "neutral"
                     else 0.0)


def need(emotion: str, language: str) -> str:
    return NEEDS["zh" if language.startswith("zh") else "en"][emotion]


def feeling_word(emotion: str, language: str) -> str:
    return FEELING_WORD["zh" if language.startswith("zh") else "en"][emotion]
