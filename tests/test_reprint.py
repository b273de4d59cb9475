"""A run that reprints its recorded report (``lint.rerun``) builds no rule catalog: the CLI
passes a ``DeferredCatalog``, keyed by what it is built from (docs/cache.md). These tests
hold that it is skipped, that every source of the rules still keys the record (rule
files, plugins, schema folders), and that usage errors come in the order they always did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.loading.cache import DIRECTORY_NAME
from tests.conftest import REPO, CliRun, cached_project, run_cli
from tests.test_engine import PLUGIN_MODULE

_PROBE = """
import json, sys
from svclint.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cached_project(tmp_path, monkeypatch)


def _env(*site: Path) -> dict[str, str]:
    """The test's environment (its user cache key), with svclint and ``site`` importable."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, site), str(REPO)])}


def _process(*args: str, site: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "svclint", *args], env=_env(*site), capture_output=True, text=True, check=False)


def _modules(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], env=_env(), capture_output=True, text=True, check=False)
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


RULES = {"svclint.lint.checks", "svclint.lint.declarative", "svclint.lint.preflight", "jsonschema"}


def test_a_reprinted_run_loads_no_rule_and_prints_the_same(project: Path) -> None:
    cold, cold_modules = _modules("check", ".", "--isolated", "-f", "json")
    assert RULES <= cold_modules
    warm, warm_modules = _modules("check", ".", "--isolated", "-f", "json")
    assert warm == cold == run_cli("check", ".", "--isolated", "-f", "json", "--no-cache").stdout
    assert not RULES & warm_modules
    assert "pathspec" not in warm_modules  # (imported only for exclude globs)
    _, again = _modules("check", ".", "--isolated", "-f", "json", "--no-cache")  # without a cache: built as before
    assert RULES <= again


def _plugin_site(tmp_path: Path, severity: str) -> Path:
    """An installed distribution with a ``svclint.rules`` entry point (tests/test_engine.py's)."""
    site = tmp_path / "site"
    (site / "acme_svclint").mkdir(parents=True, exist_ok=True)
    (site / "acme_svclint" / "__init__.py").write_text(PLUGIN_MODULE.replace("Severity.WARNING", severity), encoding="utf-8")
    info = site / "acme_svclint-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-svclint\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[svclint.rules]\nacme = acme_svclint:RULES\n", encoding="utf-8")
    return site


def _latest_pod(project: Path) -> None:
    (project / "latest.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n",
        encoding="utf-8",
    )


def _acme(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """The plugin's findings (rule, severity), each once: the fixtures hold several :latest images."""
    return sorted({(f["rule"], f["severity"]) for f in json.loads(done.stdout)["findings"] if f["rule"].startswith("ACME")})


def test_installing_or_changing_a_plugin_is_a_new_run(project: Path, tmp_path: Path) -> None:
    _latest_pod(project)
    check = ("check", ".", "--isolated", "-f", "json")
    assert _acme(_process(*check)) == []  # recorded without plugins
    site = _plugin_site(tmp_path, "Severity.WARNING")
    installed = _process(*check, site=(site,))
    assert _acme(installed) == [("ACME001", "warning")]
    assert _process(*check, site=(site,)).stdout == installed.stdout  # now a reprint
    _plugin_site(tmp_path, "Severity.ERROR")  # the same version, another source
    changed = _process(*check, site=(site,))
    assert _acme(changed) == [("ACME001", "error")]
    assert changed.stdout == _process(*check, "--no-cache", site=(site,)).stdout
    assert _acme(_process(*check, "--no-plugins", site=(site,))) == []


def test_a_schema_folder_that_is_gone_is_an_error_not_a_reprint(project: Path, tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    args = ("check", ".", "--isolated", "-f", "json", "--select", "SVC004", "--schema-dir", str(schemas))
    first = _process(*args)  # (processes: the schemas are kept in memory for the process)
    assert first.returncode == 1 and _process(*args).stdout == first.stdout
    schemas.rmdir()
    gone = _process(*args)
    assert gone.returncode == 2 and gone.stderr == f"svclint: error: --schema-dir {schemas}: not a directory\n"
    assert gone.stderr == _process(*args, "--no-cache").stderr


def same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_usage_errors_come_in_their_order(project: Path, tmp_path: Path, cache: tuple[str, ...]) -> None:
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "ACME1-x.yaml").write_text("id: ACME1\nname: x\n", encoding="utf-8")
    broken = f"svclint: error: {rules / 'ACME1-x.yaml'}:1: 'summary' is a required property\n"
    check = ("check", "--isolated", *cache)
    # A broken rule file before a wrong flag, a path that does not exist, a wrong format.
    for args in (
        (".", "--rules-dir", str(rules), "--statistics", "-f", "sarif"),
        ("no-such-dir", "--rules-dir", str(rules)),
        (".", "--rules-dir", str(rules), "-f", "json"),
    ):
        done = run_cli(*check, *args)
        assert (done.exit_code, done.stderr) == (2, broken), args
    # The config's rule entries and SVC004's set-up: after a wrong flag, before a missing path.
    (project / ".svclint.yaml").write_text("select: [SVC999]\n", encoding="utf-8")
    unknown = run_cli("check", "no-such-dir", *cache)
    assert unknown.exit_code == 2 and ".svclint.yaml" in unknown.stderr and "'SVC999' names no rule" in unknown.stderr
    (project / ".svclint.yaml").unlink()
    old = ("--select", "SVC004", "--kube-version", "1.2")
    setup = "svclint: error: --kube-version 1.2: the installed schemas start at"
    assert run_cli(*check, "no-such-dir", *old).stderr.startswith(setup)
    assert run_cli(*check, ".", *old, "--statistics", "-f", "sarif").stderr.startswith("svclint: error: --statistics writes")
    # And a run that went well is recorded, then reprinted, with the same answer.
    assert same(run_cli(*check, "."), run_cli(*check, "."))


def test_a_reprint_reads_the_text_of_files_with_findings_when_asked(project: Path) -> None:
    """The recorded inputs' text is read again only for SARIF, the HTML page and --baseline
    (their line hashes); each must still match an uncached run."""
    baseline = project.parent / "baseline.json"
    assert run_cli("check", ".", "--isolated", "--write-baseline", str(baseline), "--no-cache").exit_code == 0
    locations = project / "core" / "locations.yaml"
    locations.write_text(locations.read_text(encoding="utf-8").replace("targetPort", "targetport", 1), encoding="utf-8")
    for args in (("-f", "json", "--baseline", str(baseline)), ("-f", "sarif"), ("-f", "text")):
        uncached = run_cli("check", ".", "--isolated", *args, "--no-cache")
        assert uncached.stdout
        for _ in range(2):  # recorded, then reprinted
            assert same(run_cli("check", ".", "--isolated", *args), uncached), args


def _printed(project: Path) -> list[Path]:
    return sorted(p for p in (project / DIRECTORY_NAME).iterdir() if p.name.startswith("out-"))


def test_a_reprint_prints_the_kept_text_of_its_format_and_options(project: Path) -> None:
    """What a format printed for a recorded report is kept (``out-``) under the record and
    the format's options: every variant prints what an uncached run prints."""
    variants = [
        ("-f", "json"), ("-f", "json", "--statistics"), ("-f", "text"), ("-f", "text", "--color"),
        ("-f", "sarif", "--sarif-category", "a"), ("-f", "sarif", "--sarif-category", "b"), ("-f", "github"),
        ("-f", "junit"), ("-f", "text", "--statistics"),
    ]
    for args in variants:
        uncached = run_cli("check", ".", "--isolated", *args, "--no-cache")
        for _ in range(3):  # recorded and printed, then printed again from what was kept
            assert same(run_cli("check", ".", "--isolated", *args), uncached), args
    assert len(_printed(project)) == 4  # the newest few
    output = project.parent / "report.json"
    assert run_cli("check", ".", "--isolated", "-f", "json", "-o", str(output)).stdout == ""
    assert output.read_text(encoding="utf-8") == run_cli("check", ".", "--isolated", "-f", "json", "--no-cache").stdout
    # An edit is another record, so another text; the kept one of the old record is not used.
    locations = project / "core" / "locations.yaml"
    locations.write_text(locations.read_text(encoding="utf-8").replace("targetPort", "targetport", 1), encoding="utf-8")
    for _ in range(2):
        assert same(run_cli("check", ".", "--isolated", "-f", "json"), run_cli("check", ".", "--isolated", "-f", "json", "--no-cache"))
