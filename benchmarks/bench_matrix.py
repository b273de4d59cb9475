#!/usr/bin/env python3
"""Time `svclint matrix` (and NCA side by side) on generated corpora.

    python benchmarks/bench_matrix.py                  # 10k-object corpus: matrix csv, one-namespace views, check
    python benchmarks/bench_matrix.py --nca 581        # also NCA vs svclint on a 581-object corpus

Corpora come from ../shared/bench/gen_corpus.py (--gen to point elsewhere) and are cached in
--work. Each command runs as a child process; wall time and the child's peak RSS (wait4) are
printed as a Markdown table (docs/routing.md keeps the last one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

GEN = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"


def measure(argv: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def corpus(gen: Path, work: Path, objects: int) -> Path:
    out = work / f"c{objects}"
    if not out.exists():
        subprocess.run([sys.executable, str(gen), "--objects", str(objects), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/svclint-bench"))
    parser.add_argument("--gen", type=Path, default=GEN)
    parser.add_argument("--nca", type=int, default=0, metavar="OBJECTS", help="also compare with NCA on a corpus of this size")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    svclint = [sys.executable, "-m", "svclint"]
    rows: list[tuple[str, float, float, int]] = []

    big = corpus(args.gen, args.work, args.objects)
    out = args.work / "matrix.csv"
    wall, rss, code = measure(svclint + ["matrix", str(big), "--format", "csv", "-o", str(out)])
    lines = sum(1 for _ in open(out, encoding="utf-8")) - 1
    rows.append((f"matrix csv, every cell ({lines:,} rows, {out.stat().st_size / 2**20:,.0f} MiB)", wall, rss, code))
    namespace = sorted(p.name for p in big.glob("*/*/*") if p.is_dir())[0]
    rows.append((f"matrix csv --namespace {namespace}", *measure(svclint + ["matrix", str(big), "--format", "csv", "-n", namespace, "-o", str(out)])))
    rows.append(("matrix csv --from one workload", *measure(svclint + ["matrix", str(big), "--format", "csv", "--from", f"{namespace}/*", "-o", str(out)])))
    rows.append(("check (all default rules, SVC4xx included)", *measure(svclint + ["check", str(big), "--format", "json", "-o", str(out)])))
    rows.append(("check --ignore SVC4 (without routing)", *measure(svclint + ["check", str(big), "--ignore", "SVC4", "--format", "json", "-o", str(out)])))

    if args.nca:
        small = corpus(args.gen, args.work, args.nca)
        rows.append((f"svclint matrix connlist, {args.nca} objects", *measure(svclint + ["matrix", str(small), "--format", "connlist", "-o", str(out)])))
        rows.append((f"svclint matrix csv, {args.nca} objects", *measure(svclint + ["matrix", str(small), "--format", "csv", "-o", str(out)])))
        nca = shutil.which("nca") or str(Path(sys.executable).with_name("nca"))
        rows.append((f"NCA --connectivity -o txt_no_fw_rules, {args.nca} objects", *measure([nca, "--connectivity", "-r", str(small), "-o", "txt_no_fw_rules", "-f", str(out)])))

    print("| run | wall (s) | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|")
    for name, wall, rss, code in rows:
        print(f"| {name} | {wall:.1f} | {rss:.0f} | {code} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
