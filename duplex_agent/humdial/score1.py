"""Local Track 1 scores: deterministic checks standing in for the organisers' LLM judge.

The official dimensions (ASLP-lab/Hum-Dial README.md "Evaluation Metrics" and the judge
prompts in Emotional_Intelligence/eval_task{1,2,3}.py) score 1, 3 or 5 (task 3: 1-5). Our
checks, each on the answer the judge scores (the final turn for tasks 1 and 2; for task 3
the turn ``target_turn`` picks), scored 1 / 3 / 5:

- ``Accuracy_Completeness`` (T1): the reference labels of the turns before the question, runs
  of one label collapsed, must all be named in order (``EMOTION_TERMS``): all in order and
  no emotion outside them -> 5; all in order but an extra emotion, or at least half -> 3.
- ``Added_Value`` (T1) / ``Information_Integration`` (T2): how many earlier turns the answer
  draws on (``turn_overlap``: two or more of a turn's content words, or Chinese character
  pairs, appear in it): T1 every earlier turn -> 5, one -> 3; T2 more than one -> 5, one -> 3.
- ``Clarity_Length`` (T1, T2, T3): the answer is neither a fragment nor rambling
  (``LENGTH``) -> 5, within twice the bounds -> 3, else 1.
- ``Language`` (all): the answer is in the dialogue's language. The organisers score a
  wrong-language reply 1, so a failure here sets every dimension to 1.
- ``Audio`` (T3): the target turn's WAV is readable, 0.5-30 s, not silent, not clipped -> 5.

Not measured: depth, insight and vocal empathy need a judge; ``--judge-url`` asks an
OpenAI-compatible model (``judge.py``) for those.
"""

from __future__ import annotations

import re
from pathlib import Path

from duplex_agent.humdial.formats import LANGUAGES, TASKS, read_jsonl, task_file

EMOTION_TERMS = {
    "en": {"neutral": ("neutral", "okay", "calm", "fine", "steady", "composed", "at ease"),
           "happy": ("happy", "happiness", "joy", "glad", "delighted", "excited", "cheerful"),
           "sad": ("sad", "sadness", "down", "unhappy", "heartbroken", "grief", "low"),
           "angry": ("angry", "anger", "furious", "mad", "frustrated", "annoyed", "irritated"),
           "fear": ("fear", "afraid", "scared", "anxious", "worried", "nervous", "frightened"),
           "surprise": ("surprise", "surprised", "amazed", "astonished", "shocked"),
           "disgust": ("disgust", "disgusted", "repulsed", "upset")},
    "zh": {"neutral": ("平静", "中性", "平和", "平常", "还好"),
           "happy": ("开心", "高兴", "快乐", "喜悦", "兴奋", "愉快"),
           "sad": ("难过", "伤心", "悲伤", "失落", "沮丧", "低落"),
           "angry": ("生气", "愤怒", "恼火", "气愤", "火大"),
           "fear": ("害怕", "恐惧", "担心", "焦虑", "紧张", "担忧"),
           "surprise": ("惊讶", "意外", "吃惊", "惊喜", "震惊"),
           "disgust": ("厌恶", "恶心", "反感")},
}
LABEL_ALIASES = {"anger": "angry", "sadness": "sad", "happiness": "happy", "joy": "happy",
                 "fearful": "fear", "surprised": "surprise", "disgusted": "disgust"}
LENGTH = {"en": (8, 120), "zh": (10, 250)}  # words / characters of a good answer
STOPWORDS = frozenset("that this with have what your about just from they were them then "
                      "when will would there their been really again because feel feeling "
                      "felt much very".split())


def label(raw: str) -> str:
    key = (raw or "neutral").strip().lower()
    return LABEL_ALIASES.get(key, key)


def expected_labels(turns: list[dict]) -> list[str]:
    """Reference labels of the turns before the final question, consecutive repeats merged."""
    labels = [label(t.get("emotion", "")) for t in turns[:-1]]
    return [x for i, x in enumerate(labels) if i == 0 or labels[i - 1] != x]


def _positions(text: str, terms: tuple[str, ...], language: str) -> list[int]:
    lowered = text.lower()
    if language == "zh":
        return sorted(m.start() for t in terms for m in re.finditer(re.escape(t), lowered))
    return sorted(m.start() for t in terms
                  for m in re.finditer(rf"\b{re.escape(t)}\b", lowered))


def labels_in_order(answer: str, labels: list[str], language: str) -> tuple[int, set[str]]:
    """How many of ``labels`` the answer names in order, and emotions it names outside them."""
    terms = EMOTION_TERMS[language]
    cursor, found = -1, 0
    for name in labels:
        after = [p for p in _positions(answer, terms.get(name, (name,)), language) if p > cursor]
        if after:
            cursor, found = after[0], found + 1
    named = {n for n, words in terms.items() if _positions(answer, words, language)}
    return found, named - set(labels)


def content_units(text: str, language: str) -> set[str]:
    """Words of four letters or more (en, stopwords out) or Han character pairs (zh)."""
    text = re.sub(r"\[[^\]]*\]", " ", text.lower())
    if language == "zh":
        han = re.findall(r"[\u4e00-\u9fff]+", text)
        return {run[i:i + 2] for run in han for i in range(len(run) - 1)
                if "我" not in run[i:i + 2] and "你" not in run[i:i + 2]}
    return {w for w in re.findall(r"[a-z']{4,}", text) if w not in STOPWORDS}


def turn_overlap(answer: str, turns: list[dict], language: str) -> int:
    """How many of ``turns`` the answer draws on (two or more shared content units)."""
    mine = content_units(answer, language)
    return sum(len(content_units(t.get("text") or "", language) & mine) >= 2 for t in turns)


def language_ok(answer: str, language: str) -> bool:
    han = len(re.findall(r"[\u4e00-\u9fff]", answer))
    latin = len(re.findall(r"[A-Za-z]", answer))
    return han > latin if language == "zh" else han == 0 and latin > 0


def length_score(answer: str, language: str) -> int:
    size = len(re.sub(r"\s", "", answer)) if language == "zh" else len(answer.split())
    low, high = LENGTH[language]
    return 5 if low <= size <= high else 3 if low / 2 <= size <= high * 2 else 1


def target_turn(turns: list[dict]) -> int:
    """Index of the task 3 turn: eval_task3.py's second non-neutral turn, else (README.md)
    the last non-neutral turn, else the last turn."""
    emotional = [i for i, t in enumerate(turns) if label(t.get("emotion", "")) != "neutral"]
    return emotional[1] if len(emotional) > 1 else emotional[-1] if emotional else len(turns) - 1


def audio_score(path: Path) -> int:
    import numpy as np
    import soundfile as sf

    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (RuntimeError, sf.LibsndfileError):
        return 1
    seconds = len(audio) / rate
    rms = float(np.sqrt(np.mean(audio ** 2))) if len(audio) else 0.0
    clipped = float(np.mean(np.abs(audio) >= 0.999)) if len(audio) else 1.0
    return 5 if 0.5 <= seconds <= 30 and rms > 0.005 and clipped < 0.001 else 1


def score_dialogue(pred: dict, ref: dict, task: int, language: str, lang_dir: Path) -> dict:
    """Every deterministic check for one dialogue (see the module docstring)."""
    turns = [{**r, "response_text": p.get("response_text", ""),
              "response_audio": p.get("response_audio", "")}
             for r, p in zip(ref["turns"], pred["turns"])]
    index = target_turn(turns) if task == 3 else len(turns) - 1
    answer = turns[index]["response_text"] or ""
    scores = {"Clarity_Length": length_score(answer, language)}
    if task == 1:
        labels = expected_labels(turns)
        found, extra = labels_in_order(answer, labels, language)
        scores["Accuracy_Completeness"] = 5 if found == len(labels) and not extra else \
            3 if found == len(labels) or found * 2 >= len(labels) else 1
        drawn = turn_overlap(answer, turns[:-1], language)
        scores["Added_Value"] = 5 if drawn == len(turns) - 1 else 3 if drawn else 1
    elif task == 2:
        drawn = turn_overlap(answer, turns[:-1], language)
        scores["Information_Integration"] = 5 if drawn > 1 else 3 if drawn == 1 else 1
    else:
        scores["Audio"] = audio_score(lang_dir / str(turns[index]["response_audio"]))
    if not language_ok(answer, language):
        scores = dict.fromkeys(scores, 1)
    return {"dialogue_id": ref["dialogue_id"], "language": language, "task": task,
            "turn_id": turns[index].get("turn_id"), "answer": answer, "scores": scores,
            "mean": round(sum(scores.values()) / len(scores), 3)}


def score_track1(pred: Path, ref: Path, judge_url: str | None = None,
                 judge_model: str | None = None) -> dict:
    """Scores for every dialogue found in both folders, with per-task means."""
    judge = None
    if judge_url:
        from duplex_agent.humdial.judge import Judge

        judge = Judge(judge_url, judge_model)
    results = []
    for language in LANGUAGES:
        for task in TASKS:
            if not (pred / language / task_file(task)).is_file():
                continue
            refs = {r["dialogue_id"]: r for r in read_jsonl(ref / language / task_file(task))}
            for record in read_jsonl(pred / language / task_file(task)):
                item = score_dialogue(record, refs[record["dialogue_id"]], task, language,
                                      pred / language)
                if judge is not None:
                    item["judge"] = judge.score(task, refs[record["dialogue_id"]], record)
                results.append(item)
    return {"dialogues": results, "summary": summarize(results)}


def summarize(results: list[dict]) -> dict:
    summary: dict[str, dict] = {}
    for key in sorted({(r["language"], r["task"]) for r in results}):
        chosen = [r for r in results if (r["language"], r["task"]) == key]
        names = sorted({n for r in chosen for n in r["scores"]})
        summary[f"{key[0]}-T{key[1]}"] = {
            "dialogues": len(chosen),
            **{n: round(sum(r["scores"].get(n, 0) for r in chosen) / len(chosen), 2)
               for n in names},
            "mean": round(sum(r["mean"] for r in chosen) / len(chosen), 2)}
    return summary


def print_scores(result: dict, show: int = 0) -> None:
    for name, row in result["summary"].items():
        cells = ", ".join(f"{k} {v}" for k, v in row.items())
        print(f"{name}: {cells}")
    shown: dict[tuple, int] = {}
    for item in result["dialogues"]:
        key = (item["language"], item["task"])
        if shown.get(key, 0) >= show:
            continue
        shown[key] = shown.get(key, 0) + 1
        print(f"\n[{item['language']} T{item['task']}] {item['dialogue_id']} turn "
              f"{item['turn_id']}: {item['answer']}\n    {item['scores']} mean {item['mean']}"
              + (f"\n    judge {item['judge']}" if item.get("judge") else ""))
