"""Rule selection, suppressions, fail-on, crashes and third-party rule plugins."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from svclint.lint.catalog import build_catalog
from svclint.lint.engine import decide
from svclint.settings import Settings

from .conftest import REPO, run_cli

WEB = "fixtures/core/tree/apps/web.yaml"  # SVC101 at 7:3, SVC201 at 11:7


def _rules(*args: str) -> list[str]:
    run = run_cli("check", WEB, "--isolated", "-f", "json", *args)
    return [f["rule"] for f in run.json()["findings"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["SVC101", "SVC201"]),
        (("--select", "SVC2"), ["SVC201"]),
        (("--select", "service-selects-nothing"), ["SVC101"]),
        (("--ignore", "SVC1"), ["SVC201"]),
        (("--select", "SVC201", "--ignore", "SVC2"), ["SVC201"]),  # the longer entry wins
        (("--select", "SVC2", "--ignore", "SVC201"), []),
        (("--ignore", "ALL", "--extend-select", "SVC101"), ["SVC101"]),
        (("--select", "SVC1,SVC2", "--extend-ignore", "nodeport-out-of-range"), ["SVC101"]),
    ],
)
def test_select_and_ignore_by_id_prefix_and_name(args: tuple[str, ...], expected: list[str]) -> None:
    assert _rules(*args) == expected


def test_unknown_selector_is_a_usage_error() -> None:
    run = run_cli("check", WEB, "--isolated", "--select", "SVC9")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: 'SVC9' names no rule (expected an id, prefix or name)\n"


def test_off_by_default_rules_need_to_be_named() -> None:

    catalog = build_catalog(plugins=False)
    default_ids = {a.rule.id for a in decide(catalog, Settings())}
    assert default_ids == {r.id for r in catalog if r.enabled_by_default}


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("note", 1), ("never", 0)]
)
def test_fail_on(fail_on: str, code: int) -> None:
    assert run_cli("check", WEB, "--isolated", "--fail-on", fail_on).exit_code == code


def test_fail_on_counts_severity_after_config() -> None:
    run = run_cli("check", "fixtures/rules/SVC007/bad.yaml", "--isolated")
    assert run.exit_code == 0  # only a note: below the default threshold
    assert run_cli("check", "fixtures/rules/SVC007/bad.yaml", "--isolated", "--fail-on", "note").exit_code == 1


def test_annotation_and_comment_suppressions() -> None:
    run = run_cli("check", "fixtures/core/suppressed.yaml", "--isolated", "-f", "json")
    payload = run.json()
    assert [(f["line"], f["rule"]) for f in payload["findings"]] == [(29, "SVC201")]
    assert payload["summary"]["suppressed"] == 4


def test_text_output_format() -> None:
    run = run_cli("check", WEB, "--isolated")
    assert run.stdout == (
        "fixtures/core/tree/apps/web.yaml:7:3: SVC101 service-selects-nothing Service default/web selector "
        "app=web matches no pod template in namespace 'default'; there are no pod templates in namespace 'default'\n"
        "fixtures/core/tree/apps/web.yaml:11:7: SVC201 nodeport-out-of-range nodePort 8080 is outside the node "
        "port range 30000-32767; use a free port in range such as 30000, or omit nodePort to let the cluster "
        "allocate one\n"
        "\n"
        "Found 2 problems (2 errors, 0 warnings, 0 notes) in 1 file, 1 object.\n"
    )


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    run = run_cli("check", WEB, "--isolated", "-f", "json", "-o", str(target))
    assert run.stdout == ""
    assert '"rule": "SVC201"' in target.read_text()


def test_json_output_shape() -> None:
    payload = run_cli("check", "fixtures/rules/SVC202/bad.yaml", "--isolated", "-f", "json").json()
    assert payload["version"] == 1
    (finding,) = payload["findings"]
    assert finding == {
        "rule": "SVC202",
        "name": "nodeport-conflict",
        "severity": "error",
        "message": "nodePort 30080 of Service default/metrics (port 9090/UDP) is already requested by "
        "Service default/admin (port 80/TCP); use a free port such as 30000",
        "file": "fixtures/rules/SVC202/bad.yaml",
        "line": 28,
        "column": 7,
        "field": "spec.ports[0].nodePort",
        "object": {"group": "", "kind": "Service", "namespace": "default", "name": "metrics"},
        "related": [
            {
                "file": "fixtures/rules/SVC202/bad.yaml",
                "line": 13,
                "column": 7,
                "message": "nodePort 30080 first requested by Service default/admin (port 80/TCP)",
            }
        ],
    }


# -- plugins -------------------------------------------------------------------------------

PLUGIN_MODULE = '''
from svclint.rule import Rule, Severity


class NoLatestTag(Rule):
    """## What it does
    Reports containers whose image uses the latest tag.
    """

    id = "ACME001"
    name = "acme-no-latest-tag"
    summary = "Container image uses :latest"
    severity = Severity.WARNING

    def check(self, ctx):
        for template in ctx.graph.pod_templates:
            for path, container, _ in template.containers():
                if str(container.get("image", "")).endswith(":latest"):
                    yield ctx.report("image uses :latest", template.owner, path + ("image",))


class Broken(Rule):
    """## What it does
    Always crashes (to prove crashes are reported).
    """

    id = "ACME002"
    name = "acme-broken"
    summary = "Crashes"
    severity = Severity.ERROR
    enabled_by_default = False

    def check(self, ctx):
        raise RuntimeError("boom")
        yield


RULES = [NoLatestTag, Broken]
'''


@pytest.fixture
def plugin_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed distribution on sys.path with a ``svclint.rules`` entry point."""
    site = tmp_path / "site"
    (site / "acme_svclint").mkdir(parents=True)
    (site / "acme_svclint" / "__init__.py").write_text(PLUGIN_MODULE)
    info = site / "acme_svclint-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-svclint\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[svclint.rules]\nacme = acme_svclint:RULES\n")
    monkeypatch.syspath_prepend(str(site))
    manifest = tmp_path / "app.yaml"
    manifest.write_text(
        textwrap.dedent(
            """\
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
                - name: web
                  image: nginx:latest
            """
        )
    )
    return manifest


def test_plugin_rules_run_and_are_listed(plugin_distribution: Path) -> None:
    run = run_cli("check", str(plugin_distribution), "--isolated", "-f", "json")
    assert [(f["rule"], f["line"], f["column"], f["severity"]) for f in run.json()["findings"]] == [
        ("ACME001", 8, 7, "warning")
    ]
    listing = run_cli("rules", "--isolated").stdout
    assert "ACME001  acme-no-latest-tag" in listing
    assert "ACME002  acme-broken" in listing and "(off by default)" in listing
    assert run_cli("check", str(plugin_distribution), "--isolated", "--no-plugins").exit_code == 0


def test_a_crashing_rule_is_named_and_exits_2(plugin_distribution: Path) -> None:
    run = run_cli("check", str(plugin_distribution), "--isolated", "--extend-select", "ACME002", "-f", "json")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: rule ACME002 (acme-broken) crashed: RuntimeError: boom\n"
    payload = run.json()
    assert payload["errors"] == [{"rule": "ACME002", "name": "acme-broken", "message": "rule crashed: RuntimeError: boom"}]
    assert [f["rule"] for f in payload["findings"]] == ["ACME001"]  # other rules still ran


def test_a_plugin_that_fails_to_import_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    info = site / "broken_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[svclint.rules]\nbroken = no_such_module:RULES\n")
    monkeypatch.syspath_prepend(str(site))
    run = run_cli("check", WEB, "--isolated")
    assert run.exit_code == 2
    assert run.stderr.startswith("svclint: error: cannot load plugin 'broken' (no_such_module:RULES): ")


# -- determinism and entry points ---------------------------------------------------------------


def test_output_is_identical_across_hash_seeds() -> None:
    outputs = set()  # --no-cache: each seed runs the pipeline (the run record's key has no seed)
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-m", "svclint", "check", "fixtures/rules", "fixtures/core", "--isolated", "--no-cache", "-f", "json"],
            cwd=REPO, env=env, capture_output=True, check=False,
        )
        assert proc.returncode == 1, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_rules_command_shows_one_rule_documentation() -> None:
    run = run_cli("rules", "SVC202", "--isolated")
    assert run.exit_code == 0
    assert run.stdout.startswith("# SVC202 nodeport-conflict\n\nThe same nodePort is requested twice across the input.\n")
    assert "## Why is this bad?" in run.stdout
    assert run_cli("rules", "nodeport-conflict", "--isolated").stdout == run.stdout
    missing = run_cli("rules", "SVC999", "--isolated")
    assert missing.exit_code == 2 and "no rule named 'SVC999'" in missing.stderr


def test_main_turns_an_unexpected_error_into_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from svclint import cli
    from svclint.cli import check

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(check, "lint_report", explode)
    assert cli.main(["check", WEB, "--isolated"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("svclint: internal error: RuntimeError: disk on fire\n")
    assert "Traceback" not in err


def test_main_exit_codes_through_the_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    from svclint import cli

    assert cli.main(["check", WEB, "--isolated"]) == 1
    assert cli.main(["check", WEB, "--isolated", "--fail-on", "never"]) == 0
    assert cli.main(["check", "no/such/path", "--isolated"]) == 2
    assert cli.main(["check", WEB, "--isolated", "--select", ""]) == 2
    assert "--select: expected a comma-separated list, got nothing" in capsys.readouterr().err
    assert cli.main(["check", WEB, "--bogus-flag"]) == 2


def test_broken_pipe_is_quiet_and_clean() -> None:
    proc = subprocess.run(
        f"{sys.executable} -m svclint check fixtures/rules --isolated --fail-on never | head -c 10",
        shell=True, cwd=REPO, capture_output=True, check=False,
    )
    assert proc.stderr == b""


def test_changed_files_accepts_a_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "fixtures" / "examples")
    by_dir = run_cli("check", "--changed-files", "shop", "--isolated", "-f", "json").json()["findings"]
    by_files = run_cli(
        "check", "--changed-files", *sorted(f"shop/{p.name}" for p in (REPO / "fixtures/examples/shop").glob("*.yaml")),
        "--isolated", "-f", "json",
    ).json()["findings"]
    assert by_dir == by_files and len(by_dir) == 9
