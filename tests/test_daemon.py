"""``svclint daemon``: a check handed to the daemon prints, writes and exits exactly as the
same check run in its own process, and the daemon says it ran it (issue 15).

Every test runs the real console entry (``python -m svclint``) in subprocesses, with its own
user directories, so the socket is the test's alone."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from svclint.lint import rerun
from tests.conftest import FIXTURES, REPO
from tests.test_replay import _edit

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(socket, "AF_UNIX"), reason="the daemon needs fork and Unix sockets")

SHOP = FIXTURES / "examples" / "shop"


@dataclass
class Run:
    exit_code: int
    stdout: bytes
    stderr: bytes


@dataclass
class Daemon:
    env: dict[str, str]
    runtime: Path
    home: Path = REPO  # where status is asked from

    def svclint(self, *args: str, here: bool = False, cwd: Path = REPO, stdin: bytes | None = None, python: tuple[str, ...] = ()) -> Run:
        """``svclint args`` as a user runs it; ``here``: with SVCLINT_NO_DAEMON set."""
        env = dict(self.env)
        if here:
            env["SVCLINT_NO_DAEMON"] = "1"
        done = subprocess.run(
            [sys.executable, *python, "-m", "svclint", *args], env=env, cwd=cwd, input=stdin if stdin is not None else b"",
            capture_output=True, timeout=120,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def status(self) -> dict[str, object]:
        answer = json.loads(self.svclint("daemon", "status", "-f", "json", cwd=self.home).stdout)
        assert isinstance(answer, dict)
        return answer

    def settled(self) -> dict[str, object]:
        """The status once every run has been collected and its load read back."""
        deadline = time.monotonic() + 30
        while True:
            answer = self.status()
            if answer.get("running") == 0 or time.monotonic() > deadline:
                return answer
            time.sleep(0.05)


def _environment(root: Path, runtime: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SVCLINT_")}
    env.update(
        XDG_CACHE_HOME=str(root / "user-cache"),
        XDG_RUNTIME_DIR=str(runtime),
        SVCLINT_CACHE_DIR=str(root / "cache"),
        PYTHONPATH=str(REPO),
    )
    return env


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    # a short directory for the socket (a Unix socket's path is at most about 100 bytes)
    runtime = Path(tempfile.mkdtemp(prefix="sd", dir="/tmp" if os.path.isdir("/tmp") else None))
    running = Daemon(_environment(tmp_path, runtime), runtime)
    started = running.svclint("daemon", "start", "--idle-timeout", "300")
    assert started.exit_code == 0, started.stderr
    assert b"started (pid" in started.stdout
    try:
        yield running
    finally:
        running.svclint("daemon", "stop")
        shutil.rmtree(runtime, ignore_errors=True)


def _same(left: Run, right: Run) -> None:
    assert (left.exit_code, left.stdout.decode(), left.stderr.decode()) == (right.exit_code, right.stdout.decode(), right.stderr.decode())


def test_checks_through_the_daemon_print_and_exit_as_checks_run_here(daemon: Daemon) -> None:
    commands = [
        ("check", str(SHOP.relative_to(REPO))),
        ("check", str(SHOP.relative_to(REPO)), "-f", "json"),
        ("check", str(SHOP.relative_to(REPO)), "-f", "sarif"),
        ("check", str(SHOP.relative_to(REPO)), "-f", "github"),
        ("check", str(SHOP.relative_to(REPO)), "-f", "junit", "--no-cache"),
        ("check", str(FIXTURES / "core"), "--fail-on", "never", "--statistics"),
        ("check", "fixtures/no-such-directory"),  # a usage error: exit 2, the message on stderr
        ("check", str(SHOP), "--no-such-option"),
    ]
    codes = set()
    for command in commands:
        through = daemon.svclint(*command)
        _same(through, daemon.svclint(*command, here=True))
        codes.add(through.exit_code)
    assert codes == {0, 1, 2}
    status = daemon.settled()
    assert (status["checks"], status["refused"]) == (len(commands), 0)  # all of them ran in the daemon


def test_a_check_reads_standard_input_and_writes_its_output_file_in_the_callers_directory(daemon: Daemon, tmp_path: Path) -> None:
    text = (SHOP / "api.yaml").read_bytes()
    _same(daemon.svclint("check", "-", "-f", "json", stdin=text), daemon.svclint("check", "-", "-f", "json", stdin=text, here=True))
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(SHOP, work / "shop")
    through = daemon.svclint("check", "shop", "-f", "sarif", "-o", "report.sarif", cwd=work)
    assert through.exit_code == 1 and through.stdout == b""
    made = (work / "report.sarif").read_bytes()
    (work / "report.sarif").unlink()
    assert daemon.svclint("check", "shop", "-f", "sarif", "-o", "report.sarif", cwd=work, here=True).exit_code == 1
    assert made == (work / "report.sarif").read_bytes()
    assert daemon.settled()["checks"] == 2


def test_cached_runs_after_edits_use_the_load_the_daemon_read_back_and_match_uncached_runs(daemon: Daemon, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(SHOP, tree)
    cache = tmp_path / "tree-cache"
    command = ("check", str(tree), "-f", "json", "--isolated", "--fail-on", "never", "--cache-dir", str(cache))
    time.sleep(rerun.RACY_NS / 1e9 + 0.1)  # the files old enough for the next run to take their keys from this one
    first = daemon.svclint(*command)
    assert first.exit_code == 0, first.stderr
    objects = json.loads(first.stdout)["summary"]["objects"]
    assert daemon.settled()["loads"] == [{"files": 7, "objects": objects}], "a full run keeps its state, and the daemon reads its load back"
    rng = random.Random(15)
    manifests = sorted(tree.glob("*.yaml"))
    edits = 0
    while edits < 5:
        manifest = rng.choice(manifests)
        edited = _edit(manifest.read_text(encoding="utf-8"), rng)
        if edited is None:
            continue
        manifest.write_text(edited, encoding="utf-8")
        edits += 1
        through = daemon.svclint(*command)
        uncached = daemon.svclint("check", str(tree), "-f", "json", "--isolated", "--fail-on", "never", "--no-cache", here=True)
        _same(through, uncached)
    status = daemon.settled()
    assert status["checks"] == 6
    assert status["on_kept_load"] >= 3  # (an edit that renames an object makes a full run)
    assert status["loads"] == [{"files": 7, "objects": objects}]


def test_checks_at_once_each_run_in_a_child_of_their_own(daemon: Daemon) -> None:
    """One takes the spare forked ahead, the others a child forked on arrival: the same."""
    commands = [("check", str(SHOP), "-f", fmt) for fmt in ("json", "sarif", "text", "junit")]
    processes = [
        subprocess.Popen([sys.executable, "-m", "svclint", *command], env=daemon.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for command in commands
    ]
    for command, process in zip(commands, processes):
        stdout, stderr = process.communicate(timeout=120)
        _same(Run(process.returncode, stdout, stderr), daemon.svclint(*command, here=True))
    assert daemon.settled()["checks"] == len(commands)


def test_a_check_from_another_interpreter_setup_is_refused_and_runs_in_its_own_process(daemon: Daemon) -> None:
    command = ("check", str(SHOP), "-f", "json")
    other = daemon.svclint(*command, python=("-X", "dev"))  # other sys.flags: the daemon's run could differ
    _same(other, daemon.svclint(*command, here=True))
    status = daemon.settled()
    assert (status["checks"], status["refused"]) == (0, 1)


def test_an_interrupt_reaches_the_run_in_the_daemon(daemon: Daemon) -> None:
    """Ctrl-C on the client: the run stops as a run of its own would ("Aborted.", exit 2)."""
    results = []
    for here in (False, True):
        env = dict(daemon.env)
        if here:
            env["SVCLINT_NO_DAEMON"] = "1"
        process = subprocess.Popen(
            [sys.executable, "-m", "svclint", "check", "-"], env=env, cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        _wait_reading_stdin(process.pid if here else None, daemon)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        results.append(Run(process.returncode, stdout, stderr))
    _same(results[0], results[1])
    assert results[0].exit_code == 2 and b"Aborted." in results[0].stderr


def _wait_reading_stdin(pid: int | None, daemon: Daemon) -> None:
    """Until the run waits for standard input (the pipe stays open): the process ``pid``,
    or the daemon's run."""
    deadline = time.monotonic() + 20
    if pid is None:
        while daemon.status()["checks"] != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # (it started: now into the check, to the read)
        return
    wchan = Path(f"/proc/{pid}/wchan")
    while time.monotonic() < deadline:
        try:
            if "pipe" in wchan.read_text():
                return
        except OSError:  # no /proc: as long as a start takes, and more
            time.sleep(5)
            return
        time.sleep(0.05)


def test_status_start_and_stop(daemon: Daemon) -> None:
    status = daemon.status()
    socket_path = Path(str(status["socket"]))
    assert socket_path.parent == daemon.runtime / "svclint"
    assert socket_path.parent.stat().st_mode & 0o777 == 0o700  # only this user can reach the socket
    text = daemon.svclint("daemon", "status")
    assert text.exit_code == 0
    assert f"svclint daemon: running (pid {status['pid']}".encode() in text.stdout
    again = daemon.svclint("daemon", "start")
    assert (again.exit_code, again.stdout.decode()) == (0, f"svclint daemon: already running (pid {status['pid']})\n")
    stopped = daemon.svclint("daemon", "stop")
    assert (stopped.exit_code, stopped.stdout.decode()) == (0, f"svclint daemon: stopped (pid {status['pid']})\n")
    assert not socket_path.exists()
    gone = daemon.svclint("daemon", "status")
    assert gone.exit_code == 1
    assert gone.stdout.decode() == f"svclint daemon: not running (its socket would be {socket_path})\n"
    assert json.loads(daemon.svclint("daemon", "status", "-f", "json").stdout) == {"running": False, "socket": str(socket_path)}
    assert daemon.svclint("daemon", "stop").stdout == b"svclint daemon: not running\n"
    _same(daemon.svclint("check", str(SHOP)), daemon.svclint("check", str(SHOP), here=True))  # no daemon: runs here


def test_a_socket_left_by_a_killed_daemon_is_not_used_and_start_replaces_it(daemon: Daemon) -> None:
    status = daemon.status()
    os.kill(int(str(status["pid"])), signal.SIGKILL)
    time.sleep(0.2)
    socket_path = Path(str(status["socket"]))
    assert socket_path.exists()  # (SIGKILL: nothing removed it)
    _same(daemon.svclint("check", str(SHOP)), daemon.svclint("check", str(SHOP), here=True))
    assert daemon.svclint("daemon", "status").exit_code == 1
    started = daemon.svclint("daemon", "start", "--idle-timeout", "300")
    assert started.exit_code == 0 and b"started" in started.stdout
    assert daemon.svclint("check", str(SHOP)).exit_code == 1
    assert daemon.settled()["checks"] == 1


def test_a_daemon_that_cannot_listen_says_why(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 120)  # a Unix socket's path is at most about 100 bytes
    long.mkdir()
    unable = Daemon(_environment(tmp_path, long), long)
    socket_path = json.loads(unable.svclint("daemon", "status", "-f", "json").stdout)["socket"]
    assert socket_path.startswith(f"{long}/svclint/daemon-")
    failed = unable.svclint("daemon", "start")
    assert failed.exit_code == 2
    assert failed.stderr.decode() == (
        f"svclint: error: the daemon did not start: cannot listen at {socket_path}: AF_UNIX path too long; see {socket_path}.log\n"
    )


def test_an_idle_daemon_stops(tmp_path: Path) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="sd", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        idle = Daemon(_environment(tmp_path, runtime), runtime)
        assert idle.svclint("daemon", "start", "--idle-timeout", "1").exit_code == 0
        socket_path = Path(str(idle.status()["socket"]))
        deadline = time.monotonic() + 20
        while socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not socket_path.exists()
        assert idle.svclint("daemon", "status").exit_code == 1
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.mark.slow
def test_a_daemon_whose_svclint_changed_refuses_and_stops(tmp_path: Path) -> None:
    """An edited (or reinstalled) svclint: the next check runs the new code in its own
    process, and the daemon of the old code stops."""
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "svclint", copy / "svclint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "rules", copy / "rules")
    runtime = Path(tempfile.mkdtemp(prefix="sd", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        env = _environment(tmp_path, runtime)
        env["PYTHONPATH"] = str(copy)
        edited = Daemon(env, runtime, tmp_path)
        away = tmp_path  # (not the checkout: `python -m` would import the svclint there)
        assert edited.svclint("daemon", "start", "--idle-timeout", "300", cwd=away).exit_code == 0
        assert edited.svclint("check", str(SHOP), cwd=away).exit_code == 1
        assert edited.settled()["checks"] == 1
        init = copy / "svclint" / "__init__.py"
        init.write_text(init.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        _same(edited.svclint("check", str(SHOP), cwd=away), edited.svclint("check", str(SHOP), here=True, cwd=away))
        deadline = time.monotonic() + 10
        while edited.svclint("daemon", "status", cwd=away).exit_code == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert edited.svclint("daemon", "status", cwd=away).exit_code == 1
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
