"""Disfluent user turns built from real recordings: the agent must hold the floor.

People pause inside their turns: after a filler ("At least, um, ... you know"),
between the parts of a list ("ask not what your country can do for you, ... ask what
you can do for your country"), before the rest of a clause ("Drop the two ... when you
add the figures"). Each scenario here is one real speaker's real turn with such a
pause lengthened by 0.7-1.0 s, filled with that recording's own room tone, never
digital silence. Each cut was placed with Whisper base (word times, then each half
transcribed alone to check that it says exactly the words below) and is moved to the
quietest 10 ms near the word boundary, so no word is clipped. A hesitation ("So I
was, uh, ...") and a self-correction that no shared recording contains are SYNTHETIC
(Piper), marked as such in their source.

The agent succeeds when its first speech starts after the end of the whole turn
(HumDial Pause_Handling); ``SMOOTH`` gives the same speakers' plain turn
ends, to time the answer after a real end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.evaluation import timing
from duplex_agent.evaluation.clips import (
    PYANNOTE,
    USER_LEVEL_DBFS,
    Clip,
    at_level,
    data_dir,
    synth_clip,
)

SNAP_S = 0.06  # a cut moves to the quietest 10 ms frame within this of the given time
TONE_WINDOW_S = 0.08  # room tone is taken from the quietest stretch this long
FADE_S = 0.01  # crossfade between room-tone tiles and at the splices


@dataclass(frozen=True)
class Splice:
    """One real turn with a pause lengthened at ``cut``."""

    variant: str  # what kind of pause it is
    file: str  # the recording, relative to the data folder
    span: tuple[float, float]  # the turn in the recording (s)
    cut: float  # where the pause is lengthened (s, in the recording)
    pause_s: float  # room tone inserted there (s)
    head: str  # the words before the pause
    tail: str  # the words after it


SPLICES = (
    Splice("hesitation", PYANNOTE, (21.70, 27.20), 24.86, 0.9,
           "Well, there isn't that much difference. At least, um,",
           "you know, they all call me a Yankee down here."),
    Splice("list", "asr/jfk.flac", (2.55, 10.90), 7.54, 0.7,
           "ask not what your country can do for you,",
           "ask what you can do for your country."),
    Splice("clause", "asr/speechbrain_timit_like/spk1_snt2.wav", (0.0, 99.0), 1.24, 1.0,
           "Drop the two", "when you add the figures."),
    Splice("coordination", "asr/speechbrain_timit_like/spk2_snt5.wav", (0.0, 99.0), 0.78,
           0.9, "Jump the fence", "and hurry up the bank."),
    Splice("phrase", "asr/speechbrain_timit_like/spk1_snt5.wav", (0.0, 99.0), 1.98, 0.8,
           "Sunday is the best part of", "the week."),
)
# SYNTHETIC disfluencies no shared recording has: (variant, pieces, pauses between them).
SYNTHETIC = (
    ("self-correction", ("Book me a table for the fifth,", "no, actually,", "the seventh."),
     (0.6, 0.8)),
    ("filler", ("So I was, uh,", "thinking I might take a few days off work."), (1.0,)),
)
SMOOTH = (  # real turn ends of the same kind of speech: (file, span, words)
    (PYANNOTE, (21.70, 23.85), "Well, there isn't that much difference."),
)


def _frame_db(audio: np.ndarray, frame: int = 160) -> np.ndarray:
    n = len(audio) // frame * frame
    power = np.mean(audio[:n].reshape(-1, frame).astype(np.float64) ** 2, axis=1)
    return 10 * np.log10(power + 1e-12)


def snap(audio: np.ndarray, at_s: float) -> int:
    """The sample at the centre of the quietest 10 ms frame within SNAP_S of ``at_s``."""
    db = _frame_db(audio)
    lo = max(0, int((at_s - SNAP_S) * 100))
    hi = min(len(db), int((at_s + SNAP_S) * 100) + 1)
    best = lo + int(np.argmin(db[lo:hi]))
    return best * 160 + 80


def room_tone(audio: np.ndarray, seconds: float) -> np.ndarray:
    """``seconds`` of the recording's own background: its stretch whose loudest 10 ms is
    the quietest (no speech in it), tiled with short crossfades."""
    size = int(TONE_WINDOW_S * SAMPLE_RATE)
    db = _frame_db(audio)
    width = size // 160
    loudest = np.array([db[i:i + width].max() for i in range(len(db) - width + 1)])
    start = int(np.argmin(loudest)) * 160
    tile = audio[start:start + size].astype(np.float32)
    fade = int(FADE_S * SAMPLE_RATE)
    out = tile.copy()
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    while len(out) < int(seconds * SAMPLE_RATE):
        out[-fade:] = out[-fade:] * (1 - ramp) + tile[:fade] * ramp
        out = np.concatenate([out, tile[fade:]])
    return out[:int(seconds * SAMPLE_RATE)]


def splice_audio(splice: Splice) -> tuple[np.ndarray, int]:
    """The turn with its pause lengthened, and the sample where the room tone begins."""
    from streaming.audio import load_audio

    raw = load_audio(data_dir() / splice.file)
    turn = raw[int(splice.span[0] * SAMPLE_RATE):int(splice.span[1] * SAMPLE_RATE)]
    cut = snap(turn, splice.cut - splice.span[0])
    tone = room_tone(raw, splice.pause_s)
    return np.concatenate([turn[:cut], tone, turn[cut:]]), cut


def split_turn(splice: Splice) -> tuple[Clip, np.ndarray, Clip]:
    """(words before the pause, the pause's room tone, words after it): trimmed to speech
    as silero times it, at the user's level, each clip saying which part it is."""
    audio, cut = splice_audio(splice)
    audio = at_level(audio, USER_LEVEL_DBFS)
    segments = timing.speech_segments(audio)
    head_end = max(e for s, e in segments if s * SAMPLE_RATE < cut)
    tail_start = min(s for s, e in segments if s * SAMPLE_RATE >= cut)
    start, end = segments[0][0], segments[-1][1]
    a, b, c, d = (int(t * SAMPLE_RATE) for t in (start, head_end, tail_start, end))
    source = (f"real: {splice.file} [{splice.span[0]:.2f}-{min(splice.span[1], 99):.2f} s], "
              f"pause at {splice.cut:.2f} s lengthened by {splice.pause_s:.1f} s of its "
              f"own room tone")
    head = Clip(audio[a:b], splice.head, source, synthetic=False)
    tail = Clip(audio[c:d], splice.tail, source, synthetic=False)
    return head, audio[b:c], tail


def synthetic_pieces(index: int) -> tuple[str, list[Clip], tuple[float, ...]]:
    variant, words, pauses = SYNTHETIC[index]
    clips = [synth_clip(text, "piper") for text in words]
    return variant, [replace(c, source=c.source + f" ({variant}, SYNTHETIC)") for c in clips], \
        pauses


def smooth_clip(index: int) -> Clip:
    from duplex_agent.evaluation.clips import real_clip

    file, (start, end), words = SMOOTH[index]
    return real_clip(file, start, end, text=words)
