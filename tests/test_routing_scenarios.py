"""Golden outputs of realistic scenarios (fixtures/scenarios/<app>/) and of `svclint explain`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, run_cli

SCENARIOS = sorted(p for p in (FIXTURES / "scenarios").iterdir() if p.is_dir())
GOLDEN = {
    "matrix.csv": ("matrix", "--format", "csv"),
    "matrix.txt": ("matrix", "--format", "table"),
    "connlist.txt": ("matrix", "--format", "connlist"),
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
@pytest.mark.parametrize("output", sorted(GOLDEN))
def test_scenario_golden(scenario: Path, output: str, golden: Any) -> None:
    command, *args = GOLDEN[output]
    run = run_cli(command, str(scenario.relative_to(FIXTURES.parent)), *args)
    assert run.exit_code == 0, run.stderr
    golden(scenario / output, run.stdout)


@pytest.mark.parametrize(
    "golden,source,destination",
    [
        ("explain-frontend-catalog.txt", "frontend", "shop/catalog:80"),
        ("explain-external-frontend.txt", "external", "frontend"),
    ],
)
def test_explain_golden(golden: str, source: str, destination: str) -> None:
    run = run_cli("explain", source, destination, "fixtures/scenarios/shop")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == (FIXTURES / "scenarios" / "shop" / golden).read_text(encoding="utf-8")


def test_explain_names_the_blocking_policy_and_dns() -> None:
    run = run_cli("explain", "blocked", "server", "fixtures/routing/dns.yaml")
    lines = run.stdout.splitlines()
    assert lines[0] == "t/blocked[Deployment] -> t/server[Service]:8080/TCP: allow dns-blocked"
    assert (
        "    egress denied: t/blocked[Deployment] is isolated by NetworkPolicy t/blocked and no egress rule "
        "allows kube-system/coredns[Deployment] on UDP 53  [fixtures/routing/dns.yaml:53]"
    ) in lines


def test_explain_usage_errors() -> None:
    assert run_cli("explain", "nobody", "frontend", "fixtures/scenarios/shop").exit_code == 2
    missing = run_cli("explain", "frontend", "nothing:1", "fixtures/scenarios/shop")
    assert missing.exit_code == 2 and "matches no Service port" in missing.stderr


def test_correct_platform_is_clean_under_every_default_rule() -> None:
    run = run_cli("check", "fixtures/scenarios/platform", "--isolated", "-f", "json")
    assert run.exit_code == 0, run.stdout
    assert run.json()["findings"] == []
