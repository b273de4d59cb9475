"""benchmarks/netpol_analyzer_agreement.py on a tree shaped like netpol-analyzer's (our own fixtures)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "netpol_analyzer_agreement.py"
TREE = FIXTURES / "netpol-analyzer-shape"


def run(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def test_split_ranges_are_normalised_and_non_plain_cases_left_out() -> None:
    out = run(TREE)
    assert "agree    two_pods" in out
    assert "with_anp" not in out.split("\n\n")[0]
    assert out.rstrip().endswith("1 of 1 plain-Kubernetes cases agree (100.0%); 1 cases left out (not plain Kubernetes)")


def test_a_different_connection_is_a_disagreement(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(TREE, copy)
    expected = copy / "test_outputs" / "connlist" / "two_pods_connlist_output.txt"
    expected.write_text(expected.read_text().replace("demo/client[Pod] => demo/api-6b9c7d[ReplicaSet] : TCP 8080", "demo/client[Pod] => demo/api-6b9c7d[ReplicaSet] : TCP 9090"))
    out = run(copy, "-v")
    assert "DIFFER   two_pods  (-1 missing, +1 extra)" in out
    assert "    - demo/client[Pod] => demo/api-6b9c7d[ReplicaSet] : TCP 9090" in out
    assert "    + demo/client[Pod] => demo/api-6b9c7d[ReplicaSet] : TCP 8080" in out
    assert "0 of 1 plain-Kubernetes cases agree (0.0%)" in out
