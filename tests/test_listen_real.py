"""The real listening path (silero VAD + Whisper) on the shared recordings."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import jiwer
import pytest

from duplex_agent.config import AsrConfig, ListenConfig
from duplex_agent.events import AsrFinal, SpeechEnded, SpeechStarted
from streaming.audio import chunks, load_audio
from streaming.listener import Listener, ListenModels, listen_file

# The manifest copies SpeechBrain's labels, which garble a few words of these TIMIT/Harvard
# prompts (its own note says so: TUE=two, WORE=war, SHEEP/PAT). We score against the prompts.
CORRECTED = {
    "asr/speechbrain_timit_like/spk1_snt2.wav": "drop the two when you add the figures",
    "asr/speechbrain_timit_like/spk2_snt1.wav": "we are sure that one war is enough",
    "asr/speechbrain_timit_like/spk2_snt3.wav": "tear a thin sheet from the yellow pad",
}
# The label of spk2_snt5 ("ken pairs lack full flavor") belongs to another recording: both
# Whisper models hear a different sentence word for word. Left out rather than guessed.
MISLABELLED = {"asr/speechbrain_timit_like/spk2_snt5.wav"}


def normalise(text: str) -> str:
    kept = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.lower())
    return " ".join(kept.split())


def final_text(events) -> str:
    return " ".join(e.text for e in events if isinstance(e, AsrFinal))


def asr_items(manifest):
    return [(f, CORRECTED.get(f, e["transcript"])) for f, e in sorted(manifest.items())
            if f.startswith("asr/") and f.endswith((".wav", ".flac"))
            and "speechbrain_vad" not in f and f not in MISLABELLED]


@pytest.fixture(scope="module")
def base_models():
    return ListenModels.load(replace(ListenConfig(), asr=AsrConfig(model="base", language="en")))


def corpus_wer(shared_data, manifest, config, models) -> float:
    refs, hyps = [], []
    for file, reference in asr_items(manifest):
        events = listen_file(load_audio(shared_data / file), Listener(config, models))
        refs.append(normalise(reference))
        hyps.append(normalise(final_text(events)))
    wer = jiwer.wer(refs, hyps)
    print(f"\n{config.asr.model}: WER {wer:.3f} over {len(refs)} recordings")
    return wer


def test_wer_tiny_en(shared_data, manifest, tiny_models):
    config = replace(ListenConfig(), asr=replace(AsrConfig(), partial_interval_s=0))
    assert len(asr_items(manifest)) == 10
    assert corpus_wer(shared_data, manifest, config, tiny_models) <= 0.10


def test_wer_base(shared_data, manifest, base_models):
    config = replace(ListenConfig(), asr=AsrConfig(model="base", language="en",
                                                   partial_interval_s=0))
    assert corpus_wer(shared_data, manifest, config, base_models) <= 0.08


def test_jfk_phrase_and_word_times(shared_data, tiny_models):
    events = listen_file(load_audio(shared_data / "asr" / "jfk.flac"),
                         Listener(ListenConfig(), tiny_models))
    text = normalise(final_text(events))
    assert "ask not what your country can do for you" in text
    assert "my fellow americans" in text
    words = [w for e in events if isinstance(e, AsrFinal) for w in e.words]
    americans = next(w for w in words if normalise(w.text) == "americans")
    assert americans.start - 0.3 <= 1.8 <= americans.end + 0.3  # openai/whisper's own check
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    partials = [e for e in events if e.__class__.__name__ == "AsrPartial"]
    assert partials and any(p.committed for p in partials)


def test_base_detects_english_when_not_told(shared_data):
    config = replace(ListenConfig(), asr=AsrConfig(model="base", language=None,
                                                   partial_interval_s=0))
    events = listen_file(load_audio(shared_data / "asr" / "jfk.flac"),
                         Listener(config, ListenModels.load(config)))
    assert {e.language for e in events if isinstance(e, AsrFinal)} == {"en"}
    # (the short "ask not" segment alone comes out as "is not" with the current wheels;
    # word accuracy is the other tests' job: this one is about language detection)
    assert "what your country can do for you" in normalise(final_text(events))


def reference_segments(vad_json) -> tuple[list[tuple[float, float]], float]:
    """SpeechBrain labels speech per 2 s chunk; join segments cut at chunk edges."""
    segments: list[list[float]] = []
    labelled_until = 0.0
    for example in json.loads(vad_json.read_text()).values():
        offset = example["wav"]["start"] / 16000
        labelled_until = max(labelled_until, example["wav"]["stop"] / 16000)
        times = [float(x) for x in example["speech"].split()] if example["speech"] != "none" \
            else []
        for start, end in zip(times[::2], times[1::2]):
            if segments and abs(segments[-1][1] - (offset + start)) < 1e-6:
                segments[-1][1] = offset + end
            else:
                segments.append([offset + start, offset + end])
    return [(a, b) for a, b in segments], labelled_until


@pytest.mark.parametrize("name", ["train", "valid"])
def test_vad_segments_match_reference(shared_data, tiny_models, name):
    folder = shared_data / "asr" / "speechbrain_vad"
    expected, labelled_until = reference_segments(folder / f"{name}.vad.json")
    config = replace(ListenConfig(), asr=replace(AsrConfig(), partial_interval_s=0))
    events = listen_file(load_audio(folder / f"{name}.wav"), Listener(config, tiny_models))
    found = [(e.start, min(e.end, labelled_until)) for e in events
             if isinstance(e, SpeechEnded) and e.start < labelled_until]
    assert len(found) == len(expected), (found, expected)
    for (start, end), (ref_start, ref_end) in zip(found, expected):
        assert abs(start - ref_start) <= 0.25 and abs(end - ref_end) <= 0.25, (found, expected)


def test_streaming_equals_offline(shared_data, tiny_models):
    audio = load_audio(shared_data / "asr" / "jfk.flac")
    offline = listen_file(audio, Listener(ListenConfig(), tiny_models))
    assert any(isinstance(e, SpeechStarted) for e in offline)
    rng = random.Random(7)
    chunkings = {"10ms": [160], "32ms": [512], "320ms": [5120],
                 "random": [rng.randint(1, 8000) for _ in range(400)]}
    for name, sizes in chunkings.items():
        listener = Listener(ListenConfig(), tiny_models)
        events = []
        for chunk in chunks(audio, sizes):
            events += listener.push(chunk)
        events += listener.finish()
        vad = [e for e in events if isinstance(e, SpeechStarted | SpeechEnded)]
        assert vad == [e for e in offline if isinstance(e, SpeechStarted | SpeechEnded)], name
        assert final_text(events) == final_text(offline), name
        assert events == offline, name  # partials too: stream time drives everything


def test_async_stage_gives_the_same_events(shared_data, tiny_models, no_leaked_tasks):
    from streaming.listener import listen_stage

    audio = load_audio(shared_data / "asr" / "speechbrain_vad" / "train.wav")
    offline = listen_file(audio, Listener(ListenConfig(), tiny_models))

    async def source():
        for chunk in chunks(audio, [1600]):
            yield chunk

    async def collect():
        return [e async for e in listen_stage(source(), Listener(ListenConfig(), tiny_models))]

    assert no_leaked_tasks(collect()) == offline
