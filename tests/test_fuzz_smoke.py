"""A short run of each atheris fuzz target (tests/fuzz/fuzz_svclint.py); the long run is
described in docs/hostile.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytest.importorskip(
    "atheris",
    reason="atheris is not installed: it ships wheels for CPython 3.10-3.13 on Linux x86_64 only "
    "(pip install atheris)",
)

FUZZ = REPO / "tests" / "fuzz" / "fuzz_svclint.py"
RUNS = 600


@pytest.mark.slow
@pytest.mark.parametrize("target", ["loader", "check", "config", "rules"])
def test_fuzz_target_smoke_run(tmp_path: Path, target: str) -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ), target, f"-runs={RUNS}", "-seed=1", f"-artifact_prefix={tmp_path}/"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert f"Done {RUNS} runs" in done.stderr
    assert not list(tmp_path.glob("crash-*"))
