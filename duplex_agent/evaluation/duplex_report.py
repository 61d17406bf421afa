"""Tables and JSON for duplex evaluation results (one column per configuration)."""

from __future__ import annotations

from dataclasses import asdict

from duplex_agent.evaluation.scenarios import KINDS
from duplex_agent.evaluation.suite import ConfigResult

# (label, summary key, format): rates in %, latencies in s
SUMMARY_ROWS = (
    ("Interruption (RESPOND) %", "interruption", "{:.1f}"),
    ("Rejection (RESUME) %", "rejection", "{:.1f}"),
    ("not speaking at the event", "not_speaking", "{:d}"),
    ("stop latency mean s", "stop_latency", "{:.3f}"),
    ("stop latency p50 s", "stop_latency_p50", "{:.3f}"),
    ("response latency mean s", "response_latency", "{:.3f}"),
    ("response latency p50 s", "response_latency_p50", "{:.3f}"),
    ("response latency p95 s", "response_latency_p95", "{:.3f}"),
    ("first-response delay mean s", "first_response_delay", "{:.3f}"),
    ("first-response delay p50 s", "first_response_p50", "{:.3f}"),
    ("first-response delay p95 s", "first_response_p95", "{:.3f}"),
    ("total delay s", "total_delay", "{:.3f}"),
    ("delay score", "delay_score", "{:.1f}"),
    ("TOTAL (0.4 Int + 0.4 Rej + 0.2 delay)", "total", "{:.1f}"),
    ("FDB TOR after the user's turn (high)", "tor_turn", "{:.2f}"),
    ("FDB TOR after interruptions (high)", "tor_interruption", "{:.2f}"),
    ("FDB TOR in pauses (low)", "tor_pause", "{:.2f}"),
    ("TOR after backchannel/3rd party (low)", "tor_rejection", "{:.2f}"),
)


def _cell(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def kind_table(results: dict[str, ConfigResult]) -> str:
    """Per kind: scenario count, then successes (and not-speaking cases) per config."""
    summaries = {name: r.summary["kinds"] for name, r in results.items()}
    rows = []
    for kind in KINDS:
        present = [s[kind] for s in summaries.values() if kind in s]
        if not present:
            continue
        row = [kind, str(present[0]["n"])]
        for table in summaries.values():
            k = table.get(kind)
            row.append("-" if k is None else
                       f"{k['success']}/{k['n']}" + (f" ({k['not_speaking']} ns)"
                                                     if k["not_speaking"] else ""))
        rows.append(row)
    return _table(["kind", "n", *results], rows)


def summary_table(results: dict[str, ConfigResult]) -> str:
    summaries = {name: r.summary for name, r in results.items()}
    rows = [[label, *(_cell(s[key], fmt) for s in summaries.values())]
            for label, key, fmt in SUMMARY_ROWS]
    return _table(["metric", *results], rows)


def latency_ratio(results: dict[str, ConfigResult], key: str = "first_response_p50",
                  base: str = "naive") -> dict[str, float]:
    """Each configuration's latency divided by the baseline's (below 1: faster)."""
    if base not in results:
        return {}
    reference = results[base].summary[key]
    if not reference:
        return {}
    return {name: r.summary[key] / reference for name, r in results.items()
            if name != base and r.summary[key] is not None}


def scenario_table(result: ConfigResult) -> str:
    rows = [[s.name, s.outcome, s.detail, ", ".join(s.decisions[:3])] for s in result.scores]
    return _table(["scenario", "outcome", "detail", "decisions after the event"], rows)


def load_note() -> str:
    """The machine's load: file-mode latencies include real compute, so a busy machine
    inflates them (and can change what the agent does in time)."""
    import os

    one, five, fifteen = os.getloadavg()
    return (f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1/5/15 min) on "
            f"{os.cpu_count()} CPUs; latencies include real compute time")


def format_report(results: dict[str, ConfigResult], details: bool = False) -> str:
    parts = [kind_table(results), "(ns = agent not speaking when the event began: "
             "counted as a failure)", "", summary_table(results)]
    ratios = latency_ratio(results)
    for name, ratio in ratios.items():
        parts.append(f"latency ratio {name} / naive (first-response delay p50): {ratio:.2f}")
    parts.append("compute: " + ", ".join(f"{n} {r.compute_s:.0f} s"
                                          for n, r in results.items()))
    parts.append(load_note())
    if details:
        for name, result in results.items():
            parts += ["", f"[{name}]", scenario_table(result)]
    return "\n".join(parts)


def to_json(results: dict[str, ConfigResult]) -> dict:
    return {"configs": {name: {"summary": r.summary, "compute_s": round(r.compute_s, 1),
                               "scenarios": [asdict(s) for s in r.scores]}
                        for name, r in results.items()},
            "latency_ratio_vs_naive": latency_ratio(results), "load": load_note()}
