"""The loss curve of a training run, as a PNG.

    python -m duplex_agent.training.plot runs/ieat/log.jsonl out/ieat_loss.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def plot(log: Path, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    steps = np.array([e["step"] for e in entries])
    loss = np.array([e["loss"] for e in entries])
    window = 15
    smooth = np.convolve(loss, np.ones(window) / window, mode="valid") if len(loss) > window \
        else loss
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, loss, color="0.75", lw=0.8, label="train loss (per step)")
    ax.plot(steps[len(steps) - len(smooth):], smooth, color="C0", lw=1.8,
            label=f"train loss ({window}-step mean)")
    dev = [(e["step"], e["dev_loss"]) for e in entries if "dev_loss" in e]
    if dev:
        ax.plot(*zip(*dev), "o-", color="C3", label="dev loss (held-out records)")
    per_epoch = entries[-1]["step"] / entries[-1]["epoch"] if entries[-1]["epoch"] else None
    if per_epoch:
        ax.axvline(per_epoch, color="0.6", ls=":", lw=1)
        ax.text(per_epoch, ax.get_ylim()[1] * 0.95, " epoch 1", color="0.4", va="top")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy on the thought and reply tokens")
    ax.set_title("IEAT LoRA on Gemma-3-270M")
    ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m duplex_agent.training.plot",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the run's log.jsonl")
    parser.add_argument("out", type=Path, help="PNG to write")
    args = parser.parse_args(argv)
    print(plot(args.log, args.out))


if __name__ == "__main__":
    main()
