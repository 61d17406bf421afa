"""The console script as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "duplex_agent.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", [[], ["models"], ["transcribe"], ["demo"], ["listen"],
                                     ["respond"], ["duplex"], ["speak"], ["serve"], ["mic"],
                                     ["humdial"], ["eval"]])
def test_help_explains_each_command(command):
    done = cli(*command, "--help")
    assert done.returncode == 0 and "usage: duplex-agent" in done.stdout


def test_importing_the_package_loads_no_heavy_library():
    code = ("import sys, duplex_agent, duplex_agent.cli, duplex_agent.events; "
            "heavy = {'onnxruntime', 'ctranslate2', 'torch', 'llama_cpp', 'faster_whisper'}; "
            "print(sorted(heavy & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_models_command_exits_zero_with_every_model():
    done = cli("models", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(done.stdout)
    assert {r["role"] for r in rows} >= {"vad", "asr-tiny.en", "asr-base", "llm-chat",
                                         "llm-fewshot", "tts-voice", "end-of-turn",
                                         "text-emotion", "speaker", "ieat-adapter"}
    assert all(r["status"] == "ok" and r["size_bytes"] > 1_000_000 for r in rows)


def test_transcribe_json(shared_data):
    done = cli("transcribe", str(shared_data / "asr" / "jfk.flac"), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    words = re.sub(r"[^a-z ]", "", result["text"].lower())
    assert "ask not what your country can do for you" in words
    assert result["segments"] and result["partials"] and result["finals"][0]["words"]
    assert result["duration_s"] == 11.0


def test_bad_input_gives_one_clear_line(tmp_path):
    junk = tmp_path / "broken.wav"
    junk.write_bytes(b"RIFF????WAVEfmt garbage")
    done = cli("transcribe", str(junk))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "broken.wav" in done.stderr
    assert "Traceback" not in done.stderr
