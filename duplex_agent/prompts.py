"""Prompts and text resources live as files in ``prompts/``, loaded by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=64)
def load_text(name: str) -> str:
    """The file ``prompts/<name>`` as text (e.g. ``"reply/system_en.md"``)."""
    path = PROMPTS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"prompt file {path} is missing")
    return path.read_text(encoding="utf-8")


def load_pairs(name: str) -> list[tuple[str, str]]:
    """``key: value`` lines of a prompt file, skipping blanks and ``#`` comments."""
    pairs = []
    for line in load_text(name).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        pairs.append((key.strip(), value.strip()))
    return pairs
