"""The peer-latency report: a line per run, per-input median / p90 per agent and their ratios."""

from __future__ import annotations

import numpy as np


def progress(run: dict) -> str:
    latency = "none" if run["latency_s"] is None else f"{run['latency_s']:.3f} s"
    return (f"round {run['round']} {run['agent']:>4} {run['input']:<15} {latency:>8}"
            f"  early {run['early']}  user: {run['user_text'][:40]!r}"
            f"  reply: {run['reply_text'][:50]!r}")


def stats(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return float(np.median(values)), float(np.percentile(values, 90))


def summarise(runs: list[dict], agents: list[str], inputs: list[str]) -> dict:
    rows = {}
    for name in [*inputs, "overall"]:
        row = {}
        for agent in agents:
            mine = [r for r in runs if r["agent"] == agent and name in (r["input"], "overall")]
            latencies = [r["latency_s"] for r in mine if r["latency_s"] is not None]
            median, p90 = stats(latencies)
            row[agent] = {"median_s": median, "p90_s": p90, "n": len(latencies),
                          "none": sum(r["latency_s"] is None for r in mine),
                          "early": sum(r["early"] for r in mine)}
        if len(agents) == 2 and all(row[a]["median_s"] for a in agents):
            row["ratio_median"] = row["ours"]["median_s"] / row["peer"]["median_s"]
            row["ratio_p90"] = row["ours"]["p90_s"] / row["peer"]["p90_s"]
        rows[name] = row
    return rows


def table(rows: dict, agents: list[str]) -> str:
    def cell(value, fmt="{:.3f}") -> str:
        return "-" if value is None else fmt.format(value)

    head = f"{'input':<15}" + "".join(
        f" | {a + ' median':>11} {'p90':>6} {'n':>2} {'none':>4} {'early':>5}" for a in agents)
    if len(agents) == 2:
        head += f" | {'ours/peer median':>16} {'p90':>6}"
    lines = [head, "-" * len(head)]
    for name, row in rows.items():
        line = f"{name:<15}" + "".join(
            f" | {cell(row[a]['median_s']):>11} {cell(row[a]['p90_s']):>6} {row[a]['n']:>2}"
            f" {row[a]['none']:>4} {row[a]['early']:>5}" for a in agents)
        if len(agents) == 2:
            line += (f" | {cell(row.get('ratio_median'), '{:.2f}'):>16}"
                     f" {cell(row.get('ratio_p90'), '{:.2f}'):>6}")
        lines.append(line)
    return "\n".join(lines)
