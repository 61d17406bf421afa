"""The microphone demo: device choice, playback flushing, and a real-time --input run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from duplex_agent.errors import UserError
from duplex_agent.live.mic import Player, pick_devices
from duplex_agent.protocol import Message, Tag

MIC = {"name": "mic", "max_input_channels": 1, "max_output_channels": 0}
SPEAKER = {"name": "speaker", "max_input_channels": 0, "max_output_channels": 2}


def test_no_microphone_is_one_clear_error() -> None:
    with pytest.raises(UserError, match="no microphone found .* --input FILE"):
        pick_devices([], (-1, -1), None, None)
    with pytest.raises(UserError, match="no speaker found"):
        pick_devices([MIC], (0, -1), None, None)


def test_devices_default_and_explicit() -> None:
    assert pick_devices([MIC, SPEAKER], (0, 1), None, None) == (0, 1)
    assert pick_devices([SPEAKER, MIC], (-1, -1), None, None) == (1, 0)
    with pytest.raises(UserError, match="device 1 has no input"):
        pick_devices([MIC, SPEAKER], (0, 1), 1, None)


def test_player_plays_in_order_and_flushes_at_once() -> None:
    player = Player()
    player.take([Message(Tag.AUDIO_OUT, audio=np.full(300, 0.5, np.float32)),
                 Message(Tag.AUDIO_OUT, audio=np.full(300, 0.25, np.float32))])
    first = player.pull(320)
    assert np.all(first[:300] == 0.5) and np.all(first[300:] == 0.25)
    player.take([Message(Tag.FLUSH)])
    assert not np.any(player.pull(320)) and player.flushes == 1


def test_mic_demo_runs_a_recording_in_real_time(shared_data: Path, tmp_path: Path,
                                                capsys) -> None:
    import soundfile as sf

    from duplex_agent.cli import main
    from streaming.audio import load_audio

    speech = load_audio(shared_data / "asr/speechbrain_timit_like/spk2_snt2.wav")
    recording = tmp_path / "call.wav"
    sf.write(recording, np.concatenate([np.zeros(8000, np.float32), speech,
                                        np.zeros(12 * 16000, np.float32)]), 16000)  # room to reply
    assert main(["mic", "--input", str(recording), "--output", str(tmp_path / "agent.wav")]) == 0
    printed = capsys.readouterr().out
    assert "you: What joy there is in living" in printed
    assert "agent: " in printed and "thought: " in printed and "duplex-agent mic" in printed
    agent, rate = sf.read(tmp_path / "agent.wav")
    assert rate == 16000 and len(agent) == len(sf.read(recording)[0])
    assert np.abs(agent).max() > 0.05  # the reply was played into the output


def test_missing_recording_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from duplex_agent.cli import main

    assert main(["mic", "--input", str(tmp_path / "nope.wav")]) == 2
    assert "no such recording" in capsys.readouterr().err
