"""--format github: workflow-command annotations, escaped as actions/toolkit does."""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.report.github import escape_data, escape_property, workflow_command

from .conftest import REPO, run_cli


def test_annotation_for_a_cross_object_finding() -> None:
    run = run_cli("check", "fixtures/rules/SVC202/bad.yaml", "--isolated", "--format", "github")
    assert run.exit_code == 1
    assert run.stdout.splitlines() == [
        "::error file=fixtures/rules/SVC202/bad.yaml,line=28,col=7,title=SVC202 nodeport-conflict::"
        "nodePort 30080 of Service default/metrics (port 9090/UDP) is already requested by Service default/admin "
        "(port 80/TCP); use a free port such as 30000"
        "%0Afixtures/rules/SVC202/bad.yaml:13:7: nodePort 30080 first requested by Service default/admin (port 80/TCP)",
        "Found 1 problem (1 error, 0 warnings, 0 notes) in 1 file, 2 objects; 2 suppressed.",
    ]


def test_notes_are_notices_and_the_most_severe_come_first() -> None:
    run = run_cli(
        "check", "fixtures/rules/SVC007/bad.yaml", "fixtures/rules/SVC202/bad.yaml", "fixtures/rules/SVC003/bad.yaml",
        "--config", "fixtures/rules/SVC007/config.yaml", "--format", "github",
    )
    commands = [line.split(" ", 1)[0] for line in run.stdout.splitlines() if line.startswith("::")]
    assert commands == ["::error", "::warning", "::warning", "::notice"]
    notice = next(line for line in run.stdout.splitlines() if line.startswith("::notice"))
    assert notice.startswith("::notice file=fixtures/rules/SVC007/bad.yaml,line=6,col=5,title=SVC007 unused-suppression::")


def test_escaping_matches_the_toolkit() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext%3A a%2Cb"
    assert workflow_command("warning", {"file": "a,b:c.yaml", "line": 3}, "x%y") == "::warning file=a%2Cb%3Ac.yaml,line=3::x%y".replace("x%y", "x%25y")


def test_values_from_manifests_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "fixtures/rules/SVC101/bad.yaml").read_text(encoding="utf-8").replace("web-frontend", "'web,50%:x'")
    (tmp_path / "a,b.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "a,b.yaml", "--isolated", "--format", "github")
    # SVC216 reports the selector value too (it is no label value); this test reads SVC101's line.
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("::") and "SVC101" in line]
    head, message = line.split("::", 2)[1:]
    assert head == "error file=a%2Cb.yaml,line=6,col=3,title=SVC101 service-selects-nothing"
    assert "app=web,50%25:x matches no pod template" in message
    assert "\n" not in message and "%0Aa,b.yaml:22:7: nearest pod template" in message


def test_stdin_annotations_have_no_file_property() -> None:
    text = (REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8")
    run = run_cli("check", "-", "--isolated", "--format", "github", input=text)
    assert run.stdout.startswith("::error title=SVC202 nodeport-conflict::<stdin>:28:7: nodePort 30080")


def test_clean_run_prints_only_the_summary() -> None:
    run = run_cli("check", "fixtures/rules/SVC003/good.yaml", "--isolated", "--format", "github")
    assert run.exit_code == 0
    assert run.stdout == "No problems found in 1 file, 2 objects.\n"
