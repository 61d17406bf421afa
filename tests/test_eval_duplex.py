"""The duplex evaluation suite: HumDial/FDB metric arithmetic on scripted agent timelines,
scenario construction from the shared recordings, and one real end-to-end scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.evaluation import duplex, timing
from duplex_agent.evaluation.duplex import ScenarioScore, delay_score, score, summarize
from duplex_agent.evaluation.scenarios import Scenario, Segment

# --- scripted scenarios (no audio needed: the scorer reads ground truth and agent times) --


def scripted(kind: str, query: tuple[float, float], event: tuple[float, float] | None,
             role: str = "interruption", variant: str = "", duration: float = 16.0,
             extra: tuple[tuple[float, float], ...] = ()) -> Scenario:
    segments = [Segment(*query, "turn", "", "", "test", 0.0)]
    ev = Segment(*event, role, kind, "", "test", 0.0) if event else None
    segments += [ev] if ev else []
    segments += [Segment(a, b, "turn", "", "", "test", 0.0) for a, b in extra]
    return Scenario(f"{kind}-t", kind, variant, np.zeros(int(duration * SAMPLE_RATE), np.float32),
                    tuple(sorted(segments, key=lambda s: s.start)), query, ev, "test")


def test_merge_overlaps_and_response_gaps_follow_humdial():
    assert timing.merge([(0, 1), (1.4, 2), (3, 4)], 0.5) == [(0, 2), (3, 4)]
    user = [(0.5, 2.7), (5.2, 7.3)]
    agent = [(3.2, 6.1), (7.8, 11.5)]
    assert timing.overlaps(user, agent) == [(5.2, 6.1)]
    assert timing.response_gaps(user, agent) == [(2.7, 3.2), (7.3, 7.8)]
    # two user segments before the same agent onset: the later user end is kept
    assert timing.response_gaps([(0, 1), (1.5, 2)], [(3, 4)]) == [(2, 3)]
    # agent talking over the whole user turn: the overlap is capped at the user's end
    assert timing.overlaps([(5.0, 6.0)], [(4.0, 9.0)]) == [(5.0, 6.0)]


def test_vad_segments_from_probabilities_apply_silero_rules():
    step = timing.FRAME / SAMPLE_RATE
    probs = np.zeros(100, np.float32)
    probs[10:40] = 0.9  # 0.96 s of speech
    probs[40:42] = 0.4  # between the thresholds: still speech
    probs[60:65] = 0.9  # 0.16 s: shorter than MIN_SPEECH_S, dropped
    segments = timing.segments_from_probabilities(probs, 100 * step)
    assert len(segments) == 1
    start, end = segments[0]
    assert start == pytest.approx(10 * step - timing.PAD_S, abs=1e-3)
    assert end == pytest.approx(42 * step + timing.PAD_S, abs=1e-3)


@pytest.mark.models
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # silero_vad's importlib use
def test_vad_segments_match_silero_get_speech_timestamps(shared_data):
    torch = pytest.importorskip("torch")
    silero = pytest.importorskip("silero_vad")
    from streaming.audio import load_audio

    audio = load_audio(shared_data / "asr" / "jfk.flac")
    reference = silero.get_speech_timestamps(torch.from_numpy(audio),
                                             silero.load_silero_vad(onnx=True),
                                             return_seconds=True, time_resolution=3)
    ours = timing.speech_segments(audio)
    assert len(ours) == len(reference) == 4
    for (start, end), ref in zip(ours, reference, strict=True):
        assert start == pytest.approx(ref["start"], abs=0.002)
        assert end == pytest.approx(ref["end"], abs=0.002)


def test_interruption_answered_after_a_stop_is_respond_with_humdial_latencies():
    scenario = scripted("negation", (0.5, 2.7), (5.2, 7.3))
    result = score(scenario, [(3.2, 6.1), (7.8, 11.5)])
    assert result.success and result.outcome == "respond"
    assert result.stop_latencies == [pytest.approx(0.9)]
    assert result.response_latencies == [pytest.approx(0.5), pytest.approx(0.5)]
    assert result.first_response_delay == pytest.approx(0.5)
    assert result.turn_tor == 1 and result.event_tor == 1


def test_interruption_failures_are_told_apart():
    scenario = scripted("stop", (0.5, 2.7), (5.2, 7.3))
    silent_then = score(scenario, [(3.2, 4.0), (8.0, 10.0)])  # reply over before the event
    assert silent_then.not_speaking and not silent_then.success
    assert silent_then.outcome == "not-speaking"
    talked_through = score(scenario, [(3.2, 12.0)])
    assert talked_through.outcome == "no-stop" and not talked_through.success
    assert talked_through.stop_latencies == [pytest.approx(2.1)]  # capped at the user's end
    stopped_mute = score(scenario, [(3.2, 5.6)])
    assert stopped_mute.outcome == "no-answer"
    # silent for 0.3 s at the onset: a pause inside the reply, not "not speaking"
    in_a_pause = score(scenario, [(3.2, 4.9), (8.0, 10.0)])
    assert in_a_pause.outcome == "respond" and not in_a_pause.not_speaking
    timeline = [{"time": 6.0, "category": "agent", "type": "Utterance", "start": 3.2,
                 "end": 6.0}]
    waiting = score(scenario, [(3.2, 4.0), (8.0, 10.0)], timeline)
    assert waiting.detail == "silent for 1.20 s inside a reply (waiting for audio)"


def test_quick_answer_after_a_logged_stop_is_respond():
    scenario = scripted("repeat", (0.5, 2.8), (5.3, 7.07))
    agent = [(3.36, 6.81), (7.49, 13.2)]  # stopped 0.26 s before the user's end
    assert score(scenario, agent).outcome == "no-stop"  # could be a sentence pause
    timeline = [{"time": 6.71, "category": "action", "type": "StopSpeaking",
                 "kind": "repeat"}]
    result = score(scenario, agent, timeline)
    assert result.outcome == "respond"
    assert result.detail == "reply ended +1.51 s after the onset"


def test_sentence_pause_over_the_merge_gap_is_not_a_stop():
    scenario = scripted("backchannel", (0.5, 2.7), (5.2, 5.5), role="backchannel")
    result = score(scenario, [(3.2, 5.3), (5.95, 8.5)])  # 0.65 s pause between sentences
    assert result.success and result.outcome == "resume"
    assert result.event_tor == 0


def test_backchannel_that_stops_the_agent_fails_and_counts_as_a_takeover():
    scenario = scripted("backchannel", (0.5, 2.7), (5.2, 5.5), role="backchannel")
    timeline = [{"time": 5.45, "category": "action", "type": "StopSpeaking",
                 "kind": "follow_up"}]
    result = score(scenario, [(3.2, 5.5), (6.8, 9.0)], timeline)
    assert not result.success and result.outcome == "stopped"
    assert result.event_tor == 1
    assert result.decisions == ["StopSpeaking(follow_up) @5.45"]
    ended = score(scenario, [(3.2, 5.6)])  # the reply just ran out during the event
    assert ended.outcome == "ended" and not ended.success


def test_a_reply_paused_over_the_event_and_resumed_right_after_it_is_resume():
    scenario = scripted("not_addressed", (0.5, 2.7), (5.2, 6.4), role="not_addressed")
    resume = [{"time": 6.7, "category": "action", "type": "ResumeSpeaking"}]
    paused = [(3.2, 5.5), (6.7, 9.0)]  # silent 5.5-6.7: paused 0.3 s into the event
    result = score(scenario, paused, resume)
    assert result.success and result.outcome == "resume" and "resumed" in result.detail
    # the same silence without a logged resume is a reply that ended, then a new turn
    assert score(scenario, paused, []).outcome == "ended"
    # resumed, but only long after the event: the user was left waiting
    late = [{"time": 7.6, "category": "action", "type": "ResumeSpeaking"}]
    assert not score(scenario, [(3.2, 5.5), (7.6, 9.0)], late).success
    # a stop over the event is never a resume
    stop = resume + [{"time": 5.9, "category": "action", "type": "StopSpeaking",
                      "kind": "follow_up"}]
    assert score(scenario, paused, stop).outcome == "stopped"


def test_pause_and_third_party_before_need_the_first_answer_after_the_query():
    pause = scripted("pause", (0.5, 4.4), (2.1, 3.0), role="pause")
    assert score(pause, [(5.0, 8.0)]).outcome == "waited"
    early = score(pause, [(2.5, 4.0), (5.0, 8.0)])
    assert early.outcome == "early" and early.event_tor == 1
    backchannel_like = score(pause, [(2.5, 2.9), (5.0, 8.0)])
    assert backchannel_like.outcome == "early" and backchannel_like.event_tor == 0
    assert backchannel_like.detail.endswith("lasting 0.40 s")
    assert score(pause, []).outcome == "silent"
    before = scripted("third_party", (4.3, 7.2), (0.5, 3.5), role="third_party",
                      variant="before")
    assert score(before, [(7.9, 10.0)]).success
    assert not score(before, [(4.0, 6.0)]).success


def test_smooth_turn_takeover_needs_a_second_of_speech():
    smooth = scripted("smooth", (0.5, 3.2), None)
    assert score(smooth, [(3.8, 7.0)]).outcome == "took-turn"
    assert score(smooth, [(3.8, 4.3)]).outcome == "no-turn"  # backchannel-like only


def test_delay_score_reproduces_the_published_track2_table():
    assert delay_score(0.624) == pytest.approx(100.0)
    assert delay_score(2.531) == pytest.approx(60.0)
    # results.md lists delays rounded to 1 ms; the scores come from unrounded ones
    for delay, published in ((1.260, 79.9), (1.632, 72.6), (1.237, 80.5), (1.876, 68.6),
                             (1.577, 73.5), (1.127, 83.1), (3.391, 51.6), (1.739, 70.7)):
        assert delay_score(delay) == pytest.approx(published, abs=0.1)
    assert delay_score(0.3) == 100.0 and delay_score(1000.0) == 0.0


def fake(kind: str, success: bool, variant: str = "", **values) -> ScenarioScore:
    return ScenarioScore(kind, kind, variant, success, "respond" if success else "x", **values)


def test_summary_averages_over_kinds_like_humdial():
    scores = [fake("negation", True, stop_latencies=[1.0], response_latencies=[0.5],
                   first_response_delay=1.0),
              fake("negation", False, stop_latencies=[3.0], response_latencies=[1.5],
                   first_response_delay=1.0),
              fake("stop", True, stop_latencies=[0.4], response_latencies=[0.7],
                   first_response_delay=2.0),
              fake("backchannel", True, first_response_delay=0.6),
              fake("third_party", True, "after"), fake("third_party", False, "before"),
              fake("smooth", True, first_response_delay=9.0)]
    summary = summarize(scores)
    assert summary["interruption"] == pytest.approx(75.0)  # mean(50 %, 100 %)
    assert summary["rejection"] == pytest.approx(75.0)  # mean(100 %, 0.5 * 100 % + 0.5 * 0)
    assert summary["stop_latency"] == pytest.approx((2.0 + 0.4) / 2)  # per-kind means
    assert summary["response_latency"] == pytest.approx((1.0 + 0.7) / 2)
    assert summary["first_response_delay"] == pytest.approx((1.0 + 2.0 + 0.6) / 3)  # no smooth
    total_delay = (1.2 + 0.85 + 1.2) / 3
    assert summary["total_delay"] == pytest.approx(total_delay)
    assert summary["total"] == pytest.approx(0.4 * 75 + 0.4 * 75 + 0.2 * delay_score(total_delay))
    assert summary["kinds"]["negation"] == {"n": 2, "success": 1, "not_speaking": 0,
                                            "outcomes": {"respond": 1, "x": 1}}
    assert summary["first_response_p50"] == pytest.approx(1.0)


def test_percentile_interpolates_between_ranks():
    assert duplex.percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert duplex.percentile([1.0], 95) == 1.0
    assert duplex.percentile([], 50) is None


# --- agent audio written into an array at known times, timed by the real VAD ---------


@pytest.fixture(scope="module")
def speech_clip(shared_data):
    from duplex_agent.evaluation.clips import real_clip

    return real_clip("asr/speechbrain_timit_like/spk1_snt3.wav")


def test_agent_audio_timeline_in_an_array_gives_the_scripted_metrics(speech_clip):
    from duplex_agent.evaluation.suite import score_output

    scenario = scripted("follow_up", (0.5, 2.7), (5.2, 7.3))
    output = np.zeros(len(scenario.audio), np.float32)
    clip = np.tile(speech_clip.audio, 2)  # real speech stands in for the agent's voice
    for start_s, length_s in ((3.2, 1.0), (7.8, 2.5)):  # a reply, then an answer
        start = int(start_s * SAMPLE_RATE)
        output[start:start + int(length_s * SAMPLE_RATE)] = clip[:int(length_s * SAMPLE_RATE)]
    result = score_output(scenario, output, [])
    assert result.outcome == "not-speaking"  # the agent's first reply ended at 4.2
    output[int(4.2 * SAMPLE_RATE):int(6.1 * SAMPLE_RATE)] = clip[int(1.0 * SAMPLE_RATE):
                                                                  int(2.9 * SAMPLE_RATE)]
    result = score_output(scenario, output, [])
    assert result.outcome == "respond"
    assert result.first_response_delay == pytest.approx(0.5, abs=0.1)
    assert result.stop_latencies[0] == pytest.approx(0.9, abs=0.15)
    assert [round(x, 1) for x in result.response_latencies][0] == pytest.approx(0.5, abs=0.1)


# --- scenario construction from the shared recordings ---------------------------------


@pytest.fixture(scope="module")
def scenarios(shared_data):
    from duplex_agent.evaluation.scenarios import build_scenarios

    return build_scenarios(limit=10, offset_s=2.5)


def test_first_ten_scenarios_cover_every_kind(scenarios):
    from duplex_agent.evaluation.scenarios import KINDS

    assert [s.kind for s in scenarios] == list(KINDS)


def test_scenario_ground_truth_times_and_lengths(scenarios):
    from duplex_agent.evaluation.scenarios import LEAD_S, TAIL_S

    for s in scenarios:
        assert s.segments[0].start == pytest.approx(LEAD_S, abs=1e-3)
        assert s.duration == pytest.approx(max(g.end for g in s.segments) + TAIL_S, abs=1e-3)
        if s.category == "interruption" or s.variant == "after" or s.kind in (
                "backchannel", "not_addressed"):
            assert s.event.start == pytest.approx(s.query[1] + 2.5, abs=1e-3)
        for g in s.segments:  # the audio is silent outside the user segments
            assert 0 <= g.start < g.end <= s.duration
        quiet = s.audio[int((s.segments[-1].end + 0.1) * SAMPLE_RATE):]
        assert np.abs(quiet).max() == 0.0


def test_scenario_levels_and_sources(scenarios):
    from duplex_agent.evaluation.clips import USER_LEVEL_DBFS, active_level_db

    by_kind = {s.kind: s for s in scenarios}
    for s in scenarios:
        for g in s.segments:
            if g.role == "pause" or s.kind == "pause":
                continue  # halves of a real sentence keep their natural levels
            piece = s.audio[int(g.start * SAMPLE_RATE):int(g.end * SAMPLE_RATE)]
            assert active_level_db(piece) == pytest.approx(USER_LEVEL_DBFS + g.level_db,
                                                           abs=1.0)
    third = by_kind["third_party"].event
    assert third.level_db == -10.0 and third.source.startswith("real: dialogue/pyannote")
    assert by_kind["negation"].event.source.startswith("synthetic:")
    assert by_kind["smooth"].segments[0].source.startswith("real:")


def test_pause_scenario_splits_one_sentence_by_a_long_pause(scenarios):
    pause = next(s for s in scenarios if s.kind == "pause")
    gap = pause.event
    assert gap.role == "pause" and 0.6 <= gap.end - gap.start <= 1.2
    assert [g.expect.split(" ")[0] for g in pause.segments] == ["wait:", "wait", "take"]
    assert pause.query == (pytest.approx(pause.segments[0].start),
                           pytest.approx(pause.segments[-1].end))
    inside = pause.audio[int((gap.start + 0.05) * SAMPLE_RATE):int((gap.end - 0.05)
                                                                    * SAMPLE_RATE)]
    assert np.abs(inside).max() < 0.05  # the cut landed in a silence


def test_disfluent_turns_are_real_speech_with_a_room_tone_pause(shared_data):
    from duplex_agent.evaluation.disfluent import SPLICES
    from duplex_agent.evaluation.scenarios import DISFLUENT_PAUSES, disfluent_pause, smooth

    built = [disfluent_pause(i) for i in range(DISFLUENT_PAUSES)]
    assert [s.variant for s in built][:len(SPLICES)] == [sp.variant for sp in SPLICES]
    for s in built:
        turn = [g for g in s.segments if g.role == "turn"]
        assert s.kind == "pause" and s.query == (pytest.approx(turn[0].start),
                                                 pytest.approx(turn[-1].end))
        real = s.variant in {sp.variant for sp in SPLICES}
        assert all(g.source.startswith("real:" if real else "synthetic:") for g in turn)
        assert all("SYNTHETIC" in g.source for g in turn if not real)
        for gap in (g for g in s.segments if g.role == "pause"):
            assert 0.5 <= gap.end - gap.start <= 1.4
            inside = s.audio[int((gap.start + 0.05) * SAMPLE_RATE):
                             int((gap.end - 0.05) * SAMPLE_RATE)]
            rms_db = 20 * np.log10(float(np.sqrt(np.mean(inside ** 2))) + 1e-9)
            assert rms_db < -45.0  # no speech in the pause (speech is at -26 dBFS) ...
            assert not real or np.abs(inside).max() > 0  # ... and, if real, no digital zero
    real_end = smooth(4)
    assert real_end.kind == "smooth" and real_end.segments[0].source.startswith("real:")


def test_rttm_solo_regions_exclude_the_other_speaker():
    from duplex_agent.evaluation.clips import solo_regions

    turns = [("a", 0.0, 4.0), ("b", 3.0, 5.0), ("a", 6.0, 7.0)]
    assert solo_regions(turns, "a", margin=0.0) == [(0.0, 3.0), (6.0, 7.0)]
    assert solo_regions(turns, "b", margin=0.0) == [(4.0, 5.0)]


# --- one real scenario through the real session ------------------------------------------


@pytest.mark.models
def test_real_backchannel_scenario_through_the_session(scenarios):
    from duplex_agent.evaluation.suite import run_suite, session_config

    scenario = next(s for s in scenarios if s.kind == "backchannel")
    results = run_suite([scenario], {"default": session_config("default", llm="none")},
                        progress=False)
    result = results["default"].scores[0]
    assert result.agent, "the agent never spoke"
    assert result.agent[0][0] > scenario.query[0]
    assert result.outcome in {"resume", "stopped", "ended", "not-speaking"}
    assert result.turn_tor in (0, 1)
    assert not math.isnan(results["default"].summary["rejection"])
