"""The whole agent on real recordings: a time-synchronous WAV out whose speech is the
reply (transcribed back), and a barge-in that stops the agent and gets answered."""

from __future__ import annotations

import re

import numpy as np
import pytest

from duplex_agent.config import AsrConfig
from duplex_agent.session.file_driver import run_file
from duplex_agent.session.models import SessionModels
from streaming.audio import load_audio
from streaming.models import resolve
from streaming.whisper import WhisperDecoder

RATE = 16000


@pytest.fixture(scope="module")
def models():
    return SessionModels.load()


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_a_question_gets_a_spoken_reply_on_the_same_timeline(shared_data, models):
    question = load_audio(shared_data / "asr/speechbrain_timit_like/spk2_snt2.wav")
    audio = np.concatenate([silence(0.5), question, silence(15.0)])  # room for a busy CPU
    run = run_file(audio, models=models)
    assert len(run.output) == len(audio)
    replies = [e for e in run.timeline if e["type"] == "Utterance"]
    assert len(replies) == 1 and not replies[0]["interrupted"]
    speech_end = 0.5 + len(question) / RATE
    start, end = replies[0]["start"], replies[0]["end"]
    assert speech_end < start  # answers after the user, not over them (how soon: benchmarks/)
    first = int(start * RATE)
    assert not run.output[:first - 320].any() and run.output[first:int(end * RATE)].any()
    heard = WhisperDecoder(resolve("asr-base"), AsrConfig(model="base")).transcribe(
        run.output[first:int(end * RATE) + 1600]).text
    said = set(words(replies[0]["text"]))
    assert len(said & set(words(heard))) >= 0.6 * len(said), (heard, replies[0]["text"])
    assert [e for e in run.timeline if e["type"] == "Thought"]


def test_barge_in_stops_the_agent_and_the_interruption_is_answered(shared_data, models):
    folder = shared_data / "asr/speechbrain_timit_like"
    question, cut_in = load_audio(folder / "spk2_snt2.wav"), load_audio(folder / "spk2_snt4.wav")
    head = np.concatenate([silence(0.5), question])
    alone = run_file(np.concatenate([head, silence(15.0)]), models=models)
    first = next(e for e in alone.timeline if e["type"] == "Utterance")
    # Cut in mid-reply, as a user would. Compute is charged on the stream timeline, so the
    # second run's reply may start a few hundred ms later on a loaded machine: half the
    # reply is the margin.
    assert first["end"] - first["start"] > 1.0, first
    cut_start = first["start"] + min(1.5, (first["end"] - first["start"]) / 2)
    gap = silence(cut_start - len(head) / RATE)
    run = run_file(np.concatenate([head, gap, cut_in, silence(15.0)]), models=models)
    replies = [e for e in run.timeline if e["type"] == "Utterance"]
    stops = [e for e in run.timeline if e["type"] == "StopSpeaking"]
    assert replies[0]["start"] < cut_start, "the agent had not started speaking"
    assert stops and replies[0]["interrupted"], replies
    assert replies[0]["text"].startswith(replies[0]["heard"].rstrip(".,!?"))
    assert stops[0]["time"] < replies[0]["end"] + 0.05  # stopped at once
    assert len(replies) >= 2 and replies[1]["start"] > cut_start  # the interruption answered
    quiet = run.output[int((replies[0]["end"] + 0.04) * RATE):int(replies[1]["start"] * RATE)]
    assert not quiet.any()
