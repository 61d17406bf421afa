"""Track 1 files: reading and validating the input, writing outputs atomically.

Layout (ASLP-lab/HumDial-Challenge content/track1/test_set.md):

    {data}/{zh,en}/HD-Track1-T{1,2,3}.jsonl      one dialogue per line
    {data}/{zh,en}/HD-Track1-T{1,2,3}/           the turn recordings ({dialogue_id}_{turn_id}.wav)
    {out}/{zh,en}/HD-Track1-T{1,2,3}.jsonl       the same records, response_text filled
    {out}/{zh,en}/HD-Track1-T3/{dialogue_id}_{turn_id}_response.wav

A record (ASLP-lab/Hum-Dial README.md, "Examples"): ``{"dialogue_id": str, "turns": [{"turn_id":
int, "text": str, "emotion": str, "split_audio_file": str, "response_text": str,
"response_audio": str}]}``. ``emotion`` is the ground-truth label the judge sees
(eval_task1.py builds its history from it); the system never reads it: ``TurnInput`` has no
such field.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from duplex_agent.errors import UserError

LANGUAGES = ("zh", "en")
TASKS = (1, 2, 3)
REQUIRED_TURN_FIELDS = ("turn_id", "split_audio_file")


class Track1InputError(UserError, ValueError):
    """The Track 1 input has bad records; the message names every one."""


def task_file(task: int) -> str:
    return f"HD-Track1-T{task}.jsonl"


def task_dir(task: int) -> str:
    return f"HD-Track1-T{task}"


def response_wav(dialogue_id: str, turn_id: int) -> str:
    """Task 3 audio name (test_set.md: {dialogue_id}_{turn_id}_response.wav)."""
    return f"{dialogue_id}_{turn_id}_response.wav"


@dataclass(frozen=True)
class TurnInput:
    turn_id: int
    text: str  # "" when the record has none: the runner transcribes the audio
    audio: Path


@dataclass(frozen=True)
class DialogueInput:
    dialogue_id: str
    turns: tuple[TurnInput, ...]
    record: dict  # the record as read, copied to the output with responses filled


def resolve_audio(lang_dir: Path, task: int, dialogue_id: str, turn: dict) -> Path | None:
    """Find a turn's recording: ``split_audio_file`` relative to the language folder or the
    task folder, its bare name in the task folder, or ``{dialogue_id}_{turn_id}.wav``."""
    given = Path(str(turn.get("split_audio_file") or ""))
    folder = lang_dir / task_dir(task)
    candidates = [lang_dir / given, folder / given, folder / given.name,
                  folder / f"{dialogue_id}_{turn.get('turn_id')}.wav"]
    if given.is_absolute():
        candidates.insert(0, given)
    return next((p for p in candidates if str(given) and p.is_file()), None)


def _turn_problems(where: str, turn: object, index: int) -> list[str]:
    if not isinstance(turn, dict):
        return [f"{where}: turn {index + 1} is not an object"]
    problems = [f"{where}: turn {index + 1} is missing {name!r}"
                for name in REQUIRED_TURN_FIELDS if name not in turn]
    if "turn_id" in turn and not isinstance(turn["turn_id"], int):
        problems.append(f"{where}: turn {index + 1} turn_id must be an integer")
    if "text" in turn and not isinstance(turn["text"], str | None):
        problems.append(f"{where}: turn {index + 1} text must be a string")
    return problems


def parse_dialogue(where: str, record: object, lang_dir: Path,
                   task: int) -> tuple[DialogueInput | None, list[str]]:
    """One record checked: the dialogue, or None and the reasons it is bad."""
    if not isinstance(record, dict):
        return None, [f"{where}: not a JSON object"]
    dialogue_id, turns = record.get("dialogue_id"), record.get("turns")
    problems = [] if isinstance(dialogue_id, str) and dialogue_id else \
        [f"{where}: missing or empty 'dialogue_id'"]
    if not isinstance(turns, list) or not turns:
        return None, problems + [f"{where}: 'turns' must be a non-empty list"]
    where = f"{where} ({dialogue_id})"
    found = []
    for i, turn in enumerate(turns):
        bad = _turn_problems(where, turn, i)
        audio = None if bad else resolve_audio(lang_dir, task, str(dialogue_id), turn)
        if not bad and audio is None:
            bad.append(f"{where}: turn {turn['turn_id']} audio not found: "
                       f"{turn['split_audio_file']!r}")
        problems += bad
        if not bad:
            found.append(TurnInput(turn["turn_id"], (turn.get("text") or "").strip(), audio))
    if problems:
        return None, problems
    return DialogueInput(str(dialogue_id), tuple(found), record), []


def read_task(lang_dir: Path, task: int) -> tuple[list[DialogueInput], list[str]]:
    """All dialogues of one task file, and every problem found (file:line named)."""
    path = lang_dir / task_file(task)
    dialogues, problems, seen = [], [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.parent.name}/{path.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"{where}: bad JSON ({err.msg} at column {err.colno})")
            continue
        dialogue, bad = parse_dialogue(where, record, lang_dir, task)
        if dialogue is not None and dialogue.dialogue_id in seen:
            bad = [f"{where}: duplicate dialogue_id {dialogue.dialogue_id!r}"]
        problems += bad
        if dialogue is not None and not bad:
            seen.add(dialogue.dialogue_id)
            dialogues.append(dialogue)
    return dialogues, problems


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSONL file (raises on a bad line)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader never sees a partial file."""
    tmp = path.with_name(f".{path.name}.part")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


def write_jsonl(path: Path, records: list[dict]) -> None:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    write_atomic(path, text.encode("utf-8"))


class WorkFile:
    """Finished dialogues, one JSON line each, appended and fsynced: a killed run loses
    at most the dialogue it was in. A torn last line (killed mid-write) is dropped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict] = {}
        if path.exists():
            self._load()

    def _load(self) -> None:
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the torn tail of a killed write
            self.done[record["dialogue_id"]] = record
        write_jsonl(self.path, list(self.done.values()))

    def add(self, record: dict) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.done[record["dialogue_id"]] = record


def output_problems(record: dict, lang_dir: Path, task: int) -> list[str]:
    """Why an output record breaks the submission format (empty: it is fine)."""
    where = f"{lang_dir.name}/{task_file(task)} ({record.get('dialogue_id')})"
    problems = []
    for turn in record.get("turns") or []:
        if not isinstance(turn.get("response_text"), str) or not turn["response_text"].strip():
            problems.append(f"{where}: turn {turn.get('turn_id')} has no response_text")
        if task == 3:
            wav = lang_dir / str(turn.get("response_audio") or "")
            if not wav.is_file() or wav.name != response_wav(record["dialogue_id"],
                                                             turn["turn_id"]):
                problems.append(f"{where}: turn {turn.get('turn_id')} response audio missing "
                                f"or misnamed: {turn.get('response_audio')!r}")
    return problems
