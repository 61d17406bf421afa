"""The Utterance: generation charged to a lane, playout only of ready audio, one
idempotent interrupt that reports what was heard. Scripted chunks, no models."""

from __future__ import annotations

import numpy as np

from duplex_agent.session.lanes import Lane
from duplex_agent.utterance import Utterance
from duplex_agent.voice.chunks import SpeechChunk, WordTiming

RATE = 16000


def chunk(text: str, start_char: int, seconds: float) -> SpeechChunk:
    n = int(seconds * RATE)
    words, spans, pos = [], [], 0
    for word in text.split():
        spans.append((pos, pos + len(word)))
        pos += len(word) + 1
    edges = np.linspace(0, n, len(spans) + 1).astype(int)
    words = [WordTiming(a, b, int(edges[i]), int(edges[i + 1])) for i, (a, b) in enumerate(spans)]
    return SpeechChunk(np.full(n, 0.1, np.float32), text, start_char,
                       start_char + len(text), tuple(words))


def script():
    yield chunk("one two three", 0, 1.5)
    yield chunk("four five six", 14, 1.5)


def play(utterance: Utterance, until_s: float, from_s: float = 0.0) -> np.ndarray:
    blocks = [utterance.pull(s) for s in range(int(from_s * RATE), int(until_s * RATE), 320)]
    return np.concatenate(blocks)


def test_audio_starts_only_when_ready_and_plays_to_the_end():
    utterance = Utterance("u1", script(), Lane("reply"), start=1.0)
    out = play(utterance, 6.0)
    assert not out[:RATE].any()  # nothing before the reply was started
    assert utterance.started_at is not None and utterance.started_at >= 1.0
    assert utterance.finished and not utterance.interrupted
    assert utterance.full_text == "one two three four five six"
    assert utterance.playout.text == "one two three four five six"
    assert out.astype(bool).sum() == 3 * RATE


def test_interrupt_stops_within_a_block_and_reports_the_heard_prefix():
    utterance = Utterance("u1", script(), Lane("reply"), start=0.0)
    play(utterance, 2.0)
    start = utterance.started_at
    heard = utterance.interrupt(2 * RATE)
    assert heard == utterance.interrupt(2 * RATE + 9999)  # idempotent
    assert utterance.interrupted and utterance.ended_at == 2.0
    after = play(utterance, 4.0, from_s=2.02)
    assert not after.any()  # silent from the next block on
    played_s = 2.0 - start
    assert heard == "one two three" if played_s < 1.75 else heard.startswith("one two three four")


def test_a_held_speculative_reply_generates_but_does_not_play():
    utterance = Utterance("u1", script(), Lane("reply"), start=0.0, held=True)
    assert not play(utterance, 1.0).any()
    assert utterance.texts  # generated meanwhile
    utterance.release()
    assert play(utterance, 2.0, from_s=1.0).any()


def test_pause_goes_silent_without_losing_the_place_and_resume_carries_on():
    utterance = Utterance("u1", script(), Lane("reply"), start=0.0)
    play(utterance, 0.5)
    played = utterance.playout.played
    utterance.pause()
    assert not play(utterance, 1.5, from_s=0.52).any()
    assert utterance.playout.played == played and not utterance.finished
    utterance.resume()
    play(utterance, 6.0, from_s=1.52)
    assert utterance.finished and utterance.playout.text == "one two three four five six"


def test_a_stop_during_a_pause_reports_only_what_played_before_it():
    utterance = Utterance("u1", script(), Lane("reply"), start=0.0)
    play(utterance, 0.5)
    utterance.pause()
    play(utterance, 2.5, from_s=0.52)
    assert utterance.interrupt(int(2.5 * RATE)) in ("", "one")


def test_a_pause_in_a_sentence_break_shortens_that_break_on_resume():
    """Paused for 0.4 s inside a 0.5 s sentence pause: only 0.1 s of it is left after."""
    from duplex_agent.session.lanes import Lane
    from duplex_agent.utterance import Utterance
    from duplex_agent.voice.chunks import SpeechChunk

    def chunk(text: str, pause_s: float, start: int) -> SpeechChunk:
        tone = np.full(int(0.4 * 16000), 0.1, np.float32)
        audio = np.concatenate([np.zeros(int(pause_s * 16000), np.float32), tone])
        return SpeechChunk(audio, text, start, start + len(text))

    utterance = Utterance("u", iter([chunk("One.", 0.0, 0), chunk("Two.", 0.5, 5)]),
                          Lane("reply"), 0.0)
    blocks = []
    for i in range(80):
        if i == 22:  # 0.02 s into the sentence pause
            utterance.pause()
        if i == 42:
            utterance.resume()
        blocks.append(np.abs(utterance.pull(i * 320)).max())
    sound = [i for i, b in enumerate(blocks) if b > 0]
    assert sound[:20] == list(range(1, 21))  # "One.", from the first block it was ready
    # the 25-block (0.5 s) sentence pause: 1 block played, 20 paused, 4 left after resuming
    assert sound[20] == 42 + 4
    assert utterance.playout.text == "One. Two."
