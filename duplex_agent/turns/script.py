"""Scripted timelines: drive a TurnController on a virtual clock.

``run`` feeds events in stream-time order and ticks the controller between
them, so a 30 s conversation runs in milliseconds. The builders write the
events the listening path and the session would produce for "the user says
X from 0.5 to 2.5 s" or "the agent's reply plays from 3 to 7 s", with the
same delays (VAD confirmation and hang-over, partial interval, ASR compute).
``run`` also replays a recorded event log under another ``TurnConfig``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from duplex_agent.clock import VirtualClock
from duplex_agent.events import (
    AgentSpeechEnded,
    AgentSpeechStarted,
    AsrFinal,
    AsrPartial,
    EndOfTurnPrediction,
    FinalPitch,
    PlaybackReference,
    SpeakerCheck,
    SpeechEnded,
    SpeechStarted,
)
from duplex_agent.turns import lexicon
from duplex_agent.turns.actions import (
    Action,
    Backchannel,
    PauseSpeaking,
    ResumeSpeaking,
    StopSpeaking,
    TakeTurn,
)
from duplex_agent.turns.controller import TurnController, TurnEvent


class Agent(Protocol):
    """The session's side of a timeline: carries out actions, produces agent events."""

    def act(self, action: Action) -> None: ...

    def poll(self, now: float) -> list[TurnEvent]: ...


def run(controller: TurnController, events: Iterable[TurnEvent], until: float,
        tick_s: float = 0.01, clock: VirtualClock | None = None,
        agent: Agent | None = None) -> list[Action]:
    """Feed ``events`` by time, ticking every ``tick_s`` until ``until``; all actions.

    With an ``agent``, every action goes to ``agent.act`` and the events its
    ``poll`` returns (agent speech, playback) go back into the controller.
    """
    clock = clock or VirtualClock()
    pending = sorted(events, key=lambda e: e.time)
    actions: list[Action] = []
    step, i = 0, 0
    while (t := round(clock.now() + tick_s * (step > 0), 6)) <= until + 1e-9:
        due = []
        while i < len(pending) and pending[i].time <= t + 1e-9:
            due.append(pending[i])
            i += 1
        due = sorted(due + (agent.poll(t) if agent else []), key=lambda e: e.time)
        for event in due:
            clock.advance_to(event.time)
            actions += _act(controller.on_event(event), agent)
        clock.advance_to(t)
        actions += _act(controller.on_tick(clock.now()), agent)
        step += 1
    return actions


def _act(actions: list[Action], agent: Agent | None) -> list[Action]:
    for action in actions if agent else ():
        agent.act(action)  # type: ignore[union-attr]
    return actions


class SimulatedAgent:
    """A stand-in session: replies ``think_s`` after each TakeTurn, speaking
    ``words_per_s``, stops ``stop_s`` after StopSpeaking, plays backchannels, and
    notes the pauses (PauseSpeaking .. ResumeSpeaking or the stop) in ``pauses``."""

    def __init__(self, reply: str = "I hear you, that sounds like a lot to carry.",
                 think_s: float = 0.6, words_per_s: float = 2.5, stop_s: float = 0.05,
                 level_db: float = -20.0) -> None:
        self.reply, self.think_s, self.words_per_s = reply, think_s, words_per_s
        self.stop_s, self.level_db = stop_s, level_db
        self._queue: list[TurnEvent] = []
        self._count = 0
        self._playing: tuple[str, float, str] | None = None  # id, start, text
        self.stops: list[tuple[float, float]] = []  # (decided, audio stopped)
        self.pauses: list[list[float]] = []  # [paused, resumed or stopped]

    def act(self, action: Action) -> None:
        match action:
            case TakeTurn():
                self._count += 1
                start = _t(action.time + self.think_s)
                end = _t(start + len(self.reply.split()) / self.words_per_s)
                self._playing = (f"reply-{self._count}", start, self.reply)
                self._queue += agent_says(start, end, self.reply, f"reply-{self._count}",
                                          self.level_db)
            case StopSpeaking():
                self._stop(action.time)
                self._unpause(action.time)
            case PauseSpeaking():
                self.pauses.append([action.time])
            case ResumeSpeaking():
                self._unpause(action.time)
            case Backchannel():
                self._queue += [PlaybackReference(_t(action.time + k * 0.1), self.level_db,
                                                  action.text) for k in range(3)]

    def _unpause(self, now: float) -> None:
        if self.pauses and len(self.pauses[-1]) == 1:
            self.pauses[-1].append(now)

    def _stop(self, now: float) -> None:
        if self._playing is None:
            return
        uid, start, text = self._playing
        # drop the rest of the reply (playback references count as the reply's)
        self._queue = [e for e in self._queue
                       if e.time <= now or getattr(e, "utterance_id", uid) != uid]
        heard = _prefix(text, max(0.0, now - start) * self.words_per_s
                        / max(1, len(text.split()))) if now > start else ""
        stopped = _t(now + self.stop_s)
        self._queue.append(AgentSpeechEnded(stopped, uid, heard, interrupted=True))
        self.stops.append((now, stopped))
        self._playing = None

    def poll(self, now: float) -> list[TurnEvent]:
        due = [e for e in self._queue if e.time <= now + 1e-9]
        self._queue = [e for e in self._queue if e.time > now + 1e-9]
        if any(isinstance(e, AgentSpeechEnded) for e in due):
            self._playing = None
        return due


@dataclass(frozen=True)
class Listening:
    """Delays of the listening path (defaults: VadConfig, AsrConfig, measured compute)."""

    confirm_s: float = 0.15  # VAD minimum speech before SpeechStarted
    hang_over_s: float = 0.25  # VAD silence before SpeechEnded
    partial_every_s: float = 0.5  # AsrConfig.partial_interval_s
    asr_s: float = 0.15  # compute of a final transcript
    smart_turn_s: float = 0.08  # compute of Smart Turn
    check_after_s: float = 0.4  # speech needed before the SpeakerCheck


def _units(text: str) -> list[str]:
    return list(text) if lexicon.is_chinese(text) else text.split()


def _prefix(text: str, share: float) -> str:
    units = _units(text)
    kept = units[:max(1, round(len(units) * share))]
    return ("" if lexicon.is_chinese(text) else " ").join(kept)


def user_says(start: float, end: float, text: str, *, language: str = "",
              listening: Listening = Listening(), similarity: float | None = None,
              relative_level_db: float = 0.0, level_db: float = -25.0,
              pitch_st: float | None = None,
              smart_turn: float | None = None) -> list[TurnEvent]:
    """Events for one user speech segment from ``start`` to ``end`` saying ``text``."""
    lis = listening
    language = language or ("zh" if lexicon.is_chinese(text) else "en")
    closed = _t(end + lis.hang_over_s)
    events: list[TurnEvent] = [SpeechStarted(_t(start + lis.confirm_s), start),
                               SpeechEnded(closed, start, end),
                               AsrFinal(_t(closed + lis.asr_s), start, end, text, (), language)]
    t = _t(start + lis.confirm_s + lis.partial_every_s)
    while t < closed:
        shown = _prefix(text, min(1.0, (t - start) / max(end - start, 1e-3)))
        committed, _, tail = shown.rpartition(" ")
        events.append(AsrPartial(t, start, committed, tail))
        t = _t(t + lis.partial_every_s)
    if similarity is not None:
        events.append(SpeakerCheck(_t(min(start + lis.check_after_s, closed)), start,
                                   similarity, relative_level_db, level_db))
    if pitch_st is not None:
        events.append(FinalPitch(closed, start, pitch_st))
    if smart_turn is not None:
        events.append(EndOfTurnPrediction(_t(closed + lis.smart_turn_s), smart_turn))
    return events


def _t(seconds: float) -> float:
    """Stream times rounded to the microsecond, so scripted sums compare exactly."""
    return round(seconds, 6)


def agent_says(start: float, end: float, text: str, utterance_id: str = "reply",
               level_db: float = -20.0, every_s: float = 0.1) -> list[TurnEvent]:
    """A reply playing from ``start`` to ``end``, with its echo reference."""
    events: list[TurnEvent] = [AgentSpeechStarted(start, utterance_id)]
    count = max(1, round((end - start) / every_s))
    for k in range(count):
        share = (k + 1) / count
        events.append(PlaybackReference(round(start + k * every_s, 6), level_db,
                                        _prefix(text, share)))
    events.append(AgentSpeechEnded(end, utterance_id, text, interrupted=False))
    return events
