"""Team-written HumDial-format data voiced by our own TTS, for tests and benchmarks.

``tests/fixtures/humdial`` holds the dialogues as text (HumDial JSONL) and the Track 2
scripts; the audio is made here at test time (Piper for English, espeak-ng for Chinese),
so no generated audio is committed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.humdial.formats import LANGUAGES, TASKS, read_jsonl, task_file


def _voice(language: str):
    from duplex_agent.voice import load_voice

    return load_voice("piper" if language == "en" else "espeak")


def say(text: str, language: str) -> np.ndarray:
    """``text`` in the neutral voice, 16 kHz float32."""
    return _voice(language).synthesize(text, language=language)


def build_track1(fixtures: Path, dest: Path, languages: tuple[str, ...] = LANGUAGES) -> Path:
    """Copy the fixture JSONL files to ``dest`` and voice every turn at its
    ``split_audio_file``; turns with no text speak the words in ``spoken.json``."""
    from duplex_agent.session.file_driver import write_wav

    spoken = json.loads((fixtures / "spoken.json").read_text(encoding="utf-8"))
    for language in languages:
        for task in TASKS:
            source = fixtures / language / task_file(task)
            (dest / language).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest / language / task_file(task))
            for record in read_jsonl(source):
                for turn in record["turns"]:
                    words = turn["text"] or spoken[f"{record['dialogue_id']}_{turn['turn_id']}"]
                    path = dest / language / turn["split_audio_file"]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_wav(path, _padded(say(words, language)))
    return dest


def _padded(audio: np.ndarray, lead_s: float = 0.3, tail_s: float = 0.5) -> np.ndarray:
    lead, tail = (np.zeros(int(s * SAMPLE_RATE), np.float32) for s in (lead_s, tail_s))
    return np.concatenate([lead, audio.astype(np.float32), tail])


def build_track2(fixtures: Path, dest: Path) -> Path:
    """Voice ``track2.json``: each file is its speech parts, each followed by silence."""
    from duplex_agent.session.file_driver import write_wav

    scripts = json.loads((fixtures / "track2.json").read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    for name, script in scripts.items():
        if name.startswith("_"):
            continue
        parts = []
        for text, pause_s in script["parts"]:
            parts += [say(text, script["language"]),
                      np.zeros(int(pause_s * SAMPLE_RATE), np.float32)]
        write_wav(dest / name, _padded(np.concatenate(parts)))
    return dest
