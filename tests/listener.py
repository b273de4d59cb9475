"""A local TCP listener that proves svclint opened no connection (tests of issue 16)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


class Listener:
    """Bound on 127.0.0.1, never answering: a connection would hang its client, and shows here."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.setblocking(False)
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def connections(self) -> int:
        """How many clients connected so far (each is accepted and closed)."""
        count = 0
        while True:
            try:
                client, _ = self.socket.accept()
            except BlockingIOError:
                return count
            client.close()
            count += 1


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.socket.close()
