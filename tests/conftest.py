"""Shared fixtures: the shared recordings, loaded real models, and a task-leak guard."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_collection_modifyitems(config, items):
    del config
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.models)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test recordings (../shared/data); tests skip clearly without them."""
    if not (DATA / "manifest.json").exists():
        pytest.skip(f"shared recordings not found at {DATA} (they are not part of the repo)")
    return DATA


@pytest.fixture(scope="session")
def manifest(shared_data: Path) -> dict[str, dict]:
    entries = json.loads((shared_data / "manifest.json").read_text())
    return {entry["file"]: entry for entry in entries}


@pytest.fixture(scope="session")
def tiny_models():
    from duplex_agent.config import ListenConfig
    from streaming.listener import ListenModels

    return ListenModels.load(ListenConfig())


@pytest.fixture
def no_leaked_tasks():
    """Run a coroutine with asyncio.run and fail if it leaves tasks behind."""

    def run(coro):
        async def wrapper():
            before = asyncio.all_tasks()
            result = await coro
            leaked = asyncio.all_tasks() - before - {asyncio.current_task()}
            assert not leaked, f"leaked asyncio tasks: {leaked}"
            return result

        return asyncio.run(wrapper())

    return run
