#!/usr/bin/env python3
"""Time ``svclint check`` with the parse cache against a plain libyaml load (issue 15).

For each corpus size this generates the tree (``--generator``, default the project's own),
lists its files with svclint's discovery, and runs, side by side, ``--runs`` times each, in
an order rotated every round, as separate processes (``bench_load.measure``):

* ``plain``: ``yaml.load_all(..., Loader=yaml.CSafeLoader)`` over every file;
* ``no cache``: ``svclint check DIR --format json --isolated --no-cache`` (today's run);
* ``cold``: the same with an empty cache directory (parses and writes every entry);
* ``warm``: the same with the cache full, nothing changed;
* ``one changed``: warm, after one manifest's data was edited (a label value or a port,
  alternating), a different manifest each round, picked at random (seeded: the same ones
  every time) from the whole tree: a typical edit;
* ``controller changed``: the same edit of the first manifest, the shared corpus's ingress
  controller. Its namespace is an identity every Service's reachability depends on, so
  the routing rules check every file again: the worst one-file edit;
* ``daemon: ...``: the last three again, with ``svclint daemon`` running (its own cache
  directory). A daemon side's CPU is the client's plus the run the daemon forked for it;
  what the daemon spends off the checks' path (reading a kept load back after a run, the
  spare child touching its pages while it waits) is printed at the end, per check.

The cached sides come in two groups (in-process and daemon), each with its own cache; an
unmeasured run catches a group's cache up with the other group's edits before its
``warm`` run, so that every ``warm`` run has nothing changed and every ``one changed`` run
exactly one file.

The last round's reports of every cached run are compared with an uncached run of the same
bytes: the benchmark fails if a cached run says anything else. The
medians go into docs/bench.md between ``<!-- cache:begin -->`` and ``<!-- cache:end -->``.

    python benchmarks/bench_cache.py --generator ../shared/bench/gen_corpus.py --objects 10000
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_load import PLAIN_LOAD, REPO, Sample, _env, corpus, file_list, measure, median  # noqa: E402

SIDES = (
    "plain", "no cache", "cold", "warm", "one changed", "controller changed",
    "daemon: warm", "daemon: one changed", "daemon: controller changed",
)
CACHED = ("cold", "warm", "one changed", "controller changed", "daemon: warm", "daemon: one changed", "daemon: controller changed")
# The runs of one cache, in order: before each group, an unmeasured run catches its cache up
# with the edits the other group made, so that "warm" is a run with nothing changed since.
GROUPS = (("plain",), ("no cache",), ("cold",), ("warm", "one changed", "controller changed"),
          ("daemon: warm", "daemon: one changed", "daemon: controller changed"))
BEGIN, END = "<!-- cache:begin -->", "<!-- cache:end -->"


_LABEL = re.compile(rb"^(\s+labels:\n\s+[\w./-]+: )([^\n]*?)(-edited)?$", re.M)
_PORT = re.compile(rb"(containerPort|port|targetPort): (\d+)")


def _edit(path: str, count: int) -> None:
    """Change one file's data, a cache miss that changes what the rules see: on even calls
    the first label's value (``-edited`` added or removed), on odd calls the first port
    (an even port +1, an odd one -1). Falls back to a comment line when neither is there."""
    with open(path, "rb") as handle:
        data = handle.read()
    label, port = _LABEL.search(data), _PORT.search(data)
    if label and (count % 2 == 0 or not port):
        value = label.group(2) if label.group(3) else label.group(2) + b"-edited"
        data = data[: label.start(2)] + value + data[label.end() :]
    elif port:
        number = int(port.group(2))
        data = data[: port.start(2)] + str(number + 1 if number % 2 == 0 else number - 1).encode() + data[port.end(2) :]
    else:
        marker = b"# bench_cache edit\n"
        data = data[: -len(marker)] if data.endswith(marker) else data + (b"" if data.endswith(b"\n") else b"\n") + marker
    with open(path, "wb") as handle:
        handle.write(data)


def bench(directory: str, listing: str, runs: int, work: str) -> dict[str, list[Sample]]:
    env = _env(REPO)
    env["XDG_CACHE_HOME"] = os.path.join(work, "user-cache")
    env["XDG_RUNTIME_DIR"] = os.path.join(work, "run")  # the daemon's socket: this benchmark's own
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    here = dict(env, SVCLINT_NO_DAEMON="1")
    check = [sys.executable, "-m", "svclint", "check", directory, "--format", "json", "--isolated"]
    with open(listing, encoding="utf-8") as handle:
        manifests = [line for line in handle.read().splitlines() if line.endswith((".yaml", ".yml"))]
    controller, typical = manifests[0], random.Random(15).sample(manifests[1:], runs)
    samples: dict[str, list[Sample]] = {side: [] for side in SIDES}
    # Read every file once, unmeasured, so that no side pays for reading them from disk.
    subprocess.run([sys.executable, "-c", PLAIN_LOAD, listing], env=here, check=True)
    daemon = Daemon(env)
    try:
        for run in range(runs):
            last = run == runs - 1
            for group in GROUPS[run % len(GROUPS) :] + GROUPS[: run % len(GROUPS)]:
                daemon_group = group[0].startswith("daemon")
                cache = os.path.join(work, "cache-daemon" if daemon_group else "cache")
                if group[0] in ("warm", "daemon: warm"):  # catch up with the other group's edits
                    subprocess.run([*check, "--cache-dir", cache, "-o", os.devnull], env=env if daemon_group else here, check=False)
                    daemon.settle()
                for side in group:
                    output = os.path.join(work, f"{side.replace(' ', '-').replace(':', '')}.json") if last else os.devnull
                    if side == "plain":
                        argv = [sys.executable, "-c", PLAIN_LOAD, listing]
                    elif side == "no cache":
                        argv = [*check, "--no-cache", "-o", output]
                    elif side == "cold":
                        cold = os.path.join(work, "cold-cache")
                        shutil.rmtree(cold, ignore_errors=True)
                        argv = [*check, "--cache-dir", cold, "-o", output]
                    else:
                        if side.endswith("one changed"):
                            _edit(typical[run], run)
                        elif side.endswith("controller changed"):
                            _edit(controller, run)
                        argv = [*check, "--cache-dir", cache, "-o", output]
                    before = daemon.settle()
                    sample = measure(argv, env if daemon_group else here)
                    if daemon_group:  # add the run the daemon forked for it (its CPU is the daemon's child's)
                        after = daemon.settle()
                        if after["checks"] != before["checks"] + 1:
                            raise SystemExit(f"{side}: the check did not run in the daemon")
                        sample = replace(sample, cpu=sample.cpu + after["runs_cpu"] - before["runs_cpu"])
                        daemon.background += after["own_cpu"] - before["own_cpu"] + after["spares_cpu"] - before["spares_cpu"]
                    if sample.exit_code not in (0, 1):
                        raise SystemExit(f"{side} failed with exit code {sample.exit_code} on {directory}")
                    samples[side].append(sample)
                    print(f"  {side:<12} run {run + 1}: {sample.wall:6.2f} s", file=sys.stderr)
                    if last and side in CACHED:  # the same bytes, uncached: must say the same
                        reference = os.path.join(work, "reference.json")
                        subprocess.run([*check, "--no-cache", "-o", reference], env=here, check=False)
                        if not filecmp.cmp(reference, output, shallow=False):
                            raise SystemExit(f"the {side} run differs from an uncached run of the same files")
        status = daemon.settle()
        measured = sum(len(samples[side]) for side in SIDES if side.startswith("daemon"))
        print(f"  daemon: {status['on_kept_load']} of {status['checks']} checks on a load it had read; off the "
              f"measured checks' path, {daemon.background / measured:.2f} s of CPU each (reading the load back, "
              "the spare touching its pages)", file=sys.stderr)
    finally:
        daemon.stop()
    return samples


class Daemon:
    """``svclint daemon`` for the daemon sides, and what its status says."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.background = 0.0  # CPU seconds the daemon spent itself (reading loads back), not on a check's path
        started = subprocess.run([sys.executable, "-m", "svclint", "daemon", "start", "--idle-timeout", "0"], env=env, check=False)
        if started.returncode != 0:
            raise SystemExit("svclint daemon did not start")

    def settle(self) -> dict[str, Any]:
        """The daemon's status once the runs it forked are collected (their CPU counted)."""
        while True:
            done = subprocess.run([sys.executable, "-m", "svclint", "daemon", "status", "-f", "json"], env=self.env, capture_output=True, check=False)
            status: dict[str, Any] = json.loads(done.stdout)
            if status.get("running") == 0:
                return status
            time.sleep(0.02)

    def stop(self) -> None:
        subprocess.run([sys.executable, "-m", "svclint", "daemon", "stop"], env=self.env, check=False, capture_output=True)


HEADINGS = {
    "no cache": "no cache", "cold": "cold", "warm": "warm, nothing changed", "one changed": "warm, one file changed",
    "controller changed": "warm, the ingress controller's file changed", "daemon: warm": "daemon: nothing changed",
    "daemon: one changed": "daemon: one file changed", "daemon: controller changed": "daemon: the controller's file changed",
}


def table(rows: list[tuple[str, dict[str, object], dict[str, list[Sample]]]], runs: int) -> str:
    headings = " | ".join(HEADINGS[side] for side in SIDES[1:])
    rule = "---:|" * (len(SIDES) - 1)
    lines = [
        f"Medians of {runs} runs, wall seconds, whole processes; ratio to the plain load in brackets.",
        "",
        f"| corpus | objects | files | plain load | {headings} |",
        f"|---|---:|---:|---:|{rule}",
    ]
    for name, stats, samples in rows:
        plain = median(samples["plain"], "wall")
        cells = [f"{plain:.2f}"]
        for side in SIDES[1:]:
            wall = median(samples[side], "wall")
            cells.append(f"{wall:.2f} (**{wall / plain:.2f}×**)")
        lines.append(f"| {name} | {stats['objects']:,} | {stats.get('files', '?'):,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "CPU seconds (user+sys, the process and its workers; for the daemon sides, also the run the daemon forked), medians; ratio to the plain load in brackets:",
        "",
        f"| corpus | objects | plain load | {headings} |",
        f"|---|---:|---:|{rule}",
    ]
    for name, stats, samples in rows:
        plain = median(samples["plain"], "cpu")
        cells = [f"{plain:.2f}"] + [f"{median(samples[side], 'cpu'):.2f} ({median(samples[side], 'cpu') / plain:.2f}×)" for side in SIDES[1:]]
        lines.append(f"| {name} | {stats['objects']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write(path: str, text: str) -> None:
    with open(path, encoding="utf-8") as handle:
        content = handle.read()
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = f"{head}{BEGIN}\n{text}{END}{rest.split(END, 1)[1]}"
    else:
        content += f"\n{BEGIN}\n{text}{END}\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generator", default=os.path.join(HERE, "gen_corpus.py"))
    parser.add_argument("--objects", type=int, action="append", help="corpus sizes (default 10000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", default=os.path.join(tempfile.gettempdir(), "svclint-bench"))
    parser.add_argument("--output", default=os.path.join(REPO, "docs", "bench.md"))
    args = parser.parse_args(argv)
    os.makedirs(args.root, exist_ok=True)
    name = "shared" if os.path.basename(args.generator) == "gen_corpus.py" and os.path.dirname(os.path.abspath(args.generator)) != HERE else "svclint"
    rows = []
    for objects in args.objects or [10000]:
        directory, stats = corpus(args.generator, objects, args.root, f"cache-{name}", 1, False)
        listing = file_list(directory, args.root)
        with tempfile.TemporaryDirectory() as work:
            rows.append((name, stats, bench(directory, listing, args.runs, work)))
    text = table(rows, args.runs)
    print(text)
    write(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
