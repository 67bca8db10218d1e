"""Progress of long work, on standard error: a bar redrawn in place on a terminal, and a plain line every
few seconds otherwise (a log file, cron mail), so an operator always sees that it moves and how fast."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 28


def duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    def __init__(
        self,
        label: str,
        total: float,
        unit: str = "",
        scale: float = 1.0,
        stream: TextIO | None = None,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`total` and advance() amounts are in raw units (bytes); `scale` divides them for display
        (1e6 shows megabytes); `every` is the seconds between plain lines when not on a terminal."""
        self.label = label
        self.total = total
        self.unit = unit
        self.scale = scale
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self.every = 0.2 if self.terminal else every
        self.clock = clock
        self.started = self.shown = clock()
        self.done = 0.0

    def advance(self, amount: float = 1) -> None:
        self.done += amount
        now = self.clock()
        if now - self.shown >= self.every:
            self.shown = now
            self._show(now, final=False)

    def finish(self) -> None:
        self._show(self.clock(), final=True)

    def _show(self, now: float, final: bool) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed / self.scale
        done, total = self.done / self.scale, self.total / self.scale
        share = self.done / self.total if self.total else 1.0
        figures = f"{done:,.0f}/{total:,.0f}{self.unit} ({share:.0%}), {rate:,.1f}{self.unit}/s"
        if final:
            figures += f", {duration(elapsed)}"
        elif rate > 0:
            figures += f", {duration((total - done) / rate)} left"
        if self.terminal:
            filled = int(BAR_WIDTH * min(share, 1.0))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {figures}\x1b[K" + ("\n" if final else ""))
        else:
            self.stream.write(f"{self.label}: {figures}\n")
        self.stream.flush()
