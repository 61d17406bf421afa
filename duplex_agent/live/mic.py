"""The microphone demo's driver: sound card (or a paced file) <-> CallWorker.

The device callback (or, for ``--input FILE``, a loop paced by the wall clock) feeds
20 ms blocks to the worker and pulls the agent's audio from a ``Player``, whose queue
a FLUSH empties at once, exactly like the browser's playback worklet.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

import numpy as np

from duplex_agent.clock import WallClock
from duplex_agent.errors import UserError
from duplex_agent.live.call import BLOCK, SAMPLE_RATE, CallWorker
from duplex_agent.protocol import Message, Tag


class Player:
    """Agent audio waiting to be played; ``pull`` is called by the output clock."""

    def __init__(self) -> None:
        self._chunks: deque[np.ndarray] = deque()
        self._lock = threading.Lock()
        self.flushes = 0

    def take(self, messages: list[Message]) -> None:
        with self._lock:
            for message in messages:
                if message.tag is Tag.FLUSH:
                    self._chunks.clear()
                    self.flushes += 1
                elif message.tag is Tag.AUDIO_OUT and message.audio is not None:
                    self._chunks.append(message.audio)

    def pull(self, n: int) -> np.ndarray:
        out = np.zeros(n, np.float32)
        filled = 0
        with self._lock:
            while filled < n and self._chunks:
                chunk = self._chunks[0]
                k = min(n - filled, len(chunk))
                out[filled:filled + k] = chunk[:k]
                filled += k
                if k == len(chunk):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = chunk[k:]
        return out


def play_file(audio: np.ndarray, worker: CallWorker, player: Player,
              stop: threading.Event) -> np.ndarray:
    """Feed ``audio`` in real time, as a sound card would; the agent audio played
    in the same 20 ms slots (time-synchronous with the input)."""
    clock = WallClock()  # wall-clock ok: a live driver paces a recording in real time
    out = []
    for i in range(0, len(audio), BLOCK):
        delay = i / SAMPLE_RATE - clock.now()  # wall-clock ok
        if delay > 0 and stop.wait(delay):
            break
        block = np.zeros(BLOCK, np.float32)
        block[:len(audio[i:i + BLOCK])] = audio[i:i + BLOCK]
        if not worker.feed(block):
            raise UserError("the agent fell more than 10 s behind real time; stopping")
        out.append(player.pull(BLOCK))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def open_device_stream(worker: CallWorker, player: Player, devices: tuple[int, int]):
    """A started sounddevice duplex stream: mic -> worker, player -> speaker."""
    import sounddevice as sd

    def callback(indata, outdata, frames, time_info, status) -> None:
        del time_info, status
        worker.feed(indata[:, 0].copy())
        outdata[:, 0] = player.pull(frames)

    stream = sd.Stream(samplerate=SAMPLE_RATE, blocksize=BLOCK, channels=1, dtype="float32",
                       device=devices, callback=callback, latency="low")
    stream.start()
    return stream


def sounddevice_module():
    """sounddevice, or a UserError that says which system library is missing."""
    try:
        import sounddevice
    except ImportError:
        raise UserError("sounddevice is not installed: pip install sounddevice") from None
    except OSError:
        raise UserError("the PortAudio library is missing: apt-get install libportaudio2 "
                        "(or use --input FILE)") from None
    return sounddevice


def pick_devices(devices: list[dict], default: tuple[int, int],
                 wanted_in: int | None, wanted_out: int | None) -> tuple[int, int]:
    """(input, output) device indices, or a one-line UserError saying what is missing."""
    inputs = [i for i, d in enumerate(devices) if d.get("max_input_channels", 0) > 0]
    outputs = [i for i, d in enumerate(devices) if d.get("max_output_channels", 0) > 0]
    if not inputs:
        raise UserError("no microphone found (no audio input device); plug one in, or feed "
                        "a recording with --input FILE")
    if not outputs:
        raise UserError("no speaker found (no audio output device); use --input FILE "
                        "--output OUT.wav to run without one")
    chosen_in = _choose(wanted_in, default[0], inputs, "input")
    return chosen_in, _choose(wanted_out, default[1], outputs, "output")


def _choose(wanted: int | None, default: int, valid: list[int], kind: str) -> int:
    if wanted is None:
        return default if default in valid else valid[0]
    if wanted not in valid:
        raise UserError(f"device {wanted} has no {kind}; see duplex-agent mic --list-devices")
    return wanted


def fan_out(*sinks: Callable[[list[Message]], None]) -> Callable[[list[Message]], None]:
    def emit(messages: list[Message]) -> None:
        for sink in sinks:
            sink(messages)
    return emit
