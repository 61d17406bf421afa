"""``duplex-agent mic``: talk with the agent through this machine's microphone and speaker.

``--input FILE`` feeds a recording through the same path in real time (for tests and
machines without a microphone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from duplex_agent.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "mic", help="talk with the agent through the microphone (terminal view)",
        description="Run a live full-duplex call through the sound card, with a terminal "
                    "view of the agent's state, the transcript, your emotion and its thought.")
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input-device", type=int, help="input device index (--list-devices)")
    parser.add_argument("--output-device", type=int, help="output device index")
    parser.add_argument("--list-devices", action="store_true", help="list audio devices, exit")
    parser.add_argument("--input", type=Path, metavar="FILE",
                        help="feed this recording in real time instead of the microphone")
    parser.add_argument("--output", type=Path, metavar="OUT.wav",
                        help="with --input: write the agent's audio (time-synchronous) here; "
                             "without it the audio is discarded")


def run(args: argparse.Namespace) -> int:
    if args.list_devices:
        return list_devices()
    if args.input is None:
        return live(args)
    return from_file(args.input, args.output)


def list_devices() -> int:
    from duplex_agent.live.mic import sounddevice_module

    devices = sounddevice_module().query_devices()
    if not len(devices):
        raise UserError("no audio devices found (use --input FILE to run on a recording)")
    print(devices)
    return 0


def _session(input_has_echo: bool):
    from duplex_agent.session.config import SessionConfig
    from duplex_agent.session.loop import Session
    from duplex_agent.session.models import SessionModels

    config = SessionConfig.live(input_has_echo=input_has_echo)
    print("loading models (about 6 s)...", file=sys.stderr, flush=True)
    return Session(SessionModels.load(config), config)


def live(args: argparse.Namespace) -> int:
    import threading

    from duplex_agent.live.call import CallWorker
    from duplex_agent.live.mic import Player, fan_out, open_device_stream, pick_devices
    from duplex_agent.live.mic import sounddevice_module as sd_module
    from duplex_agent.live.view import TerminalView

    sd = sd_module()
    devices = pick_devices(list(sd.query_devices()), tuple(sd.default.device),
                           args.input_device, args.output_device)
    session = _session(input_has_echo=True)  # the speaker's sound reaches the microphone
    player = Player()
    with TerminalView(live=sys.stdout.isatty()) as view:
        worker = CallWorker(session, fan_out(player.take, view.show))
        worker.start()
        try:
            with open_device_stream(worker, player, devices):
                threading.Event().wait()  # until Ctrl+C
        except sd.PortAudioError as err:
            raise UserError(f"the audio device failed: {err}") from None
        finally:
            worker.stop()
    return 0


def from_file(path: Path, output: Path | None) -> int:
    import threading

    from duplex_agent.live.call import CallWorker
    from duplex_agent.live.mic import Player, fan_out, play_file
    from duplex_agent.live.view import TerminalView
    from duplex_agent.session.file_driver import write_wav
    from streaming.audio import load_audio

    if not path.exists():
        raise UserError(f"no such recording: {path}")
    audio = load_audio(path)
    session = _session(input_has_echo=False)  # a recording of the user alone
    player = Player()
    view = TerminalView(live=sys.stdout.isatty())
    with view:
        worker = CallWorker(session, fan_out(player.take, view.show))
        worker.start()
        try:
            out = play_file(audio, worker, player, threading.Event())
        finally:
            worker.stop(timeout=60)
    if not sys.stdout.isatty():  # on a terminal the live panel stays on screen
        print(view.screen(), end="")
    if output is not None:
        write_wav(output, out)
        print(f"wrote the agent's audio to {output}")
    return 0
