"""HumDial Track 1 (emotional intelligence): every dialogue, turn by turn, through the thinker.

Each turn: its recording is perceived (voice cues, nonverbal events) with its words (the
record's ``text``, or the listener's transcript when it has none), the thinker forms the
private thought and remembers it, and the turn gets a ``response_text``. The record's
``emotion`` is the judge's ground truth and is never read (``TurnInput`` does not carry it).

Which turns get what (ASLP-lab/Hum-Dial README.md "Examples" and eval_task{1,2,3}.py):

- every turn gets a ``response_text``: the judge's conversation history is every turn's
  ``text`` and ``response_text``; earlier turns get the empathetic reply (``ReplyWriter``);
- task 1 is judged on the final turn (the user asks how their feelings changed): it answers
  with the remembered trajectory, ``memory.answer("trajectory")``;
- task 2 likewise on the final turn (why they feel so): ``memory.answer("causes")``;
- task 3 is judged on one turn's audio: README.md says the last non-neutral turn,
  eval_task3.py ``find_target_turn`` the second non-neutral one. We cannot know the labels,
  so every turn gets a reply and ``{dialogue_id}_{turn_id}_response.wav`` in the expressive
  voice (style from the thought), and ``response_audio`` names it.

The final turn of tasks 1 and 2 is remembered as a recall turn (a question about the
memory, not a feeling), so the trajectory ends with the user's last real feeling.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.humdial.formats import (
    LANGUAGES,
    TASKS,
    DialogueInput,
    Track1InputError,
    WorkFile,
    read_task,
    response_wav,
    task_dir,
    task_file,
    write_jsonl,
)
from duplex_agent.humdial.models import DialogueModels

MEMORY_ANSWER = {1: "trajectory", 2: "causes"}  # the final turn's answer per task


@dataclass(frozen=True)
class Track1Options:
    data: Path  # folder with zh/ and en/ (HD-Track1-T{1,2,3}.jsonl and audio folders)
    out: Path  # submission folder: {zh,en}/HD-Track1-T{1,2,3}.jsonl and T3 audio
    languages: tuple[str, ...] = LANGUAGES  # which language subsets to run
    llm: str = "ieat"  # reply model: ieat, smollm2, gemma, http or none (templates)
    llm_url: str | None = None  # OpenAI-compatible server for llm="http"
    llm_model: str | None = None  # model name to ask that server for
    voice: str = "piper"  # English TTS backend; Chinese always uses espeak-ng
    pack: bool = False  # also write {out}/HD-Track1.zip
    progress: bool = True  # show a progress bar


@dataclass(frozen=True)
class TaskJob:
    language: str
    task: int
    dialogues: tuple[DialogueInput, ...]


def validate(options: Track1Options) -> list[TaskJob]:
    """Read every input file; raise naming every bad record if any is bad."""
    jobs, problems = [], []
    for language in options.languages:
        lang_dir = options.data / language
        for task in TASKS:
            if not (lang_dir / task_file(task)).is_file():
                problems.append(f"{language}/{task_file(task)}: file not found")
                continue
            dialogues, bad = read_task(lang_dir, task)
            problems += bad
            jobs.append(TaskJob(language, task, tuple(dialogues)))
    if problems:
        raise Track1InputError(f"{len(problems)} problem(s) in {options.data}:\n  "
                               + "\n  ".join(problems))
    return jobs


def run_dialogue(dialogue: DialogueInput, task: int, language: str, models: DialogueModels,
                 out_dir: Path) -> dict:
    """One dialogue through a fresh thinker (its own memory and voice baseline)."""
    from streaming.audio import load_audio

    thinker = models.thinker()
    record = copy.deepcopy(dialogue.record)
    stream_time = 0.0
    for i, (turn, out_turn) in enumerate(zip(dialogue.turns, record["turns"])):
        audio = load_audio(turn.audio)
        stream_time += len(audio) / SAMPLE_RATE
        text = turn.text or models.transcribe(audio, language)
        thought, _ = thinker.think(stream_time, text, audio, asr_language=language)
        recall = MEMORY_ANSWER.get(task) if i == len(dialogue.turns) - 1 else None
        if recall:
            # The task asks about the feelings so far or their causes: the memory's account
            # of every turn's attributed emotion and cause (the model's own thoughts when
            # it thinks). On the fixtures it scores above the model's free recall, which
            # invents events (benchmarks note in the IEAT issue).
            thinker.memory.add(thought, text, recall=True)
            response = thinker.memory.answer(recall, thought.language)
        else:
            prompt = thinker.reply_prompt(thought)
            thinker.memory.add(thought, text)
            response = models.writer().write(thought, text, thinker.memory, prompt).text
        thinker.memory.record_reply(response)
        out_turn["response_text"] = response
        out_turn.setdefault("response_audio", "")
        if task == 3:
            name = response_wav(dialogue.dialogue_id, turn.turn_id)
            models.speak(response, thought, out_dir / task_dir(3) / name)
            out_turn["response_audio"] = f"{task_dir(3)}/{name}"
    return record


def run_track1(options: Track1Options) -> dict[str, int]:
    """Validate, run every unfinished dialogue, assemble the outputs; counts per outcome."""
    from tqdm import tqdm

    jobs = validate(options)
    work_dir = options.out / ".work"
    work_dir.mkdir(parents=True, exist_ok=True)
    works = {(j.language, j.task): WorkFile(work_dir / f"{j.language}-T{j.task}.jsonl")
             for j in jobs}
    pending = sum(1 for j in jobs for d in j.dialogues
                  if d.dialogue_id not in works[(j.language, j.task)].done)
    models = DialogueModels(options.llm, options.llm_url, options.llm_model, options.voice)
    counts = {"dialogues": sum(len(j.dialogues) for j in jobs), "run": pending,
              "skipped": sum(len(j.dialogues) for j in jobs) - pending}
    with tqdm(total=pending, unit="dialogue", desc="track1",
              disable=not options.progress) as bar:
        for job in jobs:
            run_job(job, works[(job.language, job.task)], models, options.out / job.language,
                    bar.update)
    if options.pack:
        pack_track1(options.out, tuple(j.language for j in jobs))
    return counts


def run_job(job: TaskJob, work: WorkFile, models: DialogueModels, out_dir: Path,
            done: Callable[[int], object]) -> None:
    """One task file: each unfinished dialogue into the work file, then the output file
    assembled (in input order) and written atomically."""
    (out_dir / task_dir(3)).mkdir(parents=True, exist_ok=True)
    for dialogue in job.dialogues:
        if dialogue.dialogue_id not in work.done:
            work.add(run_dialogue(dialogue, job.task, job.language, models, out_dir))
            done(1)
    write_jsonl(out_dir / task_file(job.task), [work.done[d.dialogue_id] for d in job.dialogues])


def pack_track1(out: Path, languages: tuple[str, ...]) -> Path:
    """``{out}/HD-Track1.zip`` laid out as test_set.md's "Submission Package Format"."""
    import zipfile

    target = out / "HD-Track1.zip"
    part = out / ".HD-Track1.zip.part"
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
        for language in dict.fromkeys(languages):
            lang_dir = out / language
            for path in sorted(lang_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    archive.write(path, f"HD-Track1/{language}/{path.relative_to(lang_dir)}")
    part.replace(target)
    return target
