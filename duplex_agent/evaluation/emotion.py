"""Perception quality on the shared recordings (no tuning outside shared/data).

- arousal AUC: acoustic arousal, high (angry, happy, fear, surprise) vs low (neutral, calm, sad);
- 4-class accuracy (neutral / happy / sad / angry) per dataset for text-only, voice-only and
  fused, against chance (0.25);
- laughter vs the other vocalisations in shared/data/laughter: precision and recall, with the
  Whisper tiny.en transcript as the pipeline has it; plus how many speech clips are wrongly
  called laughter.

Each speaker's voice baseline is enrolled from all of that speaker's clips first (no labels
used), as a running baseline would be after some minutes of conversation.
"""

from __future__ import annotations

import collections
from pathlib import Path

from duplex_agent.perception import Perceiver, acoustic, nonverbal
from duplex_agent.perception.text import TextEmotionModel
from streaming.audio import load_audio

HIGH, LOW = {"angry", "happy", "fear", "surprise"}, {"neutral", "calm", "sad"}
FOUR = ("neutral", "happy", "sad", "angry")
ALIASES = {"anger": "angry", "happiness": "happy", "sadness": "sad", "fearful": "fear",
           "surprised": "surprise", "pleasant surprise": "surprise", "fear/anxiety": "fear"}


def label_of(entry: dict) -> str:
    raw = entry["emotion"].lower().split(" (")[0]
    return ALIASES.get(raw, raw)


def speaker_of(entry: dict) -> str:
    name = entry["file"].rsplit("/", 1)[-1]
    return f"emodb-{name[:2]}" if entry["dataset"].startswith("EmoDB") else entry["speaker"]


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def emotion_numbers(data: Path, entries: list[dict]) -> dict:
    text_model = TextEmotionModel()
    audio = {e["file"]: load_audio(data / e["file"]) for e in entries}
    perceivers: dict[str, Perceiver] = {}
    for e in entries:  # enrol each speaker's baseline (unsupervised)
        p = perceivers.setdefault(speaker_of(e), Perceiver(text_model))
        p.baseline.add(acoustic.measure(audio[e["file"]]))
    high, low = [], []
    correct = collections.defaultdict(lambda: collections.Counter())
    for e in entries:
        label, p = label_of(e), perceivers[speaker_of(e)]
        clip, text, lang = audio[e["file"]], e["transcript"], e["language"]
        fused = p.perceive(0.0, text, clip, learn=False, language=lang).estimate
        (high if label in HIGH else low if label in LOW else []).append(fused.arousal)
        if label not in FOUR:
            continue
        voice = p.perceive(0.0, text, clip, use_text=False, learn=False).estimate
        words = p.perceive(0.0, text, None, learn=False, language=lang).estimate
        for name, est in (("fused", fused), ("voice", voice), ("text", words)):
            correct[e["dataset"].split(" ")[0]][name] += est.label == label
        correct[e["dataset"].split(" ")[0]]["n"] += 1
    return {"arousal_auc": round(auc(high, low), 3), "n_high": len(high), "n_low": len(low),
            "four_class": {ds: {k: round(c[k] / c["n"], 3) for k in ("text", "voice", "fused")}
                           | {"n": c["n"], "chance": 0.25} for ds, c in correct.items()}}


def laughter_numbers(data: Path, entries: list[dict]) -> dict:
    from duplex_agent.config import AsrConfig
    from streaming.models import resolve
    from streaming.whisper import WhisperDecoder

    decoder = WhisperDecoder(resolve("asr-tiny.en"), AsrConfig())
    tp = fp = fn = 0
    rows = []
    for path in sorted((data / "laughter").rglob("*.wav")):
        clip = load_audio(path)[:16000 * 29]
        found = nonverbal.detect(clip, decoder.transcribe(clip).text).label == "laughter"
        truth = path.parent.name == "laughing"
        tp, fp, fn = tp + (found and truth), fp + (found and not truth), fn + (truth and not found)
        rows.append((path.parent.name, found))
    speech_fp = sum(nonverbal.detect(load_audio(data / e["file"]), e["transcript"]).label
                    == "laughter" for e in entries)
    return {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3),
            "tp": tp, "fp": fp, "fn": fn, "speech_clips": len(entries),
            "speech_called_laughter": speech_fp, "clips": rows}
