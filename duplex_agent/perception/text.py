"""Emotion from the words: MiniLM similarity to label prototypes plus VADER valence
(English), a cue-word lexicon (Chinese), and nonverbal tags such as ``[laughter]``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from duplex_agent.prompts import load_pairs

LABELS = ("neutral", "happy", "sad", "angry", "fear", "surprise", "disgust")
TAG = re.compile(r"[\[<(（【]\s*([a-zA-Z\u4e00-\u9fff _-]+?)\s*[\]>)）】]")
TAG_NAMES = {"laughter": "laughter", "laugh": "laughter", "laughing": "laughter", "笑": "laughter",
             "笑声": "laughter", "sigh": "sigh", "sighs": "sigh", "叹气": "sigh",
             "crying": "crying", "cry": "crying", "sob": "crying", "哭": "crying",
             "哭泣": "crying", "breath": "breath"}
SIMILARITY_SCALE = 12.0  # softmax sharpness over cosine similarities
NEUTRAL_FLOOR = 0.35  # text must resemble a feeling more than this to leave neutral


@dataclass(frozen=True)
class TextEmotion:
    distribution: dict[str, float]  # probability per label
    valence: float  # -1..1 (VADER compound for English, lexicon balance for Chinese)
    confidence: float  # 0..1: how clearly one label wins
    tags: tuple[str, ...]  # nonverbal tags found in the text
    clean_text: str  # the text without tags

    @property
    def label(self) -> str:
        return max(self.distribution, key=self.distribution.get)


def split_tags(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove ``[laughter]``-style tags; return the clean text and the known tags."""
    tags = tuple(TAG_NAMES[m.lower()] for m in TAG.findall(text) if m.lower() in TAG_NAMES)
    return " ".join(TAG.sub(" ", text).split()), tags


def is_chinese(text: str) -> bool:
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return han > 0 and han >= 0.3 * sum(ch.isalnum() for ch in text)


class TextEmotionModel:
    """Loads MiniLM once (lazily); ``estimate(text)`` is then ~10 ms per sentence."""

    def __init__(self) -> None:
        self._encoder = None
        self._prototypes: np.ndarray | None = None
        self._labels: list[str] = []

    def _load(self) -> None:
        from sentence_transformers import SentenceTransformer

        from streaming.models import resolve

        model_dir = resolve("text-emotion").parent
        self._encoder = SentenceTransformer(str(model_dir), device="cpu")
        pairs = load_pairs("emotion/prototypes_en.txt")
        self._labels = [label for label, _ in pairs]
        self._prototypes = self._encode([sentence for _, sentence in pairs])

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Unit-length MiniLM sentence vectors (loads the model on first use)."""
        if self._encoder is None:
            self._load()
        return self._encode(sentences)

    def _encode(self, sentences: list[str]) -> np.ndarray:
        assert self._encoder is not None
        return self._encoder.encode(sentences, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)

    def estimate(self, text: str) -> TextEmotion:
        clean, tags = split_tags(text)
        if not clean.strip():
            return TextEmotion(_neutral(), 0.0, 0.0, tags, clean)
        if is_chinese(clean):
            distribution, valence = lexicon_estimate(clean)
        else:
            distribution, valence = self._english(clean)
        return TextEmotion(distribution, valence, _confidence(distribution), tags, clean)

    def _english(self, text: str) -> tuple[dict[str, float], float]:
        if self._encoder is None:
            self._load()
        assert self._prototypes is not None
        similarity = self._prototypes @ self._encode([text])[0]
        best = {label: -1.0 for label in LABELS}
        for label, sim in zip(self._labels, similarity):
            best[label] = max(best[label], float(sim))
        best["neutral"] = max(best["neutral"], NEUTRAL_FLOOR)
        return _softmax({k: SIMILARITY_SCALE * v for k, v in best.items()}), vader_valence(text)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_valence(text: str) -> float:
    return float(_vader().polarity_scores(text)["compound"])


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, list[str]]:
    return {label: words.split() for label, words in load_pairs("emotion/lexicon_zh.txt")}


def lexicon_counts(text: str) -> dict[str, float]:
    """Chinese cue words per label, skipping ones right after 不/没."""
    counts = {label: 0.0 for label in LABELS}
    for label, words in _lexicon().items():
        for word in words:
            for match in re.finditer(re.escape(word), text):
                if text[max(0, match.start() - 1):match.start()] not in ("不", "没"):
                    counts[label] += 1
    return counts


def lexicon_hits(text: str) -> int:
    return int(sum(lexicon_counts(text).values()))


def lexicon_estimate(text: str) -> tuple[dict[str, float], float]:
    """Chinese: a distribution from cue-word counts, and their valence balance."""
    counts = lexicon_counts(text)
    counts["neutral"] = 0.5
    positive = counts["happy"] + 0.5 * counts["surprise"]
    negative = counts["sad"] + counts["angry"] + counts["fear"] + counts["disgust"]
    valence = (positive - negative) / (positive + negative + 1.0)
    return _softmax({k: 2.0 * v for k, v in counts.items()}), valence


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _neutral() -> dict[str, float]:
    return {label: 1.0 if label == "neutral" else 0.0 for label in LABELS}


def _confidence(distribution: dict[str, float]) -> float:
    first, second = sorted(distribution.values(), reverse=True)[:2]
    return float(first - second)
