"""Duplex evaluation scenarios: user audio with ground truth, built in memory.

Each scenario is what a HumDial Track 2 / Full-Duplex-Bench input file is: one
WAV of the user's side. The user asks something (the first turn), stays quiet
while the agent answers, and then, ``offset_s`` after the first turn ended (the
agent should be speaking by then), the event under test happens:

- interruption (follow_up, negation, repeat, topic_switch, stop): the user cuts
  in; the agent should stop and answer the interruption;
- backchannel ("mm-hm", "yeah", "right", "okay", a laugh), third_party "after"
  (another voice, quieter, in the background) and not_addressed (the user
  talking to someone else): the agent should keep speaking;
- pause: the first turn itself is a sentence split by a 0.6-1.2 s pause; the
  agent should wait for its end (HumDial Pause_Handling), no later event. Besides
  sentences cut at a silence, real disfluent turns (``disfluent.py``): a filler and
  hesitation, a list-like pause, pauses inside a clause, each a real speaker's own
  turn with the pause lengthened in that recording's room tone; and two SYNTHETIC
  ones no recording has (a self-correction, "So I was, uh, ...");
- third_party "before": background speech before the user's question; the agent
  should answer only the question (HumDial Third-party_Speech_before);
- smooth: a plain turn end; the agent should take the turn (also a real turn from
  the conversation the hesitation comes from).

Audio sources (``Segment.source`` says which for each segment): real recordings
from ../shared/data (speechbrain TIMIT-like sentences, JFK, the pyannote
two-speaker sample cut by its RTTM, the laughter set), and SYNTHETIC speech
(Piper or espeak-ng, see clips.py) wherever the words decide the right
behaviour: interruptions, spoken backchannels, speech addressed to others, and
the questions those follow (the same synthetic voice, so the user is one person).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.evaluation.clips import (
    Clip,
    laughter_clip,
    pyannote_clip,
    real_clip,
    split_at_gap,
    synth_clip,
)
from duplex_agent.evaluation.disfluent import (
    SMOOTH,
    SPLICES,
    SYNTHETIC,
    smooth_clip,
    split_turn,
    synthetic_pieces,
)

LEAD_S = 0.5  # silence before the first user speech
EVENT_OFFSET_S = 2.5  # event onset after the first turn's end
TAIL_S = 8.0  # silence after the last user speech, for the agent's answer
BEFORE_GAP_S = 0.8  # background speech -> user's question (third_party "before")
THIRD_PARTY_DB = -10.0  # background speaker relative to the user's level
BACKCHANNEL_DB = -3.0  # backchannels and laughs are a little softer than turns
NOT_ADDRESSED_DB = -2.0  # the user turned away to speak to someone else

INTERRUPTIONS = ("follow_up", "negation", "repeat", "topic_switch", "stop")
REJECTIONS = ("backchannel", "pause", "third_party", "not_addressed")
KINDS = (*INTERRUPTIONS, *REJECTIONS, "smooth")

EXPECT = {  # what the agent should do, per role of a segment (and of a scenario's event)
    "interruption": "stop within the interruption, then answer it",
    "stop": "stop at once, then say it is ready when the user is",
    "backchannel": "keep speaking (no stop, no new turn)",
    "third_party": "ignore it (keep speaking if speaking); answer only the user",
    "not_addressed": "keep speaking (speech meant for someone else)",
    "pause": "wait through the pause; answer after the whole sentence",
    "head": "wait: the sentence goes on after the pause",
    "turn": "take the turn and answer",
}

QUESTIONS = {  # synthetic first turns, by topic
    "sleep": "Can you give me some tips for sleeping better at night?",
    "dinner": "What is a quick and healthy dinner I could cook tonight?",
    "exercise": "How should I start exercising if I have not done any sport in years?",
    "stress": "What can I do to feel less stressed at work?",
    "movie": "Can you recommend a good movie for tonight?",
}

# (kind, topic of the first turn, interrupting words, synthetic voice)
INTERRUPTION_LINES = (
    ("follow_up", "sleep", "Wait, what about taking naps during the day?", "piper"),
    ("follow_up", "dinner", "Hold on, could I make that with frozen vegetables?", "espeak"),
    ("negation", "sleep", "No, that's not what I asked about.", "piper"),
    ("negation", "exercise", "No no, I already tried that and it did not help.", "espeak"),
    ("repeat", "dinner", "Sorry, could you say that again?", "piper"),
    ("repeat", "stress", "Pardon? I didn't catch that, can you repeat it?", "espeak"),
    ("topic_switch", "stress",
     "Actually, let's talk about something else. How do I learn to play the guitar?",
     "piper"),
    ("topic_switch", "sleep", "Never mind that. What's a good book to read on holiday?",
     "espeak"),
    ("stop", "exercise", "Stop, please stop talking.", "piper"),
    ("stop", "dinner", "Okay, that's enough, you can stop now.", "espeak"),
)
BACKCHANNEL_LINES = (("mm-hm", "sleep", "espeak"), ("yeah", "dinner", "piper"),
                     ("right", "stress", "espeak"), ("okay", "exercise", "piper"))
NOT_ADDRESSED_LINES = (("Hey Tom, can you close the window please?", "stress", "piper"),
                       ("Mom, I'm on the phone, give me a minute.", "sleep", "espeak"))


@dataclass(frozen=True)
class Segment:
    """One stretch of the user's side, in scenario seconds."""

    start: float
    end: float
    role: str  # turn, interruption, backchannel, third_party, not_addressed, pause
    kind: str  # interruption kind, backchannel word or "laughter", "" otherwise
    text: str  # the words ("" for laughter, background speech, pauses)
    source: str  # "real: <file> [span]", "synthetic: <voice>", or "gap" for a pause
    level_db: float  # level relative to the user's turns (0 for the user; -inf for a gap)
    expect: str = ""  # what the agent should do about this segment (EXPECT)


@dataclass(frozen=True)
class Scenario:
    name: str  # e.g. "negation-1"
    kind: str  # one of KINDS
    variant: str  # third_party: "after" / "before"; backchannel: the word or "laughter"
    audio: np.ndarray  # the user's side, 16 kHz mono float32
    segments: tuple[Segment, ...]  # every user-side segment, in time order
    query: tuple[float, float]  # the user's turn the agent should answer first
    event: Segment | None  # the event under test (None for smooth turn ends)
    expect: str  # what the agent should do

    @property
    def category(self) -> str:
        return ("interruption" if self.kind in INTERRUPTIONS
                else "rejection" if self.kind in REJECTIONS else "turn")

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def speech(self) -> list[tuple[float, float]]:
        """Ground-truth speech on the user's side (all voices; pauses excluded)."""
        return [(s.start, s.end) for s in self.segments if s.role != "pause"]


class Track:
    """Places clips on a timeline and remembers where each went."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self._parts: list[tuple[int, np.ndarray]] = []

    @property
    def end(self) -> float:
        return max((s.end for s in self.segments), default=0.0)

    def put(self, clip: Clip, at: float, role: str, kind: str = "",
            gain_db: float = 0.0) -> Segment:
        start = round(at * SAMPLE_RATE)
        audio = clip.audio * np.float32(10 ** (gain_db / 20))
        self._parts.append((start, audio))
        expect = EXPECT[kind if kind in ("head", "stop") else role]
        segment = Segment(start / SAMPLE_RATE, (start + len(audio)) / SAMPLE_RATE, role,
                          kind, clip.text, clip.source, gain_db, expect)
        self.segments.append(segment)
        return segment

    def fill(self, audio: np.ndarray, at: float) -> None:
        """Mix ``audio`` in without a segment of its own (room tone inside a pause)."""
        self._parts.append((round(at * SAMPLE_RATE), audio))

    def gap(self, start: float, end: float) -> Segment:
        segment = Segment(start, end, "pause", "", "", "gap", float("-inf"), EXPECT["pause"])
        self.segments.append(segment)
        return segment

    def mix(self, tail_s: float = TAIL_S) -> np.ndarray:
        out = np.zeros(round((self.end + tail_s) * SAMPLE_RATE), np.float32)
        for start, audio in self._parts:
            out[start:start + len(audio)] += audio
        return np.clip(out, -1.0, 1.0)


def _scenario(name: str, kind: str, variant: str, track: Track, query: Segment,
              event: Segment | None, query_end: float | None = None) -> Scenario:
    expect = event.expect if event is not None else EXPECT["turn"]
    segments = tuple(sorted(track.segments, key=lambda s: s.start))
    end = query.end if query_end is None else query_end
    return Scenario(name, kind, variant, track.mix(), segments, (query.start, end), event,
                    expect)


def during_speech(name: str, kind: str, variant: str, first: Clip, event: Clip, role: str,
                  gain_db: float, offset_s: float) -> Scenario:
    """First turn, then ``event`` at ``offset_s`` after it, while the agent talks."""
    track = Track()
    query = track.put(first, LEAD_S, "turn")
    label = kind if role == "interruption" else variant
    event_segment = track.put(event, query.end + offset_s, role, label, gain_db)
    return _scenario(name, kind, variant, track, query, event_segment)


def interruption(index: int, offset_s: float) -> Scenario:
    kind, topic, words, voice = INTERRUPTION_LINES[index]
    number = sum(line[0] == kind for line in INTERRUPTION_LINES[:index]) + 1
    return during_speech(f"{kind}-{number}", kind, "", synth_clip(QUESTIONS[topic], voice),
                         synth_clip(words, voice), "interruption", 0.0, offset_s)


def backchannel(index: int, offset_s: float) -> Scenario:
    if index >= len(BACKCHANNEL_LINES):  # a real laugh after a real first turn
        return during_speech(f"backchannel-{index + 1}", "backchannel", "laughter",
                             pyannote_clip("speaker90", 0), laughter_clip(0),
                             "backchannel", BACKCHANNEL_DB, offset_s)
    word, topic, voice = BACKCHANNEL_LINES[index]
    return during_speech(f"backchannel-{index + 1}", "backchannel", word,
                         synth_clip(QUESTIONS[topic], voice), synth_clip(word, voice),
                         "backchannel", BACKCHANNEL_DB, offset_s)


def not_addressed(index: int, offset_s: float) -> Scenario:
    words, topic, voice = NOT_ADDRESSED_LINES[index]
    return during_speech(f"not_addressed-{index + 1}", "not_addressed", "",
                         synth_clip(QUESTIONS[topic], voice), synth_clip(words, voice),
                         "not_addressed", NOT_ADDRESSED_DB, offset_s)


def third_party_after(index: int, offset_s: float) -> Scenario:
    """A second real voice (pyannote speaker91), 10 dB down, over the agent's reply."""
    first = synth_clip(QUESTIONS["sleep"], "piper") if index == 0 else pyannote_clip(
        "speaker90", 1)
    return during_speech(f"third_party-after-{index + 1}", "third_party", "after", first,
                         pyannote_clip("speaker91", index, max_s=3.0), "third_party",
                         THIRD_PARTY_DB,
                         offset_s)


def third_party_before(index: int) -> Scenario:
    """Background speech first, then the user's question (real or synthetic)."""
    track = Track()
    other = pyannote_clip("speaker91", 0, max_s=3.0, skip_s=3.0) if index == 0 else (
        pyannote_clip("speaker91", 2))
    event = track.put(other, LEAD_S, "third_party", "before", THIRD_PARTY_DB)
    first = synth_clip(QUESTIONS["dinner"], "espeak") if index == 0 else real_clip(
        "asr/speechbrain_timit_like/spk2_snt2.wav")
    query = track.put(first, event.end + BEFORE_GAP_S, "turn")
    return _scenario(f"third_party-before-{index + 1}", "third_party", "before", track, query,
                     event)


# (source, pause length s, first half, second half). Real sentences are cut at their
# first internal silence; the halves' words were checked with Whisper base.
PAUSE_SOURCES: tuple[tuple[str, float, str, str], ...] = (
    ("asr/jfk.flac", 1.0, "And so, my fellow Americans,",
     "ask not what your country can do for you, ask what you can do for your country."),
    ("asr/speechbrain_timit_like/spk1_snt1.wav", 0.8, "The child almost hurt", "the small dog."),
    ("synthetic:piper", 0.9, "I was wondering if you could tell me",
     "how to keep my plants alive?"),
    ("synthetic:espeak", 1.2, "So what I really want to know is",
     "whether I should change my job."))


def _halves(source: str, head: str, tail: str) -> tuple[Clip, Clip]:
    if source.startswith("synthetic:"):
        voice = source.split(":")[1]
        return synth_clip(head, voice), synth_clip(tail, voice)
    first, second = split_at_gap(real_clip(source), 0)
    return replace(first, text=head), replace(second, text=tail)


def pause(index: int) -> Scenario:
    """One sentence, split by a 0.6-1.2 s pause; the agent should wait for the rest."""
    source, pause_s, head_text, tail_text = PAUSE_SOURCES[index]
    head, tail = _halves(source, head_text, tail_text)
    track = Track()
    first = track.put(head, LEAD_S, "turn", "head")
    second = track.put(tail, first.end + pause_s, "turn", "tail")
    gap = track.gap(first.end, second.start)
    return _scenario(f"pause-{index + 1}", "pause", "", track, first, gap, second.end)


def disfluent_pause(index: int) -> Scenario:
    """A real disfluent turn (or a SYNTHETIC one past the real ones) with a pause the
    agent must wait through."""
    track, name = Track(), f"pause-{len(PAUSE_SOURCES) + index + 1}"
    if index < len(SPLICES):
        head, tone, tail = split_turn(SPLICES[index])
        first = track.put(head, LEAD_S, "turn", "head")
        track.fill(tone, first.end)
        last = track.put(tail, first.end + len(tone) / SAMPLE_RATE, "turn", "tail")
        gaps = [track.gap(first.end, last.start)]
        return _scenario(name, "pause", SPLICES[index].variant, track, first, gaps[0],
                         last.end)
    variant, clips, pauses = synthetic_pieces(index - len(SPLICES))
    pieces = [track.put(clips[0], LEAD_S, "turn", "head")]
    for clip, pause_s in zip(clips[1:], pauses, strict=True):
        pieces.append(track.put(clip, pieces[-1].end + pause_s, "turn",
                                "head" if clip is not clips[-1] else "tail"))
    gaps = [track.gap(a.end, b.start) for a, b in zip(pieces, pieces[1:], strict=False)]
    return _scenario(name, "pause", variant, track, pieces[0], gaps[0], pieces[-1].end)


DISFLUENT_PAUSES = len(SPLICES) + len(SYNTHETIC)

SMOOTH_SOURCES = ("asr/speechbrain_timit_like/spk1_snt3.wav",
                  "asr/speechbrain_timit_like/spk2_snt4.wav", "pyannote:speaker90",
                  "synthetic:movie")


def smooth(index: int) -> Scenario:
    if index >= len(SMOOTH_SOURCES):  # real turn ends from the disfluent recordings
        track = Track()
        query = track.put(smooth_clip(index - len(SMOOTH_SOURCES)), LEAD_S, "turn")
        return _scenario(f"smooth-{index + 1}", "smooth", "real", track, query, None)
    source = SMOOTH_SOURCES[index]
    if source.startswith("synthetic:"):
        clip = synth_clip(QUESTIONS[source.split(":")[1]], "piper")
    elif source.startswith("pyannote:"):
        clip = pyannote_clip(source.split(":")[1], 2)
    else:
        clip = real_clip(source)
    track = Track()
    query = track.put(clip, LEAD_S, "turn")
    return _scenario(f"smooth-{index + 1}", "smooth", "", track, query, None)


Builder = Callable[[float], Scenario]


def _specs() -> dict[str, list[Builder]]:
    """Builders per kind (lazy: synthesis and loading happen when one is called)."""
    specs: dict[str, list[Builder]] = {kind: [] for kind in KINDS}
    for i, line in enumerate(INTERRUPTION_LINES):
        specs[line[0]].append(lambda off, i=i: interruption(i, off))
    specs["backchannel"] = [lambda off, i=i: backchannel(i, off)
                            for i in range(len(BACKCHANNEL_LINES) + 1)]
    specs["pause"] = [lambda off, i=i: pause(i) for i in range(len(PAUSE_SOURCES))] + \
        [lambda off, i=i: disfluent_pause(i) for i in range(DISFLUENT_PAUSES)]
    specs["third_party"] = [lambda off: third_party_after(0, off),
                            lambda off: third_party_before(0),
                            lambda off: third_party_after(1, off),
                            lambda off: third_party_before(1)]
    specs["not_addressed"] = [lambda off, i=i: not_addressed(i, off)
                              for i in range(len(NOT_ADDRESSED_LINES))]
    specs["smooth"] = [lambda off, i=i: smooth(i)
                       for i in range(len(SMOOTH_SOURCES) + len(SMOOTH))]
    return specs


def scenario_builders(limit: int | None = None,
                      kinds: tuple[str, ...] = KINDS) -> list[Builder]:
    """Builders in round-robin order over ``kinds``, so the first N cover every kind."""
    specs = _specs()
    queues = [list(specs[kind]) for kind in kinds]
    ordered: list[Builder] = []
    while any(queues):
        ordered += [queue.pop(0) for queue in queues if queue]
    return ordered[:limit] if limit is not None else ordered


def build_scenarios(limit: int | None = None, offset_s: float = EVENT_OFFSET_S,
                    kinds: tuple[str, ...] = KINDS) -> list[Scenario]:
    """All scenarios (or the first ``limit`` in round-robin order), built in memory."""
    return [build(offset_s) for build in scenario_builders(limit, kinds)]
