"""Real calls in headless Chromium: fake microphones built from the shared recordings,
real models, and the page's UI (level meter, state, chat bubbles, emotion chart, latency,
mute, microphone choice, barge-in, error display).

Needs Debian ``chromium`` and Playwright for Python (never ``playwright install``: the
tests launch the system browser). Skips with a clear message without them. Screenshots of
a call go to ``out/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-fake-ui-for-media-stream",
                 "--use-fake-device-for-media-stream"]
RATE = 16000
FOLDER = "asr/speechbrain_timit_like"
QUESTION = f"{FOLDER}/spk2_snt2.wav"  # "what joy there is in living"
SECOND = f"{FOLDER}/spk1_snt5.wav"  # "sunday is the best part of the week"
CUT_IN = (f"{FOLDER}/spk2_snt4.wav", f"{FOLDER}/spk2_snt1.wav")  # two sentences over the reply
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 120_000  # models share two cores with whatever else runs: be patient
BACKLOG_S = 60.0  # a loaded machine may fall behind live audio; these tests check the page


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def write_microphone(path: Path, parts: list[np.ndarray]) -> Path:
    """A WAV for ``--use-file-for-fake-audio-capture`` (Chromium loops it)."""
    import soundfile as sf

    sf.write(path, np.concatenate(parts), RATE, subtype="PCM_16")
    return path


def fake_microphone(shared_data: Path, tmp_path: Path) -> Path:
    """Two questions, each followed by room for the agent's reply."""
    from streaming.audio import load_audio

    return write_microphone(tmp_path / "fake_mic.wav", [
        silence(1.0), load_audio(shared_data / QUESTION), silence(8.0),
        load_audio(shared_data / SECOND), silence(10.0)])


def barge_in_microphone(shared_data: Path, tmp_path: Path) -> Path:
    """Four times: the question, a pause in which the agent starts to answer (it starts about
    1.5-4 s after the user stops, depending on the machine's load), then two sentences over
    the reply. Chromium loops the file, so there are many chances to cut in."""
    from streaming.audio import load_audio

    question = load_audio(shared_data / QUESTION)
    first, second = (load_audio(shared_data / name) for name in CUT_IN)
    cut_in = [first, silence(0.15), second, silence(8.0)]
    return write_microphone(tmp_path / "barge_in_mic.wav", [
        silence(1.0), question, silence(2.4), *cut_in, question, silence(3.2), *cut_in,
        question, silence(4.2), *cut_in, question, silence(5.4), *cut_in])


def speech_microphone(shared_data: Path, tmp_path: Path) -> Path:
    """Speech with hardly a pause, so every captured frame carries sound."""
    from streaming.audio import load_audio

    speech = load_audio(shared_data / QUESTION)
    return write_microphone(tmp_path / "speech_mic.wav", [speech, silence(0.05)] * 4)


@pytest.fixture(scope="module")
def browser_tools():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@pytest.fixture(scope="module")
def agent(shared_data: Path):
    """A factory of real sessions sharing one set of loaded models (as ``serve`` does)."""
    from duplex_agent.session.config import SessionConfig
    from duplex_agent.session.loop import Session
    from duplex_agent.session.models import SessionModels

    config = SessionConfig.live(input_has_echo=True)  # as `duplex-agent serve`
    models = SessionModels.load(config)
    return lambda: Session(models, config)


@contextmanager
def open_page(playwright_api, url: str, mic: Path | None, viewport: dict,
              microphone_allowed: bool = True) -> Iterator:
    args = [a for a in CHROMIUM_ARGS
            if microphone_allowed or a != "--use-fake-ui-for-media-stream"]
    if mic is not None:
        args.append(f"--use-file-for-fake-audio-capture={mic}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page(viewport=viewport)
            page.goto(url)
            yield page
        finally:
            browser.close()


def start_call(page) -> None:
    page.click("#call")
    page.wait_for_function("window.callStats.connected || window.callStats.error",
                           timeout=30_000)
    assert page.evaluate("window.callStats.error") is None


LEVEL = "+document.querySelector('#level').getAttribute('aria-valuenow')"  # 0..100


def wait_in_call(page, condition: str, timeout_ms: int = WAIT_MS) -> None:
    """Wait for ``condition`` during the call; fail at once, saying why, if the call ends."""
    page.wait_for_function(f"({condition}) || window.callStats.error !== null",
                           timeout=timeout_ms)
    stats = page.evaluate("window.callStats")
    assert stats["error"] is None, f"the call ended: {stats['error']}; stats: {stats}"


def subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(state in it for state in wanted)


UI = """() => {
  const all = (q) => [...document.querySelectorAll(q)];
  return {
    users: all('#transcript .msg.user:not(.pending) .bubble').map((e) => e.textContent),
    pendingUsers: all('#transcript .msg.user.pending').length,
    agents: all('#transcript .msg.agent:not(.pending) .bubble').map((e) => e.textContent),
    cut: all('#transcript .msg.agent.cut').map((e) => e.textContent),
    chips: all('#transcript .msg.agent .latency').map((e) => e.textContent),
    latencyRows: all('#latency li').map((e) => e.textContent),
    points: all('#emotion-chart .point').map((g) => ({
      emotion: g.dataset.emotion, title: g.querySelector('title').textContent})),
    thought: document.querySelector('#thought').textContent,
    stateLabel: document.querySelector('#state-label').textContent,
    errorHidden: document.querySelector('#error').hidden,
  };
}"""


def test_a_browser_call_hears_the_user_and_plays_the_reply(
        shared_data: Path, tmp_path: Path, browser_tools, agent) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    mic = fake_microphone(shared_data, tmp_path)
    server = CallServer(agent, ServeConfig(host="0.0.0.0", port=0, max_calls=1,
                                             max_backlog_s=BACKLOG_S))
    with ServerThread(server):
        refuse_without_token(server.port)
        with open_page(browser_tools, server.url("127.0.0.1"), mic, DESKTOP) as page:
            assert page.text_content("#state-label") == "Not in a call"
            start_call(page)
            # The meter rises while the fake microphone speaks, and falls in the pause.
            wait_in_call(page, f"{LEVEL} >= 40")
            wait_in_call(page, "window.callStats.finals.length > 0")
            wait_in_call(page, f"{LEVEL} <= 10")
            wait_in_call(page, "window.callStats.played > 8000")
            wait_in_call(page, "window.callStats.agent.length > 0")
            # The second question: screenshots while the agent answers it.
            wait_in_call(page, "window.callStats.latencies.length > 1 && "
                               "document.body.dataset.state === 'speaking'")
            page.hover("#emotion-chart .point >> nth=0")
            page.wait_for_selector("#chart-tip:not([hidden])", timeout=10_000)
            tip = page.text_content("#chart-tip")
            page.screenshot(path=str(SCREENSHOTS / "call-desktop.png"))
            page.set_viewport_size(PHONE)
            page.mouse.move(0, 0)
            page.screenshot(path=str(SCREENSHOTS / "call-phone.png"))
            page.screenshot(path=str(SCREENSHOTS / "call-phone-full.png"), full_page=True)
            wait_in_call(page, "window.callStats.agent.length > 1")
            stats = page.evaluate("window.callStats")
            ui = page.evaluate(UI)
            page.click("#call")  # hang up
            page.wait_for_function("document.body.dataset.state === 'idle'", timeout=10_000)
            assert page.text_content("#state-label") == "Not in a call"
    print(f"screenshots: {SCREENSHOTS}; stats: {stats}; ui: {ui}")
    # The call itself: heard, answered aloud, thought about.
    assert any("joy" in text.lower() for text in stats["finals"]), stats
    assert stats["audioChunks"] > 10 and stats["played"] > 8000, stats
    assert stats["agent"] and stats["thoughts"], stats
    assert stats["error"] is None and ui["errorHidden"], stats
    # The meter moved with the microphone.
    assert stats["levelMax"] >= 0.4, stats
    # The state went through hearing -> thinking -> speaking (twice).
    assert subsequence(["hearing", "thinking", "speaking"] * 2, stats["states"]), stats["states"]
    # Chat bubbles: the user's final words, the agent's replies.
    # (the user's interim words showed in a pending bubble that settled into the final text)
    assert stats["partials"] > 0 and stats["settled"] >= 2, stats
    assert "joy" in ui["users"][0].lower(), ui
    assert ui["agents"][:2] == stats["agent"][:2], ui
    # Latency per turn, on the agent's bubbles and in the list.
    assert len(ui["chips"]) >= 2 and all(re.search(r"\d\.\d\d s", c) for c in ui["chips"]), ui
    assert len(ui["latencyRows"]) == len(stats["latencies"]) >= 2, ui
    # The emotion chart: a point per turn, each holding the agent's thought.
    assert len(ui["points"]) >= 2, ui
    assert all(len(p["title"].split("\n", 1)[-1]) > 10 for p in ui["points"]), ui
    assert stats["thoughts"][-1] in ui["points"][-1]["title"], ui
    assert stats["thoughts"][-1] in ui["thought"], ui
    assert "Turn" in tip and ui["points"][0]["title"].split("\n", 1)[1] in tip, tip
    for name in ("call-desktop.png", "call-phone.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000


def test_barge_in_in_the_browser_stops_the_agent_audio(
        shared_data: Path, tmp_path: Path, browser_tools, agent) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    mic = barge_in_microphone(shared_data, tmp_path)
    server = CallServer(agent, ServeConfig(port=0, max_calls=1, max_backlog_s=BACKLOG_S))
    with ServerThread(server), open_page(browser_tools, server.url(), mic, DESKTOP) as page:
        start_call(page)
        # A cut while the agent was audible (a cut-in that comes before the reply's first
        # sound also ends that reply, but there is no audio to stop then).
        wait_in_call(page, "window.callStats.cut > 0 && "
                           "window.callStats.flushLog.some((f) => f.playedInReply > 0)",
                     3 * WAIT_MS)
        # That FLUSH reached the playback worklet, which dropped its queue and went quiet.
        page.wait_for_function("window.callStats.flushLog.some((f) => f.playedInReply > 0 && "
                               "f.quiet)", timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "call-barge-in.png"))
        stats = page.evaluate("window.callStats")
        ui = page.evaluate(UI)
        page.click("#call")
    print(f"stats: {stats}; ui: {ui}")
    assert stats["flushes"] >= stats["playbackFlushes"] >= 1, stats
    assert stats["stoppedAfterFlush"] >= 1, stats
    assert "speaking" in stats["states"] and "hearing" in stats["states"], stats
    assert ui["cut"] and "cut off" in ui["cut"][0], ui
    assert stats["error"] is None, stats


class RecordingSession:
    """Never replies; keeps each received block's peak (the page's frames, in order)."""

    def __init__(self) -> None:
        self.timeline = type("Timeline", (), {"entries": []})()
        self.peaks: list[float] = []

    def step(self, block: np.ndarray) -> np.ndarray:
        self.peaks.append(float(np.abs(block).max()))
        return np.zeros_like(block)


def test_mute_sends_silence_and_keeps_the_call_open(
        shared_data: Path, tmp_path: Path, browser_tools) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    sessions: list[RecordingSession] = []

    def make() -> RecordingSession:
        sessions.append(RecordingSession())
        return sessions[-1]

    mic = speech_microphone(shared_data, tmp_path)
    server = CallServer(make, ServeConfig(port=0, max_calls=1, idle_timeout_s=1.0))
    with ServerThread(server), open_page(browser_tools, server.url(), mic, PHONE) as page:
        assert page.is_disabled("#mute")
        start_call(page)
        # Permission given: the microphone list has the (fake) devices.
        options = page.eval_on_selector_all("#mic option", "os => os.map(o => o.value)")
        assert len(options) >= 2 and options[0] == "", options
        page.wait_for_function(f"{LEVEL} >= 40", timeout=30_000)
        page.wait_for_function("window.callStats.framesSent > 50", timeout=30_000)
        page.click("#mute")
        [muted_at] = page.evaluate("window.callStats.muteLog")
        assert page.get_attribute("#mute", "aria-pressed") == "true"
        assert page.is_visible("#muted-note") and page.text_content("#mute-label") == "Unmute"
        # Muted for three times the idle timeout: silence keeps the call open.
        page.wait_for_function(f"window.callStats.framesSent > {muted_at + 150}",
                               timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "call-muted-phone.png"))
        page.click("#mute")
        muted_at, unmuted_at = page.evaluate("window.callStats.muteLog")
        page.wait_for_function(f"window.callStats.framesSent > {unmuted_at + 50}",
                               timeout=30_000)
        stats = page.evaluate("window.callStats")
        assert page.get_attribute("#mute", "aria-pressed") == "false"
        assert page.is_hidden("#muted-note")
        peaks = sessions[0].peaks
        page.click("#call")
    assert stats["error"] is None and stats["connected"], stats
    assert stats["silentFrames"] == unmuted_at - muted_at >= 150, stats
    assert len(peaks) >= unmuted_at + 10
    assert max(peaks[:muted_at]) > 0.05  # the microphone was heard...
    assert not any(peaks[muted_at:unmuted_at])  # ...then only zeros while muted...
    assert max(peaks[unmuted_at:]) > 0.05  # ...then the microphone again


def test_the_chosen_microphone_is_used(tmp_path: Path, browser_tools) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    server = CallServer(RecordingSession, ServeConfig(port=0, max_calls=1))
    with ServerThread(server), open_page(browser_tools, server.url(), None, DESKTOP) as page:
        start_call(page)  # grants the permission, so the list has every device
        page.click("#call")
        options = page.eval_on_selector_all("#mic option", "os => os.map(o => o.value)")
        assert len(options) >= 2, options
        page.select_option("#mic", options[-1])
        start_call(page)
        used = page.evaluate("window.callStats.deviceId")
        page.click("#call")
    assert used == options[-1]


class SilentSession:
    """Never replies: enough for the page's refusal and error paths."""

    def __init__(self) -> None:
        self.timeline = type("Timeline", (), {"entries": []})()

    def step(self, block: np.ndarray) -> np.ndarray:
        return np.zeros_like(block)


def refuse_without_token(port: int) -> None:
    """Off loopback, the page and the call both need the token."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
    with pytest.raises(InvalidStatus, match="403"):
        connect(f"ws://127.0.0.1:{port}/call", open_timeout=10).close()


@pytest.mark.parametrize("max_calls, microphone, expected", [
    (0, True, "busy"),  # every line in use
    (1, False, "Microphone permission was denied"),
])
def test_the_page_explains_refusals(tmp_path: Path, browser_tools, max_calls: int,
                                    microphone: bool, expected: str) -> None:
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    server = CallServer(SilentSession, ServeConfig(port=0, max_calls=max_calls))
    with ServerThread(server), open_page(browser_tools, server.url("127.0.0.1"), None,
                                         PHONE, microphone_allowed=microphone) as page:
        page.click("#call")
        page.wait_for_function("window.callStats.error !== null", timeout=30_000)
        assert page.is_visible("#error") and expected in page.text_content("#error")
        assert page.get_attribute("#error", "role") == "alert"
        assert page.evaluate("document.body.dataset.state") == "idle"
        if max_calls == 0:
            page.screenshot(path=str(SCREENSHOTS / "refused-phone.png"))


def test_an_idle_call_is_explained(tmp_path: Path, browser_tools) -> None:
    """The server ends a call that sends no audio (here the page's sending is stubbed out);
    the page says why."""
    from duplex_agent.live.server import CallServer, ServeConfig, ServerThread

    server = CallServer(SilentSession, ServeConfig(port=0, max_calls=1, idle_timeout_s=1.0))
    with ServerThread(server), open_page(browser_tools, server.url(), None, DESKTOP) as page:
        start_call(page)
        page.evaluate("WebSocket.prototype.send = function () {}")
        page.wait_for_function("window.callStats.error !== null", timeout=30_000)
        assert page.evaluate("window.callStats.errorCode") == "idle"
        assert "no audio" in page.text_content("#error")
        assert page.evaluate("document.body.dataset.state") == "idle"
