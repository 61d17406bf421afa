"""One picture of a duplex run: user and agent speech, partials, thoughts and decisions
on one timeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE

COLOURS = {"TakeTurn": "tab:green", "StopSpeaking": "tab:red", "Backchannel": "tab:purple",
           "Reject": "tab:gray", "StartThinking": "tab:olive"}


def plot_run(user: np.ndarray, agent: np.ndarray, timeline: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(14, 7), sharex=True,
                             gridspec_kw={"height_ratios": [2, 2, 3]})
    t = np.arange(len(user)) / SAMPLE_RATE
    axes[0].plot(t, user, lw=0.4, color="tab:blue")
    axes[0].set_ylabel("user")
    axes[1].plot(t, agent, lw=0.4, color="tab:orange")
    axes[1].set_ylabel("agent")
    for entry in timeline:
        _draw(entry, axes)
    axes[2].set_ylim(0, 1)
    axes[2].set_yticks([])
    axes[2].set_xlabel("stream time (s)")
    axes[2].set_ylabel("decisions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _draw(entry: dict, axes) -> None:
    time, kind = entry["time"], entry["type"]
    if kind == "SpeechEnded":
        axes[0].axvspan(entry["start"], entry["end"], color="tab:blue", alpha=0.12)
    elif kind == "Utterance" and entry.get("start") is not None:
        axes[1].axvspan(entry["start"], entry["end"], color="tab:orange", alpha=0.12)
    elif kind == "AsrFinal":
        axes[0].text(entry["segment_start"], 0.9, entry["text"][:60], fontsize=7,
                     transform=axes[0].get_xaxis_transform())
    elif kind == "Thought":
        axes[1].text(time, 0.9, entry["summary"][:80], fontsize=6,
                     transform=axes[1].get_xaxis_transform())
    elif kind in COLOURS:
        axes[2].axvline(time, color=COLOURS[kind], lw=1)
        label = entry.get("kind", kind) if kind in ("Reject", "StopSpeaking") else kind
        axes[2].text(time, 0.05 + 0.15 * (list(COLOURS).index(kind)), str(label), fontsize=7,
                     rotation=90, color=COLOURS[kind])
