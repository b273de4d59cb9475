"""The console script's side: hand a ``check`` to a running daemon, with this process's
standard streams, and exit with its exit code. Cheap to import (``protocol``)."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from svclint.daemon import protocol

# to the run, as if they came to it (SIGHUP: not on Windows, where no daemon runs)
FORWARDED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
HANDOVER_SECONDS = 60.0  # a daemon busy reading a large load back answers within seconds


def through_daemon(argv: list[str]) -> int | None:
    """``svclint argv`` run by the daemon, if one runs for this interpreter and user and
    takes it: its exit code. None when it does not (nothing has been written: run here)."""
    path = protocol.socket_path()
    if path is None or not os.path.exists(path):
        return None
    request = _request(argv)
    if request is None:
        return None
    try:
        connection = protocol.connect(path, timeout=HANDOVER_SECONDS)
    except OSError:  # no daemon listens (a socket left by one that was killed)
        return None
    signals = _Signals()
    with connection:
        try:
            protocol.send_message(connection, request, list(range(protocol.STREAMS)))
            reply = protocol.receive_reply(connection)
        except OSError:  # (a daemon stuck that long: the run, if it starts, finds this end closed and stops)
            reply = None
        if reply is None or reply[0] != protocol.STARTED:
            signals.restore()  # (one that came meanwhile: as if it came now)
            return None
        connection.settimeout(None)  # the check takes as long as it takes
        signals.forward_to(reply[1])
        try:
            ended = protocol.receive_reply(connection)
        except OSError:
            ended = None
    if ended is None or ended[0] != protocol.EXITED:
        sys.stderr.write("svclint: the daemon's run of this check ended without an exit code (`svclint daemon status`)\n")
        return 2
    return ended[1]


def _request(argv: list[str]) -> dict[str, object] | None:
    """The request for ``argv``; None if this process's streams cannot be handed over."""
    streams = []
    for number, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        try:
            os.fstat(number)
        except OSError:  # a closed descriptor: nothing to send
            return None
        if stream is None or not hasattr(stream, "encoding"):
            return None
        streams.append([stream.encoding, stream.errors, bool(getattr(stream, "line_buffering", False))])
    mask = os.umask(0)
    os.umask(mask)
    return {
        "kind": "check",
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": mask,
        "streams": streams,
        "identity": protocol.identity(),
    }


class _Signals:
    """From the handing over on, the signals that would stop this process go to the run:
    held until it has started, then sent to it as they come."""

    def __init__(self) -> None:
        self._run: int | None = None
        self._held: list[int] = []
        self._before = {number: signal.signal(number, self._take) for number in FORWARDED}

    def _take(self, number: int, frame: FrameType | None) -> None:
        if self._run is None:
            self._held.append(number)
            return
        try:
            os.kill(self._run, number)
        except OSError:  # the run has just ended
            pass

    def forward_to(self, pid: int) -> None:
        self._run = pid
        for number in self._held:
            self._take(number, None)
        self._held.clear()

    def restore(self) -> None:
        for number, handler in self._before.items():
            signal.signal(number, handler)
        for held in self._held:
            signal.raise_signal(held)
