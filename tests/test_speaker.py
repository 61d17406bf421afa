"""The speaker check on real recordings (two-speaker dialogue, TIMIT pairs): the neural
voice print (default) against the MFCC statistics (fallback).

The numbers are printed (run with -s) and asserted loosely. The MFCC check is cheap
and weak (the two pyannote speakers have the same median pitch); the neural check
must beat it clearly. ``benchmarks/speaker_check.py`` gives the full comparison.
"""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np
import pytest

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.errors import UserError
from streaming.audio import load_audio
from streaming.config import SpeakerConfig
from streaming.models import ModelMissingError
from streaming.speaker import (
    SpeakerProfile,
    distance,
    neural_voiceprint,
    similarity_from_distance,
    voice_features,
)
from streaming.voiceprint import load_encoder

CHUNK_S = 1.0  # the check judges about a second of a segment
METHODS = ("neural", "mfcc")


def auc(positive: list[float], negative: list[float]) -> float:
    """P(a random positive scores above a random negative), ties count half."""
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None]
    return float((pos > neg).mean() + 0.5 * (pos == neg).mean())


def rttm_turns(path) -> list[tuple[float, float, str]]:
    turns = []
    for line in path.read_text().splitlines():
        fields = line.split()
        start, length = float(fields[3]), float(fields[4])
        turns.append((start, start + length, fields[7]))
    return turns


def single_speaker_chunks(turns) -> list[tuple[float, float, str]]:
    """Each turn minus any overlap with the other speaker, cut into ~1 s chunks."""
    chunks = []
    for start, end, who in turns:
        for o_start, o_end, other in turns:
            if other != who and o_start < end and start < o_end:
                start, end = (max(start, o_end), end) if o_start <= start else (start, o_start)
        t = start
        while end - t >= 0.8 * CHUNK_S:
            chunks.append((t, min(t + CHUNK_S, end), who))
            t += CHUNK_S
    return chunks


def pairwise_auc(chunks, score) -> float:
    same, different = [], []
    for i, j in itertools.permutations(range(len(chunks)), 2):
        (same if chunks[i][2] == chunks[j][2] else different).append(score(i, j))
    return auc(same, different)


@pytest.fixture(scope="module")
def dialogue(shared_data):
    folder = shared_data / "dialogue" / "pyannote"
    audio = load_audio(folder / "sample.wav")
    chunks = single_speaker_chunks(rttm_turns(folder / "sample.rttm"))
    pieces = [audio[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)] for s, e, _ in chunks]
    return audio, chunks, pieces


@pytest.fixture(scope="module")
def timit(shared_data):
    """The ten sentences, trimmed to their speech (silero)."""
    from duplex_agent.evaluation.clips import trim_to_speech

    folder = shared_data / "asr" / "speechbrain_timit_like"
    return {p.stem: trim_to_speech(load_audio(p)) for p in sorted(folder.glob("*.wav"))}


def test_neural_separates_the_dialogue_speakers_far_better_than_mfcc(dialogue):
    _, chunks, pieces = dialogue
    prints = [neural_voiceprint(p) for p in pieces]
    features = [voice_features(p) for p in pieces]
    neural = pairwise_auc(chunks, lambda i, j: float(prints[i] @ prints[j]))
    mfcc = pairwise_auc(chunks, lambda i, j: similarity_from_distance(
        distance(features[i], features[j])))
    print(f"\npyannote sample, {len(chunks)} chunks of ~{CHUNK_S} s: pairwise same-vs-different "
          f"AUC neural {neural:.3f}, MFCC {mfcc:.3f}")
    assert mfcc > 0.65
    assert neural > 0.85 and neural > mfcc + 0.1


@pytest.mark.parametrize("method", METHODS)
def test_enrolled_user_against_later_segments(dialogue, method):
    audio, chunks, _ = dialogue
    results = []
    for user in sorted({who for *_, who in chunks}):
        mine = [c for c in chunks if c[2] == user][:3]  # ~3 s of the user's first speech
        profile = SpeakerProfile.enroll(np.concatenate(
            [audio[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)] for s, e, _ in mine]),
            SpeakerConfig(method=method))
        later = [c for c in chunks if c[0] >= mine[-1][1]]
        scores = {c: profile.compare(audio[int(c[0] * SAMPLE_RATE):int(c[1] * SAMPLE_RATE)])[0]
                  for c in later}
        same = [v for c, v in scores.items() if c[2] == user]
        other = [v for c, v in scores.items() if c[2] != user]
        results.append(auc(same, other))
        print(f"\n{method}: enrolled {user} on {len(mine)} s: later user chunks "
              f"{np.round(same, 2)}, other speaker {np.round(other, 2)}, AUC {results[-1]:.2f}")
    assert np.mean(results) > (0.9 if method == "neural" else 0.6)


@pytest.mark.parametrize("seconds", [None, 0.5])
def test_tells_the_two_timit_speakers_apart(timit, seconds):
    """Whole sentences against each other, and each sentence against 0.5 s of the
    others: the neural check judges a voice from half a second."""
    n = None if seconds is None else int(seconds * SAMPLE_RATE)
    prints = {k: neural_voiceprint(a) for k, a in timit.items()}
    short = {k: neural_voiceprint(a[:n]) for k, a in timit.items()}
    features = {k: voice_features(a) for k, a in timit.items()}
    short_features = {k: voice_features(a[:n]) for k, a in timit.items()}
    scores = {"neural": ([], []), "mfcc": ([], [])}
    for a, b in itertools.permutations(timit, 2):
        index = 0 if a[:4] == b[:4] else 1
        scores["neural"][index].append(float(prints[a] @ short[b]))
        scores["mfcc"][index].append(-distance(features[a], short_features[b]))
    values = {method: auc(*pair) for method, pair in scores.items()}
    print(f"\nTIMIT-like spk1 vs spk2 (5 sentences each), tested on {seconds or 'all'} s: "
          f"AUC neural {values['neural']:.3f}, MFCC {values['mfcc']:.3f}")
    assert values["neural"] > (0.95 if seconds is None else 0.85)
    if seconds is None:
        assert values["mfcc"] > 0.85


def test_learning_a_confident_turn_updates_the_voice_print_and_a_stranger_does_not(timit):
    profile = SpeakerProfile.enroll(timit["spk1_snt1"])
    learned = profile.learn(timit["spk1_snt2"])
    assert learned.turns == 2 and profile.turns == 1
    assert not np.allclose(learned.voiceprint, profile.voiceprint)
    assert profile.learn(timit["spk2_snt1"]) is profile
    before, after = profile.compare(timit["spk1_snt3"])[0], learned.compare(timit["spk1_snt3"])[0]
    print(f"\nspk1_snt3 against spk1 enrolled on 1 sentence {before:.3f}, on 2 {after:.3f}")
    assert after > 0.5


@pytest.mark.parametrize("method", METHODS)
def test_level_is_relative_to_the_user_and_does_not_change_similarity(timit, method):
    audio = timit["spk1_snt1"]
    profile = SpeakerProfile.enroll(audio, SpeakerConfig(method=method))
    quiet = profile.check(audio * 10 ** (-15 / 20), time=3.0, segment_start=0.2)
    assert quiet is not None and quiet.segment_start == 0.2
    assert abs(quiet.relative_level_db + 15) < 0.5
    assert quiet.similarity > 0.9
    assert abs(quiet.level_db - (profile.features.level_db - 15)) < 0.5


@pytest.mark.parametrize("method", METHODS)
def test_silence_and_too_short_audio_are_not_judged(method):
    config = SpeakerConfig(method=method)
    profile = SpeakerProfile.enroll(np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE)
                                    .astype(np.float32), config)
    assert profile.compare(np.zeros(SAMPLE_RATE, np.float32)) is None
    assert profile.compare(np.ones(800, np.float32)) is None
    with pytest.raises(ValueError):
        SpeakerProfile.enroll(np.zeros(SAMPLE_RATE, np.float32), config)


def test_a_missing_resemblyzer_is_one_clear_line(monkeypatch):
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "resemblyzer" else real_find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    load_encoder.cache_clear()
    try:
        with pytest.raises(ModelMissingError) as caught:
            SpeakerProfile.enroll(np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE)
                                  .astype(np.float32))
    finally:
        load_encoder.cache_clear()
    message = str(caught.value)
    assert isinstance(caught.value, UserError)  # the CLI prints it as one line, exit 2
    assert "\n" not in message
    assert "pip install --no-deps resemblyzer==" in message
