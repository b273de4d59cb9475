"""Fast start: a command imports what it needs. `svclint --version` loads click and none of
the engine; a text check does not load the SARIF library (sarif-om, pbr, setuptools).
benchmarks/bench_startup.py times it. (jsonschema loads when a rule built on it runs: the
rule files' SVC215 is on by default, SVC004 is off.)"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import REPO

_PROBE = """
import json, sys
from svclint.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=REPO, capture_output=True, text=True, check=False)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


LIGHT = {"svclint", "svclint.cli", "svclint.cli.errors", "svclint.findings", "svclint.report", "svclint.escape", "svclint.report.options"}


def test_version_loads_nothing_of_the_engine() -> None:
    modules = _modules("--version")
    assert {m for m in modules if m.startswith("svclint")} <= LIGHT | {"svclint.parallel"}
    assert not {"yaml", "ruamel", "sarif_om", "jsonschema", "concurrent.futures"} & modules


def test_a_text_check_leaves_sarif_out() -> None:
    modules = _modules("check", "fixtures/rules/SVC101/bad.yaml", "--isolated")
    assert "svclint.lint.engine" in modules  # it did check
    assert not {"sarif_om", "pbr", "svclint.report.sarif"} & modules


def test_sarif_still_works_when_asked_for() -> None:
    done = subprocess.run([sys.executable, "-m", "svclint", "check", "fixtures/rules/SVC101/bad.yaml", "--isolated", "-f", "sarif"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert json.loads(done.stdout)["runs"][0]["results"][0]["ruleId"] == "SVC101"


def test_help_lists_every_command_in_order() -> None:
    done = subprocess.run([sys.executable, "-m", "svclint", "--help"], cwd=REPO, capture_output=True, text=True, check=True)
    commands = done.stdout.split("Commands:\n", 1)[1].split()
    assert [c for c in commands if c in ("check", "rules", "matrix", "explain")] == ["check", "rules", "matrix", "explain"]
