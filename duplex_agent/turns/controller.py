"""The turn controller: a pure composition of the turn-taking decisions.

``on_event(event)`` and ``on_tick(now)`` take stream time and return actions;
the controller does no I/O, owns no timers and never reads a clock. The
session calls ``on_tick`` every audio frame (or as often as it likes: a
decision due between two calls is made at the next call, at that call's
time) and carries out the actions.

Phases: listening -> user speaking -> (TakeTurn) thinking -> (AgentSpeechStarted)
speaking -> (AgentSpeechEnded) listening. User speech while the agent thinks
or speaks is an *overlap*: it becomes the user's turn (StopSpeaking) or is
rejected (backchannel, echo, third party, noise). User-like speech over the agent
pauses the reply first (``pause.py``); a rejection resumes it.

What the session sends besides the listening events: ``SpeakerCheck`` for
each segment once the user is enrolled (before its first partial if it can:
the check is cheap), ``FinalPitch`` and ``EndOfTurnPrediction`` when the VAD
closes a segment, ``PlaybackReference`` for everything the speaker plays,
``AgentSpeechStarted``/``AgentSpeechEnded`` per reply (an uninterrupted
``AgentSpeechEnded`` while thinking means "no reply after all"),
``EmotionEstimate``, and ``VoiceLevel`` at each onset once the user is enrolled.
``StopSpeaking.kind`` is the best guess from the words heard so far;
``TakeTurn.interruption`` re-reads the whole turn.
"""

from __future__ import annotations

import math

from duplex_agent.events import (
    AgentSpeechEnded,
    AgentSpeechStarted,
    AsrFinal,
    AsrPartial,
    EmotionEstimate,
    EndOfTurnPrediction,
    FinalPitch,
    PlaybackReference,
    SpeakerCheck,
    SpeechEnded,
    SpeechStarted,
)
from duplex_agent.turns import addressee, backchannel, barge_in, end_of_turn, lexicon, policy
from duplex_agent.turns.actions import (
    Action,
    Backchannel,
    Reject,
    StartThinking,
    StopSpeaking,
    TakeTurn,
    ThinkAhead,
)
from duplex_agent.turns.config import TurnConfig
from duplex_agent.turns.echo import EchoReference
from duplex_agent.turns.inputs import VoiceLevel
from duplex_agent.turns.pause import ReplyPause
from duplex_agent.turns.state import Phase, Segment, Turn

TurnEvent = (SpeechStarted | SpeechEnded | AsrPartial | AsrFinal | SpeakerCheck | FinalPitch
             | EndOfTurnPrediction | EmotionEstimate | PlaybackReference | AgentSpeechStarted
             | AgentSpeechEnded | VoiceLevel)
MAX_SEGMENTS = 64  # segments remembered for late events (finals, checks)
EPS = 1e-6  # stream times are sums of floats: a deadline reached to a microsecond is reached


class TurnController:
    """Events and stream time in, turn-taking actions out."""

    def __init__(self, config: TurnConfig | None = None) -> None:
        self.config = config or TurnConfig()
        self.phase = Phase.LISTENING
        self.now = 0.0
        self.phases: list[tuple[float, Phase]] = [(0.0, Phase.LISTENING)]
        self._turn: Turn | None = None  # the user's turn being built
        self._answered: Turn | None = None  # the turn the agent is answering
        self._overlap: Segment | None = None  # user speech over the agent, undecided
        self._segments: dict[float, Segment] = {}
        self._echo = EchoReference(self.config.echo)
        self._pause = ReplyPause(self.config.barge_in)
        self._emotion: EmotionEstimate | None = None
        self._last_backchannel: tuple[float, str] = (-math.inf, "")
        self._pauses: list[float] = []  # the user's mid-turn pauses so far (pacing)
        self._utterance: str | None = None  # the reply playing now
        self._stopped: str | None = None  # the reply we last stopped (its end comes late)

    # --- public interface -------------------------------------------------------------

    def on_event(self, event: TurnEvent) -> list[Action]:
        """Take one event (stamped with stream time); return the decisions it causes."""
        self.now = max(self.now, event.time)
        return self._handle(event) + self._timers()

    def on_tick(self, now: float) -> list[Action]:
        """Stream time moved on to ``now``; return decisions that fell due."""
        self.now = max(self.now, now)
        return self._timers()

    # --- events -----------------------------------------------------------------------

    def _handle(self, event: TurnEvent) -> list[Action]:
        match event:
            case SpeechStarted():
                return self._speech_started(event.start)
            case SpeechEnded():
                return self._update(event.start, end=event.end)
            case AsrPartial():
                return self._update(event.segment_start, partial=event.text)
            case AsrFinal():
                return self._update(event.segment_start, final=event.text,
                                    language=event.language)
            case SpeakerCheck():
                segment = self._segments.get(round(event.segment_start, 3))
                check = addressee.combine(segment.check if segment else None, event)
                return self._update(event.segment_start, check=check)
            case VoiceLevel():
                return self._update(event.segment_start, level_db=event.relative_db)
            case FinalPitch():
                return self._update(event.segment_start, pitch_st=event.movement_st)
            case EndOfTurnPrediction():
                self._smart_turn(event)
            case EmotionEstimate():
                self._emotion = event
            case PlaybackReference():
                self._echo.add(event)
            case AgentSpeechStarted():
                self._agent_started(event)
            case AgentSpeechEnded():
                return self._agent_ended(event)
        return []

    def _speech_started(self, start: float) -> list[Action]:
        segment = self._remember(Segment(start))
        if self.phase in (Phase.THINKING, Phase.SPEAKING):
            self._overlap = segment
            return self._judge_overlap(segment)
        if self._turn is None:
            self._turn = Turn()
            self._set_phase(Phase.USER_SPEAKING)
        pause = self._turn.pause_start
        if pause is not None and self._turn.text:
            segment.resumes_after = start - pause
        self._turn.segments.append(segment)
        self._turn.smart_turn = None
        return []

    def _resumed_after_pause(self, turn: Turn, segment: Segment) -> list[Action]:
        """Log the pause the user went on after, once their words show it was them."""
        gap = segment.resumes_after
        if gap is None or segment.rejected is not None or not segment.text.strip():
            return []
        segment.resumes_after = None
        self._pauses = (self._pauses + [gap])[-self.config.policy.pacing_memory:]
        before = turn.text[:-len(segment.text)].strip()[-40:]
        return [Reject(self.now, f"mid-turn pause of {gap:.2f} s after {before!r}: "
                                 f"the user went on", "pause")]

    def _update(self, start: float, **fields: object) -> list[Action]:
        segment = self._segments.get(round(start, 3))
        if segment is None or segment.rejected is not None:
            return []
        for name, value in fields.items():
            setattr(segment, name, value)
        if segment is self._overlap:
            return self._judge_overlap(segment)
        if self._turn is not None and segment in self._turn.segments:
            return self._judge_turn_segment(segment)
        return []

    def _smart_turn(self, event: EndOfTurnPrediction) -> None:
        pause = self._turn.pause_start if self._turn is not None else None
        if self._turn is not None and pause is not None and event.time >= pause:
            self._turn.smart_turn = event.probability

    def _agent_started(self, event: AgentSpeechStarted) -> None:
        self._utterance = event.utterance_id
        if self.phase in (Phase.THINKING, Phase.LISTENING):
            self._set_phase(Phase.SPEAKING)

    def _agent_ended(self, event: AgentSpeechEnded) -> list[Action]:
        if event.utterance_id == self._stopped or \
                (self.phase == Phase.SPEAKING and event.utterance_id != self._utterance) or \
                (self.phase == Phase.THINKING and event.interrupted):  # a stale, cut reply
            return []
        self._utterance = None
        if self.phase not in (Phase.SPEAKING, Phase.THINKING):
            return []
        self._pause.clear()
        self._answered = None
        self._set_phase(Phase.LISTENING)
        if self._overlap is not None:  # still undecided: its words will decide
            return self._judge_overlap(self._overlap)
        return []

    # --- decisions --------------------------------------------------------------------

    def _not_for_agent(self, segment: Segment) -> tuple[str, str] | None:
        """("echo" | "third_party" | "not_addressed", reason) or None."""
        echo = self._echo.judge(segment.start, self.now, segment.text, segment.check,
                                self.config.addressee.doubt_similarity)
        if echo is not None:
            return "echo", echo
        return addressee.judge(segment.check, segment.text, self.config.addressee)

    def _reject(self, segment: Segment, kind: str, reason: str) -> list[Action]:
        segment.rejected = kind
        if segment is self._overlap:
            self._overlap = None
        if self._turn is not None and not self._turn.accepted:
            self._turn = None
            self._set_phase(Phase.LISTENING)
        return [Reject(self.now, reason, kind)] + self._pause.release(  # type: ignore[arg-type]
            segment, self.now, f"not an interruption ({kind})")

    def _judge_turn_segment(self, segment: Segment) -> list[Action]:
        verdict = self._not_for_agent(segment)
        if verdict is not None:
            return self._reject(segment, *verdict)
        return self._resumed_after_pause(self._turn, segment)  # type: ignore[arg-type]

    def _judge_overlap(self, segment: Segment) -> list[Action]:
        verdict = self._not_for_agent(segment)
        if verdict is not None:
            return self._reject(segment, *verdict)
        overlap = barge_in.Overlap(segment.text, segment.final is not None,
                                   (segment.end or self.now) - segment.start,
                                   self._user_like(segment), segment.closed,
                                   self._pause.by is segment, self._doubtful(segment))
        decision = barge_in.decide(overlap, self.now, self.config.barge_in)
        if isinstance(decision, Reject):
            return self._reject(segment, decision.kind, decision.reason)
        if isinstance(decision, StopSpeaking):
            return self._barge_in(segment, decision)
        if segment.closed and self.phase == Phase.SPEAKING:  # audible: no gap while the
            return self._pause.release(segment, self.now,  # final transcript is decoded
                                       "the speech ended without words for the agent")
        return []

    def _doubtful(self, segment: Segment) -> bool:
        """Quieter than the user and not checked yet: perhaps a voice in the background."""
        return segment.check is None and not self._pause.user_like_level(segment)

    def _user_like(self, segment: Segment) -> bool:
        """Is the voice clearly the user's (for stopping before there are words)?"""
        config, check = self.config.addressee, segment.check
        similar = check is not None and (not config.use_speaker
                                         or check.similarity >= config.doubt_similarity)
        if self._echo.playing(segment.start, self.now):
            return similar  # echo is possible: only a positive check will do
        return check is None or similar

    def _barge_in(self, segment: Segment, stop: StopSpeaking) -> list[Action]:
        """The overlap takes the turn: stop the agent (if it is still on) and listen."""
        self._overlap = None
        if self.phase not in (Phase.THINKING, Phase.SPEAKING):  # the agent finished meanwhile
            self._turn = self._turn or Turn()
            self._turn.segments.insert(0, segment)
            self._set_phase(Phase.USER_SPEAKING)
            return []
        thinking = self.phase == Phase.THINKING and self._answered is not None
        prior = self._answered.segments if thinking else []  # type: ignore[union-attr]
        self._turn = Turn(prior + [segment], interruption=None if thinking else stop.kind)
        self._answered = None
        self._pause.clear()
        self._stopped, self._utterance = self._utterance, None
        self._set_phase(Phase.USER_SPEAKING)
        return [StopSpeaking(stop.time, stop.reason + (" (while thinking)" if thinking else ""),
                             stop.kind)]

    # --- timers -----------------------------------------------------------------------

    def _timers(self) -> list[Action]:
        actions: list[Action] = []
        if self._overlap is not None and not self._overlap.closed:
            actions += self._pause.due(self._overlap, self.now, self.phase == Phase.SPEAKING)
            actions += self._judge_overlap(self._overlap)
        if self.phase == Phase.USER_SPEAKING and self._turn is not None:
            actions += self._turn_timers(self._turn)
        return actions

    def _wait(self, turn: Turn) -> tuple[float, end_of_turn.Evidence, str]:
        """Silence that ends this turn, the evidence behind it, and the patience note."""
        config = self.config
        last = turn.last
        evidence = end_of_turn.gather(turn.text, last.pitch_st if last else None,
                                      turn.smart_turn, config.end_of_turn)
        emotion = policy.fresh(self._emotion, self.now, config.policy)
        factor, why = policy.patience(emotion, turn.text, config.policy, self._pauses)
        note = f"; patience x{factor:.1f}: {why}" if factor != 1.0 else ""
        return end_of_turn.required_silence(evidence, config.end_of_turn, factor), evidence, note

    def _turn_timers(self, turn: Turn) -> list[Action]:
        pause = turn.pause_start
        last = turn.last
        if last is None:
            return []
        if pause is None:
            return self._think_ahead(turn)
        silence = self.now - pause + EPS
        wait, evidence, note = self._wait(turn)
        if silence < wait:
            return self._speculate(turn, evidence) + self._backchannel(turn, silence, wait)
        if last.final is None and silence < wait + self.config.end_of_turn.final_grace_s:
            return []  # hold out for the final transcript
        return self._end_turn(turn, f"silence {silence:.2f} s >= wait {wait:.2f} s "
                                    f"({evidence.describe()}{note})")

    def _end_turn(self, turn: Turn, reason: str) -> list[Action]:
        if not lexicon.words(turn.text) and not lexicon.cjk(turn.text):
            kind = "backchannel" if lexicon.has_laughter(turn.text) else "noise"
            self._turn = None
            self._set_phase(Phase.LISTENING)
            return [Reject(self.now, f"turn without words ({turn.text!r})", kind)]
        # the kind the stop was decided on came from a partial; the whole turn says more
        kind = lexicon.interruption_kind(turn.text) if turn.interruption else None
        language = turn.language or ("zh" if lexicon.is_chinese(turn.text) else "en")
        take = TakeTurn(self.now, reason, turn.text, turn.start, turn.last.end or self.now,
                        language, kind)  # type: ignore[arg-type, union-attr]
        self._answered, self._turn = turn, None
        self._pause.clear()
        self._set_phase(Phase.THINKING)
        return [take]

    def _speculate(self, turn: Turn, evidence: end_of_turn.Evidence) -> list[Action]:
        config = self.config.end_of_turn
        text = turn.text
        if not text or text == turn.speculated or \
                end_of_turn.completion_probability(evidence, config) < config.speculate_p:
            return []
        turn.speculated = text
        return [StartThinking(self.now, f"pause after a complete-looking turn "
                                        f"({evidence.describe()})", text)]

    def _think_ahead(self, turn: Turn) -> list[Action]:
        """Mid-turn, on enough new words: start working out the feeling and its cause."""
        config = self.config.end_of_turn
        text = turn.text
        size = len(lexicon.words(text)) + len(lexicon.cjk(text)) // 2
        if not config.think_ahead_words or size < config.think_ahead_words or \
                size < turn.thought_ahead + config.think_ahead_step:
            return []
        turn.thought_ahead = size
        return [ThinkAhead(self.now, f"{size} words so far, the user still speaking", text)]

    def _backchannel(self, turn: Turn, silence: float, wait: float) -> list[Action]:
        last_time, last_text = self._last_backchannel
        if turn.backchannel_pause == turn.pause_start or not backchannel.fits(
                silence, (turn.pause_start or turn.start) - turn.start, self.now - last_time,
                wait, self.config.backchannel):
            return []
        emotion = policy.fresh(self._emotion, self.now, self.config.policy)
        language = turn.language or ("zh" if lexicon.is_chinese(turn.text) else "en")
        text, tone, kind = backchannel.choose(emotion, language, last_text)
        turn.backchannel_pause = turn.pause_start
        self._last_backchannel = (self.now, text)
        mood = policy.mood(emotion)
        return [Backchannel(self.now, f"pause {silence:.2f} s in a long turn, "
                                      f"user {mood}; turn expected at {wait:.2f} s", text, tone,
                            kind)]

    # --- bookkeeping ------------------------------------------------------------------

    def _remember(self, segment: Segment) -> Segment:
        self._segments[round(segment.start, 3)] = segment
        while len(self._segments) > MAX_SEGMENTS:
            del self._segments[next(iter(self._segments))]
        return segment

    def _set_phase(self, phase: Phase) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phases.append((self.now, phase))
