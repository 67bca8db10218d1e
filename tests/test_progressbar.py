"""The progress display of long commands (`scrapy reextract`): a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from newsbot.monitoring.progressbar import ProgressBar


class Stream(io.StringIO):
    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_progress_is_a_bar_on_a_terminal_and_a_line_every_few_seconds_otherwise():
    now = [0.0]
    plain = Stream(terminal=False)
    progress = ProgressBar("re-extracting", 100, " pages", stream=plain, every=10, clock=lambda: now[0])
    for _ in range(100):
        now[0] += 0.5
        progress.advance()
    progress.finish()
    lines = plain.getvalue().splitlines()
    assert len(lines) == 5 + 1  # one every 10 s of the 50 s, and the last
    assert lines[0] == "re-extracting: 20/100 pages (20%), 2.0 pages/s, 0:00:40 left"
    assert lines[-1] == "re-extracting: 100/100 pages (100%), 2.0 pages/s, 0:00:50"
    now[0] = 0.0
    terminal = Stream(terminal=True)
    progress = ProgressBar("reading WARC", 4e6, " MB", scale=1e6, stream=terminal, clock=lambda: now[0])
    now[0] = 1.0
    progress.advance(1e6)
    shown = terminal.getvalue()
    assert (
        shown.startswith("\rreading WARC [#######---------------------] 1/4 MB (25%)") and "\n" not in shown
    )
