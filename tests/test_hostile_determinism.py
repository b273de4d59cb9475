"""Byte-identical output across hash seeds, loader processes and file-system orders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.report import FORMATTERS

from .conftest import FIXTURES, REPO

# Every fixture at once: all rules' good and bad cases, scenarios, the example, bad input.
# --no-cache: a second run would otherwise print the first one's record (the run key holds
# the settings and inputs, not PYTHONHASHSEED), whichever test wrote it to the checkout's cache.
EVERYTHING = ["fixtures", "--isolated", "--no-cache", "--select", "ALL"]


def _svclint(*args: str, cwd: Path = REPO, seed: str = "0") -> tuple[int, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "svclint", "check", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


# One process per seed runs the pipeline once and every formatter on the result.
_ALL_FORMATS = """
import json, sys
from svclint.api import lint_report
from svclint.report import FORMATTERS
from svclint.report.options import FormatOptions
from svclint.settings import Settings
report = lint_report(["fixtures"], Settings(select=("ALL",)))
print(json.dumps({name: FORMATTERS[name](report, FormatOptions()) for name in sorted(FORMATTERS)}))
"""


@pytest.mark.slow
def test_every_format_is_identical_across_hash_seeds() -> None:
    outputs = {}
    for seed in ("0", "1", "4242", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _ALL_FORMATS], capture_output=True, text=True, cwd=REPO, env=env, timeout=300
        )
        assert done.returncode == 0, done.stderr
        outputs[seed] = done.stdout
    assert sorted(json.loads(outputs["0"])) == sorted(FORMATTERS)
    for seed, output in outputs.items():
        assert output == outputs["0"], f"PYTHONHASHSEED={seed} changed the output"


def test_the_cli_output_is_identical_across_hash_seeds() -> None:
    first = _svclint(*EVERYTHING, "--format", "text", seed="0")
    assert first[0] == 1 and first[1]
    assert _svclint(*EVERYTHING, "--format", "text", seed="random") == first


@pytest.mark.slow
def test_output_is_identical_with_parallel_loading() -> None:
    serial = _svclint(*EVERYTHING, "--format", "json", "--jobs", "1")
    parallel = _svclint(*EVERYTHING, "--format", "json", "--jobs", "2", seed="7")
    assert parallel == serial


def _copy_tree(files: list[Path], into: Path) -> None:
    """Create ``files`` (relative to FIXTURES) under ``into`` in the order given."""
    for rel in files:
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / rel, target)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_is_identical_whatever_order_files_were_created_in(tmp_path: Path, fmt: str) -> None:
    files = sorted(
        p.relative_to(FIXTURES)
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".yml", ".json") and "bad-input" not in p.parts
    )
    orders = {
        "forward": files,
        "reverse": list(reversed(files)),
        "by-name-length": sorted(files, key=lambda p: (-len(str(p)), str(p)[::-1])),
    }
    outputs = {}
    for name, order in orders.items():
        root = tmp_path / name
        root.mkdir()
        _copy_tree(order, root)
        outputs[name] = _svclint(".", "--isolated", "--select", "ALL", "--format", fmt, cwd=root)
    assert outputs["forward"][0] == 1
    assert outputs["reverse"] == outputs["forward"]
    assert outputs["by-name-length"] == outputs["forward"]
