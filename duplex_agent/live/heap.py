"""Giving freed native memory back to the system between calls (glibc only).

A call allocates in native libraries (onnxruntime, llama.cpp, Piper, numpy) from its own
worker thread. glibc gives threads separate malloc arenas and keeps freed pages inside
them, so a long-running server's RSS climbs in steps as calls come and go although
nothing is leaked (the Python object count stays flat over a soak:
``benchmarks/calls.py --soak-minutes``). Fewer arenas and a trim after each call keep it
flat. Where glibc is absent (macOS, musl) both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_ARENA_MAX = -8  # mallopt parameter (malloc.h)


@cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
        return None
    return libc


def limit_arenas(count: int = 2) -> bool:
    """Cap glibc's malloc arenas (threads share them); True if it applied."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, count))


def trim() -> bool:
    """Return freed heap pages to the system; True if any were released."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))
