"""`check --baseline` / `--write-baseline`: the issue-13 round trip through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svclint.findings import LintReport
from svclint.lint.baseline import BaselineError, loads

from .conftest import FIXTURES, run_cli

SHOP = FIXTURES / "review" / "shop"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shop fixture (3 findings: one SVC215, two SVC111), checked from its directory."""
    shutil.copytree(SHOP, tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    return tmp_path / "shop"


def _rules(stdout: str) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["rule"]) for f in json.loads(stdout)["findings"]]


def test_round_trip_reports_only_the_new_defect_then_drops_the_fixed_one(shop: Path) -> None:
    written = run_cli("check", ".", "--isolated", "--write-baseline", "baseline.json")
    assert written.exit_code == 0, written.stderr
    assert "wrote 3 findings to the baseline baseline.json" in written.stderr
    text = (shop / "baseline.json").read_text()
    entries = json.loads(text)["findings"]
    assert [(e["path"], e["rule"], e["object"]) for e in entries] == [
        ("services.yaml", "SVC215", "Service default/frontend"),
        ("workloads.yaml", "SVC111", "Deployment default/cart"),
        ("workloads.yaml", "SVC111", "Deployment default/frontend"),
    ]
    assert len(text.splitlines()) == 3 + 5  # one line per entry: a review sees each change

    clean = run_cli("check", ".", "--isolated", "--baseline", "baseline.json", "-f", "json")
    assert clean.exit_code == 0 and _rules(clean.stdout) == []
    assert "3 findings recorded in the baseline baseline.json not reported" in clean.stderr

    # One new defect (a Service selecting no pod, SVC101), and lines moved above every old finding.
    services = (shop / "services.yaml").read_text()
    (shop / "services.yaml").write_text(
        "# moved down by this comment\n\n" + services
        + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: orders\nspec:\n  selector:\n    app: orders\n  ports:\n    - port: 80\n"
    )
    workloads = (shop / "workloads.yaml").read_text()
    (shop / "workloads.yaml").write_text("# a comment\n" + workloads)
    new = run_cli("check", ".", "--isolated", "--baseline", "baseline.json", "-f", "json")
    assert new.exit_code == 1
    assert _rules(new.stdout) == [("services.yaml", 33, "SVC101")]

    # Fix an old one (a readiness probe on cart): reported as fixed; rewriting drops it.
    (shop / "workloads.yaml").write_text(
        (shop / "workloads.yaml").read_text().replace(
            "          image: example/cart:1.0\n", "          image: example/cart:1.0\n          readinessProbe:\n            grpc:\n              port: 7070\n"
        )
    )
    fixed = run_cli("check", ".", "--isolated", "--baseline", "baseline.json")
    assert "fixed since the baseline baseline.json: SVC111 in workloads.yaml (Deployment default/cart)" in fixed.stderr
    run_cli("check", ".", "--isolated", "--write-baseline", "baseline.json")
    rewritten = json.loads((shop / "baseline.json").read_text())["findings"]
    assert sorted((e["rule"], e["object"]) for e in rewritten) == [
        ("SVC101", "Service default/orders"),
        ("SVC111", "Deployment default/frontend"),
        ("SVC215", "Service default/frontend"),
    ]
    assert run_cli("check", ".", "--isolated", "--baseline", "baseline.json", "-f", "sarif").exit_code == 0


def test_every_format_is_filtered(shop: Path) -> None:
    run_cli("check", ".", "--isolated", "--write-baseline", "b.json")
    for fmt in ("text", "json", "sarif", "github", "junit"):
        result = run_cli("check", ".", "--isolated", "--baseline", "b.json", "-f", fmt)
        assert result.exit_code == 0, fmt
        if fmt in ("text", "json", "github"):  # (SARIF and JUnit also list the rules that ran)
            assert "SVC111" not in result.stdout, fmt
    sarif = json.loads(run_cli("check", ".", "--isolated", "--baseline", "b.json", "-f", "sarif").stdout)
    assert sarif["runs"][0]["results"] == []


def test_config_names_the_baseline_relative_to_itself(shop: Path) -> None:
    run_cli("check", ".", "--isolated", "--write-baseline", "known.json")
    (shop / ".svclint.yaml").write_text("baseline: known.json\nfail-on: note\n")
    assert run_cli("check", ".").exit_code == 0
    assert run_cli("check", ".", "--baseline", "missing.json").exit_code == 2


def test_changed_files_hook_mode_reads_the_baseline(shop: Path) -> None:
    run_cli("check", ".", "--isolated", "--write-baseline", "b.json")
    result = run_cli("check", "--isolated", "--changed-files", "--fail-on", "note", "--baseline", "b.json", "workloads.yaml")
    assert result.exit_code == 0, result.stdout
    refused = run_cli("check", "--isolated", "--changed-files", "--write-baseline", "b.json", "workloads.yaml")
    assert refused.exit_code == 2 and "drop --changed-files" in refused.stderr


def test_a_bad_baseline_is_a_usage_error_naming_the_file(shop: Path) -> None:
    (shop / "b.json").write_text("{not json")
    result = run_cli("check", ".", "--isolated", "--baseline", "b.json")
    assert result.exit_code == 2 and "b.json:1: not a baseline file" in result.stderr
    with pytest.raises(BaselineError, match=r"findings\[0\] needs"):
        loads('{"version": 1, "findings": [{"rule": 1}]}', "x.json")


def test_identical_lines_are_matched_as_many_as_recorded() -> None:
    from svclint.findings import Finding, InputFile, Location, Severity
    from svclint.lint.baseline import entries_of, match

    def finding(line: int) -> Finding:
        return Finding("SVC1", "r", Severity.NOTE, "m", Location("a.yaml", line))

    line = "metadata: {annotations: {note: " + "x" * 100 + "}}\n"  # the hash reads 100 characters on
    before = LintReport(findings=(finding(1),), inputs=(InputFile("a.yaml", text=line),))
    after = LintReport(findings=(finding(1), finding(2)), inputs=(InputFile("a.yaml", text=line + line),))
    matched = match(after, entries_of(before))
    assert [f.location.line for f in matched.new] == [2] and len(matched.unchanged) == 1 and matched.fixed == ()
