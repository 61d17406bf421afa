"""HumDial runners and local scoring on team-written fixtures (tests/fixtures/humdial).

The fixture audio is voiced by our TTS into tmp dirs at test time (Piper for English,
espeak-ng for Chinese). Runs use ``--llm none`` (template replies) so outputs are
deterministic: the kill -9 / resume test compares them byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from duplex_agent.humdial import score1
from duplex_agent.humdial.formats import (
    TASKS,
    Track1InputError,
    output_problems,
    read_jsonl,
    task_file,
)
from duplex_agent.humdial.judge import parse_scores

FIXTURES = Path(__file__).parent / "fixtures" / "humdial"
REPO = Path(__file__).resolve().parents[1]
RECORD_KEYS = {"dialogue_id", "turns"}
TURN_KEYS = {"turn_id", "text", "emotion", "split_audio_file", "response_text",
             "response_audio"}


@pytest.fixture(scope="module")
def track1_data(tmp_path_factory) -> Path:
    from duplex_agent.humdial.synthetic import build_track1

    return build_track1(FIXTURES, tmp_path_factory.mktemp("hd1") / "data")


@pytest.fixture(scope="module")
def track1_run(track1_data: Path, tmp_path_factory) -> Path:
    from duplex_agent.humdial.track1 import Track1Options, run_track1

    out = tmp_path_factory.mktemp("hd1") / "out"
    counts = run_track1(Track1Options(track1_data, out, ("zh", "en"), llm="none", pack=True,
                                      progress=False))
    assert counts == {"dialogues": 15, "run": 15, "skipped": 0}
    return out


# ---------------------------------------------------------------- validation (no models)

def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_validation_names_every_bad_record(tmp_path: Path) -> None:
    from duplex_agent.humdial.track1 import Track1Options, validate

    en = tmp_path / "en"
    (en / "HD-Track1-T1").mkdir(parents=True)
    (en / "HD-Track1-T1" / "ok_1.wav").write_bytes(b"RIFF")
    good = {"dialogue_id": "ok", "turns": [{"turn_id": 1, "text": "hi",
                                             "split_audio_file": "HD-Track1-T1/ok_1.wav"}]}
    _write(en / task_file(1), [
        json.dumps(good),
        '{"dialogue_id": "broken", "turns": [',
        json.dumps({"dialogue_id": "noid", "turns": [{"text": "x", "split_audio_file": "a"}]}),
        json.dumps({"dialogue_id": "noaudio", "turns": [
            {"turn_id": 1, "text": "x", "split_audio_file": "HD-Track1-T1/gone.wav"}]}),
        json.dumps(good),
    ])
    _write(en / task_file(2), [json.dumps({"turns": []})])
    with pytest.raises(Track1InputError) as caught:
        validate(Track1Options(tmp_path, tmp_path / "out", ("en",)))
    message = str(caught.value)
    for expected in ("HD-Track1-T1.jsonl line 2: bad JSON",
                     "line 3 (noid): turn 1 is missing 'turn_id'",
                     "line 4 (noaudio): turn 1 audio not found: 'HD-Track1-T1/gone.wav'",
                     "line 5: duplicate dialogue_id 'ok'",
                     "HD-Track1-T2.jsonl line 1: missing or empty 'dialogue_id'",
                     "HD-Track1-T2.jsonl line 1: 'turns' must be a non-empty list",
                     "en/HD-Track1-T3.jsonl: file not found"):
        assert expected in message, message
    assert "line 1 (ok)" not in message


def test_cli_reports_validation_errors(tmp_path: Path, capsys) -> None:
    from duplex_agent.cli import main

    _write(tmp_path / "en" / task_file(1), ["not json"])
    assert main(["humdial", "track1", "--data", str(tmp_path), "--out", str(tmp_path / "o"),
                 "--lang", "en", "--llm", "none"]) == 2
    assert "line 1: bad JSON" in capsys.readouterr().err


# ---------------------------------------------------------------- scoring rules (no models)

def test_labels_in_order_and_overlap() -> None:
    answer = "At first you felt angry about the late project, then surprised by the raffle."
    assert score1.labels_in_order(answer, ["angry", "surprise"], "en") == (2, set())
    assert score1.labels_in_order(answer, ["surprise", "angry"], "en")[0] == 1
    zh = "你先是生气，后来很开心。"
    assert score1.labels_in_order(zh, ["angry", "happy"], "zh") == (2, set())
    turns = [{"text": "My project is late because of wrong numbers"},
             {"text": "I won the raffle at work today"}]
    assert score1.turn_overlap(answer, turns, "en") == 1
    assert score1.expected_labels([{"emotion": "anger"}, {"emotion": "anger"},
                                   {"emotion": "sad"}, {"emotion": "neutral"}]) == ["angry", "sad"]


def test_language_and_target_turn() -> None:
    assert score1.language_ok("你好，我在听。", "zh") and not score1.language_ok("Hello", "zh")
    assert score1.language_ok("Hello there.", "en") and not score1.language_ok("你好", "en")
    turns = [{"emotion": "fear"}, {"emotion": "neutral"}, {"emotion": "surprise"},
             {"emotion": "neutral"}]
    assert score1.target_turn(turns) == 2
    assert score1.target_turn([{"emotion": "neutral"}, {"emotion": "sad"}]) == 1


def test_judge_reply_parsing() -> None:
    names = ("Accuracy_Completeness", "Added_Value")
    text = 'Sure: ```json {"scores": {"Accuracy_Completeness": 5, "Added_Value": 3}} ```'
    assert parse_scores(text, names) == {"Accuracy_Completeness": 5, "Added_Value": 3}
    assert parse_scores("no json here", names) is None


# ---------------------------------------------------------------- Track 1 (real models)

@pytest.mark.models
def test_track1_outputs_follow_the_format(track1_data: Path, track1_run: Path) -> None:
    for language in ("zh", "en"):
        for task in TASKS:
            ref = read_jsonl(track1_data / language / task_file(task))
            lines = (track1_run / language / task_file(task)).read_text("utf-8").splitlines()
            assert len(lines) == len(ref)
            for line, source in zip(lines, ref):
                record = json.loads(line)
                assert set(record) == RECORD_KEYS and record["dialogue_id"] == source["dialogue_id"]
                for turn, given in zip(record["turns"], source["turns"], strict=True):
                    assert set(turn) == TURN_KEYS
                    assert {k: turn[k] for k in TURN_KEYS - {"response_text", "response_audio"}} \
                        == {k: given[k] for k in TURN_KEYS - {"response_text", "response_audio"}}
                    assert score1.language_ok(turn["response_text"], language), turn
                assert output_problems(record, track1_run / language, task) == []
    with zipfile.ZipFile(track1_run / "HD-Track1.zip") as archive:
        names = set(archive.namelist())
    assert "HD-Track1/en/HD-Track1-T1.jsonl" in names
    assert "HD-Track1/zh/HD-Track1-T3/zh_t3_0001_1_response.wav" in names
    assert not any("/.work" in n for n in names)


@pytest.mark.models
def test_track1_transcribes_turns_without_text(track1_run: Path) -> None:
    record = read_jsonl(track1_run / "en" / task_file(1))[1]
    assert record["turns"][1]["text"] == ""
    # The transcribed turn ("... watching the rain all afternoon") is in the trajectory the
    # last turn recounts (replies themselves never read the user's words back).
    assert "rain" in record["turns"][-1]["response_text"].lower()


@pytest.mark.models
def test_track1_task_answers(track1_run: Path) -> None:
    t1 = read_jsonl(track1_run / "en" / task_file(1))[0]["turns"][-1]["response_text"]
    assert t1.startswith("At first you felt") and "raffle" in t1
    t2 = read_jsonl(track1_run / "zh" / task_file(2))[0]["turns"][-1]["response_text"]
    assert "因为" in t2


@pytest.mark.models
def test_score1_on_the_run(track1_data: Path, track1_run: Path) -> None:
    result = score1.score_track1(track1_run, track1_data)
    assert set(result["summary"]) == {f"{lang}-T{t}" for lang in ("zh", "en") for t in TASKS}
    for item in result["dialogues"]:
        assert all(v in (1, 3, 5) for v in item["scores"].values()), item
        assert item["scores"]["Clarity_Length"] > 1
        if item["task"] == 3:
            assert item["scores"]["Audio"] == 5


@pytest.mark.models
def test_ground_truth_emotion_is_not_used(track1_data: Path, tmp_path: Path) -> None:
    import copy

    from duplex_agent.humdial.formats import read_task
    from duplex_agent.humdial.models import DialogueModels
    from duplex_agent.humdial.track1 import run_dialogue

    dialogue = read_task(track1_data / "en", 1)[0][0]
    scrambled = copy.deepcopy(dialogue.record)
    for turn in scrambled["turns"]:
        turn["emotion"] = "disgust"
    models = DialogueModels(llm="none")
    first = run_dialogue(dialogue, 1, "en", models, tmp_path)
    second = run_dialogue(replace(dialogue, record=scrambled), 1, "en", models, tmp_path)
    assert [t["response_text"] for t in first["turns"]] == \
        [t["response_text"] for t in second["turns"]]


def _work_lines(out: Path) -> int:
    return sum(len(p.read_text("utf-8").splitlines()) for p in (out / ".work").glob("*.jsonl"))


def _track1_command(data: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "duplex_agent.cli", "humdial", "track1", "--data",
            str(data), "--out", str(out), "--lang", "en", "--llm", "none"]


@pytest.mark.models
def test_kill9_then_resume_gives_identical_outputs(track1_data: Path, track1_run: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(_track1_command(track1_data, out), cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(3000):  # bounded: at most 3000 x 0.1 s
            if (out / ".work").is_dir() and _work_lines(out) >= 1:
                break
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        proc.kill()  # SIGKILL
        proc.wait(timeout=60)
    finished = _work_lines(out)
    assert 1 <= finished < 9, f"killed after {finished} of 9 dialogues"
    assert not (out / "en" / task_file(3)).exists()
    resumed = subprocess.run(_track1_command(track1_data, out), cwd=REPO, capture_output=True,
                             text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{finished} already done" in resumed.stdout
    for task in TASKS:
        assert (out / "en" / task_file(task)).read_bytes() == \
            (track1_run / "en" / task_file(task)).read_bytes()
    wavs = sorted(p.name for p in (out / "en" / "HD-Track1-T3").glob("*.wav"))
    assert wavs == sorted(p.name for p in (track1_run / "en" / "HD-Track1-T3").glob("*.wav"))


# ---------------------------------------------------------------- Track 2 (real models)

@pytest.mark.models
def test_track2_outputs_are_time_synchronous(tmp_path: Path) -> None:
    import soundfile as sf

    from duplex_agent.humdial.score2 import score_track2
    from duplex_agent.humdial.synthetic import build_track2
    from duplex_agent.humdial.track2 import Track2Options, run_track2

    data = build_track2(FIXTURES, tmp_path / "in")
    options = Track2Options(data, tmp_path / "out", llm="none", pack=True, progress=False)
    assert run_track2(options) == {"files": 2, "run": 2, "skipped": 0}
    for name, kind in (("test-000001", "test"), ("clean-000001", "clean")):
        source, output = sf.info(str(data / f"{name}.wav")), \
            sf.info(str(tmp_path / "out" / kind / f"{name}_output.wav"))
        assert (output.frames, output.samplerate, output.channels, output.subtype) == \
            (source.frames, 16000, 1, "PCM_16")
    assert run_track2(options) == {"files": 2, "run": 0, "skipped": 2}
    with zipfile.ZipFile(tmp_path / "out" / "HD-Track2.zip") as archive:
        assert sorted(archive.namelist()) == ["HD-Track2/clean/clean-000001_output.wav",
                                              "HD-Track2/test/test-000001_output.wav"]
    summary = score_track2(tmp_path / "out", data)["summary"]
    assert summary["files"] == 2 and summary["same_length"] == 2
    assert summary["first_response_delay"] is not None
