"""Issue 16: hostile sizes and numbers cost linear time and never crash a rule."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import run_cli

BIG_HEX = "0x" + "f" * 3700  # about 4,450 decimal digits: past Python's int-to-str limit
BIG_FORMS = {"hex": BIG_HEX, "octal": "0o" + "7" * 5000, "binary": "0b" + "1" * 15000, "base-60": "1" + ":59" * 2600}


@pytest.mark.parametrize("form", sorted(BIG_FORMS))
def test_huge_integers_never_crash_a_rule(tmp_path: Path, form: str) -> None:
    big = BIG_FORMS[form]
    (tmp_path / "big.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector:\n    app: web\n"
        f"  ports:\n    - port: {big}\n      targetPort: {big}\n      nodePort: {big}\n      name: {big}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        f"  replicas: {big}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n"
        f"        app: web\n        v: {big}\n    spec:\n      containers:\n        - name: web\n          ports:\n"
        f"            - containerPort: {big}\n              hostPort: {big}\n"
    )
    (tmp_path / "other.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: other\nspec:\n  selector:\n    app: nothing\n  ports:\n    - port: 80\n"
    )
    run = run_cli("check", str(tmp_path), "--isolated", "-f", "json")
    assert run.exit_code == 1  # findings, not a crash (2)
    assert run.json()["errors"] == []
    assert "crashed" not in run.stderr
    findings = {(f["rule"], Path(f["file"]).name, f["line"]) for f in run.json()["findings"]}
    # The value is read as kubectl's go-yaml reads an integer past 64 bits: as a string.
    assert ("SVC002", "big.yaml", 10) in findings  # spec.ports[0].port must be an integer
    assert ("SVC101", "other.yaml", 6) in findings  # the other file's findings are intact


def _ports_file(path: Path, count: int, per_container: bool) -> Path:
    service = ["apiVersion: v1", "kind: Service", "metadata: {name: web}", "spec:", "  selector: {app: web}", "  ports:"]
    service += [f"    - {{name: p{i}, port: {1 + i}, targetPort: p{i}}}" for i in range(count)]
    pod = ["apiVersion: apps/v1", "kind: Deployment", "metadata: {name: web}", "spec:", "  selector: {matchLabels: {app: web}}",
           "  template:", "    metadata: {labels: {app: web}}", "    spec:", "      containers:"]
    if per_container:
        pod += [f"        - {{name: c{i}, ports: [{{name: p{i}, containerPort: {1 + i}}}]}}" for i in range(count)]
    else:
        pod += ["        - name: web", "          ports:"]
        pod += [f"            - {{name: p{i}, containerPort: {1 + i}}}" for i in range(count)]
    path.write_text("\n".join(service) + "\n---\n" + "\n".join(pod) + "\n")
    return path


def _seconds(path: Path) -> float:
    """CPU seconds of a whole check of ``path`` in this process (one job, no cache: each run
    parses and runs every rule). CPU time, not wall: the suite shares the cores with other work."""
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        run = run_cli("check", str(path), "--isolated", "--no-cache", "-f", "json", "--jobs", "1")
        best = min(best, time.process_time() - started)
        assert run.exit_code in (0, 1), run.stderr
    return best


@pytest.mark.parametrize("per_container", [False, True], ids=["ports", "containers"])
def test_rules_are_linear_in_ports_and_containers(tmp_path: Path, per_container: bool) -> None:
    """A Service and a pod with N ports (or N one-port containers): 8x the ports must cost
    far less than the 64x of a quadratic rule (16k ports took 27 s before, 100k 17 min)."""
    small = _seconds(_ports_file(tmp_path / "small.yaml", 1000, per_container))
    large = _seconds(_ports_file(tmp_path / "large.yaml", 8000, per_container))
    assert large / small < 24, (small, large)
