"""The benchmark generator stays deterministic and its planted defects are what svclint finds.

The benchmark itself is run by hand (benchmarks/bench_load.py); this keeps its input honest:
if the generator drifted, or svclint stopped finding a planted defect, the published table
would silently measure something else.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, run_cli

GENERATOR = REPO / "benchmarks" / "gen_corpus.py"


def _generate(out: Path, seed: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--objects", "2000", "--out", str(out), "--seed", str(seed)],
        check=True, capture_output=True, text=True,
    )
    stats: dict[str, Any] = json.loads(done.stdout)
    return stats


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    return out, _generate(out, 3)


def test_the_same_seed_writes_the_same_tree(corpus: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, stats = corpus
    assert _generate(tmp_path / "again", 3) == stats
    assert _tree(tmp_path / "again") == _tree(out)
    assert stats["files"] == len(_tree(out))


def test_svclint_finds_exactly_the_planted_defects(corpus: tuple[Path, dict[str, Any]]) -> None:
    out, stats = corpus
    run = run_cli("check", str(out), "--isolated", "--format", "json")
    assert run.exit_code == 1, run.stderr
    payload = run.json()
    found = Counter(f["rule"] for f in payload["findings"])
    defects = stats["defects"]
    assert payload["summary"]["objects"] == stats["objects"]
    assert payload["summary"]["files"] == stats["files"]
    assert found["SVC001"] == defects["yaml_syntax_error"] == 1
    assert found["SVC003"] == defects["duplicate_object"] > 0
    assert found["SVC101"] == defects["service_selector_matches_nothing"] > 0
    assert found["SVC201"] == defects["node_port_out_of_range"] > 0
    assert found["SVC202"] == defects["node_port_requested_twice"] > 0
    assert found["SVC301"] == defects["ingress_backend_missing"] > 0
    assert found["SVC104"] >= 1 and defects["service_target_port_unknown_name"] >= 1
