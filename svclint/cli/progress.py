"""A one-line progress display on stderr for long runs: what is being read and checked,
rewritten in place and erased at the end. Shown only on a terminal and never with
``--quiet``, so pipes, CI logs and redirected stderr get nothing."""

from __future__ import annotations

import sys
from typing import TextIO

from svclint.escape import visible


class Progress:
    """Callable with a status (``"checking 9,912 objects with 47 rules"``); ``done()`` erases it."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._shown = False

    @property
    def enabled(self) -> bool:
        return self._enabled

    def __call__(self, status: str) -> None:
        if not self._enabled:
            return
        self._stream.write(f"\r\x1b[Ksvclint: {visible(status)}")
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
