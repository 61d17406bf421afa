"""The whole Session on a virtual clock with fake models: no real model, no sleeping.

A scripted listener stands in for VAD and ASR (it hands out its events at their
stream times), a tone voice for the TTS, a fixed LLM for the reply, a tone
"speaker check" that tells two voices apart by pitch, and every piece of work
that yields something (a transcript, a signal, a clause) costs a fixed 50 ms on
its compute lane instead of the wall-clock time it took. So the session's own
logic (what it does with the controller's actions, on the output timeline) is
tested in milliseconds and to the sample:

    0.5-2.5 s   the user asks (a 200 Hz voice)       -> the agent takes the turn
    4.5-4.9 s   the user says "Mm-hm."               -> paused 0.3 s in, resumed as it ends
    5.5-6.8 s   a quiet 330 Hz background voice       -> no pause, rejected at its check
    7.0-8.2 s   the user: "No, that's not what I asked." -> paused, stopped, answered
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import pytest

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.events import AsrFinal, AsrPartial, SpeakerCheck, SpeechEnded, SpeechStarted
from duplex_agent.perception.text import TextEmotion, _neutral
from duplex_agent.reply import ReplyWriter
from duplex_agent.session.config import BLOCK_SAMPLES, SessionConfig
from duplex_agent.session.lanes import Lane, ThreadLane
from duplex_agent.session.loop import Session
from duplex_agent.session.models import SessionModels
from duplex_agent.thinking.thinker import Thinker
from duplex_agent.turns.script import user_says
from duplex_agent.voice.chunks import Rendered, WordTiming
from duplex_agent.voice.config import VoiceConfig

USER_HZ, OTHER_HZ = 200.0, 330.0
WORD_S = 0.5  # the tone voice speaks one word in this long
LANE_COST_S = 0.05  # every piece of work that yields something costs this
REPLY = "Try to go to bed at the same time every night, and keep your room cool and dark."
LISTENING = (SpeechStarted, SpeechEnded, AsrPartial, AsrFinal)


def tone(seconds: float, hz: float, level: float = 0.1) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


class ScriptedListener:
    """The listener's events for the script, handed out when stream time reaches them."""

    def __init__(self, events) -> None:
        self.pending = sorted((e for e in events if isinstance(e, LISTENING)),
                              key=lambda e: e.time)
        self.samples = 0

    def push(self, block: np.ndarray) -> list:
        self.samples += len(block)
        now = self.samples / SAMPLE_RATE + 1e-9
        due = [e for e in self.pending if e.time <= now]
        self.pending = self.pending[len(due):]
        return due


class FixedLane(Lane):
    def run(self, now, work):
        result = work()
        cost = LANE_COST_S if result else 0.0  # pushing audio that decides nothing is free
        self.total_s += cost
        self.busy_until = max(now, self.busy_until) + cost
        return result, self.busy_until


class ToneVoice:
    config = VoiceConfig()

    def render(self, text: str, style, language: str = "en") -> Rendered:
        words, timings, at = text.split(), [], 0
        for i, word in enumerate(words):
            start = i * int(WORD_S * SAMPLE_RATE)
            timings.append(WordTiming(at, at + len(word), start, start + int(WORD_S * SAMPLE_RATE)))
            at += len(word) + 1
        return Rendered(tone(WORD_S * len(words), 440.0), tuple(timings))


class FixedLlm:
    name = "fixed"

    def chat(self, messages, sampling, opener: str = ""):
        del messages, sampling, opener
        yield from (word + " " for word in REPLY.split())

    def complete(self, prompt, sampling):
        return self.chat([], sampling)


class NeutralText:
    def __init__(self) -> None:
        self.texts: list[str] = []  # every text perceived (one perception each)

    def estimate(self, text: str) -> TextEmotion:
        self.texts.append(text)
        return TextEmotion(_neutral(), 0.0, 0.5, (), text)


@dataclass
class FakeMind:
    model: object = None  # an IEAT model stand-in, or None for the rule-based thought

    def thinker(self, perceiver) -> Thinker:
        return Thinker(perceiver, model=self.model)

    def writer(self) -> ReplyWriter:
        return ReplyWriter(FixedLlm())


class Backchannels:
    def get(self, kind: str, emotion: str = "neutral", language: str = "en") -> np.ndarray:
        return tone(0.4, 440.0)


class PitchProfile:
    """The speaker check: the user's voice is the 200 Hz tone."""

    def check(self, audio: np.ndarray, time: float, segment_start: float) -> SpeakerCheck:
        spectrum = np.abs(np.fft.rfft(audio))
        hz = float(np.argmax(spectrum)) * SAMPLE_RATE / len(audio)
        similarity = 0.9 if abs(hz - USER_HZ) < 30 else 0.05
        level = 20 * np.log10(float(np.sqrt(np.mean(audio ** 2))) + 1e-9)
        return SpeakerCheck(time, segment_start, similarity, round(level + 23.0, 1), level)

    def learn(self, audio: np.ndarray) -> PitchProfile:
        return self


SCRIPT = [
    (0.5, 2.5, "Can you give me some tips for sleeping better?", USER_HZ, 0.1),
    (4.5, 4.9, "Mm-hm.", USER_HZ, 0.1),
    (5.5, 6.8, "Did you see the game last night?", OTHER_HZ, 0.018),  # 15 dB down
    (7.0, 8.2, "No, that's not what I asked.", USER_HZ, 0.1),
]
DURATION_S = 16.0


def user_audio() -> np.ndarray:
    audio = np.zeros(int(DURATION_S * SAMPLE_RATE), np.float32)
    for start, end, _, hz, level in SCRIPT:
        piece = tone(end - start, hz, level)
        audio[int(start * SAMPLE_RATE):int(start * SAMPLE_RATE) + len(piece)] += piece
    return audio


@pytest.fixture(scope="module")
def run():
    return conversation()


def conversation():
    """(timeline, agent output, texts perceived) of the scripted conversation."""
    events = [e for start, end, text, _, _ in SCRIPT for e in user_says(start, end, text)]
    perceived = NeutralText()
    session = fake_session(events, perceived)
    session.signals.profile = PitchProfile()  # stands in for the enrolled voice print
    audio = user_audio()
    out = np.concatenate([session.step(audio[i:i + BLOCK_SAMPLES])
                          for i in range(0, len(audio), BLOCK_SAMPLES)])
    return session.timeline.entries, out, perceived.texts


def fake_session(events, perceived: NeutralText, mind: FakeMind | None = None) -> Session:
    """A Session on the scripted listener, fake models and fixed-cost lanes."""
    models = SessionModels(listen=None, smart_turn=None, text_emotion=perceived,
                           mind=mind or FakeMind(), voice=ToneVoice(),
                           backchannels=Backchannels())
    session = Session(models, replace(SessionConfig(), smart_turn=False),
                      listener=ScriptedListener(events))
    session.listen_lane, session.reply_lane = FixedLane("listen"), FixedLane("reply")
    return session


def actions(timeline, name: str) -> list[dict]:
    return [e for e in timeline if e["category"] == "action" and e["type"] == name]


def audible(out: np.ndarray, start: float, end: float) -> bool:
    return bool(np.abs(out[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]).max(initial=0) > 0)


def test_the_agent_takes_the_turn_and_answers_on_the_same_timeline(run):
    timeline, out, _ = run
    first = actions(timeline, "TakeTurn")[0]
    assert first["user_text"] == SCRIPT[0][2] and first["interruption"] is None
    reply = [e for e in timeline if e["type"] == "Utterance"][0]
    assert first["time"] < reply["start"] < first["time"] + 0.5  # fixed costs only
    assert not audible(out, 0.0, reply["start"] - 0.02)
    assert audible(out, reply["start"], reply["start"] + 0.5)


def test_a_backchannel_pauses_the_reply_and_the_reply_resumes_where_it_was(run):
    timeline, out, _ = run
    pause, resume = actions(timeline, "PauseSpeaking")[0], actions(timeline, "ResumeSpeaking")[0]
    assert pause["time"] == pytest.approx(4.5 + 0.3, abs=0.021)
    assert resume["time"] == pytest.approx(4.9 + 0.25, abs=0.021)  # as the VAD closed it
    # the block that ends at a decision's time is the first one it changes
    assert not audible(out, pause["time"] - 0.02, resume["time"] - 0.02)
    assert audible(out, resume["time"], resume["time"] + 0.3)
    # the gap is shorter than the "mm-hm" itself, and nothing was lost
    assert resume["time"] - pause["time"] < 4.9 - 4.5
    rejects = [e["kind"] for e in actions(timeline, "Reject")]
    assert rejects[:2] == ["backchannel", "third_party"]


def test_a_quiet_background_voice_neither_pauses_nor_stops_the_agent(run):
    timeline, out, _ = run
    assert [p["time"] for p in actions(timeline, "PauseSpeaking")
            if 5.5 <= p["time"] <= 7.0] == []
    assert audible(out, 5.6, 6.8)
    third = next(e for e in actions(timeline, "Reject") if e["kind"] == "third_party")
    assert third["time"] == pytest.approx(5.5 + 0.5, abs=0.021)  # at its speaker check


def test_barge_in_pauses_at_once_stops_and_is_answered(run):
    timeline, out, _ = run
    pause = actions(timeline, "PauseSpeaking")[-1]
    stop = actions(timeline, "StopSpeaking")[0]
    assert pause["time"] == pytest.approx(7.0 + 0.3, abs=0.021)
    assert stop["kind"] == "negation" and pause["time"] < stop["time"] <= 8.2 + 0.3
    replies = [e for e in timeline if e["type"] == "Utterance"]
    assert replies[0]["interrupted"] and replies[0]["end"] == pytest.approx(stop["time"],
                                                                            abs=0.021)
    assert replies[0]["heard"] and replies[0]["text"].startswith(replies[0]["heard"])
    assert not audible(out, pause["time"] - 0.02, replies[1]["start"] - 0.02)
    take = actions(timeline, "TakeTurn")[1]
    assert take["interruption"] == "negation" and replies[1]["start"] > 8.2


def test_each_action_is_carried_out_once_in_the_order_decided(run):
    timeline, _, _ = run
    kinds = [e["type"] for e in timeline if e["category"] == "action"
             and e["type"] not in ("StartThinking", "ThinkAhead")]
    assert kinds == ["TakeTurn", "PauseSpeaking", "ResumeSpeaking", "Reject", "Reject",
                     "PauseSpeaking", "StopSpeaking", "TakeTurn"]


def test_each_segment_is_perceived_once_and_the_thinker_reuses_it(run):
    timeline, _, perceived = run
    finals = [e["text"] for e in timeline if e["type"] == "AsrFinal"]
    speculated = [e["partial_text"] for e in actions(timeline, "StartThinking")
                  if e["partial_text"] not in finals]
    assert sorted(perceived) == sorted(finals + speculated)
    assert len([e for e in timeline if e["type"] == "Thought"]) == 2


class CountingIeat:
    """Stands in for the IEAT model: a fixed thought; records what it thought about."""

    name = "ieat"

    def __init__(self) -> None:
        self.thought_on: list[str] = []  # texts a whole thought was formed for
        self.rethought_on: list[str] = []  # texts that reused an earlier thought

    def think(self, history, user: str, voice: str, stopped=lambda: False):
        from duplex_agent.thinking.ieat_format import IeatThought

        self.thought_on.append(user)
        return IeatThought("neutral", 0.3, "wants sleep tips", "advice", "advise", ""), \
            f"now: {user}\nreply:"

    def rethink(self, history, user: str, voice: str, earlier) -> str:
        self.rethought_on.append(user)
        return f"now: {user}\nreply:"


def test_the_thought_formed_while_the_user_spoke_is_reused_for_the_reply():
    """With a model, the first turn's thought is formed on a partial (ThinkAhead) and the
    reply only continues it: the model thinks once per turn, before the user stops."""
    model = CountingIeat()
    session = fake_session(user_says(*SCRIPT[0][:3]), NeutralText(), FakeMind(model))
    audio = np.zeros(int(6.0 * SAMPLE_RATE), np.float32)
    audio[int(0.5 * SAMPLE_RATE):int(2.5 * SAMPLE_RATE)] = tone(2.0, USER_HZ)
    for i in range(0, len(audio), BLOCK_SAMPLES):
        session.step(audio[i:i + BLOCK_SAMPLES])
    ahead = actions(session.timeline.entries, "ThinkAhead")
    assert ahead and all(a["time"] < 2.5 + 0.25 for a in ahead)  # before the VAD closed
    final = SCRIPT[0][2]
    # each thought came from a ThinkAhead (on a partial); the reply only continued one
    assert model.thought_on and len(model.thought_on) <= len(ahead)
    assert set(model.thought_on) <= {a["partial_text"] for a in ahead}
    assert model.rethought_on and model.rethought_on[-1] == final
    thought = next(e for e in session.timeline.entries if e["type"] == "Thought")
    assert thought["cause"] == "wants sleep tips"
    assert any(e["type"] == "AgentSpeechStarted" for e in session.timeline.entries)


class GatedVoice(ToneVoice):
    """The tone voice, held at its first clause until the test opens the gate."""

    def __init__(self) -> None:
        self.gate, self.held_too_long = threading.Event(), False

    def render(self, text: str, style, language: str = "en") -> Rendered:
        if not self.gate.wait(timeout=30.0):
            self.held_too_long = True  # whoever should open the gate was blocked
        return super().render(text, style, language)


def test_live_the_reply_is_made_on_its_own_thread_while_listening_goes_on():
    """SessionConfig.live: the reply lane is a thread. While the voice is still making the
    reply, the session keeps stepping (listening) and plays nothing; once it is made, the
    reply plays at the next step. A session that waited for the reply would never get to
    open the gate (the voice gives up after 30 s and the test fails)."""
    voice = GatedVoice()
    models = SessionModels(listen=None, smart_turn=None, text_emotion=NeutralText(),
                           mind=FakeMind(), voice=voice, backchannels=Backchannels())
    config = replace(SessionConfig.live(input_has_echo=False), smart_turn=False)
    session = Session(models, config, listener=ScriptedListener(user_says(*SCRIPT[0][:3])))
    assert isinstance(session.reply_lane, ThreadLane)
    audio = np.zeros(int(8.0 * SAMPLE_RATE), np.float32)
    audio[int(0.5 * SAMPLE_RATE):int(2.5 * SAMPLE_RATE)] = tone(2.0, USER_HZ)
    blocks = [audio[i:i + BLOCK_SAMPLES] for i in range(0, len(audio), BLOCK_SAMPLES)]
    out = [session.step(block) for block in blocks[:200]]  # 4 s: the turn is taken
    assert actions(session.timeline.entries, "TakeTurn")
    assert session.reply_lane.busy(session.now) and not np.any(np.concatenate(out))
    voice.gate.set()
    for block in blocks[200:]:
        out.append(session.step(block))
        if np.any(out[-1]):
            break
        time.sleep(0.01)  # the lane's thread makes the reply meanwhile
    session.close()
    assert not voice.held_too_long
    started = [e for e in session.timeline.entries if e["type"] == "AgentSpeechStarted"]
    assert started and started[0]["time"] > 4.0 and np.any(out[-1])
