"""The voice's pure parts: clause splitting, styles, and the cancellable playout."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from duplex_agent.voice.chunks import Rendered, SpeechChunk, WordTiming, make_chunk
from duplex_agent.voice.clauses import ClauseSplitter, break_kind, word_spans
from duplex_agent.voice.playout import Playout
from duplex_agent.voice.style import (
    EMOTIONS,
    NEUTRAL,
    PRESETS,
    StyleError,
    style_for,
    style_from_json,
)

REPLY = ("Oh, I see. I'm so sorry to hear that, it sounds really hard; Dr. Lee said "
         "3.5 hours, e.g. the whole afternoon!  Would you like to talk about it?\n"
         "我明白，慢慢来。不着急")


def split_all(text: str, sizes: list[int], **kwargs) -> list[str]:
    splitter = ClauseSplitter(**kwargs)
    out, i = [], 0
    for size in sizes * (len(text) + 1):
        if i >= len(text):
            break
        out += splitter.push(text[i:i + size])
        i += size
    return out + splitter.flush()


def test_clauses_at_punctuation_not_at_abbreviations_or_decimals():
    clauses = [c.strip() for c in split_all(REPLY, [len(REPLY)])]
    assert clauses == [
        "Oh, I see.", "I'm so sorry to hear that,", "it sounds really hard;",
        "Dr. Lee said 3.5 hours,", "e.g. the whole afternoon!",
        "Would you like to talk about it?", "我明白，", "慢慢来。", "不着急"]
    assert [break_kind(c) for c in clauses] == [
        "sentence", "clause", "clause", "clause", "sentence", "sentence", "clause", "sentence",
        "none"]


def test_clauses_join_back_to_the_text_and_ignore_token_boundaries():
    whole = split_all(REPLY, [len(REPLY)])
    assert "".join(whole) == REPLY
    rng = random.Random(4)
    for sizes in ([1], [2], [3], [7], [rng.randint(1, 6) for _ in range(50)]):
        assert split_all(REPLY, sizes) == whole, sizes


def test_a_clause_waits_for_the_character_after_its_punctuation():
    splitter = ClauseSplitter()
    assert splitter.push("It costs 3.") == []  # "3.5" or the end of a sentence?
    assert splitter.push("5 dollars. Fine") == ["It costs 3.5 dollars."]
    assert splitter.flush() == [" Fine"]
    assert splitter.flush() == []


def test_long_unpunctuated_text_is_cut_and_short_commas_are_not():
    text = " ".join(f"w{i}" for i in range(30)) + "."
    clauses = split_all(text, [5], max_clause_words=12)
    assert [len(word_spans(c)) for c in clauses] == [12, 12, 6]
    assert split_all("Oh, fine.", [1]) == ["Oh, fine."]
    assert split_all("Well then, fine.", [1], min_clause_words=2) == ["Well then,", " fine."]


def test_word_spans_keep_punctuation_and_split_han_characters():
    assert [("sorry, ok — 好的"[a:b]) for a, b in word_spans("sorry, ok — 好的")] == \
        ["sorry,", "ok", "好", "的"]


def test_style_for_blends_from_neutral_by_intensity():
    assert style_for("neutral", 0.3) == NEUTRAL
    assert style_for("sad", 0.0) == NEUTRAL
    assert style_for("SAD", 1.0) == PRESETS["sad"]
    half = style_for("sad", 0.5)
    assert half.rate == pytest.approx((1 + PRESETS["sad"].rate) / 2)
    assert set(EMOTIONS) == {"neutral", "happy", "sad", "angry", "fear", "surprise",
                             "disgust", "calm"}


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_every_preset_is_within_limits(emotion):
    from duplex_agent.voice.style import check_style

    assert check_style(style_for(emotion, 1.0))


def test_presets_move_in_the_intended_direction():
    sad, happy, calm = PRESETS["sad"], PRESETS["happy"], PRESETS["calm"]
    assert sad.rate < 1 < happy.rate and calm.rate < 1
    assert sad.pitch_semitones < 0 < happy.pitch_semitones
    assert sad.energy_db < 0 < happy.energy_db
    assert sad.sentence_pause_s > NEUTRAL.sentence_pause_s > happy.sentence_pause_s
    assert calm.expressiveness < NEUTRAL.expressiveness < happy.expressiveness


@pytest.mark.parametrize("emotion, intensity", [("grumpy", 1.0), ("sad", 1.5), ("sad", -0.1),
                                                ("sad", math.nan)])
def test_bad_emotion_or_intensity_is_a_clear_error(emotion, intensity):
    with pytest.raises(StyleError):
        style_for(emotion, intensity)


def test_style_json():
    style = style_from_json(json.dumps({"emotion": "sad", "intensity": 0.5, "rate": 0.9}))
    assert style.rate == 0.9 and style.pitch_semitones == style_for("sad", 0.5).pitch_semitones
    assert style_from_json("{}") == NEUTRAL
    for bad in ("{bad", "[1]", '{"speed": 1}', '{"rate": 9}', '{"rate": "fast"}',
                '{"energy_db": NaN}'):
        with pytest.raises(StyleError):
            style_from_json(bad)


# ---- Playout: pure timing logic, so synthetic chunks are fine here.

def chunk(text: str, char_start: int, seconds: float) -> SpeechChunk:
    """A chunk whose words share its audio equally (sample times in 16 kHz)."""
    n = int(seconds * 16000)
    spans = word_spans(text)
    edges = np.linspace(0, n, len(spans) + 1).astype(int)
    words = tuple(WordTiming(a, b, int(edges[i]), int(edges[i + 1]))
                  for i, (a, b) in enumerate(spans))
    return SpeechChunk(np.full(n, 0.1, np.float32), text, char_start, char_start + len(text),
                       words)


def play(playout: Playout, start: int, until: int) -> list[np.ndarray]:
    return [playout.pull(at) for at in range(start, until, playout.block_samples)]


def test_playout_hands_out_blocks_and_pads_only_the_end():
    playout = Playout(320)
    playout.push(chunk("one two three.", 0, 0.5))  # 8000 samples = 25 blocks
    blocks = play(playout, 0, 320 * 25)
    assert all(b.shape == (320,) and b.min() == 0.1 for b in blocks)
    assert playout.pull(320 * 25).max() == 0  # nothing left: silence
    playout.push(chunk("four.", 15, 0.01))  # 160 samples: less than a block
    assert playout.pull(320 * 26).max() == 0 and not playout.done  # waits for more audio
    playout.close()
    last = playout.pull(320 * 27)
    assert (last[:160] == 0.1).all() and (last[160:] == 0).all() and playout.done


def test_stop_ends_within_one_block_and_reports_words_by_their_midpoint():
    playout = Playout(320)
    playout.push(chunk("I am so sorry,", 0, 1.0))  # four words of 0.25 s
    playout.push(chunk("it sounds hard.", 15, 0.75))  # three words of 0.25 s
    playout.close()
    start = 8000  # the reply starts at 0.5 s of stream time
    play(playout, start, start + 16000 + 320 * 2)  # 1.04 s of it handed out
    stop_at = start + 16000 + 2000  # 0.125 s into "it": its midpoint is not yet played
    assert playout.stop(stop_at) == "I am so sorry,"
    assert playout.stopped_at - stop_at <= playout.block_samples
    assert playout.stop(stop_at + 9999) == "I am so sorry,"  # idempotent
    assert playout.pull(start + 16000 + 320 * 3).max() == 0 and playout.done


def test_heard_text_keeps_a_word_whose_midpoint_was_played():
    playout = Playout(320)
    playout.push(chunk("I am so sorry,", 0, 1.0))
    playout.push(chunk("it sounds hard.", 15, 0.75))
    playout.close()
    assert playout.heard_text(0) == ""
    assert playout.heard_text(5999) == "I"  # "am" is 4000-8000: its midpoint is 6000
    assert playout.heard_text(6001) == "I am"
    assert playout.heard_text(16000 + 2001) == "I am so sorry, it"
    assert playout.heard_text(10**9) == playout.text == "I am so sorry, it sounds hard."


def test_stop_before_any_audio_and_during_an_underrun():
    playout = Playout(320)
    assert playout.stop(0) == "" and playout.stopped_at == 0
    playout = Playout(320)
    playout.push(chunk("hello there.", 0, 0.1))  # 1600 samples = 5 blocks
    play(playout, 0, 320 * 8)  # 3 blocks of underrun after the audio
    assert playout.stop(320 * 8) == "hello there."
    assert playout.stopped_at == 320 * 5  # the audio had already ended


def test_chinese_clauses_join_without_spaces():
    playout = Playout(320)
    playout.push(chunk("我明白，", 0, 0.4))
    playout.push(chunk("慢慢来。", 4, 0.4))
    assert playout.text == "我明白，慢慢来。"


def test_pull_positions_must_advance():
    playout = Playout(320)
    playout.pull(1000)
    with pytest.raises(ValueError):
        playout.pull(1100)


def test_make_chunk_places_the_pause_before_the_clause():
    rendered = Rendered(np.ones(100, np.float32), (WordTiming(0, 3, 10, 90),))
    made = make_chunk("  Hey.", 7, rendered, 0.01)
    assert (made.text, made.char_start, made.char_end) == ("Hey.", 9, 13)
    assert len(made.audio) == 260 and made.audio[:160].max() == 0
    assert made.words == (WordTiming(0, 3, 170, 250),)
