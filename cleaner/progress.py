"""Progress and log lines for `cleaner run`: a bar on a terminal, periodic lines elsewhere."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

LOG_EVERY = 10.0  # seconds between progress lines when not on a terminal


class Log:
    """Messages to stderr (unless quiet; errors always) and, with --log-file, to a file."""

    def __init__(self, console: Console, path: Path | None, quiet: bool = False):
        self.console = console
        self.quiet = quiet
        self.file: TextIO | None = path.open("a", encoding="utf-8") if path else None

    def _to_file(self, level: str, message: str) -> None:
        if self.file is not None:
            stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self.file.write(f"{stamp} {level} {message}\n")
            self.file.flush()

    def info(self, message: str) -> None:
        if not self.quiet:
            self.console.print(Text(message))
        self._to_file("INFO", message)

    def error(self, message: str) -> None:
        self.console.print(Text(message, style="yellow"))
        self._to_file("ERROR", message)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Progress:
    """Documents/s, MB/s and ETA: a rich bar on a terminal, a log line every LOG_EVERY seconds otherwise."""

    def __init__(self, log: Log, enabled: bool = True):
        self.log = log
        self.enabled = enabled
        self.bar: RichProgress | None = None
        self.task: Any = None
        self.total: int | None = None
        self.docs = 0
        self.chars = 0
        self.started = time.monotonic()
        self.last = self.started

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def start(self, total_bytes: int | None, inputs: int, phase: str = "cleaning") -> None:
        """Called as each pass over the inputs begins; total_bytes is None for compressed inputs."""
        self.stop()  # the bar of the pass before
        self.total = total_bytes
        self.docs = self.chars = 0
        self.started = self.last = time.monotonic()
        if not self.enabled or not inputs:
            return
        if self.log.console.is_terminal:
            self.bar = RichProgress(
                TextColumn(f"[bold]{phase}[/]"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=self.log.console,
                transient=True,
            )
            self.task = self.bar.add_task("clean", total=total_bytes, rate="")
            self.bar.start()
        else:
            size = f"{total_bytes / 1e6:,.1f} MB" if total_bytes else "compressed input"
            self.log.info(f"{phase} {inputs} input(s), {size}")

    def advance(self, docs: int, chars: int) -> None:
        self.docs += docs
        self.chars += chars
        if not self.enabled:
            return
        now = time.monotonic()
        if self.bar is not None:
            if now - self.last >= 0.2:
                self.last = now
                self.bar.update(self.task, completed=self.chars, rate=self.rate(now))
            return
        if now - self.last >= LOG_EVERY:
            self.last = now
            line = f"progress: {self.docs:,} documents, {self.rate(now)}"
            if self.total:
                done = min(self.chars / self.total, 1.0)
                eta = (now - self.started) * (1 - done) / done if done > 0 else 0
                line += f", {done:.0%} done, about {eta:.0f}s left"
            self.log.info(line)

    def rate(self, now: float) -> str:
        secs = max(now - self.started, 1e-9)
        return f"{self.docs / secs:,.0f} docs/s {self.chars / secs / 1e6:.2f} MB/s"
