"""The daemon: a process that keeps svclint imported, and the last kept load read, between
checks; each check runs in a child forked from it.

A cached ``check`` after one file changed spends most of its time on what every process
must do again: importing svclint, reading the kept load back (``lint.replay``) and building
its graph. The daemon does that once. For each request it forks: the child takes the
client's working directory, environment, umask and standard streams, and runs the very
``main`` a ``check`` in the client would (``serve``'s ``main``), so a run through the
daemon prints, writes and exits as that check would. The daemon's own memory is never
changed by a run (the child has a copy), so one run cannot leak into the next.

After a run that kept a state, the child tells the daemon where (``replay.last_kept``), and
the daemon reads that load (``replay.warm_up``) before it takes the next request.

Between requests the daemon keeps one child forked ahead, the **spare**: it touches the
daemon's objects while it waits (a forked process copies each page of them the first time
it writes one, if only a reference count, and a check writes most), so the check handed to
it does not pay for that copying, nor for the fork. A spare is forked again once the load
it was forked with is replaced.

A request is refused, and the client runs the check itself, when it could come out
otherwise here: another interpreter setup (``protocol.identity``), or svclint's code or
an installed package changed since the daemon started (then the daemon also stops).
"""

from __future__ import annotations

import gc
import importlib
import io
import os
import pickle
import pkgutil
import selectors
import signal
import socket
import stat
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import svclint
from svclint.daemon import protocol
from svclint.lint import replay, rerun

NOT_PRELOADED = ("svclint.server", "svclint.cli.server", "svclint.__main__")  # the language server's (pygls) and the scripts
REQUEST_SECONDS = 5.0  # a client that connects and says nothing is dropped after this
_PEERCRED = struct.Struct("3i")


@dataclass
class Daemon:
    """One daemon: its socket, the function a run calls, and what ``status`` reports."""

    path: str
    main: Callable[[list[str]], int]
    idle_seconds: float  # 0: never stops for being idle
    started: float = field(default_factory=time.time)
    checks: int = 0  # runs started
    refused: int = 0
    on_kept_load: int = 0  # runs that replayed on a load this daemon had read (``replay.WARM``)
    runs_cpu: float = 0.0  # CPU seconds of the runs collected (their own and their workers'), on their checks' path
    spares_cpu: float = 0.0  # CPU seconds spares spent waiting (touching the daemon's objects): off any check's path
    _runs: set[int] = field(default_factory=set)  # the children that took a check, not yet collected
    _spare: _Spare | None = None
    _generation: int = 0  # of the loads held: a spare forked before the last change holds the old ones
    _stop: bool = False
    _stamp: list[tuple[str, int, int]] = field(default_factory=list)
    _identity: list[str] = field(default_factory=list)
    _listener: socket.socket | None = None
    _inode: int = 0  # the socket file's
    _selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    _notes: dict[int, bytearray] = field(default_factory=dict)  # a run's pipe -> what it wrote
    _last: float = field(default_factory=time.monotonic)
    _carried: tuple[str, dict[str, tuple[tuple[int, ...], bytes]]] | None = None  # (directory, ``rerun.keys_to_carry``)
    _waited: dict[int, float] = field(default_factory=dict)  # a run's pid -> CPU it spent as a spare
    _as_spare: float = 0.0  # in a spare that took a check: the CPU it spent waiting

    def serve(self) -> None:
        """Import svclint, listen, and take requests until stopped, idle or out of date."""
        gc.disable()  # as in a run (``parallel``): collected only when a load is replaced
        preload()
        self._stamp = code_stamp()
        self._identity = protocol.identity()
        self._listener = listener = listen(self.path)
        self._inode = os.stat(self.path).st_ino
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_stop)
        self._selector.register(listener, selectors.EVENT_READ)
        try:
            self._fork_spare()
            while not self._stop:
                timeout = 1.0
                if self.idle_seconds:
                    timeout = min(timeout, max(0.0, self._last + self.idle_seconds - time.monotonic()))
                ready = [key.fd for key, _ in self._selector.select(timeout)]
                for descriptor in sorted(ready, key=lambda fd: fd == listener.fileno()):  # (notes first: a
                    # run closes its pipe before its client hears the end, so the next request finds its load read)
                    if descriptor == listener.fileno():
                        self._accept()
                    else:
                        self._read_note(descriptor)
                self._reap()
                if not self._stop and not self._notes:
                    self._fork_spare()
                if self.idle_seconds and not self._notes and time.monotonic() - self._last >= self.idle_seconds:
                    break
        finally:
            self._drop_spare()
            self._close()

    def _on_stop(self, number: int, frame: Any) -> None:
        self._stop = True

    def _close(self) -> None:
        assert self._listener is not None
        try:
            if os.stat(self.path).st_ino == self._inode:  # (not another daemon's since)
                os.unlink(self.path)
        except OSError:
            pass
        self._listener.close()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return
        self._last = time.monotonic()
        with connection:
            connection.settimeout(REQUEST_SECONDS)
            if not _same_user(connection):
                return
            try:
                request, descriptors = protocol.receive_message(connection, protocol.STREAMS)
            except (ValueError, OSError):
                return
            try:
                self._answer(connection, request, descriptors)
            except OSError:  # the client went away
                pass
            finally:
                for descriptor in descriptors:
                    os.close(descriptor)

    def _answer(self, connection: socket.socket, request: dict[str, Any], descriptors: list[int]) -> None:
        kind = request.get("kind")
        if kind == "status":
            protocol.send_message(connection, self.status())
        elif kind == "stop":
            self._stop = True
            protocol.send_message(connection, {"stopping": True, "pid": os.getpid()})
        elif kind == "check":
            if request.get("identity") != self._identity or len(descriptors) != protocol.STREAMS:
                self.refused += 1
                protocol.send_reply(connection, protocol.REFUSED)
            elif code_stamp() != self._stamp:  # svclint or a package changed: this process is out of date
                self.refused += 1
                self._stop = True
                protocol.send_reply(connection, protocol.REFUSED)
            elif not self._hand_to_spare(connection, request, descriptors):
                self._fork(connection, request, descriptors)

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "socket": self.path,
            "version": svclint.__version__,
            "started": round(self.started),
            "checks": self.checks,
            "refused": self.refused,
            "on_kept_load": self.on_kept_load,
            "idle_timeout": self.idle_seconds,
            "running": len(self._runs),
            "runs_cpu": round(self.runs_cpu, 4),
            "spares_cpu": round(self.spares_cpu, 4),
            "own_cpu": round(sum(os.times()[:2]), 4),
            "loads": [{"objects": len(warm.earlier.objects), "files": len(warm.parts.files)} for warm in replay.WARM.values()],
        }

    def _fork(self, connection: socket.socket, request: dict[str, Any], descriptors: list[int]) -> None:
        """Run the check in a child forked now (no spare is ready)."""
        notes, note_writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns to the loop
            code = 2
            try:
                os.close(notes)
                self._leave_the_loop()
                code = self._run(connection, request, descriptors, note_writer)
            finally:
                os._exit(code)
        os.close(note_writer)
        self._started(pid, notes)

    def _started(self, pid: int, notes: int) -> None:
        self.checks += 1
        self._runs.add(pid)
        self._notes[notes] = bytearray()
        self._selector.register(notes, selectors.EVENT_READ)

    def _fork_spare(self) -> None:
        """Fork the next spare, unless one holds the loads held now."""
        if self._spare is not None and self._spare.generation == self._generation:
            return
        self._drop_spare()
        ours, theirs = socket.socketpair()
        notes, note_writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the spare: never returns to the loop
            code = 0
            try:
                ours.close()
                os.close(notes)
                self._leave_the_loop()
                code = self._wait_as_spare(theirs, note_writer)
            finally:
                os._exit(code)
        theirs.close()
        os.close(note_writer)
        self._spare = _Spare(pid, ours, notes, self._generation)

    def _hand_to_spare(self, connection: socket.socket, request: dict[str, Any], descriptors: list[int]) -> bool:
        spare, self._spare = self._spare, None
        if spare is None or spare.generation != self._generation:
            if spare is not None:
                self._discard(spare)
            return False
        try:
            protocol.send_message(spare.channel, request, [connection.fileno(), *descriptors])
        except OSError:  # it died
            self._discard(spare)
            return False
        spare.channel.close()
        self._started(spare.pid, spare.notes)
        return True

    def _drop_spare(self) -> None:
        if self._spare is not None:
            self._discard(self._spare)
            self._spare = None

    def _discard(self, spare: _Spare) -> None:
        spare.channel.close()  # (it waits on the channel: it ends)
        os.close(spare.notes)

    def _leave_the_loop(self) -> None:
        """In a child: let go of the daemon's socket, pipes and signal handlers."""
        assert self._listener is not None
        self._listener.close()
        self._selector.close()
        for descriptor in self._notes:
            os.close(descriptor)
        if self._spare is not None:
            self._spare.channel.close()
            os.close(self._spare.notes)
        for handled in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(handled, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def _wait_as_spare(self, channel: socket.socket, note_writer: int) -> int:
        """In the spare: touch the daemon's objects until a check comes, then run it."""
        _touch_objects(channel)
        try:
            request, descriptors = protocol.receive_message(channel, 1 + protocol.STREAMS)
        except (ValueError, OSError):  # dropped unused
            return 0
        self._as_spare = sum(os.times()[:2])  # (a forked process's times start at 0; its note says it)
        connection = socket.socket(fileno=descriptors[0])
        return self._run(connection, request, descriptors[1:], note_writer)

    def _run(self, connection: socket.socket, request: dict[str, Any], descriptors: list[int], note_writer: int) -> int:
        """In the child: become the client's process, run ``main``, say how it ended."""
        try:
            os.chdir(request["cwd"])
            os.umask(int(request["umask"]))
            environment = {str(name): str(value) for name, value in dict(request["env"]).items()}
            argv = [str(argument) for argument in request["argv"]]
            for number, descriptor in enumerate(descriptors):
                os.dup2(descriptor, number)
            for descriptor in descriptors:
                if descriptor >= protocol.STREAMS:
                    os.close(descriptor)
            sys.stdin, sys.stdout, sys.stderr = (_stream(number, *request["streams"][number]) for number in range(protocol.STREAMS))
        except (OSError, KeyError, TypeError, ValueError, LookupError):  # nothing written yet: the client runs it
            protocol.send_reply(connection, protocol.REFUSED)
            return 0
        os.environ.clear()
        os.environ.update(environment)
        tempfile.tempdir = None  # (chosen from TMPDIR on first use)
        sys.argv = ["svclint", *argv]
        if self._carried is not None and self._carried[0] == request["cwd"]:
            rerun.carry_keys(self._carried[1])
        started = time.time_ns()
        protocol.send_reply(connection, protocol.STARTED, os.getpid())
        code = self.main(argv)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        note = Note(replay.last_kept, replay.read_warm, str(request["cwd"]), started, self._as_spare)
        try:
            os.write(note_writer, pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass
        os.close(note_writer)  # before the client hears the end: the daemon reads the new load first
        protocol.send_reply(connection, protocol.EXITED, code)
        return code

    def _reap(self) -> None:
        """Collect the children that ended, adding up their CPU time: a run's on its check's
        path (less what it spent as a spare, which its note said), a spare's dropped unused
        off it."""
        while True:
            try:
                pid, _, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                self._runs.clear()
                return
            if pid == 0:
                return
            cpu = usage.ru_utime + usage.ru_stime
            if pid in self._runs:
                self._runs.discard(pid)
                self.runs_cpu += cpu - self._waited.pop(pid, 0.0)
            else:
                self.spares_cpu += cpu

    def _read_note(self, descriptor: int) -> None:
        """A child's pipe: what it kept, once it closes it; then read that load back."""
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:
            chunk = b""
        if chunk:
            self._notes[descriptor] += chunk
            return
        self._selector.unregister(descriptor)
        os.close(descriptor)
        note = bytes(self._notes.pop(descriptor))
        self._last = time.monotonic()
        try:
            said = pickle.loads(note)  # (written by this daemon's own child)
        except Exception:  # noqa: BLE001 - a child that died before it wrote: nothing to read
            return
        if not isinstance(said, Note):
            return
        self.on_kept_load += said.read_warm
        if said.waited:
            self._waited[said.pid] = said.waited
            self.spares_cpu += said.waited
        if said.kept is not None:
            try:
                warm = replay.warm_up(said.kept)
            except Exception:  # noqa: BLE001 - a load svclint cannot compile ahead: the next check reads it itself
                traceback.print_exc(file=sys.stderr)  # (the daemon's log)
                replay.WARM.clear()
                warm = None
            if warm is not None:  # the next run in that directory hashes only the files changed since
                self._carried = (said.cwd, rerun.keys_to_carry(warm.state.files, said.cwd, said.started_ns))
            self._generation += 1
            gc.collect()  # the load it replaced (cycles included)


@dataclass(frozen=True)
class Note:
    """What a run tells the daemon as it ends (over a pipe, before its client hears the end)."""

    kept: replay.KeptState | None  # where it kept a replay state
    read_warm: bool  # whether it replayed on a load the daemon held
    cwd: str
    started_ns: int  # when it began (before it read any file)
    waited: float = 0.0  # CPU seconds it spent as a spare before the check came
    pid: int = field(default_factory=os.getpid)


@dataclass
class _Spare:
    """A child forked ahead; it runs the check sent over ``channel`` (with its descriptors)."""

    pid: int
    channel: socket.socket
    notes: int  # its note pipe, read once it has a check
    generation: int


TOUCH_BATCH = 5_000  # objects touched between two looks for a check


def _touch_objects(channel: socket.socket) -> None:
    """Write to the pages of the daemon's objects now, a reference to each (everything the
    modules and the held loads reach, each object once), stopping as soon as a check waits."""
    poller = selectors.DefaultSelector()
    poller.register(channel, selectors.EVENT_READ)
    seen: set[int] = set()
    stack: list[object] = [sys.modules, replay.WARM]
    try:
        while stack:
            if poller.select(0):
                return
            for _ in range(min(TOUCH_BATCH, len(stack))):
                for referent in gc.get_referents(stack.pop()):  # (the list holds a reference to each: a write)
                    if gc.is_tracked(referent) and id(referent) not in seen:
                        seen.add(id(referent))
                        stack.append(referent)
    finally:
        poller.close()


def preload() -> None:
    """Import every module a check may use, so that no forked run imports one again."""
    for module in pkgutil.walk_packages(svclint.__path__, "svclint."):
        if not module.name.startswith(NOT_PRELOADED):
            importlib.import_module(module.name)
    for name in ("jsonschema", "referencing"):  # imported by the schema rules when they first run
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - dependencies of svclint
            pass


def code_stamp() -> list[tuple[str, int, int]]:
    """Each file of svclint and each directory of ``sys.path`` (an install or removal changes
    one), with its modification time and size: what a run's code is."""
    stamp: list[tuple[str, int, int]] = []
    for root, directories, files in os.walk(os.path.dirname(os.path.abspath(svclint.__file__))):
        directories[:] = sorted(name for name in directories if name != "__pycache__")
        for name in sorted(files):
            stamp.append(_stat(os.path.join(root, name)))
    stamp.extend(_stat(entry) for entry in sys.path[1:] if entry)
    return stamp


def _stat(path: str) -> tuple[str, int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, info.st_mtime_ns, info.st_size)


def listen(path: str) -> socket.socket:
    """A listening socket at ``path``, in a directory only this user can enter."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{directory} must be a directory of this user's that no one else can enter")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(16)
    except OSError:
        listener.close()
        raise
    return listener


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer is this user (Linux says; elsewhere the directory's mode decides)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    try:
        _, uid, _ = _PEERCRED.unpack(connection.getsockopt(socket.SOL_SOCKET, option, _PEERCRED.size))
    except OSError:
        return False
    return bool(uid == os.getuid())


def _stream(number: int, encoding: str, errors: str, line_buffering: bool) -> io.TextIOWrapper:
    """Standard stream ``number`` as the client's interpreter opened it."""
    raw = open(number, "rb" if number == 0 else "wb", closefd=False)  # noqa: SIM115 - the stream lives as long as the run
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, line_buffering=line_buffering)


