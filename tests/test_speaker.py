"""The speaker-characteristics check on real recordings (two-speaker dialogue, TIMIT pairs).

The numbers are printed (run with -s) and asserted only loosely: this is a
cheap check, and the two pyannote speakers have the same median pitch.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from duplex_agent.config import SAMPLE_RATE
from streaming.audio import load_audio
from streaming.speaker import SpeakerProfile, distance, similarity_from_distance, voice_features

CHUNK_S = 1.0  # the check judges about a second of a segment


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


@pytest.fixture(scope="module")
def dialogue(shared_data):
    folder = shared_data / "dialogue" / "pyannote"
    audio = load_audio(folder / "sample.wav")
    chunks = single_speaker_chunks(rttm_turns(folder / "sample.rttm"))
    features = [voice_features(audio[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)])
                for s, e, _ in chunks]
    return audio, chunks, features


def test_same_vs_different_speaker_pairs(dialogue):
    _, chunks, features = dialogue
    same, different = [], []
    for i, j in itertools.permutations(range(len(chunks)), 2):
        score = similarity_from_distance(distance(features[i], features[j]))
        (same if chunks[i][2] == chunks[j][2] else different).append(score)
    value = auc(same, different)
    print(f"\npyannote sample, {len(chunks)} chunks of ~{CHUNK_S} s: pairwise same-vs-different "
          f"AUC {value:.3f}; median similarity same {np.median(same):.2f}, "
          f"different {np.median(different):.2f}")
    assert value > 0.65


def test_enrolled_user_against_later_segments(dialogue):
    audio, chunks, _ = dialogue
    results = []
    for user in sorted({who for *_, who in chunks}):
        mine = [c for c in chunks if c[2] == user][:3]  # ~3 s of the user's first speech
        profile = SpeakerProfile.enroll(np.concatenate(
            [audio[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)] for s, e, _ in mine]))
        later = [c for c in chunks if c[0] >= mine[-1][1]]
        scores = {c: profile.compare(audio[int(c[0] * SAMPLE_RATE):int(c[1] * SAMPLE_RATE)])[0]
                  for c in later}
        same = [v for c, v in scores.items() if c[2] == user]
        other = [v for c, v in scores.items() if c[2] != user]
        results.append(auc(same, other))
        print(f"\nenrolled {user} on {len(mine)} s: later user chunks {np.round(same, 2)}, "
              f"other speaker {np.round(other, 2)}, AUC {results[-1]:.2f}")
    assert np.mean(results) > 0.6


def test_tells_the_two_timit_speakers_apart(shared_data):
    folder = shared_data / "asr" / "speechbrain_timit_like"
    features = {p.stem: voice_features(load_audio(p)) for p in sorted(folder.glob("*.wav"))}
    same, different = [], []
    for a, b in itertools.permutations(features, 2):
        score = similarity_from_distance(distance(features[a], features[b]))
        (same if a[:4] == b[:4] else different).append(score)
    value = auc(same, different)
    print(f"\nTIMIT-like spk1 vs spk2 (5 sentences each): AUC {value:.3f}")
    assert value > 0.85


def test_level_is_relative_to_the_user_and_does_not_change_similarity(shared_data):
    audio = load_audio(shared_data / "asr" / "speechbrain_timit_like" / "spk1_snt1.wav")
    profile = SpeakerProfile.enroll(audio)
    quiet = profile.check(audio * 10 ** (-15 / 20), time=3.0, segment_start=0.2)
    assert quiet is not None and quiet.segment_start == 0.2
    assert abs(quiet.relative_level_db + 15) < 0.5
    assert quiet.similarity > 0.9
    assert abs(quiet.level_db - (profile.features.level_db - 15)) < 0.5


def test_silence_and_too_short_audio_are_not_judged():
    profile = SpeakerProfile.enroll(np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE)
                                    .astype(np.float32))
    assert profile.compare(np.zeros(SAMPLE_RATE, np.float32)) is None
    assert profile.compare(np.ones(800, np.float32)) is None
    with pytest.raises(ValueError):
        SpeakerProfile.enroll(np.zeros(SAMPLE_RATE, np.float32))
