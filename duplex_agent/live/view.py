"""The microphone demo's terminal view: state, transcript, emotion, thought, latency.

``TerminalView.show(messages)`` is called from the call worker's thread. On a
terminal it redraws a rich panel in place; elsewhere (pipes, tests) it prints one
plain line per change, and ``screen()`` renders the panel once as text.
"""

from __future__ import annotations

import threading
from collections import deque

from duplex_agent.protocol import Message, Tag

STATE_STYLE = {"listening": "white", "hearing": "bold blue", "thinking": "bold yellow",
               "speaking": "bold green"}


class TerminalView:
    def __init__(self, console=None, live: bool = False) -> None:
        from rich.console import Console

        self.console = console or Console()
        self.state, self.partial, self.emotion, self.thought = "listening", "", "-", "-"
        self.lines: deque[str] = deque(maxlen=8)
        self.latencies: deque[str] = deque(maxlen=3)
        self._lock = threading.Lock()
        self._live = None
        if live:
            from rich.live import Live

            self._live = Live(self.panel(), console=self.console, refresh_per_second=8,
                              transient=False)

    def __enter__(self) -> TerminalView:
        if self._live:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live:
            self._live.__exit__(None, None, None)

    def show(self, messages: list[Message]) -> None:
        with self._lock:
            changes = [line for m in messages if (line := self._apply(m))]
            if self._live:
                self._live.update(self.panel())
            else:
                for line in changes:
                    self.console.print(line, markup=False, highlight=False)

    def _apply(self, message: Message) -> str | None:
        data = message.data or {}
        match message.tag:
            case Tag.STATE:
                self.state = data["state"]
                return f"state: {self.state}"
            case Tag.TRANSCRIPT if data["role"] == "user" and not data["final"]:
                self.partial = data["text"]
            case Tag.TRANSCRIPT:
                self.partial = ""
                cut = " (cut off)" if data.get("interrupted") else ""
                self.lines.append(f"{'you' if data['role'] == 'user' else 'agent'}: "
                                  f"{data['text']}{cut}")
                return self.lines[-1]
            case Tag.EMOTION:
                self.emotion = f"{data['label']} ({data['intensity']:.2f}, {data['driver']})"
                return f"emotion: {self.emotion}"
            case Tag.THOUGHT:
                self.thought = data["summary"]
                return f"thought: {self.thought}"
            case Tag.LATENCY:
                self.latencies.append(f"first audio {data['first_audio_s']:.2f} s after you "
                                      f"stopped (backlog {data['backlog_s']:.2f} s)")
                return f"latency: {self.latencies[-1]}"
            case Tag.ERROR:
                return f"error: {data['message']}"
        return None

    def panel(self):
        from rich.panel import Panel
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("state", f"[{STATE_STYLE.get(self.state, 'white')}]{self.state}[/]")
        for line in self.lines:
            grid.add_row("", line)
        grid.add_row("", f"[italic dim]{self.partial}[/]")
        grid.add_row("emotion", self.emotion)
        grid.add_row("thought", f"[dim]{self.thought}[/]")
        for latency in self.latencies:
            grid.add_row("latency", latency)
        return Panel(grid, title="duplex-agent mic", subtitle="Ctrl+C to stop")

    def screen(self, width: int = 100) -> str:
        """The panel rendered once as plain text."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=_Null())
        console.print(self.panel())
        return console.export_text()


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
