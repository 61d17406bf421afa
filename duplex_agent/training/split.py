"""Join the corpus parts into ``train.jsonl`` and ``dev.jsonl``.

    python -m duplex_agent.training.split

Every record must pass ``corpus.check``; exact duplicates (same user turn or same reply)
stop the split. About one record in nine goes to dev, chosen by a hash of its id, so the
split is stable as parts grow and training never sees a dev record.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import Counter
from pathlib import Path

from duplex_agent.training.corpus import _norm, check, load, summary

CORPUS = Path(__file__).resolve().parents[2] / "prompts" / "ieat"
DEV_SHARE = 9  # one in DEV_SHARE records (by id hash) is held out


def is_dev(record: dict) -> bool:
    return zlib.crc32(record["id"].encode()) % DEV_SHARE == 0


def split(parts: list[Path]) -> tuple[list[dict], list[dict], list[str]]:
    records = load(parts)
    problems = [f"{r.get('id')}: {'; '.join(p)}" for r in records if (p := check(r))]
    for field in ("id", "user", "reply"):
        counts = Counter(_norm(str(r.get(field, ""))) for r in records)
        problems += [f"{r.get('id')}: duplicate {field}" for r in records
                     if counts[_norm(str(r.get(field, "")))] > 1]
    records.sort(key=lambda r: r["id"])
    dev = [r for r in records if is_dev(r)]
    train = [r for r in records if not is_dev(r)]
    return train, dev, problems


def write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m duplex_agent.training.split",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    parts = sorted((args.corpus / "parts").glob("*.jsonl"))
    train, dev, problems = split(parts)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problems: nothing written", file=sys.stderr)
        return 1
    write(args.corpus / "train.jsonl", train)
    write(args.corpus / "dev.jsonl", dev)
    print(f"train: {len(train)}, dev: {len(dev)} (from {len(parts)} parts)")
    print(summary(train + dev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
