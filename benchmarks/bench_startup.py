#!/usr/bin/env python3
"""How long svclint takes to start, beside Python itself and a bare ``import yaml``.

    python benchmarks/bench_startup.py            # median of 10 runs each, a Markdown table
    python benchmarks/bench_startup.py --runs 20

Each command is a child process, run the way a user runs it (the ``svclint`` console script
of this interpreter's environment). The target (issue 14): ``svclint --version`` within 2x
``python -c "import yaml"``; docs/performance.md keeps the last table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def console_script() -> str:
    """The ``svclint`` script beside this interpreter (a venv's bin/), else the one on PATH."""
    beside = Path(sys.executable).parent / "svclint"
    found = str(beside) if beside.exists() else shutil.which("svclint")
    if not found:
        raise SystemExit("svclint is not installed in this environment (pip install -e .)")
    return found


def commands() -> list[tuple[str, list[str]]]:
    svclint = console_script()
    one_file = str(REPO / "fixtures" / "rules" / "SVC101" / "bad.yaml")
    return [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ('python -c "import yaml"', [sys.executable, "-c", "import yaml"]),
        ("svclint --version", [svclint, "--version"]),
        ("svclint --help", [svclint, "--help"]),
        ("svclint check ONE_FILE", [svclint, "check", one_file, "--isolated"]),
        ("svclint check ONE_FILE -f sarif", [svclint, "check", one_file, "--isolated", "-f", "sarif"]),
    ]


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(runs: int) -> dict[str, float]:
    os.environ.pop("PYTHONPROFILEIMPORTTIME", None)
    return {name: median_seconds(argv, runs) for name, argv in commands()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    results = measure(args.runs)
    yaml = results['python -c "import yaml"']
    print(f"| command | median of {args.runs} | x `import yaml` |")
    print("|---|---:|---:|")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms | {seconds / yaml:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
