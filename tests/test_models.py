"""Model resolution: every model from its package, offline, split files joined once."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from streaming.models import ModelMissingError, join_parts, package_dir

OFFLINE_PROBE = textwrap.dedent("""
    import socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network access attempted during model resolution")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from streaming.models import check_all, resolve
    rows = check_all()
    bad = [r for r in rows if r.status != "ok"]
    for r in bad:
        print(r.role, r.status)
    # Loading, not only locating, must stay offline too.
    from duplex_agent.config import ListenConfig
    from streaming.listener import ListenModels
    ListenModels.load(ListenConfig())
    print("resolved", len(rows), "models offline")
    sys.exit(1 if bad else 0)
""")


def offline_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HOME=str(tmp_path),
               DUPLEX_AGENT_CACHE=os.environ.get("DUPLEX_AGENT_CACHE",
                                                 os.path.expanduser("~/.cache/duplex-agent")))
    return env


def test_every_model_resolves_with_network_impossible(tmp_path):
    command = [sys.executable, "-c", OFFLINE_PROBE]
    # A fresh network namespace has no route anywhere; the socket guard also catches attempts.
    if shutil.which("unshare") and subprocess.run(["unshare", "--net", "true"]).returncode == 0:
        command = ["unshare", "--net", *command]
    done = subprocess.run(command, env=offline_env(tmp_path), capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(__file__)), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "resolved 9 models offline" in done.stdout


def test_missing_package_names_the_pip_package():
    with pytest.raises(ModelMissingError, match="pip install no-such-model-pkg"):
        package_dir("no_such_model_module", "no-such-model-pkg")


def test_join_parts_verifies_and_reuses(tmp_path):
    parts = [tmp_path / "a", tmp_path / "b"]
    parts[0].write_bytes(b"hello ")
    parts[1].write_bytes(b"world")
    sha = hashlib.sha256(b"hello world").hexdigest()
    target = tmp_path / "cache" / "joined.bin"
    assert join_parts(parts, target, 11, sha).read_bytes() == b"hello world"
    stamp_time = target.stat().st_mtime_ns
    join_parts(parts, target, 11, sha)  # reused, not rewritten
    assert target.stat().st_mtime_ns == stamp_time
    target.write_bytes(b"hello")  # truncated by a crash: rebuilt
    assert join_parts(parts, target, 11, sha).read_bytes() == b"hello world"


def test_join_parts_refuses_a_wrong_hash(tmp_path):
    part = tmp_path / "a"
    part.write_bytes(b"corrupted")
    with pytest.raises(ModelMissingError, match="does not match"):
        join_parts([part], tmp_path / "out.bin", 9, "0" * 64)
    assert list(tmp_path.iterdir()) == [part]  # no half-written file left behind
