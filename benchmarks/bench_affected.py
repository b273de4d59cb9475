#!/usr/bin/env python3
"""Time ``affected_files`` (svclint/lint/checks/affected.py) for one-file edits (issue 15).

Generates the tree (``--generator``, default the project's own), loads it as ``check`` does
(one deployment unit), builds the graph and, for ``--edits`` seeded one-file edits of the
kinds a user makes (a pod template label value, a container port, a Service port, a
NetworkPolicy port), the next graph the way the language server does (``ManifestGraph(...,
previous=)``: the edited file loaded alone). For each edit it times the answers of SVC101,
SVC401-409 and SVC501-503 together and records how many files they name, on both paths of
SVC501-503: with the resolved references of the earlier run kept on the before graph's
routing model, and without them (the words of each namespace's pod specs and ConfigMaps,
first read of the objects and then kept on them).

    python benchmarks/bench_affected.py --generator ../shared/bench/gen_corpus.py --objects 10000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from bench_load import corpus  # noqa: E402

from svclint.api import load_units  # noqa: E402
from svclint.kube.graph import ManifestGraph  # noqa: E402
from svclint.kube.model import K8sObject  # noqa: E402
from svclint.kube.objects import load  # noqa: E402
from svclint.lint.checks.affected import affected_files  # noqa: E402
from svclint.parallel import gc_paused  # noqa: E402
from svclint.routing.calls import checked_references  # noqa: E402
from svclint.routing.model import routing_model  # noqa: E402
from svclint.settings import Settings  # noqa: E402

RULES = ("SVC101", "SVC401", "SVC402", "SVC403", "SVC404", "SVC405", "SVC406", "SVC407", "SVC408", "SVC409", "SVC501", "SVC502", "SVC503")
EDITS = (
    ("label", re.compile(r"^(\s+app\.kubernetes\.io/name: )(\S+)$", re.M), lambda v: v + "-x"),
    ("containerPort", re.compile(r"^(\s+(?:- )?containerPort: )(\d+)$", re.M), lambda v: str(int(v) + 1)),
    ("port", re.compile(r"^(\s+(?:- )?port: )(\d+)$", re.M), lambda v: str(int(v) + 1)),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", default=os.path.join(HERE, "gen_corpus.py"))
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default=tempfile.gettempdir())
    args = parser.parse_args()
    root, _ = corpus(args.generator, args.objects, args.root, "affected", args.seed, False)
    settings = Settings()
    [(_, result)] = load_units([root], settings, cwd=root)
    before = ManifestGraph(result.objects, settings.pod_sources)
    model = routing_model(before, settings)
    started = time.perf_counter()
    checked_references(model)  # what a full run of SVC501 leaves on the model
    print(f"{len(result.objects):,} objects; the earlier run's references: {time.perf_counter() - started:.3f}s", file=sys.stderr)
    rng = random.Random(args.seed)
    files = sorted({o.source.path for o in result.objects if not o.source.path.startswith(("platform", "_cluster"))})
    rows = []
    while len(rows) < args.edits:
        path = rng.choice(files)
        name, pattern, change = rng.choice(EDITS)
        full = os.path.join(root, path)
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        match = pattern.search(text)
        if match is None:
            continue
        edited = text[: match.start(2)] + change(match.group(2)) + text[match.end(2) :]
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(edited)
        try:
            fresh = load([full], settings, cwd=root, discovered=True).objects
        finally:
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(text)
        gone = [o for o in before.objects if o.source.path == path]
        objects = _replaced(before.objects, gone, fresh)
        after = ManifestGraph(objects, settings.pod_sources, previous=before)
        row = {"edit": f"{name} {path}"}
        for kept in (True, False):
            references = model._checked_references  # type: ignore[attr-defined]
            if not kept:
                del model._checked_references  # type: ignore[attr-defined]
            try:
                with gc_paused():  # as in a run (svclint.parallel)
                    started = time.perf_counter()
                    answers = {rule: affected_files(rule, before, after, gone, fresh, settings) for rule in RULES}
                    row[f"ms {kept}"] = (time.perf_counter() - started) * 1000
            finally:
                model._checked_references = references  # type: ignore[attr-defined]
            row[f"files {kept}"] = max((len(a) for a in answers.values() if a is not None), default=0)
            row[f"unknown {kept}"] = ",".join(rule for rule, a in answers.items() if a is None)
        rows.append(row)
        print(f"{row['edit']}: {row['ms True']:.1f} ms, {row['files True']} files; without references "
              f"{row['ms False']:.1f} ms, {row['files False']} files {row['unknown False']}", file=sys.stderr)
    for kept in (True, False):
        times = [float(r[f"ms {kept}"]) for r in rows]
        sizes = [int(r[f"files {kept}"]) for r in rows]
        print(f"| {'kept references' if kept else 'words of the text'} | {statistics.median(times):.1f} ms | {max(times):.1f} ms "
              f"| {statistics.median(sizes)} | {max(sizes)} | {sum(1 for r in rows if r[f'unknown {kept}'])} |")
    return 0


def _replaced(objects: list[K8sObject], gone: list[K8sObject], fresh: list[K8sObject]) -> list[K8sObject]:
    """``objects`` with ``gone`` replaced by ``fresh`` where the first of them stood."""
    ids = {id(o) for o in gone}
    at = next(i for i, o in enumerate(objects) if id(o) in ids)
    kept = [o for o in objects if id(o) not in ids]
    return kept[:at] + fresh + kept[at:]


if __name__ == "__main__":
    sys.exit(main())
