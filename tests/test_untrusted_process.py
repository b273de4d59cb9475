"""Issue 16: process hygiene. Workers end with svclint whatever signal ends it; ``-o`` is
written whole or not at all; output errors are one clear line with exit 2."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  selector:\n    app: nothing\n  ports:\n    - port: 80\n"


def _svclint(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "svclint", *args], cwd=REPO, **kwargs)  # type: ignore[call-overload]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_loader_workers_end_with_the_parent_on_sigterm(tmp_path: Path) -> None:
    text = "---\n".join(SERVICE.format(i=i) for i in range(3000))
    for n in range(40):
        (tmp_path / f"f{n}.yaml").write_text(text)
    process = _svclint("check", str(tmp_path), "--isolated", "--jobs", "2", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and len(workers) < 2:
            workers = _children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the loader started no workers"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert [w for w in workers if _alive(w)] == []
    finally:
        for pid in [process.pid, *_children(process.pid), *workers]:  # only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a fatal signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))


def test_a_failed_o_write_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    """A full disk (here a file size limit: EFBIG) must not leave a truncated report."""
    report = tmp_path / "report.txt"
    report.write_text("the previous report\n")
    run = subprocess.run(
        [sys.executable, "-m", "svclint", "check", "fixtures/rules", "--isolated", "-o", str(report)],
        cwd=REPO, capture_output=True, preexec_fn=_limit_file_size, check=False,
    )
    assert run.returncode == 2
    assert run.stderr.decode() == f"svclint: error: cannot write {report}: File too large\n"
    assert report.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temporary file left


def test_o_replaces_the_report_and_keeps_special_files_in_place(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("the previous report\n")
    run = subprocess.run(
        [sys.executable, "-m", "svclint", "check", "fixtures/rules/SVC101/bad.yaml", "--isolated", "-o", str(report)],
        cwd=REPO, capture_output=True, check=False,
    )
    assert run.returncode == 1
    assert report.read_text().startswith("fixtures/rules/SVC101/bad.yaml:")
    device = subprocess.run(
        [sys.executable, "-m", "svclint", "check", "fixtures/rules/SVC101/bad.yaml", "--isolated", "-o", "/dev/null"],
        cwd=REPO, capture_output=True, check=False,
    )
    assert (device.returncode, device.stderr) == (1, b"")
    assert Path("/dev/null").is_char_device()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_stdout_that_cannot_be_written_is_one_clear_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "svclint", "check", "fixtures/rules", "--isolated"],
            cwd=REPO, stdout=full, stderr=subprocess.PIPE, check=False,
        )
    assert run.returncode == 2
    assert run.stderr.decode() == "svclint: error: cannot write the report to standard output: No space left on device\n"


def test_a_closed_pipe_is_quiet_and_the_exit_code_follows_the_findings() -> None:
    process = _svclint("check", "fixtures/rules", "--isolated", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader went away before the report was written
    stderr = process.stderr.read()
    assert (process.wait(timeout=120), stderr) == (1, b"")
