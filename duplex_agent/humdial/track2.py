"""HumDial Track 2 (full-duplex interaction): each recording through the duplex file driver.

Inputs and names (ASLP-lab/HumDial-Challenge content/track2/test_set.md): the test set holds
``test-{dialogue_id}.wav`` and ``clean-{dialogue_id}.wav``; the submission zip holds
``HD-Track2/test/test-{dialogue_id}_output.wav`` and ``HD-Track2/clean/clean-{id}_output.wav``,
each on the input's timeline (same length: ``run_file`` guarantees it).

Resumable: an output whose frame count equals its input's is done and skipped; outputs are
written atomically (``write_wav``: a ``.part`` file, then a rename), so a killed run leaves
no half file under the final name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PATTERNS = ("test-*.wav", "clean-*.wav")


@dataclass(frozen=True)
class Track2Options:
    data: Path  # folder searched (recursively) for test-*.wav and clean-*.wav
    out: Path  # submission folder: test/ and clean/ with *_output.wav
    workers: int = 1  # processes; each loads SessionModels (~6 s, ~1.1 GB)
    llm: str = "ieat"  # reply model: ieat, smollm2, gemma, http or none (templates)
    llm_url: str | None = None  # OpenAI-compatible server for llm="http"
    llm_model: str | None = None  # model name to ask that server for
    voice: str = "piper"  # TTS backend
    pack: bool = False  # also write {out}/HD-Track2.zip
    progress: bool = True  # show a progress bar


def inputs(data: Path) -> list[Path]:
    """Every input recording under ``data``, sorted, outputs excluded."""
    found = {p for pattern in PATTERNS for p in data.rglob(pattern)
             if not p.stem.endswith("_output")}
    return sorted(found, key=lambda p: p.name)


def output_path(out: Path, source: Path) -> Path:
    kind = "test" if source.name.startswith("test-") else "clean"
    return out / kind / f"{source.stem}_output.wav"


def is_complete(source: Path, target: Path) -> bool:
    """The output exists and covers the input's timeline (same number of frames at 16 kHz)."""
    import soundfile as sf

    if not target.is_file():
        return False
    try:
        info = sf.info(str(target))
    except (RuntimeError, sf.LibsndfileError):
        return False
    return info.frames == _input_frames(source)


def _input_frames(source: Path) -> int:
    from streaming.audio import load_audio

    return len(load_audio(source))


def session_config(options: Track2Options):
    from dataclasses import replace

    from duplex_agent.session.config import SessionConfig

    config = SessionConfig()
    reply = replace(config.reply, llm=options.llm, llm_url=options.llm_url,
                    llm_model=options.llm_model)
    return replace(config, reply=reply, voice=replace(config.voice, backend=options.voice))


_WORKER: dict = {}  # per process: the session config and loaded models


def _init_worker(options: Track2Options) -> None:
    from duplex_agent.session.models import SessionModels

    config = session_config(options)
    _WORKER["config"], _WORKER["models"] = config, SessionModels.load(config)


def process_one(source: Path, target: Path) -> float:
    """Run one recording; write its output atomically; return its length in seconds."""
    from duplex_agent.session.file_driver import run_file, write_wav
    from streaming.audio import load_audio

    audio = load_audio(source)
    result = run_file(audio, _WORKER["config"], _WORKER["models"])
    target.parent.mkdir(parents=True, exist_ok=True)
    write_wav(target, result.output)
    return result.duration_s


def run_track2(options: Track2Options) -> dict[str, int]:
    """Every unfinished recording through the duplex driver; counts per outcome."""
    from tqdm import tqdm

    sources = inputs(options.data)
    todo = [(s, output_path(options.out, s)) for s in sources
            if not is_complete(s, output_path(options.out, s))]
    counts = {"files": len(sources), "run": len(todo), "skipped": len(sources) - len(todo)}
    with tqdm(total=len(todo), unit="file", desc="track2", disable=not options.progress) as bar:
        if options.workers == 1 or len(todo) <= 1:
            if todo:
                _init_worker(options)
            for source, target in todo:
                process_one(source, target)
                bar.update(1)
        else:
            _run_pool(options, todo, bar)
    if options.pack:
        pack_track2(options.out)
    return counts


def _run_pool(options: Track2Options, todo: list[tuple[Path, Path]], bar) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # no forked onnxruntime / llama state
    with ProcessPoolExecutor(options.workers, mp_context=context, initializer=_init_worker,
                             initargs=(options,)) as pool:
        for future in as_completed([pool.submit(process_one, s, t) for s, t in todo]):
            future.result()
            bar.update(1)


def pack_track2(out: Path) -> Path:
    """``{out}/HD-Track2.zip`` with HD-Track2/{test,clean}/*_output.wav (test_set.md)."""
    import zipfile

    target, part = out / "HD-Track2.zip", out / ".HD-Track2.zip.part"
    with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as archive:
        for kind in ("test", "clean"):
            for path in sorted((out / kind).glob("*_output.wav")):
                archive.write(path, f"HD-Track2/{kind}/{path.name}")
    part.replace(target)
    return target
