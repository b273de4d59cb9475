"""The services scenario: a realistic shop with deliberate SVC1xx defects.

fixtures/scenarios/services holds several Deployments, StatefulSets (with headless and
ClusterIP Services), sidecars, multi-port Services, manual EndpointSlices and an
ExternalName Service. Every default rule must report exactly the ``# expect:`` markers,
and the text report must equal the golden file byte for byte.
"""

from __future__ import annotations

from typing import Any

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

SCENARIO = FIXTURES / "scenarios" / "services"
TARGET = str(SCENARIO.relative_to(REPO))


def test_default_rules_report_exactly_the_markers() -> None:
    run = run_cli("check", TARGET, "--format", "json", "--isolated")
    assert run.exit_code == 1, run.stderr  # SVC103 and SVC104 are errors
    payload = run.json()
    assert payload["errors"] == []
    markers = expected_markers(sorted(SCENARIO.glob("*.yaml")))
    assert sum(markers.values()) == 9
    assert finding_keys(payload) == markers


def test_text_report_matches_the_golden_file(golden: Any) -> None:
    run = run_cli("check", TARGET, "--isolated")
    assert run.exit_code == 1, run.stderr
    golden(SCENARIO / "expected.txt", run.stdout)

