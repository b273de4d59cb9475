"""What ``svclint check`` and ``svclint daemon`` say to each other over the daemon's socket.

A message is a 4-byte length and a JSON object. A ``check`` request carries the client's
standard input, output and error as file descriptors (SCM_RIGHTS) with its first bytes, so
the run writes where the client would have. The daemon, then the run, answer with replies:
a tag byte and a 4-byte number.

This module is imported by the console script before anything else of svclint: it must
stay cheap to import (the standard library's small modules only).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import sys
from typing import Any

from svclint.userdirs import user_cache_dir, user_runtime_dir

REFUSED = b"R"  # the daemon does not take this run (nothing was written): run it here
STARTED = b"S"  # the run started in the daemon's child; the number is that child's pid
EXITED = b"E"  # the run ended; the number is its exit code
_REPLY = struct.Struct("!cI")
_LENGTH = struct.Struct("!I")
MAX_MESSAGE = 16 * 1024 * 1024  # a request holds argv and the environment: far less
STREAMS = 3  # stdin, stdout, stderr


def socket_path() -> str | None:
    """The socket of the daemon this interpreter and this svclint would start, for this
    user (and this user's key: ``XDG_CACHE_HOME``); None without a user directory."""
    directory = user_runtime_dir()
    if directory is None:
        return None
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # svclint's own directory
    which = repr((os.path.realpath(sys.executable), sys.prefix, package, user_cache_dir())).encode("utf-8", "surrogateescape")
    return os.path.join(directory, f"daemon-{hashlib.blake2b(which, digest_size=6).hexdigest()}.sock")


def identity() -> list[str]:
    """What a run depends on that is fixed when an interpreter starts: a run goes to a daemon
    only when the daemon's is the same (the script's own directory, the first entry of
    ``sys.path``, differs between ``svclint`` and ``python -m svclint`` and is left out)."""
    import locale

    return [
        sys.version,
        repr(sys.flags),
        repr(sys.path[1:]),
        repr(sys.warnoptions),
        sys.getfilesystemencoding(),
        locale.getpreferredencoding(False),
    ]


def send_message(connection: socket.socket, message: dict[str, Any], descriptors: list[int] | None = None) -> None:
    data = json.dumps(message, ensure_ascii=True).encode("ascii")
    data = _LENGTH.pack(len(data)) + data
    if descriptors:
        sent = socket.send_fds(connection, [data], descriptors)
        data = data[sent:]
    connection.sendall(data)


def receive_message(connection: socket.socket, descriptors: int = 0) -> tuple[dict[str, Any], list[int]]:
    """A message and the descriptors sent with it; ValueError if it is not one."""
    if descriptors:
        data, fds, _, _ = socket.recv_fds(connection, 65536, descriptors)
    else:
        data, fds = connection.recv(65536), []
    try:
        while 0 < len(data) < _LENGTH.size:
            more = connection.recv(_LENGTH.size - len(data))
            if not more:
                break
            data += more
        if len(data) < _LENGTH.size:
            raise ValueError("no message")
        (length,) = _LENGTH.unpack_from(data)
        if length > MAX_MESSAGE:
            raise ValueError("message too long")
        body = bytearray(data[_LENGTH.size :])
        while len(body) < length:
            more = connection.recv(min(65536, length - len(body)))
            if not more:
                raise ValueError("message cut short")
            body += more
        message = json.loads(bytes(body[:length]))
        if not isinstance(message, dict):
            raise ValueError("not a message")
    except (ValueError, OSError):
        for fd in fds:
            os.close(fd)
        raise
    return message, fds


def send_reply(connection: socket.socket, tag: bytes, number: int = 0) -> None:
    connection.sendall(_REPLY.pack(tag, number))


def receive_reply(connection: socket.socket) -> tuple[bytes, int] | None:
    """The next reply, or None if the connection ended first."""
    data = b""
    while len(data) < _REPLY.size:
        more = connection.recv(_REPLY.size - len(data))
        if not more:
            return None
        data += more
    tag, number = _REPLY.unpack(data)
    return tag, number


def connect(path: str, timeout: float | None = None) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        connection.connect(path)
    except OSError:
        connection.close()
        raise
    return connection
