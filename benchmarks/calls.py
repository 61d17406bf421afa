"""Concurrent browser-style calls on loopback: first-audio latency and errors per N, and a
soak with reconnects that watches memory, threads and open files (every minute).

    python benchmarks/calls.py [--callers 1 2 3 4] [--turns 3]
    python benchmarks/calls.py --soak-minutes 10 --callers 2 [--vanish 50]

One process loads the models once and serves calls on 127.0.0.1 (a random port);
N simulated callers each stream real recordings (shared data, one speaker per
caller) as 20 ms PCM16 frames in real time, each sentence followed by 5 s of
silence for the agent to answer. First-audio latency is the wall time from the end
of the caller's speech (last frame above -35 dB of the sentence's peak) to the first
AUDIO_OUT frame of the reply; a caller keeps sending silence until its reply has
ended (up to 15 s more) before the next sentence, so late replies are not miscounted.
Errors: ERROR messages, calls closed abnormally, and turns with no reply audio.
Sessions share one set of models and take turns on a lock.

Capacity: the largest N whose p95 stays within 1.5x the single call's p95 (printed).
Soak: N callers call again and again (three turns, hang up, call again) for the given
minutes; RSS, threads and open files of the process are printed at the start, middle
and end. ``--vanish K`` then opens K calls that stream speech and vanish mid-reply
(socket closed without a goodbye), and checks that one more good call is answered.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from duplex_agent.protocol import Tag, decode, encode_audio  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "asr" / "speechbrain_timit_like"
FRAME = 320
GAP_S = 5.0
MAX_WAIT_S = 15.0  # more silence while a late reply finishes


def speech_end(audio: np.ndarray) -> int:
    frames = audio[: len(audio) // FRAME * FRAME].reshape(-1, FRAME)
    level = np.sqrt((frames ** 2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(level > level.max() * 10 ** (-35 / 20))
    return int(loud[-1] + 1) * FRAME


def caller_turns(caller: int, turns: int) -> list[tuple[np.ndarray, int]]:
    """(audio to stream, sample where the speech ends) per turn, for one caller."""
    from streaming.audio import load_audio

    speaker = 1 + caller % 2
    out = []
    for t in range(turns):
        speech = load_audio(DATA / f"spk{speaker}_snt{1 + (caller // 2 + t) % 5}.wav")
        lead = np.zeros(8000, np.float32)
        audio = np.concatenate([lead, speech, np.zeros(int(GAP_S * 16000), np.float32)])
        out.append((audio, len(lead) + speech_end(speech)))
    return out


async def call(url: str, caller: int, turns: int) -> tuple[list[float], int]:
    """Stream the caller's turns in real time; (first-audio latencies, errors)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = 0
    async with connect(url, ping_interval=None) as ws:
        for audio, end in caller_turns(caller, turns):
            mark: dict[str, float] = {}
            done = asyncio.Event()
            receiver = asyncio.create_task(watch(ws, mark, done, loop))
            try:
                await stream(ws, audio, end, mark, loop)
                await wait_for_reply_end(ws, done, loop)
            except ConnectionClosed:
                errors += 1
            receiver.cancel()
            result = (await asyncio.gather(receiver, return_exceptions=True))[0]
            errors += result if isinstance(result, int) else 0
            if "audio" in mark:
                latencies.append(mark["audio"] - mark["end"])
            else:
                errors += 1
    return latencies, errors


async def stream(ws, audio: np.ndarray, end: int, mark: dict, loop) -> None:
    start = loop.time()
    for i in range(0, len(audio), FRAME):
        await asyncio.sleep(max(0.0, start + i / 16000 - loop.time()))
        await ws.send(encode_audio(Tag.AUDIO_IN, audio[i:i + FRAME]))
        if i + FRAME >= end and "end" not in mark:
            mark["end"] = loop.time()


async def wait_for_reply_end(ws, done: asyncio.Event, loop) -> None:
    """Keep streaming silence until the reply has finished (at most MAX_WAIT_S), so a
    late reply is never counted for the next turn."""
    silence = encode_audio(Tag.AUDIO_IN, np.zeros(FRAME, np.float32))
    start = loop.time()
    for i in range(int(MAX_WAIT_S * 16000 / FRAME)):
        if done.is_set():
            return
        await asyncio.sleep(max(0.0, start + i * FRAME / 16000 - loop.time()))
        await ws.send(silence)


async def watch(ws, mark: dict, done: asyncio.Event, loop) -> int:
    """Note the reply's first audio frame and its end; returns errors (1 on ERROR)."""
    async for raw in ws:
        message = decode(raw)
        if message.tag is Tag.ERROR:
            print(f"  error: {message.data}", file=sys.stderr)
            return 1
        if message.tag is Tag.AUDIO_OUT and "end" in mark and "audio" not in mark:
            mark["audio"] = loop.time()
        if message.tag is Tag.TRANSCRIPT and message.data["role"] == "agent" and "audio" in mark:
            done.set()
    return 0


async def load_run(url: str, callers: int, turns: int) -> tuple[list[float], int]:
    results = await asyncio.gather(*(call(url, c, turns) for c in range(callers)),
                                   return_exceptions=True)
    latencies, errors = [], 0
    for result in results:
        if isinstance(result, BaseException):
            print(f"  caller failed: {result!r}", file=sys.stderr)
            errors += turns
        else:
            latencies += result[0]
            errors += result[1]
    return latencies, errors


def resources() -> str:
    """RSS, threads, open files and Python objects of this process (server and callers)."""
    import gc
    import os

    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    threads = next(int(line.split()[1]) for line in status.splitlines()
                   if line.startswith("Threads"))
    files = len(os.listdir("/proc/self/fd"))
    return (f"RSS {rss / 1024:.0f} MB, threads {threads}, open files {files}, "
            f"Python objects {len(gc.get_objects()):,}")


async def soak(url: str, callers: int, minutes: float) -> tuple[list[float], int, int]:
    """Callers calling again and again until ``minutes`` pass; (latencies, errors, calls).
    Resources are printed every minute (the trend tells a leak from a warm-up)."""
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + 60 * minutes
    latencies: list[float] = []
    counts = {"errors": 0, "calls": 0}

    async def caller(c: int) -> None:
        while loop.time() < stop_at:
            got, errors = await call(url, c, 3)
            latencies.extend(got)
            counts["errors"] += errors
            counts["calls"] += 1

    async def report() -> None:
        start = loop.time()
        while loop.time() < stop_at:
            await asyncio.sleep(60)
            print(f"{(loop.time() - start) / 60:4.1f} min, {counts['calls']} calls: "
                  f"{resources()}", flush=True)

    reporter = asyncio.create_task(report())
    await asyncio.gather(*(caller(c) for c in range(callers)))
    reporter.cancel()
    return latencies, counts["errors"], counts["calls"]


async def vanish(url: str, clients: int) -> int:
    """``clients`` calls that speak, wait for the reply to start, and drop their socket."""
    from websockets.asyncio.client import connect

    async def one(c: int) -> bool:
        audio, _ = caller_turns(c, 1)[0]
        ws = await connect(url, ping_interval=None)
        try:
            for i in range(0, len(audio), FRAME):
                await ws.send(encode_audio(Tag.AUDIO_IN, audio[i:i + FRAME]))
                await asyncio.sleep(FRAME / 16000)
                if i > len(audio) * 0.8:
                    break
        finally:
            ws.transport.abort()  # gone without a goodbye
        return True

    done = 0
    for start in range(0, clients, 2):  # two at a time: the default number of lines
        done += sum(await asyncio.gather(*(one(c) for c in range(start, min(clients,
                                                                            start + 2)))))
    return done


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--callers", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--turns", type=int, default=3, help="sentences per caller")
    parser.add_argument("--soak-minutes", type=float, default=0.0,
                        help="soak instead: the first --callers value calls again and again")
    parser.add_argument("--vanish", type=int, default=0,
                        help="after the soak: calls that vanish mid-reply, then a good call")
    args = parser.parse_args()

    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread
    from duplex_agent.session.config import SessionConfig
    from duplex_agent.session.loop import Session
    from duplex_agent.session.models import SessionModels

    config = SessionConfig.live(input_has_echo=True)  # as `duplex-agent serve`
    models = SessionModels.load(config)
    server = CallServer(lambda: Session(models, config),
                        ServeConfig(port=0, max_calls=max(args.callers)))
    with ServerThread(server):
        url = f"ws://127.0.0.1:{server.port}/call"
        if args.soak_minutes:
            return run_soak(url, args)
        print(f"{'N':>2} {'turns':>5} {'p50 s':>6} {'p95 s':>6} {'max s':>6} {'errors':>6}")
        single, capacity = None, 0
        for n in args.callers:
            latencies, errors = asyncio.run(load_run(url, n, args.turns))
            p95 = percentile(latencies, 95)
            print(f"{n:>2} {len(latencies):>5} {percentile(latencies, 50):6.2f} "
                  f"{p95:6.2f} {max(latencies, default=float('nan')):6.2f}"
                  f" {errors:>6}", flush=True)
            if latencies:
                print(f"   mean {statistics.mean(latencies):.2f} s", flush=True)
            single = p95 if single is None else single
            if errors == 0 and p95 <= 1.5 * single:
                capacity = n
        print(f"capacity: {capacity} calls (p95 within 1.5x the single call's {single:.2f} s)")
    return 0


def run_soak(url: str, args: argparse.Namespace) -> int:
    n = args.callers[0]
    print(f"loaded: {resources()}", flush=True)
    asyncio.run(load_run(url, n, 1))  # first calls allocate the models' work buffers
    print(f"start (after one warm-up call per caller): {resources()}", flush=True)
    latencies, errors, calls = asyncio.run(soak(url, n, args.soak_minutes))
    print(f"end: {resources()}")
    print(f"soak: {n} callers, {args.soak_minutes:.0f} min, {calls} calls, {len(latencies)} "
          f"turns answered, {errors} errors, p50 {percentile(latencies, 50):.2f} s, "
          f"p95 {percentile(latencies, 95):.2f} s")
    if args.vanish:
        gone = asyncio.run(vanish(url, args.vanish))
        latencies, errors = asyncio.run(load_run(url, 1, 1))
        print(f"vanished mid-reply: {gone}; then a good call: {len(latencies)} turn answered, "
              f"{errors} errors; {resources()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
