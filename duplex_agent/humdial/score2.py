"""Local Track 2 scores from the output WAVs: HumDial timing metrics with silero VAD.

Metric definitions and the delay score are the project's existing reimplementation of the
organisers' scripts (``duplex_agent.evaluation.timing`` and ``duplex_agent.evaluation.duplex``,
which cite ASLP-lab/Hum-Dial Full-Duplex_Interaction/evaluation/readme.txt,
interruption/get_timing.py and compute_first_response_delay.py); this module only pairs
each ``*_output.wav`` with its input and aggregates:

- stop latency: each overlap of user speech (input, segments merged within 0.6 s) and agent
  speech (output, merged within 0.5 s);
- response latency: end of each user run to the next agent onset;
- first-response delay: first agent onset minus the end of the first user run (if > 0);
- total delay = mean of the three means; delay score = ``evaluation.duplex.delay_score``.

Local stand-in for the API judge: the organisers' RESPOND / RESUME come from an LLM judge on
transcripts, per scenario category, and the test files do not say their category. We report
``answered_last``: the share of files where the agent takes a turn (>= 1 s of speech) within
8 s after the user's last speech run, i.e. what an interruption scenario asks for. The
rejection rate and the 0.4/0.4/0.2 total need the category labels and are left out.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from duplex_agent.humdial.track2 import inputs, output_path


def score_file(source: Path, output: Path) -> dict:
    """Timing metrics for one input / output pair."""
    from duplex_agent.config import SAMPLE_RATE
    from duplex_agent.evaluation.duplex import ANSWER_WINDOW_S, first_response_delay, takeover
    from duplex_agent.evaluation.timing import (
        MODEL_MERGE_GAP,
        USER_MERGE_GAP,
        merge,
        overlaps,
        response_gaps,
        speech_segments,
    )
    from streaming.audio import load_audio

    user_audio, agent_audio = load_audio(source), load_audio(output)
    user = merge(speech_segments(user_audio), USER_MERGE_GAP)
    agent = merge(speech_segments(agent_audio), MODEL_MERGE_GAP)
    last_end = user[-1][1] if user else 0.0
    return {
        "file": source.name, "duration_s": round(len(user_audio) / SAMPLE_RATE, 3),
        "same_length": len(user_audio) == len(agent_audio),
        "user": user, "agent": agent,
        "stop_latencies": [round(e - s, 3) for s, e in overlaps(user, agent)],
        "response_latencies": [round(e - s, 3) for s, e in response_gaps(user, agent)],
        "first_response_delay": first_response_delay(agent, user[0][1]) if user else None,
        "answered_last": bool(takeover(agent, last_end, last_end + ANSWER_WINDOW_S)),
    }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def summarize(files: list[dict]) -> dict:
    from duplex_agent.evaluation.duplex import delay_score

    stop = _mean([v for f in files for v in f["stop_latencies"]])
    response = _mean([v for f in files for v in f["response_latencies"]])
    first = _mean([f["first_response_delay"] for f in files
                   if f["first_response_delay"] is not None])
    parts = [x for x in (stop, response, first) if x is not None]
    total = _mean(parts)
    return {"files": len(files), "same_length": sum(f["same_length"] for f in files),
            "stop_latency": stop, "response_latency": response, "first_response_delay": first,
            "total_delay": total,
            "delay_score": round(delay_score(total), 1) if total else None,
            "answered_last": _mean([float(f["answered_last"]) for f in files])}


def score_track2(pred: Path, data: Path) -> dict:
    """Score every input that has an output in ``pred``."""
    files = [score_file(s, output_path(pred, s)) for s in inputs(data)
             if output_path(pred, s).is_file()]
    return {"files": files, "summary": summarize(files)}


def print_summary(result: dict) -> None:
    for item in result["files"]:
        print(f"{item['file']}: {item['duration_s']} s, agent {item['agent']}, "
              f"stop {item['stop_latencies']}, response {item['response_latencies']}, "
              f"first {item['first_response_delay']}, answered_last {item['answered_last']}")
    print(", ".join(f"{k} {v}" for k, v in result["summary"].items()))
