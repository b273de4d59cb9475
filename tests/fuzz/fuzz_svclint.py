#!/usr/bin/env python3
"""Coverage-guided fuzzing of svclint with atheris (libFuzzer for Python).

Targets:
  loader  bytes -> decode -> parse_stream -> locate every problem: never raises, problems lie
          inside the text.
  check   bytes as standard input -> the whole check pipeline with every rule enabled ->
          every formatter: no rule crash, no exception, machine formats parse.
  config  bytes as a repository's .svclint.yaml -> read, validate, apply: a ConfigError
          naming the file and a line, or Settings; nothing else (issue 16).
  rules   bytes as a repository's rule file -> load it, then run it on the seed manifests:
          a RuleFileError naming the file and a line, or a rule that never crashes.

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
    from svclint.lint.catalog import Catalog, build_catalog
    from svclint.lint.config import ConfigError, apply_config, read_config, validate_config
    from svclint.lint.declarative import RuleFileError, load_rule_file
    from svclint.lint.report_data import build_report
    from svclint.loading.parsing import parse_bytes
    from svclint.loading.source import split_lines
    from svclint.report import FORMATTERS
    from svclint.report.options import FormatOptions
    from svclint.settings import Limits, Settings

REPO = Path(__file__).resolve().parents[2]
SEED_DIRS = ("fixtures/rules", "fixtures/bad-input", "fixtures/examples", "fixtures/core", "fixtures/scenarios")
TARGET_SEEDS = {"config": ("fixtures/config",), "rules": ("rules",)}  # the others: SEED_DIRS
SCRATCH = Path(tempfile.mkdtemp(prefix="svclint-fuzz-files-"))
MANIFESTS = REPO / "fixtures" / "rules" / "SVC215" / "bad.yaml"
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


def fuzz_config(data: bytes) -> None:
    path = SCRATCH / ".svclint.yaml"
    path.write_bytes(data)
    try:
        config = read_config(str(path))
        validate_config(config)
        apply_config(Settings(), config)
    except ConfigError as error:
        if not str(error).startswith(f"{path}:"):
            raise FuzzFailure(f"config error without file and line: {error}") from None


_RULE_FILES = iter(range(10**12))


def fuzz_rules(data: bytes) -> None:
    path = SCRATCH / f"rule-{next(_RULE_FILES)}.yaml"  # a new name: load_rule_file caches per file
    path.write_bytes(data)
    try:
        rule = load_rule_file(path, "rule.yaml")
    except RuleFileError as error:
        if not str(error).startswith("rule.yaml:"):
            raise FuzzFailure(f"rule file error without a line: {error}") from None
        return
    finally:
        path.unlink()
    result = lint_paths([str(MANIFESTS)], Settings(select=(rule.id,), limits=LIMITS), catalog=Catalog([rule]))
    if result.crashes:
        raise FuzzFailure(f"rule from a fuzzed file crashed: {result.crashes[0].error}\n{result.crashes[0].traceback}")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "loader": fuzz_loader, "check": fuzz_check, "config": fuzz_config, "rules": fuzz_rules,
}


def seed_corpus(into: Path, target: str = "check") -> None:
    """Every fixture file, flattened into one directory (libFuzzer adds its finds there)."""
    for seed_dir in TARGET_SEEDS.get(target, SEED_DIRS):
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
        seed_corpus(Path(corpus), argv[1])
        extra = [f"-dict={DICTIONARY}"] if DICTIONARY.exists() else []
        atheris.Setup([argv[0], *extra, *flags, corpus], target)
        atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
