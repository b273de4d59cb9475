#!/usr/bin/env python3
"""Time ``svclint check`` against a plain libyaml load of the same files.

For each corpus size (default 1k, 10k, 50k objects) this generates a tree with the
project's own generator (and, with ``--shared-generator``, with the reference generator
too), lists its files once with svclint's own discovery, and then runs, alternately and
``--runs`` times each, as separate processes:

* ``python -m svclint check DIR --format json -o /dev/null`` (the whole tool: start-up,
  discovery, loading, graph, every default rule, locations of findings, JSON output);
* ``python -c <plain load>``: ``yaml.load_all(f, Loader=yaml.CSafeLoader)`` over every one
  of those files, keeping the documents (the fastest standard way to merely read them).

Both are measured the same way: wall time from spawn to exit, CPU time and peak RSS from
``os.wait4`` (the largest single process, children included), and, on Linux, the peak of
the summed RSS of the whole process tree sampled every 20 ms (svclint forks loader workers).
The medians go into a Markdown table, written between the ``<!-- bench:begin -->`` and
``<!-- bench:end -->`` markers of ``--output`` (default docs/bench.md) so the prose around
it stays.

With ``--baseline DIR`` the svclint of another checkout (``git worktree add /tmp/base
main``) is timed in the same rotation, so a change is compared with what it changes on the
same machine at the same moment.

Not a test: run it by hand, on an otherwise idle machine.

    python benchmarks/bench_load.py --shared-generator ../shared/bench/gen_corpus.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

PLAIN_LOAD = """
import sys, yaml
documents, errors = [], 0
with open(sys.argv[1], encoding="utf-8") as listing:
    paths = listing.read().splitlines()
for path in paths:
    with open(path, "rb") as handle:
        try:
            documents.extend(yaml.load_all(handle, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            errors += 1
print(len(documents), errors)
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mib: float  # largest single process (wait4 ru_maxrss)
    tree_rss_mib: float | None  # peak of the summed RSS of the process tree (sampled)
    exit_code: int


@dataclass
class Row:
    corpus: str
    stats: dict[str, Any]
    plain: list[Sample] = field(default_factory=list)
    svclint: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)  # --baseline: another checkout's svclint
    findings: dict[str, int] = field(default_factory=dict)


# -- measuring a process -----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _tree_rss(pid: int, page: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(current))
    return total


def measure(argv: Sequence[str], env: dict[str, str] | None = None) -> Sample:
    """Run ``argv`` to completion; wall time, CPU time and peak memory of it and its children."""
    sample_tree = os.path.exists("/proc/self/statm")
    page = os.sysconf("SC_PAGE_SIZE") if sample_tree else 0
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss(process.pid, page))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample_tree:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sample_tree:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, peak[0] / 2**20 if sample_tree else None, process.returncode)


# -- corpora ---------------------------------------------------------------------------------


def corpus(generator: str, objects: int, root: str, name: str, seed: int, regenerate: bool) -> tuple[str, dict[str, Any]]:
    """Generate (or reuse) the tree for ``objects`` objects; its directory and stats."""
    out = os.path.join(root, f"{name}-{objects}")
    stats_path = out + ".stats.json"
    if not regenerate and os.path.isdir(out) and os.path.exists(stats_path):
        with open(stats_path, encoding="utf-8") as handle:
            stats = json.load(handle)
        if stats.get("seed") == seed:
            return out, stats
    print(f"generating {out} ...", file=sys.stderr)
    subprocess.run([sys.executable, generator, "--objects", str(objects), "--out", out, "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    with open(stats_path, encoding="utf-8") as handle:
        return out, json.load(handle)


def file_list(directory: str, root: str) -> str:
    """The files svclint will read, listed once so the plain load reads exactly those."""
    sys.path.insert(0, REPO)
    from svclint.loading.discovery import discover

    files = discover([directory], cwd=directory)
    listing = os.path.join(root, os.path.basename(directory) + ".files")
    with open(listing, "w", encoding="utf-8") as handle:
        handle.write("\n".join(os.path.abspath(f) for f in files) + "\n")
    return listing


def _env(checkout: str) -> dict[str, str]:
    compile_package(checkout)
    return dict(os.environ, PYTHONPATH=checkout + os.pathsep + os.environ.get("PYTHONPATH", ""))


def compile_package(checkout: str) -> None:
    """Write svclint's bytecode once, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE
    set (CI images, some shells) a checkout would otherwise be compiled again by every
    measured process (about 0.2 s of CPU each), which an installed package never is."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(checkout, "svclint")], check=True)


def bench(row: Row, directory: str, listing: str, runs: int, jobs: int | None, baseline: str | None = None) -> None:
    svclint = [sys.executable, "-m", "svclint", "check", directory, "--format", "json", "--isolated"]
    if jobs is not None:
        svclint += ["--jobs", str(jobs)]
    plain = [sys.executable, "-c", PLAIN_LOAD, listing]
    env = _env(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        for run in range(runs):
            # Rotate the order so drift (page cache, thermal, other load) favours no side.
            last = run == runs - 1
            target = svclint + ["-o", report if last else os.devnull]
            sides = [("plain", plain, env), ("svclint", target, env)]
            if baseline is not None:
                sides.append(("baseline", svclint + ["-o", os.devnull], _env(baseline)))
            shift = run % len(sides)
            for what, argv, side_env in sides[shift:] + sides[:shift]:
                sample = measure(argv, side_env)
                if what != "plain" and sample.exit_code not in (0, 1):
                    raise SystemExit(f"{what} svclint failed with exit code {sample.exit_code} on {directory}")
                if what == "plain" and sample.exit_code != 0:
                    raise SystemExit(f"the plain load failed with exit code {sample.exit_code}")
                {"plain": row.plain, "svclint": row.svclint, "baseline": row.baseline}[what].append(sample)
                print(f"  {row.corpus} {row.stats['objects']:>6} {what:<8} run {run + 1}: {sample.wall:6.2f} s, "
                      f"{sample.max_rss_mib:6.0f} MiB", file=sys.stderr)
        with open(report, encoding="utf-8") as handle:
            payload = json.load(handle)
    for finding in payload["findings"]:
        row.findings[finding["rule"]] = row.findings.get(finding["rule"], 0) + 1


# -- report ----------------------------------------------------------------------------------


def median(samples: list[Sample], attribute: str) -> float:
    values = [getattr(s, attribute) for s in samples if getattr(s, attribute) is not None]
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
            memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import yaml

    libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "WITHOUT libyaml"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; PyYAML {yaml.__version__} {libyaml}")


def markdown(rows: list[Row], runs: int, targets: dict[str, float], load: tuple[float, float]) -> str:
    lines = [
        "| corpus | objects | files | MB | libyaml plain load s | svclint check s | ratio | svclint peak RSS MiB (largest process / all processes) | plain load peak RSS MiB | findings |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        plain, ours = median(row.plain, "wall"), median(row.svclint, "wall")
        tree = median(row.svclint, "tree_rss_mib")
        findings = ", ".join(f"{rule} {count}" for rule, count in sorted(row.findings.items())) or "none"
        lines.append(
            f"| {row.corpus} | {row.stats['objects']:,} | {row.stats['files']:,} | {row.stats['bytes'] / 1e6:.1f} | "
            f"{plain:.2f} | {ours:.2f} | **{ours / plain:.2f}×** | {median(row.svclint, 'max_rss_mib'):.0f} / {tree:.0f} | "
            f"{median(row.plain, 'max_rss_mib'):.0f} | {findings} |"
        )
    if any(row.baseline for row in rows):
        lines.append("")
        lines.append("Side by side with `--baseline` (another checkout, run in the same rotation):")
        lines.append("")
        lines.append("| corpus | objects | baseline s | baseline ratio | this checkout s | ratio | this / baseline |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            plain, ours, base = (median(samples, "wall") for samples in (row.plain, row.svclint, row.baseline))
            lines.append(f"| {row.corpus} | {row.stats['objects']:,} | {base:.2f} | {base / plain:.2f}× | "
                         f"{ours:.2f} | {ours / plain:.2f}× | {ours / base:.2f} |")
    lines.append("")
    lines.append(f"Wall times are medians of {runs} runs (whole processes, interpreter start included); "
                 "CPU times (user+sys, medians):")
    lines.append("")
    lines.append("| corpus | objects | plain load CPU s | svclint check CPU s |")
    lines.append("|---|---:|---:|---:|")
    for row in rows:
        lines.append(f"| {row.corpus} | {row.stats['objects']:,} | {median(row.plain, 'cpu'):.2f} | {median(row.svclint, 'cpu'):.2f} |")
    lines.append("")
    lines.append("Against the targets (10k: svclint ≤ 1.5× the plain load, peak memory ≤ 1 GiB; 50k ≤ 5.5× the 10k time):")
    lines.append("")
    for name in sorted({r.corpus for r in rows}):
        small = next((r for r in rows if r.corpus == name and 9000 <= r.stats["objects"] <= 11000), None)
        large = next((r for r in rows if r.corpus == name and 45000 <= r.stats["objects"] <= 55000), None)
        if small is not None:
            ratio = median(small.svclint, "wall") / median(small.plain, "wall")
            memory = max(median(small.svclint, "max_rss_mib"), median(small.svclint, "tree_rss_mib"))
            verdict = "met" if ratio <= targets["ratio"] and memory <= targets["memory"] else "MISSED"
            lines.append(f"- {name}, 10k: ratio {ratio:.2f}× (target ≤ {targets['ratio']}×), peak memory "
                         f"{memory:.0f} MiB (target ≤ {targets['memory']:.0f} MiB): **{verdict}**")
        if small is not None and large is not None:
            growth = median(large.svclint, "wall") / median(small.svclint, "wall")
            size_growth = large.stats["objects"] / small.stats["objects"]
            plain_growth = median(large.plain, "wall") / median(small.plain, "wall")
            verdict = "met" if growth <= targets["growth"] else "MISSED"
            lines.append(f"- {name}, 50k/10k: svclint {growth:.2f}× for {size_growth:.2f}× the objects "
                         f"(plain load {plain_growth:.2f}×; target ≤ {targets['growth']}×): **{verdict}**")
    lines.append("")
    lines.append(f"Machine: {machine()}. Measured {datetime.date.today().isoformat()} with "
                 f"`python benchmarks/bench_load.py`; load average {load[0]:.1f} before, {load[1]:.1f} after "
                 "(other work on the machine inflates wall times; the ratio compares runs taken side by side).")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated object counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median is reported)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "svclint-bench"),
                        help="where corpora are generated and reused")
    parser.add_argument("--shared-generator", metavar="PATH",
                        help="also benchmark the tree of this reference generator (e.g. ../shared/bench/gen_corpus.py)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild corpora even if --work holds them")
    parser.add_argument("--jobs", type=int, help="pass --jobs to svclint (default: automatic)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also time the svclint of another checkout (e.g. `git worktree add /tmp/base main`) side by side")
    parser.add_argument("--output", "-o", default=os.path.join(REPO, "docs", "bench.md"),
                        help="Markdown table to write ('-' for stdout only)")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    generators = [("svclint", os.path.join(HERE, "gen_corpus.py"))]
    if args.shared_generator:
        if os.path.exists(args.shared_generator):
            generators.append(("shared", os.path.abspath(args.shared_generator)))
        else:
            print(f"{args.shared_generator} not found: only the project's own corpus is measured", file=sys.stderr)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        for name, generator in generators:
            directory, stats = corpus(generator, size, args.work, name, args.seed, args.regenerate)
            row = Row(name, stats)
            baseline = os.path.abspath(args.baseline) if args.baseline else None
            bench(row, directory, file_list(directory, args.work), args.runs, args.jobs, baseline)
            rows.append(row)
    rows.sort(key=lambda r: (r.corpus, r.stats["objects"]))
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = markdown(rows, args.runs, {"ratio": 1.5, "memory": 1024.0, "growth": 5.5}, (load_before, load_after))
    print(text)
    if args.output != "-":
        write_between_markers(args.output, text)
    return 0


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_between_markers(path: str, table: str) -> None:
    """Replace the measured part of ``path`` (between the markers), keeping the prose around it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = f"{head}{BEGIN}\n{table}{END}{tail}"
    else:
        text = f"{text}{BEGIN}\n{table}{END}\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    sys.exit(main())
