"""A real call in headless Chromium: fake microphone from a shared recording, real models.

Needs Debian ``chromium`` and Playwright for Python (never ``playwright install``: the
test launches the system browser). Skips with a clear message without them.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-fake-ui-for-media-stream",
                 "--use-fake-device-for-media-stream"]
RECORDING = "asr/speechbrain_timit_like/spk2_snt2.wav"  # "what joy there is in living"


def fake_microphone(shared_data: Path, tmp_path: Path) -> Path:
    """The recording with 1 s of silence before and 10 s after (Chromium loops it)."""
    import soundfile as sf

    from streaming.audio import load_audio

    speech = load_audio(shared_data / RECORDING)
    audio = np.concatenate([np.zeros(16000, np.float32), speech,
                            np.zeros(10 * 16000, np.float32)])
    path = tmp_path / "fake_mic.wav"
    sf.write(path, audio, 16000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def browser_tools():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright")


def test_a_browser_call_hears_the_user_and_plays_the_reply(
        shared_data: Path, tmp_path: Path, browser_tools) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread
    from duplex_agent.session.config import SessionConfig
    from duplex_agent.session.loop import Session
    from duplex_agent.session.models import SessionModels

    mic = fake_microphone(shared_data, tmp_path)
    config = SessionConfig(input_has_echo=True)
    models = SessionModels.load(config)
    server = CallServer(lambda: Session(models, config),
                        ServeConfig(host="0.0.0.0", port=0, max_calls=1))
    with ServerThread(server):
        refuse_without_token(server.port)
        stats = run_page(browser_tools, server.url("127.0.0.1"), mic,
                         tmp_path / "call.png")
    print(f"screenshot: {tmp_path / 'call.png'}; stats: {stats}")
    assert any("joy" in text.lower() for text in stats["finals"]), stats
    assert stats["audioChunks"] > 10 and stats["played"] > 8000, stats
    assert stats["agent"] and stats["thoughts"], stats  # the reply ended; its thought shown
    assert stats["error"] is None


def refuse_without_token(port: int) -> None:
    """Off loopback, the page and the call both need the token."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
    with pytest.raises(InvalidStatus, match="403"):
        connect(f"ws://127.0.0.1:{port}/call", open_timeout=10).close()


def run_page(playwright_api, url: str, mic: Path, screenshot: Path) -> dict:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"])
        try:
            page = browser.new_page(viewport={"width": 412, "height": 900})  # a phone
            page.goto(url)
            page.click("#call")
            page.wait_for_function("window.callStats.connected || window.callStats.error",
                                   timeout=30_000)
            page.wait_for_function("window.callStats.finals.length > 0", timeout=90_000)
            page.wait_for_function("window.callStats.played > 8000", timeout=90_000)
            page.wait_for_function("window.callStats.agent.length > 0", timeout=90_000)
            page.screenshot(path=str(screenshot), full_page=True)
            stats = page.evaluate("window.callStats")
            page.click("#call")  # hang up
            page.wait_for_function("document.body.dataset.state === 'idle'", timeout=10_000)
        finally:
            browser.close()
    return stats


class SilentSession:
    """Never replies: enough for the page's refusal and error paths."""

    def __init__(self) -> None:
        self.timeline = type("Timeline", (), {"entries": []})()

    def step(self, block: np.ndarray) -> np.ndarray:
        return np.zeros_like(block)


@pytest.mark.parametrize("max_calls, microphone, expected", [
    (0, True, "busy"),  # every line in use
    (1, False, "Microphone permission was denied"),
])
def test_the_page_explains_refusals(tmp_path: Path, browser_tools, max_calls: int,
                                    microphone: bool, expected: str) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    server = CallServer(SilentSession, ServeConfig(port=0, max_calls=max_calls))
    args = [a for a in CHROMIUM_ARGS if microphone or a != "--use-fake-ui-for-media-stream"]
    with ServerThread(server), browser_tools.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page()
            page.goto(server.url("127.0.0.1"))
            page.click("#call")
            page.wait_for_function("window.callStats.error !== null", timeout=30_000)
            assert expected in page.text_content("#message")
        finally:
            browser.close()
