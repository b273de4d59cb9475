#!/usr/bin/env python3
"""`svclint diff` against one `svclint check` of the same tree, side by side (issue 13: at most 2.2x).

    python benchmarks/bench_diff.py                 # 10k-object corpus, 3 alternating rounds
    python benchmarks/bench_diff.py --rounds 5

The corpus comes from ../shared/bench/gen_corpus.py (cached in --work). It is committed to a
fresh git repository, then one file is changed and committed: the first NetworkPolicy
rule's port in one namespace's network-policies.yaml moves (the cell it allowed closes).
Each round times, as child processes, `svclint check .` on that tree and
`svclint diff HEAD~1 HEAD` (both revisions read from git), alternating so load from other
jobs falls on both. Prints a Markdown table of medians and the ratio; docs/review.md keeps
the last one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"
TARGET_RATIO = 2.2


def measure(argv: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MiB, exit code) of one child process; the CPU time
    counts its worker processes too (they are waited for), and moves less with other load."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=repo, check=True, capture_output=True)


def repository(gen: Path, work: Path, objects: int) -> Path:
    """A git repository: the corpus, then a commit changing one policy file."""
    repo = work / f"diff{objects}"
    if (repo / ".git").exists():
        return repo
    corpus = work / f"c{objects}"
    if not corpus.exists():
        subprocess.run([sys.executable, str(gen), "--objects", str(objects), "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(corpus, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "corpus")
    policy = sorted(repo.rglob("network-policies.yaml"))[0]
    text = policy.read_text(encoding="utf-8")
    changed, count = re.subn(r"port: (\d+)", lambda m: f"port: {int(m.group(1)) + 1}", text, count=1)
    assert count == 1, policy
    policy.write_text(changed, encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", f"change {policy.relative_to(repo)}")
    return repo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/svclint-bench"))
    parser.add_argument("--gen", type=Path, default=GEN)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    repo = repository(args.gen, args.work, args.objects)
    svclint = [sys.executable, "-m", "svclint"]
    runs: dict[str, list[tuple[float, float, float, int]]] = {"check": [], "diff": []}
    for _ in range(args.rounds):
        runs["check"].append(measure(svclint + ["check", ".", "--isolated", "--format", "json", "-o", os.devnull], repo))
        runs["diff"].append(measure(svclint + ["diff", "HEAD~1", "HEAD", "--isolated", "--format", "json", "-o", os.devnull], repo))
    wall = {name: statistics.median(r[0] for r in rows) for name, rows in runs.items()}
    cpu = {name: statistics.median(r[1] for r in rows) for name, rows in runs.items()}
    print(f"{args.objects} objects, {args.rounds} alternating rounds, medians; load average {os.getloadavg()[0]:.1f}")
    print("| run | wall (s) | CPU (s) | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|---:|")
    for name, command in (("check", "svclint check ."), ("diff", "svclint diff HEAD~1 HEAD")):
        rss = max(r[2] for r in runs[name])
        print(f"| {command} | {wall[name]:.1f} | {cpu[name]:.1f} | {rss:.0f} | {runs[name][0][3]} |")
    print(f"\ndiff / check: wall {wall['diff'] / wall['check']:.2f}, CPU {cpu['diff'] / cpu['check']:.2f} (target at most {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
