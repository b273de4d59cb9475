"""``svclint daemon``: start, stop and ask about the process that keeps svclint loaded
between checks (``svclint.daemon``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import click

from svclint.cli.errors import EXIT_CLEAN, EXIT_FINDINGS, UsageFailure
from svclint.daemon import protocol
from svclint.escape import visible

START_SECONDS = 30.0  # a daemon that does not answer by then failed to start (its log says why)
IDLE_DEFAULT = 3600.0
_HOME = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the directory holding svclint


@click.group("daemon")
def daemon() -> None:
    """Keep svclint loaded between checks, for quicker `svclint check` runs.

    \b
    svclint daemon start     start it (in the background; it stops after an idle hour)
    svclint daemon status    whether it runs, and what it holds
    svclint daemon stop      stop it

    While it runs, `svclint check` run by this user with this Python and this svclint goes
    to it: the check runs in a process forked from the daemon, with the caller's working
    directory, environment and terminal, and prints and exits exactly as it would have. It
    skips the imports, and after a cached run it finds that run's load already read. Set
    SVCLINT_NO_DAEMON=1 to run a check without it. docs/daemon.md explains it.
    """


def _idle_option(function: Any) -> Any:
    return click.option(
        "--idle-timeout",
        type=click.FloatRange(min=0),
        default=IDLE_DEFAULT,
        show_default=True,
        help="Stop after this many seconds without a check (0: never).",
    )(function)


@daemon.command("start")
@_idle_option
def start(idle_timeout: float) -> int:
    """Start the daemon in the background (nothing happens if one runs)."""
    path = _socket()
    running = _ask(path, "status")
    if running is not None:
        click.echo(f"svclint daemon: already running (pid {running['pid']})")
        return EXIT_CLEAN
    log = path + ".log"
    _remove_stale(path)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "svclint", "daemon", "run", "--idle-timeout", repr(idle_timeout)],
            stdin=subprocess.DEVNULL, stdout=handle, stderr=handle, start_new_session=True, close_fds=True,
            cwd=_HOME,  # (`-m` puts the directory first on sys.path: the one that holds this svclint)
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        running = _ask(path, "status")
        if running is not None:
            click.echo(f"svclint daemon: started (pid {running['pid']}); `svclint check` runs through it until `svclint daemon stop`")
            return EXIT_CLEAN
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise UsageFailure(f"the daemon did not start{_last_line(log)}; see {log}")


@daemon.command("run")
@_idle_option
def run(idle_timeout: float) -> int:
    """Run the daemon in this process, in the foreground (for a service manager)."""
    from svclint.cli import main
    from svclint.daemon.service import Daemon

    path = _socket()
    if _ask(path, "status") is not None:
        raise UsageFailure(f"a daemon already listens at {path}")
    _remove_stale(path)
    try:
        Daemon(path, main, idle_timeout).serve()
    except OSError as error:
        raise UsageFailure(f"cannot listen at {path}: {error.strerror or error}") from None
    return EXIT_CLEAN


@daemon.command("stop")
def stop() -> int:
    """Stop the daemon (checks it runs finish first)."""
    path = _socket()
    stopping = _ask(path, "stop")
    if stopping is None:
        click.echo("svclint daemon: not running")
        return EXIT_CLEAN
    deadline = time.monotonic() + START_SECONDS
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    click.echo(f"svclint daemon: stopped (pid {stopping['pid']})")
    return EXIT_CLEAN


@daemon.command("status")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(fmt: str) -> int:
    """Whether the daemon runs (exit 0) or not (exit 1), and what it holds."""
    path = _socket()
    running = _ask(path, "status")
    if fmt == "json":
        click.echo(json.dumps(running if running is not None else {"running": False, "socket": path}, sort_keys=True))
    elif running is None:
        click.echo(f"svclint daemon: not running (its socket would be {path})")
    else:
        loads = ", ".join(f"{load['objects']:,} objects in {load['files']:,} files" for load in running["loads"]) or "none yet"
        idle = f"after {running['idle_timeout']:g} s idle" if running["idle_timeout"] else "never for being idle"
        click.echo(
            f"svclint daemon: running (pid {running['pid']}, svclint {running['version']})\n"
            f"  socket: {running['socket']}\n"
            f"  checks run: {running['checks']:,} ({running['on_kept_load']:,} on a load it had read); refused: {running['refused']:,}\n"
            f"  loads kept read: {loads}\n"
            f"  stops: {idle}"
        )
    return EXIT_CLEAN if running is not None else EXIT_FINDINGS


def _socket() -> str:
    path = protocol.socket_path()
    if path is None or not hasattr(os, "fork"):
        raise UsageFailure("the daemon needs a POSIX system and a home or XDG_RUNTIME_DIR directory")
    return path


def _ask(path: str, kind: str) -> dict[str, Any] | None:
    """The daemon's answer to a ``status`` or ``stop`` request; None if none answers."""
    try:
        with protocol.connect(path, timeout=5.0) as connection:
            protocol.send_message(connection, {"kind": kind})
            answer, _ = protocol.receive_message(connection)
    except (OSError, ValueError):
        return None
    return answer


def _last_line(log: str) -> str:
    """': ' and the log's last line (what the daemon said as it failed), if any."""
    try:
        with open(log, encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle.read()[-4096:].splitlines() if line.strip()]
    except OSError:
        return ""
    return f": {visible(lines[-1].removeprefix('svclint: error: '))}" if lines else ""


def _remove_stale(path: str) -> None:
    """The socket a daemon left when it was killed (none answered at it)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise UsageFailure(f"cannot remove {path}: {error.strerror or error}") from None

