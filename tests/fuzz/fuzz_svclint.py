#!/usr/bin/env python3
"""Coverage-guided fuzzing of svclint with atheris (libFuzzer for Python).

Targets:
  loader  bytes -> decode -> parse_stream -> locate every problem: never raises, problems lie
          inside the text.
  check   bytes as standard input -> the whole check pipeline with every rule enabled ->
          every formatter: no rule crash, no exception, machine formats parse.

Run (the seeds are copied from fixtures/ into a scratch corpus directory first):

    python tests/fuzz/fuzz_svclint.py check -max_total_time=900
    python tests/fuzz/fuzz_svclint.py loader -runs=100000 -jobs=2

Any extra arguments are libFuzzer flags. A crash is written as crash-<sha1> in the working
directory (or -artifact_prefix=DIR/); replay it with `svclint check - < crash-...`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["svclint"]):
    from svclint.api import lint_paths
    from svclint.lint.catalog import build_catalog
    from svclint.lint.report_data import build_report
    from svclint.loading.parsing import parse_bytes
    from svclint.loading.source import split_lines
    from svclint.report import FORMATTERS
    from svclint.report.options import FormatOptions
    from svclint.settings import Limits, Settings

REPO = Path(__file__).resolve().parents[2]
SEED_DIRS = ("fixtures/rules", "fixtures/bad-input", "fixtures/examples", "fixtures/core", "fixtures/scenarios")
DICTIONARY = Path(__file__).with_name("yaml.dict")

# Small limits so deep and wide inputs are cheap; the same code paths as the defaults.
LIMITS = Limits(max_depth=50, max_expanded_nodes=20_000, max_document_bytes=256 * 1024)
SETTINGS = Settings(select=("ALL",), limits=LIMITS)
CATALOG = build_catalog(False, ())


class FuzzFailure(Exception):
    """An invariant broke: the input that caused it is a bug report."""


def fuzz_loader(data: bytes) -> None:
    text, parsed = parse_bytes(data, LIMITS)
    lines = max(1, len(split_lines(text)))
    for problem in parsed.yaml_problems:
        if not (1 <= problem.line <= lines and problem.column >= 1):
            raise FuzzFailure(f"problem outside the text: {problem}")
    if parsed.read_error is not None and parsed.documents:
        raise FuzzFailure("documents from an unreadable input")


def fuzz_check(data: bytes) -> None:
    result = lint_paths(["-"], SETTINGS, stdin_bytes=data, catalog=CATALOG)
    if result.crashes:
        crash = result.crashes[0]
        raise FuzzFailure(f"rule {crash.rule_id} crashed: {crash.error}\n{crash.traceback}")
    lines = max(1, len(split_lines(result.load.sources[0].text)))
    for finding in result.findings:
        if not (1 <= finding.location.line <= lines and finding.location.column >= 1):
            raise FuzzFailure(f"finding outside the input ({lines} lines): {finding}")
    report = build_report(result)
    for name, formatter in sorted(FORMATTERS.items()):
        output = formatter(report, FormatOptions())
        if name in ("json", "sarif"):
            json.loads(output)


TARGETS: dict[str, Callable[[bytes], None]] = {"loader": fuzz_loader, "check": fuzz_check}


def seed_corpus(into: Path) -> None:
    """Every fixture file, flattened into one directory (libFuzzer adds its finds there)."""
    for seed_dir in SEED_DIRS:
        for path in sorted((REPO / seed_dir).rglob("*")):
            if path.is_file() and not path.is_symlink() and path.suffix in (".yaml", ".yml", ".json"):
                name = path.relative_to(REPO).as_posix().replace("/", "__")
                shutil.copyfile(path, into / name)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in TARGETS:
        print(__doc__, file=sys.stderr)
        return 2
    target = TARGETS[argv[1]]
    flags = argv[2:]
    with tempfile.TemporaryDirectory(prefix="svclint-fuzz-") as corpus:
        seed_corpus(Path(corpus))
        extra = [f"-dict={DICTIONARY}"] if DICTIONARY.exists() else []
        atheris.Setup([argv[0], *extra, *flags, corpus], target)
        atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
