"""The ports scenario: a realistic shop with deliberate SVC2xx defects, under all default rules."""

from __future__ import annotations

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

SCENARIO = FIXTURES / "scenarios" / "ports"
TARGET = str(SCENARIO.relative_to(REPO))


def test_default_rules_report_exactly_the_markers() -> None:
    run = run_cli("check", TARGET, "--isolated", "--format", "json", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    files = sorted(SCENARIO.glob("*.yaml"))
    assert finding_keys(run.json()) == expected_markers(files)


def test_text_output_matches_the_golden_file_byte_for_byte() -> None:
    run = run_cli("check", TARGET, "--isolated", "--no-color")
    assert run.exit_code == 1  # errors at the default --fail-on error
    assert run.stdout == (SCENARIO / "expected.txt").read_text(encoding="utf-8")
