"""The session loop: 20 ms of user audio in, 20 ms of agent audio out, on stream time.

The session decides nothing about turns: it feeds events to the pure
``TurnController`` and carries out its actions (take the turn, think ahead, stop,
pause, resume, backchannel) one at a time from a single queue; an action whose
handler causes more actions (a stop ends the reply, and the controller hears of it)
queues them behind itself instead of recursing.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
from collections import deque
from collections.abc import Callable

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.events import (
    AgentSpeechEnded,
    AgentSpeechStarted,
    AsrFinal,
    AsrPartial,
    PlaybackReference,
)
from duplex_agent.perception import Perceiver
from duplex_agent.session.ahead import REUSE_THOUGHT_SHARE, ThoughtsAhead, extends, same_words
from duplex_agent.session.config import BLOCK_SAMPLES, SessionConfig
from duplex_agent.session.lanes import Lane, ThreadLane
from duplex_agent.session.models import SessionModels
from duplex_agent.session.replies import ReplyJob, reply_chunks
from duplex_agent.session.signals import PerceptionCache, TurnSignals
from duplex_agent.session.timeline import Timeline
from duplex_agent.thinking.thought import Thought
from duplex_agent.turns.actions import (
    Backchannel,
    PauseSpeaking,
    ResumeSpeaking,
    StartThinking,
    StopSpeaking,
    TakeTurn,
    ThinkAhead,
)
from duplex_agent.turns.config import TurnConfig
from duplex_agent.turns.controller import TurnController
from duplex_agent.utterance import Utterance
from streaming.listener import Listener

SILENCE_DB = -100.0
TONE_EMOTION = {"soft": "sad", "calm": "calm", "bright": "happy", "neutral": "neutral"}


class Session:
    """One conversation. Drivers call ``step`` with each 20 ms block of user audio."""

    def __init__(self, models: SessionModels, config: SessionConfig | None = None,
                 listener=None) -> None:
        """``listener``: anything with ``push(block) -> events`` (default: the real one)."""
        self.config = config or SessionConfig()
        self.models = models
        self.listener = listener or Listener(self.config.listen, models.listen)
        self.controller = TurnController(controller_config(self.config))
        self.perception = PerceptionCache(Perceiver(models.text_emotion))
        self.thinker = models.mind.thinker(self.perception)
        self.writer = models.mind.writer()
        self.signals = TurnSignals(self.config, models.smart_turn, self.perception)
        self.listen_lane = Lane("listen")
        self.reply_lane = (ThreadLane if self.config.threaded_reply else Lane)("reply")
        self.timeline = Timeline()
        self.samples = 0  # stream position: samples consumed
        self.utterance: Utterance | None = None
        self._job: ReplyJob | None = None
        self._speculation: tuple[str, ReplyJob, Utterance] | None = None
        self.ahead = ThoughtsAhead()  # thoughts formed while the user still speaks
        self._backchannel = np.zeros(0, np.float32)
        self._pending: list[tuple[float, int, object]] = []  # events not due yet
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._last_reply = ""
        self._actions: deque = deque()  # decided, not yet carried out
        self._acting = False

    @property
    def now(self) -> float:
        return self.samples / SAMPLE_RATE

    def step(self, block: np.ndarray) -> np.ndarray:
        """Consume ``block`` (BLOCK_SAMPLES of user audio); the agent audio for it."""
        start = self.samples
        self.signals.history.append(block)
        self.samples += len(block)
        self._listen(block)
        for event in self._due() + self.signals.on_tick(self.now):
            self._feed(event)
        self._act(self.controller.on_tick(self.now))
        self._note_ahead()
        return self._play(start)

    def close(self) -> None:
        """The conversation is over: let the reply lane's thread end (live)."""
        self.reply_lane.close()

    # --- listening -----------------------------------------------------------------------

    def _listen(self, block: np.ndarray) -> None:
        events, ready = self.listen_lane.run(self.now, lambda: self.listener.push(block))
        for event in events:
            if isinstance(event, AsrPartial | AsrFinal):  # decoding took time
                event = dataclasses.replace(event, time=max(event.time, ready))
            self._schedule(event)

    def _schedule(self, event) -> None:
        heapq.heappush(self._pending, (event.time, next(self._order), event))

    def _due(self) -> list:
        due = []
        while self._pending and self._pending[0][0] <= self.now + 1e-9:
            due.append(heapq.heappop(self._pending)[2])
        return due

    def _feed(self, event) -> None:
        """One event: the signals it causes are scheduled (on the listening lane), then
        the controller decides."""
        self.timeline.event(event)
        signals, ready = self.listen_lane.run(event.time,
                                              lambda: self.signals.on_event(event, event.time))
        self.perception.settle(ready)
        for signal in signals:
            self._schedule(dataclasses.replace(signal, time=max(signal.time, ready)))
        self._act(self.controller.on_event(event))

    # --- decisions -----------------------------------------------------------------------

    def _act(self, actions: list) -> None:
        """Carry out ``actions`` in order, and whatever they cause after them."""
        self._actions.extend(actions)
        if self._acting:
            return  # called from inside a handler: the loop below picks them up
        self._acting = True
        try:
            while self._actions:
                self._carry_out(self._actions.popleft())
        finally:
            self._acting = False

    def _carry_out(self, action) -> None:
        self.timeline.action(action)
        utterance = self.utterance
        live = utterance is not None and not utterance.finished
        match action:
            case TakeTurn():
                self._take_turn(action)
            case StartThinking() if self.config.reply.speculate:
                self._speculate(action)
            case ThinkAhead() if self.config.reply.speculate:
                self._think_ahead(action)
            case StopSpeaking():
                self._stop(action.time)
            case PauseSpeaking() if live:
                utterance.pause()  # type: ignore[union-attr]
            case ResumeSpeaking() if live:
                utterance.resume()  # type: ignore[union-attr]
            case Backchannel():
                self._say_backchannel(action)

    def _take_turn(self, turn: TakeTurn) -> None:
        self.listen_lane.run(turn.time, lambda: self.signals.turn_taken(turn.speech_start,
                                                                        turn.speech_end))
        self._stop(turn.time)
        adopted, prior = self._adopt_speculation(turn)
        job, utterance = adopted or self._new_reply(turn, turn.time, prior)
        utterance.release()
        self._job, self.utterance = job, utterance
        self.ahead.clear()

    def _new_reply(self, turn: TakeTurn, start: float,
                   prior: Callable[[], Thought | None] | None = None
                   ) -> tuple[ReplyJob, Utterance]:
        audio = self.signals.audio(turn.speech_start, turn.speech_end)
        # the thought starts once the perception of these words is ready on the other lane
        start = max(start, self.perception.ready_at(turn.user_text, audio))
        job = ReplyJob(start, turn.user_text, audio, turn.language or None, turn.interruption,
                       prior=prior or self._thought_ahead(turn.user_text))
        return job, self._utterance(job, start, held=False)

    def _utterance(self, job: ReplyJob, start: float, held: bool) -> Utterance:
        chunks = reply_chunks(job, self.thinker, self.writer, self.models.voice,
                              self._last_reply)
        utterance = Utterance(f"u{next(self._ids)}", chunks, self.reply_lane, start,
                              BLOCK_SAMPLES, held=held)
        job.stopped = lambda: utterance.interrupted
        return utterance

    def _speculate(self, action: StartThinking) -> None:
        if self._speculation is not None:
            self._speculation[2].interrupt(self.samples)
        job = ReplyJob(action.time, action.partial_text, self._turn_audio(action.time), None,
                       prior=self._thought_ahead(action.partial_text))
        self._speculation = (action.partial_text, job, self._utterance(job, action.time, True))

    def _think_ahead(self, action: ThinkAhead) -> None:
        """Form the model's thought on the words so far, on the reply lane when it is
        free (a thought still being formed is not queued behind)."""
        if self.thinker.model is None or self.reply_lane.busy(action.time):
            return
        audio, time = self._turn_audio(action.time), action.time
        self.ahead.start(self.reply_lane, time, action.partial_text, lambda stopped:
                         self.thinker.think(time, action.partial_text, audio,
                                            stopped=stopped)[0])
        self._note_ahead()

    def _note_ahead(self) -> None:
        """Put a thought formed ahead on the timeline once it is done."""
        formed = self.ahead.formed(self.now)
        if formed is not None:
            self.timeline.note(formed[0], "thought ahead", formed[1])

    def _turn_audio(self, time: float) -> np.ndarray:
        """The user's audio of the turn so far (from its onset) up to ``time``."""
        onset = self.signals.turn_onset if self.signals.turn_onset is not None else time
        return self.signals.audio(onset, time)

    def _thought_ahead(self, text: str) -> Callable[[], Thought | None] | None:
        """The thought formed mid-turn that a reply on ``text`` takes (``ThoughtsAhead``)."""
        self._note_ahead()
        return self.ahead.prior_for(text)

    def _adopt_speculation(self, turn: TakeTurn) -> tuple[
            tuple[ReplyJob, Utterance] | None, Callable[[], Thought | None] | None]:
        """The speculative reply if it was on the same words; else the thought it formed,
        when the final words only extend its partial (the model need not think again)."""
        speculation, self._speculation = self._speculation, None
        if speculation is None:
            return None, None
        text, job, utterance = speculation
        if turn.interruption in ("stop", "repeat"):
            utterance.interrupt(self.samples)
            return None, None
        if same_words(text, turn.user_text):
            self.timeline.note(turn.time, "speculation used", text)
            return (job, utterance), None
        utterance.interrupt(self.samples)
        if not extends(text, turn.user_text, REUSE_THOUGHT_SHARE):
            return None, None
        if job.thought is not None and job.thought.driver == "model":
            self.timeline.note(turn.time, "thought from partial reused", text)
        # live, its thought may still be forming: the new reply, behind it on the reply
        # lane, takes it when it starts (a rule-based thought is not reused)
        return None, lambda: job.thought

    def _stop(self, time: float) -> None:
        utterance = self.utterance
        if utterance is None or utterance.finished:
            return
        heard = utterance.interrupt(max(self.samples, int(time * SAMPLE_RATE)))
        self._finish(utterance, heard)

    def _finish(self, utterance: Utterance, heard: str) -> None:
        """Remember the turn with what the user heard, and tell the controller."""
        job = self._job
        if job is not None and job.thought is not None:
            self._log_thought(job)
            self.thinker.commit(job.thought, job.user_text)
            self.perception.learn(job.audio)
            self.thinker.memory.record_reply(heard, cut_off=utterance.interrupted)
        self._last_reply = utterance.full_text or self._last_reply
        self._job = None
        self.timeline.agent(utterance, heard, job.reply if job is not None else None)
        end = AgentSpeechEnded(self.now, utterance.uid, heard, utterance.interrupted)
        self._act(self.controller.on_event(end))

    def _log_thought(self, job: ReplyJob) -> None:
        """Put the thought on the timeline (and so the debug panel) as soon as it exists."""
        if job.thought is not None and not job.logged:
            job.logged = True
            self.timeline.thought(job.thought)

    def _say_backchannel(self, action: Backchannel) -> None:
        kind = action.kind
        language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in action.text) else "en"
        emotion = TONE_EMOTION.get(action.tone, "neutral")
        audio, ready = self.reply_lane.run(action.time, lambda: self.models.backchannels.get(
            kind, emotion, language))
        del ready  # cached clips are instant; the first synthesis is charged to the lane
        self._backchannel = np.concatenate([self._backchannel, audio])

    # --- playing -------------------------------------------------------------------------

    def _play(self, at_sample: int) -> np.ndarray:
        out = np.zeros(BLOCK_SAMPLES, np.float32)
        text = ""
        utterance = self.utterance
        if self._speculation is not None:
            self._speculation[2].pull(at_sample)  # keeps generating while held
        if utterance is not None and not utterance.finished:
            was_started = utterance.started_at is not None
            out += utterance.pull(at_sample)
            text = utterance.full_text
            if self._job is not None:
                self._log_thought(self._job)
            if not was_started and utterance.started_at is not None:
                self._agent_started(utterance)
            if utterance.finished:
                self._finish(utterance, utterance.playout.text)
        if len(self._backchannel):
            piece = self._backchannel[:BLOCK_SAMPLES]
            out[:len(piece)] += piece
            self._backchannel = self._backchannel[BLOCK_SAMPLES:]
        self._reference(out, text)
        return out

    def _agent_started(self, utterance: Utterance) -> None:
        event = AgentSpeechStarted(self.now, utterance.uid)
        self.timeline.event(event)
        self._act(self.controller.on_event(event))

    def _reference(self, out: np.ndarray, text: str) -> None:
        rms = float(np.sqrt(np.mean(out**2)))
        level = 20 * np.log10(rms) if rms > 1e-5 else SILENCE_DB
        if level > SILENCE_DB:
            self._act(self.controller.on_event(PlaybackReference(self.now, round(level, 1), text)))


def controller_config(config: SessionConfig) -> TurnConfig:
    """The controller's configuration, with the session's own switches applied."""
    turns = config.turns
    if not config.input_has_echo:  # e.g. a file of the user's voice alone
        turns = dataclasses.replace(turns, echo=dataclasses.replace(turns.echo, enabled=False))
    barge_in = dataclasses.replace(turns.barge_in, pause=turns.barge_in.pause
                                   and config.pause_on_onset,
                                   pause_level_margin_db=config.pause_level_margin_db)
    return dataclasses.replace(turns, barge_in=barge_in)

