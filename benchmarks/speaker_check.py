"""Speaker check quality and cost: the MFCC statistics vs the neural (GE2E) voice print.

    python benchmarks/speaker_check.py [--lengths 0.5 1.0] [--out FILE.json]

Trials are built within each corpus of ../shared/data (never across corpora, where the
recording channel alone would tell speakers apart): each utterance, trimmed to its
speech, enrols a profile as the session does from a user's first turn; the first 0.5 s
or 1.0 s of speech of every other utterance of the corpus is checked against it.
Corpora: speechbrain_timit_like (2 speakers), RAVDESS actors 01 and 02, EmoDB
(4 speakers), TESS (1 speaker: same-speaker trials only) and the pyannote two-speaker
dialogue (its single-speaker spans from the RTTM, cut into 1.5 s utterances).

For each method and length: the equal-error rate over all trials, balanced accuracy
(mean of the same- and different-speaker hit rates) at the shipped decision point
(similarity 0.5), the miss and false-accept rates there, and the median and fastest
CPU time of one ``SpeakerProfile.compare`` call (a busy machine inflates the median);
then the EER per corpus and how often the user and another speaker fall under the
turn controller's doubt and reject similarities (below "reject" a turn is refused on
the voice alone). The neural calibration (streaming.speaker.NEURAL_MIDPOINTS) was read
off these same trials. Not a test: read the numbers, compare in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from duplex_agent.config import SAMPLE_RATE  # noqa: E402
from duplex_agent.evaluation.clips import rttm_turns, solo_regions, trim_to_speech  # noqa: E402
from duplex_agent.turns.config import AddresseeConfig  # noqa: E402
from streaming.audio import load_audio  # noqa: E402
from streaming.config import SpeakerConfig  # noqa: E402
from streaming.speaker import (  # noqa: E402
    SpeakerProfile,
    distance,
    neural_voiceprint,
    similarity_from_cosine,
    similarity_from_distance,
    voice_features,
)

DATA = ROOT.parent / "shared" / "data"
PYANNOTE_CHUNK_S = 1.5  # the dialogue's single-speaker spans are cut into utterances this long
METHODS = ("mfcc", "neural")


@dataclass(frozen=True)
class Utterance:
    corpus: str
    speaker: str
    name: str
    audio: np.ndarray  # 16 kHz, trimmed to speech


def _speaker(corpus: str, path: Path) -> str:
    if corpus == "timit":
        return path.stem.split("_")[0]
    if corpus == "ravdess":
        return path.stem.split("-")[-1]
    if corpus == "emodb":
        return path.stem[:2]
    return "YAF"


def file_utterances() -> list[Utterance]:
    folders = {"timit": "asr/speechbrain_timit_like", "ravdess": "emotion/ravdess",
               "emodb": "emotion/emodb", "tess": "emotion/tess"}
    return [Utterance(corpus, _speaker(corpus, path), path.stem, trim_to_speech(load_audio(path)))
            for corpus, folder in folders.items() for path in sorted((DATA / folder).glob("*.wav"))]


def dialogue_utterances() -> list[Utterance]:
    folder = DATA / "dialogue" / "pyannote"
    audio = load_audio(folder / "sample.wav")
    turns = rttm_turns(folder / "sample.rttm")
    out = []
    for speaker in sorted({who for who, _, _ in turns}):
        for start, end in solo_regions(turns, speaker):
            for t in np.arange(start, end - PYANNOTE_CHUNK_S + 1e-9, PYANNOTE_CHUNK_S):
                piece = audio[int(t * SAMPLE_RATE):int((t + PYANNOTE_CHUNK_S) * SAMPLE_RATE)]
                out.append(Utterance("pyannote", speaker, f"{speaker}@{t:.1f}", piece))
    return out


def similarities(method: str, enrol: list[Utterance], tests: list[np.ndarray | None]) -> list:
    """Similarity matrix [enrol][test] (None where a test is too short to judge)."""
    if method == "mfcc":
        ref = [voice_features(u.audio) for u in enrol]
        got = [None if a is None else voice_features(a) for a in tests]
        score = lambda r, g: similarity_from_distance(distance(r, g))  # noqa: E731
    else:
        ref = [neural_voiceprint(u.audio) for u in enrol]
        got = [None if a is None else neural_voiceprint(a) for a in tests]
        seconds = max(len(a) for a in tests if a is not None) / SAMPLE_RATE
        score = lambda r, g: similarity_from_cosine(float(r @ g), seconds)  # noqa: E731
    return [[None if g is None else score(r, g) for g in got] for r in ref]


def trials(utterances: list[Utterance], method: str,
           length_s: float) -> list[tuple[str, bool, float]]:
    """(corpus, same speaker?, similarity) for every enrol/test pair within a corpus."""
    out = []
    n = int(length_s * SAMPLE_RATE)
    for corpus in dict.fromkeys(u.corpus for u in utterances):
        group = [u for u in utterances if u.corpus == corpus]
        tests = [u.audio[:n] if len(u.audio) >= n else None for u in group]
        matrix = similarities(method, group, tests)
        out += [(corpus, group[i].speaker == group[j].speaker, matrix[i][j])
                for i in range(len(group)) for j in range(len(group))
                if i != j and matrix[i][j] is not None]
    return out


def equal_error_rate(same: list[float], different: list[float]) -> float:
    """Where the miss rate (same below t) equals the false-accept rate (different >= t)."""
    pos, neg = np.asarray(same), np.asarray(different)
    thresholds = np.unique(np.concatenate([pos, neg]))
    miss = np.array([(pos < t).mean() for t in thresholds])
    false_accept = np.array([(neg >= t).mean() for t in thresholds])
    k = int(np.argmin(np.abs(miss - false_accept)))
    return float((miss[k] + false_accept[k]) / 2)


def cost_ms(method: str, utterances: list[Utterance], length_s: float,
            calls: int = 30) -> tuple[float, float]:
    """(median, fastest) time of one SpeakerProfile.compare on ``length_s`` of speech."""
    usable = [u for u in utterances if len(u.audio) >= length_s * SAMPLE_RATE]
    profile = SpeakerProfile.enroll(usable[0].audio, SpeakerConfig(method=method))
    clips = [u.audio[:int(length_s * SAMPLE_RATE)] for u in usable[1:calls + 1]]
    profile.compare(clips[0])  # warm-up (loads the encoder)
    times = []
    for clip in clips:
        start = time.perf_counter()
        profile.compare(clip)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), 1000 * min(times)


def rate(scores: list[float], below: float) -> float:
    return float(np.mean(np.asarray(scores) < below))


def row(utterances: list[Utterance], method: str, length_s: float) -> dict:
    scored = trials(utterances, method, length_s)
    same = [v for _, y, v in scored if y]
    different = [v for _, y, v in scored if not y]
    per_corpus = {}
    for corpus in dict.fromkeys(c for c, _, _ in scored):
        pos = [v for c, y, v in scored if c == corpus and y]
        neg = [v for c, y, v in scored if c == corpus and not y]
        if pos and neg:
            per_corpus[corpus] = equal_error_rate(pos, neg)
    miss, false_accept = rate(same, 0.5), 1 - rate(different, 0.5)
    cues = AddresseeConfig()
    cost = cost_ms(method, utterances, length_s)
    return {"method": method, "speech_s": length_s, "same": len(same),
            "different": len(different), "eer": equal_error_rate(same, different),
            "accuracy": 1 - (miss + false_accept) / 2, "miss": miss,
            "false_accept": false_accept, "eer_per_corpus": per_corpus,
            "user_doubted": rate(same, cues.doubt_similarity),
            "other_doubted": rate(different, cues.doubt_similarity),
            "user_rejected": rate(same, cues.reject_similarity),
            "other_rejected": rate(different, cues.reject_similarity),
            "ms_per_call": cost[0], "ms_fastest": cost[1]}


def print_tables(rows: list[dict]) -> None:
    print(f"{'method':<8}{'speech':>7}{'trials same/diff':>18}{'EER':>8}{'acc@0.5':>9}"
          f"{'miss':>7}{'FA':>7}{'ms/call':>9}{'fastest':>9}")
    for r in rows:
        print(f"{r['method']:<8}{r['speech_s']:>6.1f}s{r['same']:>10}/{r['different']:<7}"
              f"{100 * r['eer']:>7.1f}%{100 * r['accuracy']:>8.1f}%{100 * r['miss']:>6.1f}%"
              f"{100 * r['false_accept']:>6.1f}%{r['ms_per_call']:>9.1f}{r['ms_fastest']:>9.1f}")
    corpora = list(rows[0]["eer_per_corpus"])
    cues = AddresseeConfig()
    print(f"\nEER per corpus, and the share of trials below the controller's doubt "
          f"({cues.doubt_similarity}) and reject ({cues.reject_similarity}) similarities")
    print(f"{'method':<8}{'speech':>7}" + "".join(f"{c:>10}" for c in corpora)
          + f"{'user<doubt':>12}{'other<doubt':>12}{'user<rej':>10}{'other<rej':>10}")
    for r in rows:
        print(f"{r['method']:<8}{r['speech_s']:>6.1f}s"
              + "".join(f"{100 * r['eer_per_corpus'][c]:>9.1f}%" for c in corpora)
              + f"{100 * r['user_doubted']:>11.1f}%{100 * r['other_doubted']:>11.1f}%"
              f"{100 * r['user_rejected']:>9.1f}%{100 * r['other_rejected']:>9.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[0.5, 1.0],
                        help="seconds of speech checked per trial")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    utterances = file_utterances() + dialogue_utterances()
    counts = {c: sum(u.corpus == c for u in utterances) for c in dict.fromkeys(
        u.corpus for u in utterances)}
    print(f"utterances per corpus: {counts}")
    rows = [row(utterances, method, length) for length in args.lengths for method in METHODS]
    print_tables(rows)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
