"""Turn a trained peft adapter into llama.cpp's LoRA GGUF, with its SHA-256.

    python -m duplex_agent.training.convert runs/ieat/adapter duplex_agent/adapters/ieat.gguf

llama.cpp's own converter (``convert_lora_to_gguf.py``, with the ``gguf-py`` it imports)
ships in the llama-cpp-python source distribution under ``vendor/llama.cpp``; it is fetched
from PyPI (the package registry) into the cache once. The converter reads the base model's
``config.json`` only; we write it from the registry GGUF's config, naming the architecture
and leaving out the quantisation the GGUF loader records.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from streaming.models import cache_dir, sha256_of

LLAMA_CPP_PYTHON = "0.3.36"


def converter_dir() -> Path:
    """``vendor/llama.cpp`` of the llama-cpp-python sdist, unpacked in the cache once."""
    root = cache_dir().parent / "llama-cpp-source"
    unpacked = root / f"llama_cpp_python-{LLAMA_CPP_PYTHON}" / "vendor" / "llama.cpp"
    if (unpacked / "convert_lora_to_gguf.py").exists():
        return unpacked
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--no-binary", ":all:", "-d", str(root),
                    f"llama-cpp-python=={LLAMA_CPP_PYTHON}"], check=True)
    archive = next(root.glob(f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz"))
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/vendor/llama.cpp/" in m.name and (
            m.name.endswith(".py") or "/gguf-py/" in m.name or "/conversion/" in m.name)]
        tar.extractall(root, members=members, filter="data")
    return unpacked


def base_config(dest: Path) -> Path:
    """A ``config.json`` for the converter, from the registry base model."""
    from transformers import AutoConfig

    from duplex_agent.training.train import base_gguf

    gguf = base_gguf()
    config = AutoConfig.from_pretrained(gguf.parent, gguf_file=gguf.name).to_dict()
    config.pop("quantization_config", None)
    config["architectures"] = ["Gemma3ForCausalLM"]
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "config.json").write_text(json.dumps(config, indent=1))
    return dest


def convert(adapter: Path, out: Path) -> str:
    """Write ``out`` (f16 LoRA GGUF) from the peft folder ``adapter``; its SHA-256."""
    source = converter_dir()
    base = base_config(adapter.parent / "base-config")
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": str(source / "gguf-py")}
    import os

    subprocess.run([sys.executable, str(source / "convert_lora_to_gguf.py"), str(adapter),
                    "--base", str(base), "--outfile", str(out), "--outtype", "f16"],
                   check=True, env={**os.environ, **env})
    digest = sha256_of(out)
    out.with_suffix(".sha256").write_text(f"{digest}  {out.name}\n")
    return digest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m duplex_agent.training.convert",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("adapter", type=Path, help="peft adapter folder (run/adapter)")
    parser.add_argument("out", type=Path, help="the LoRA GGUF to write")
    args = parser.parse_args(argv)
    digest = convert(args.adapter, args.out)
    print(f"{args.out} ({args.out.stat().st_size / 1e6:.1f} MB) sha256 {digest}")


if __name__ == "__main__":
    main()
