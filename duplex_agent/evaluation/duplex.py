"""Scoring duplex runs the way HumDial Track 2 does, plus Full-Duplex-Bench takeover rates.

Agent speech timing comes from the output WAV (silero VAD, ``timing.py``), the
user side from the scenario's ground truth. The timeline serves diagnostics (what the
controller decided after the event) and one ambiguity the organisers' transcript judge
resolves by content: whether a short silence before a quick answer was a stop or a
sentence pause (see ``_interruption``). Sources read (no code copied), all in
ASLP-lab/Hum-Dial, Full-Duplex_Interaction/evaluation/ unless said:

- readme.txt: Int = mean RESPOND over the 5 interruption kinds; Rej = mean RESUME /
  rejection rate over the 4 rejection kinds; total delay = mean of (stop latency,
  response latency, first-response delay), each a mean over kinds.
- interruption/get_timing.py: stop and response latency intervals (see timing.py).
- interruption/compute_first_response_delay.py (and the copies under rejection/):
  first-response delay = first agent speech - end of the user's query, kept if > 0
  (User_Real-time_Backchannels keeps >= 0; no difference on float times).
- rejection/Pause_Handling/compute_rejection_rate.py and
  Third-party_Speech/Third-party_Speech_before/compute_rejection_rate_before.py:
  rejection succeeds when the agent's first speech starts after the query's end.
- Third-party_Speech/readme.txt: third-party score = 0.5 "after" RESUME + 0.5 "before"
  rejection rate.
- instruction/behavior.txt: RESPOND / RESUME are an LLM judge's C_RESPOND / C_RESUME tags;
  here they are judged from timing alone (see ``score``).
- total_score.png and ASLP-lab/HumDial-Challenge content/track2/results.md: the delay
  score and Total = 0.4 Int + 0.4 Rej + 0.2 delay score.
- DanielLin94144/Full-Duplex-Bench v1_v1.5/evaluation/eval_smooth_turn_taking.py,
  eval_pause_handling.py, eval_user_interruption.py: takeover (TOR).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from duplex_agent.evaluation.scenarios import INTERRUPTIONS, Scenario
from duplex_agent.evaluation.timing import (
    MODEL_MERGE_GAP,
    USER_MERGE_GAP,
    Interval,
    merge,
    overlaps,
    response_gaps,
)

# Full-Duplex-Bench: an output whose words span at least 1 s is a turn (shorter ones with
# more than 3 words are too; without a transcript we keep the duration rule only).
TURN_MIN_S = 1.0
# Our RESUME proxy: the agent's speech must run on this far past the end of the event.
RESUME_MARGIN_S = 0.5
# How far after an event we look for the agent's answer (s).
ANSWER_WINDOW_S = 8.0
# A silence in the agent's speech up to this long is a pause inside one reply, not a stop:
# the voice's longest sentence pause is 0.55 s (sad preset), above the 0.5 s merge gap.
# A longer silence ends the reply (a stop, or its natural end); speech after it is a new turn.
BRIDGE_S = 0.75
DURING_SPEECH = ("backchannel", "third_party", "not_addressed")


@dataclass
class ScenarioScore:
    """One scenario's outcome. ``success`` is the HumDial binary for its kind:
    RESPOND for interruptions, RESUME or rejection for rejections, a taken turn for
    smooth turn ends."""

    name: str
    kind: str
    variant: str
    success: bool
    # respond / resume / waited / took-turn on success; otherwise not-speaking, no-stop,
    # no-answer, stopped, ended (the reply finished during the event), early, silent, no-turn
    outcome: str
    detail: str = ""  # the numbers behind the outcome, for the per-scenario listing
    not_speaking: bool = False  # the agent was silent when the event began
    stop_latencies: list[float] = field(default_factory=list)  # HumDial, interruptions
    response_latencies: list[float] = field(default_factory=list)  # HumDial, interruptions
    first_response_delay: float | None = None  # HumDial, kept only when > 0
    turn_tor: int | None = None  # FDB smooth turn-taking TOR after the user's query
    # FDB TOR for the event: interruption = the agent speaks >= 1 s after the interruption
    # ends (higher is better); pause = the agent takes the turn inside the paused sentence
    # (lower is better); backchannel / third party / not addressed = a new agent turn after
    # the event (lower is better; our extension of FDB's rule); None otherwise.
    event_tor: int | None = None
    agent: list[Interval] = field(default_factory=list)  # merged agent speech runs
    decisions: list[str] = field(default_factory=list)  # controller actions after the event


def speaking_at(runs: list[Interval], t: float) -> bool:
    """Was the agent speaking at ``t``: inside a run, or at most BRIDGE_S after one ended
    (a pause inside a reply; a longer silence means the reply was over)?"""
    return any(s <= t <= e + BRIDGE_S for s, e in runs)


def run_end(runs: list[Interval], t: float) -> float:
    """End of the agent's speech going on at ``t``, pauses up to BRIDGE_S bridged: when
    the agent stopped (or finished) after ``t``."""
    end = t
    for s, e in runs:
        if e < t:
            continue
        if s > end + BRIDGE_S:
            break
        end = max(end, e)
    return end


def new_turn(runs: list[Interval], after: float, until: float) -> int:
    """TOR of the first new turn: agent speech that starts after ``after`` following a
    silence longer than BRIDGE_S (so not the old reply going on), before ``until``."""
    for i, (s, _) in enumerate(runs):
        previous_end = runs[i - 1][1] if i else -1.0
        if s >= after and s - previous_end > BRIDGE_S:
            return takeover(runs[i:], s, until)
    return 0


def takeover(runs: list[Interval], start: float, end: float) -> int:
    """FDB takeover (TOR): 1 if the agent speech beginning in [start, end) spans at least
    TURN_MIN_S (from its first onset to the last end of those runs), else 0."""
    chosen = [(s, e) for s, e in runs if start <= s < end]
    return int(bool(chosen) and chosen[-1][1] - chosen[0][0] >= TURN_MIN_S)


def first_response_delay(runs: list[Interval], query_end: float) -> float | None:
    """HumDial first-response delay: first agent speech onset minus the end of the user's
    query; None (left out of the mean) when the agent never spoke or spoke first."""
    if not runs:
        return None
    delay = runs[0][0] - query_end
    return round(delay, 3) if delay > 0 else None


def score(scenario: Scenario, agent: list[Interval],
          timeline: list[dict] | None = None) -> ScenarioScore:
    """Score one run from its agent speech segments (raw VAD, seconds)."""
    runs = merge(agent, MODEL_MERGE_GAP)
    timeline = timeline or []
    result = ScenarioScore(scenario.name, scenario.kind, scenario.variant, False, "",
                           agent=runs,
                           first_response_delay=first_response_delay(runs, scenario.query[1]),
                           turn_tor=_turn_tor(scenario, runs),
                           decisions=decisions_after(timeline, _event_start(scenario)))
    if scenario.kind in INTERRUPTIONS:
        _interruption(scenario, runs, result, timeline)
    elif scenario.kind in DURING_SPEECH and scenario.variant != "before":
        _rejection_during(scenario, runs, result, timeline)
    elif scenario.kind == "smooth":
        result.success = bool(result.turn_tor)
        result.outcome = "took-turn" if result.success else "no-turn"
        delay = result.first_response_delay
        result.detail = "" if delay is None else f"first-response delay {delay:.2f} s"
    else:  # pause, third_party "before": the first answer must follow the whole query
        _rejection_before(scenario, runs, result)
    return result


def _event_start(scenario: Scenario) -> float:
    return scenario.event.start if scenario.event is not None else scenario.query[1]


def _turn_tor(scenario: Scenario, runs: list[Interval]) -> int:
    """TOR after the user's query: agent speech starting between the query's end and the
    next user event (or the end of the file)."""
    event = scenario.event
    later = event.start if event is not None and event.start > scenario.query[1] else None
    return takeover(runs, scenario.query[1], later if later is not None else scenario.duration)


def _interruption(scenario: Scenario, runs: list[Interval], result: ScenarioScore,
                  timeline: list[dict]) -> None:
    """RESPOND proxy: the agent was speaking at the interruption, its reply ended, and a
    new turn (>= TURN_MIN_S) began within ANSWER_WINDOW_S of the user's end. A new turn
    follows a silence over BRIDGE_S; a shorter silence could be a sentence pause of the
    old reply, so it only counts when the agent was silent as the user finished and the
    timeline logs a StopSpeaking in between (the judge's reading of content, without
    a transcript). A late answer after the old reply ran on is RESPOND too, as for
    HumDial's judge; the stop latency pays for it. HumDial timing on the whole file:
    stop latency = user/agent overlaps, response latency = user end -> next agent onset."""
    event = scenario.event
    assert event is not None
    user = merge(scenario.speech(), USER_MERGE_GAP)
    result.stop_latencies = [round(e - s, 3) for s, e in overlaps(user, runs)]
    result.response_latencies = [round(e - s, 3) for s, e in response_gaps(user, runs)]
    until = event.end + ANSWER_WINDOW_S
    result.event_tor = takeover(clip_runs(runs, event.end), event.end, until)
    if not speaking_at(runs, event.start):
        _not_speaking(result, runs, event.start, timeline)
        return
    silent_at_end = not any(s <= event.end <= e for s, e in runs)
    if silent_at_end and logged(timeline, "StopSpeaking", event.start, event.end):
        stopped = max([event.start] + [e for s, e in runs if s < event.end])
        answer = takeover(runs, event.end, until)
    else:
        stopped = run_end(runs, event.start)
        answer = new_turn(runs, event.start, until)
    result.success = bool(answer)
    result.outcome = "respond" if answer else "no-stop" if stopped >= event.end else "no-answer"
    result.detail = f"reply ended {stopped - event.start:+.2f} s after the onset"


def logged(timeline: list[dict], action: str, start: float, end: float) -> bool:
    """Did the controller log ``action`` between ``start`` and ``end``?"""
    return any(e.get("type") == action and start <= e["time"] <= end for e in timeline)


def _rejection_during(scenario: Scenario, runs: list[Interval], result: ScenarioScore,
                      timeline: list[dict]) -> None:
    """RESUME proxy: the agent was speaking when the event began and kept speaking until
    RESUME_MARGIN_S after it ended, or paused over it and resumed right after it, without
    a stop. A reply that happened to end during the event fails too (HumDial's judge finds
    no post-overlap segment: C_UNKNOWN)."""
    event = scenario.event
    assert event is not None
    result.event_tor = new_turn(runs, event.start, event.end + ANSWER_WINDOW_S)
    if not speaking_at(runs, event.start):
        _not_speaking(result, runs, event.start, timeline)
        return
    stopped = run_end(runs, event.start)
    stop = any(d.startswith("StopSpeaking") for d in result.decisions)
    paused_over = not stop and stopped < event.end and _resumed_after(runs, timeline, event)
    result.success = stopped >= event.end + RESUME_MARGIN_S or paused_over
    result.outcome = "resume" if result.success else "stopped" if stop else "ended"
    result.detail = f"reply ended {stopped - event.start:+.2f} s after the onset" + (
        "; paused over the event, resumed after it" if paused_over else "")


def _resumed_after(runs: list[Interval], timeline: list[dict], event) -> bool:
    """The reply fell silent over the event (paused for it) and the same reply went on
    right after it: a ResumeSpeaking logged by then, and speech again within BRIDGE_S of
    the event's end that runs RESUME_MARGIN_S past it. HumDial's judge reads that as
    C_RESUME (the agent carries on with what it was saying after the overlap)."""
    until = event.end + BRIDGE_S
    if not logged(timeline, "ResumeSpeaking", event.start, until):
        return False
    starts = [s for s, _ in runs if event.start < s <= until]
    return any(run_end(runs, s) >= event.end + RESUME_MARGIN_S for s in starts)


def _not_speaking(result: ScenarioScore, runs: list[Interval], onset: float,
                  timeline: list[dict]) -> None:
    """A failure of its own: the agent was silent when the event began."""
    result.not_speaking, result.outcome = True, "not-speaking"
    before = [e for s, e in runs if s <= onset]
    silent = f"silent for {onset - before[-1]:.2f} s" if before else "had not spoken yet"
    pending = any(e.get("type") == "Utterance" and (e.get("start") or 0.0) <= onset
                  <= (e.get("end") or 0.0) for e in timeline)
    result.detail = silent + (" inside a reply (waiting for audio)" if pending else "")


def _rejection_before(scenario: Scenario, runs: list[Interval], result: ScenarioScore) -> None:
    """HumDial Pause_Handling / Third-party_Speech_before: success when the agent's first
    speech starts after the end of the user's whole query. An agent that never speaks
    is left out of HumDial's denominator; here it counts as a failure ("silent")."""
    event = scenario.event
    assert event is not None
    if scenario.kind == "pause":
        result.event_tor = takeover(runs, scenario.query[0], scenario.query[1])
    if not runs:
        result.outcome = "silent"
        return
    start, end = runs[0]
    result.success = start > scenario.query[1]
    result.outcome = "waited" if result.success else "early"
    result.detail = (f"first agent speech {start - scenario.query[1]:+.2f} s after the end, "
                     f"lasting {end - start:.2f} s")


def clip_runs(runs: list[Interval], start: float) -> list[Interval]:
    """The runs from ``start`` on (FDB crops the output at the interruption's end)."""
    return [(max(s, start), e) for s, e in runs if e > start]


def decisions_after(timeline: list[dict], start: float) -> list[str]:
    """Controller actions from ``start`` on, e.g. "StopSpeaking(negation) @6.08"."""
    found = []
    for entry in timeline:
        category = entry.get("category", entry.get("kind"))
        if category != "action" or entry["time"] < start:
            continue
        detail = entry.get("interruption") or entry.get("kind") or entry.get("text") or ""
        if entry["type"] == "StartThinking":
            continue
        found.append(f"{entry['type']}({detail}) @{entry['time']:.2f}")
    return found


# --- aggregation ---------------------------------------------------------------------------

REJECTION_KINDS = ("backchannel", "pause", "third_party", "not_addressed")
# HumDial-Challenge track2/results.md: Score(L) = 100 - 40 * ln(L / L_min) / ln(L_base / L_min),
# with L_min the lowest total delay among the participants (0.624 s, HelloWorld) and L_base
# the baseline's (2.531 s, scored 60). The evaluation repo's draft (total_score.png) had
# 100 - 50 * ..., baseline 50; the published results use 40 / 60. Clipped to [0, 100].
DELAY_L_MIN = 0.624
DELAY_L_BASE = 2.531
WEIGHTS = (0.4, 0.4, 0.2)  # Total = 0.4 Int + 0.4 Rej + 0.2 delay score


def delay_score(total_delay: float) -> float:
    """HumDial's mapping of a total delay (s) to 0-100 (0.624 s -> 100, 2.531 s -> 60)."""
    raw = 100 - 40 * math.log(total_delay / DELAY_L_MIN) / math.log(DELAY_L_BASE / DELAY_L_MIN)
    return min(100.0, max(0.0, raw))


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def kind_rate(scores: list[ScenarioScore], kind: str, variant: str | None = None) -> float | None:
    """Share of successes among a kind's scenarios (optionally one variant)."""
    chosen = [s.success for s in scores if s.kind == kind
              and (variant is None or s.variant == variant)]
    return _mean([float(x) for x in chosen])


def rejection_rate(scores: list[ScenarioScore], kind: str) -> float | None:
    """A rejection kind's score; third party = 0.5 "after" + 0.5 "before" (HumDial)."""
    if kind != "third_party":
        return kind_rate(scores, kind)
    parts = [r for r in (kind_rate(scores, kind, "after"), kind_rate(scores, kind, "before"))
             if r is not None]
    return _mean(parts)


def _kind_means(scores: list[ScenarioScore], kinds: tuple[str, ...], attr: str) -> float | None:
    """Mean over kinds of each kind's mean over its values (HumDial readme (4))."""
    means = []
    for kind in kinds:
        values = [v for s in scores if s.kind == kind for v in _values(s, attr)]
        if values:
            means.append(statistics.fmean(values))
    return _mean(means)


def _values(score: ScenarioScore, attr: str) -> list[float]:
    value = getattr(score, attr)
    return value if isinstance(value, list) else [] if value is None else [value]


def _tor(scores: list[ScenarioScore], kinds: tuple[str, ...], attr: str) -> float | None:
    return _mean([float(getattr(s, attr)) for s in scores
                  if s.kind in kinds and getattr(s, attr) is not None])


def summarize(scores: list[ScenarioScore]) -> dict:
    """The suite's numbers. Rates are 0-100, latencies seconds; None when no data."""
    int_rates = [r for k in INTERRUPTIONS if (r := kind_rate(scores, k)) is not None]
    rej_rates = [r for k in REJECTION_KINDS if (r := rejection_rate(scores, k)) is not None]
    stop = _kind_means(scores, INTERRUPTIONS, "stop_latencies")
    resp = _kind_means(scores, INTERRUPTIONS, "response_latencies")
    frd = _kind_means(scores, INTERRUPTIONS + REJECTION_KINDS, "first_response_delay")
    parts = [x for x in (stop, resp, frd) if x is not None]
    total_delay = _mean(parts)
    interruption = _mean(int_rates) * 100 if int_rates else None
    rejection = _mean(rej_rates) * 100 if rej_rates else None
    d_score = delay_score(total_delay) if total_delay else None
    pieces = (interruption, rejection, d_score)
    total = (sum(w * p for w, p in zip(WEIGHTS, pieces, strict=True))
             if all(p is not None for p in pieces) else None)
    all_frd = [s.first_response_delay for s in scores if s.first_response_delay is not None]
    all_stop = [v for s in scores for v in s.stop_latencies]
    all_resp = [v for s in scores for v in s.response_latencies]
    return {
        "scenarios": len(scores), "kinds": per_kind(scores),
        "interruption": interruption, "rejection": rejection,
        "not_speaking": sum(s.not_speaking for s in scores),
        "stop_latency": stop, "stop_latency_p50": percentile(all_stop, 50),
        "response_latency": resp, "response_latency_p50": percentile(all_resp, 50),
        "response_latency_p95": percentile(all_resp, 95),
        "first_response_delay": frd, "first_response_p50": percentile(all_frd, 50),
        "first_response_p95": percentile(all_frd, 95),
        "total_delay": total_delay, "delay_score": d_score, "total": total,
        "tor_turn": _mean([float(s.turn_tor) for s in scores if s.turn_tor is not None]),
        "tor_interruption": _tor(scores, INTERRUPTIONS, "event_tor"),
        "tor_pause": _tor(scores, ("pause",), "event_tor"),
        "tor_rejection": _tor(scores, DURING_SPEECH, "event_tor"),
    }


def per_kind(scores: list[ScenarioScore]) -> dict[str, dict]:
    """Counts per kind: scenarios, successes, not speaking, and the outcomes seen."""
    table: dict[str, dict] = {}
    for s in scores:
        row = table.setdefault(s.kind, {"n": 0, "success": 0, "not_speaking": 0,
                                        "outcomes": {}})
        row["n"] += 1
        row["success"] += s.success
        row["not_speaking"] += s.not_speaking
        row["outcomes"][s.outcome] = row["outcomes"].get(s.outcome, 0) + 1
    return table
