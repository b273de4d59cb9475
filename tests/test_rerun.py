"""Whole-run reuse (``lint.rerun``, docs/cache.md): a run where nothing changed prints the
recorded report, byte for byte what a run without the cache prints, in every format; any
change to an input file, the file list, the config or a rule file is a new run."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

from svclint.loading.cache import DIRECTORY_NAME
from svclint.report import DOCUMENTED_FORMATS, FORMATTERS
from tests.conftest import FIXTURES, REPO, CliRun, cached_project, run_cli

FORMATS = sorted(FORMATTERS)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cached_project(tmp_path, monkeypatch)


def check(*extra: str, fmt: str = "json", config: bool = False) -> CliRun:
    return run_cli("check", ".", *(() if config else ("--isolated",)), "--format", fmt, *extra)


def same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


def payload(data: bytes) -> object:
    """A cache file's data, after its header and checksum."""
    return marshal.loads(data[len(b"svclint-cache-1\n") + 16 :])


def cache_dir(project: Path) -> Path:
    return project / DIRECTORY_NAME


def records(project: Path) -> list[Path]:
    return sorted(p for p in cache_dir(project).iterdir() if p.name.startswith("run-"))


def parse_entries(project: Path) -> list[Path]:
    """The packs of parse entries and their index."""
    return sorted(p for p in cache_dir(project).iterdir() if p.name.startswith("pack-") or p.name == "index")


def assert_like_uncached(*extra: str, config: bool = False) -> None:
    """Cold-or-warm and warm again both say what an uncached run says, in every format."""
    for fmt in FORMATS:
        uncached = check(*extra, "--no-cache", fmt=fmt, config=config)
        assert same(check(*extra, fmt=fmt, config=config), uncached), fmt
        assert same(check(*extra, fmt=fmt, config=config), uncached), fmt


def test_a_warm_run_reuses_the_record_and_is_byte_identical_in_every_format(project: Path) -> None:
    for fmt in FORMATS:
        uncached = check("--no-cache", fmt=fmt)
        cold = check(fmt=fmt)
        assert same(cold, uncached), fmt
        assert uncached.stdout and uncached.exit_code == 1, fmt
    # One record per kind of report: with the rules' documentation (sarif, html) or without.
    assert len(records(project)) == len({fmt in DOCUMENTED_FORMATS for fmt in FORMATS}) == 2
    # With every parse entry gone, a warm run parses nothing: it can only be the record.
    assert parse_entries(project)
    for entry in parse_entries(project):
        entry.unlink()
    warm = check(fmt="sarif")
    assert same(warm, check("--no-cache", fmt="sarif"))
    assert parse_entries(project) == []


@pytest.mark.slow
def test_edits_renames_deletions_and_additions_are_new_runs(project: Path) -> None:
    check()
    locations = project / "core" / "locations.yaml"
    locations.write_text(locations.read_text(encoding="utf-8").replace("targetPort", "targetport", 1), encoding="utf-8")
    assert_like_uncached()
    (project / "core" / "suppressed.yaml").rename(project / "core" / "renamed.yaml")  # same bytes, new path
    assert_like_uncached()
    sorted((project / "rules").glob("*/bad.yaml"))[0].unlink()
    assert_like_uncached()
    shutil.copy(FIXTURES / "rules" / "SVC101" / "bad.yaml", project / "added.yaml")
    assert_like_uncached()
    a, b = sorted((project / "rules").glob("*/good.yaml"))[:2]  # two files swap their bytes
    text_a, text_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(text_b)
    b.write_bytes(text_a)
    assert_like_uncached()


def test_a_data_edit_that_keeps_the_size_is_a_new_run(project: Path) -> None:
    target = project / "rules" / "SVC101" / "bad.yaml"
    if not target.exists():
        target = sorted((project / "rules").glob("*/bad.yaml"))[0]
    first = check()
    text = target.read_text(encoding="utf-8")
    edited = text.replace("app: ", "app:_", 1) if "app: " in text else text.replace("name: ", "name:_", 1)
    assert len(edited) == len(text) and edited != text
    target.write_text(edited, encoding="utf-8")
    after = check()
    assert same(after, check("--no-cache"))
    assert after.stdout != first.stdout


@pytest.mark.slow
def test_options_and_the_config_file_are_part_of_the_key(project: Path) -> None:
    check()
    assert_like_uncached("--ignore", "SVC101")
    assert_like_uncached("--select", "SVC2", "--fail-on", "note")
    config = project / ".svclint.yaml"
    config.write_text("ignore: [SVC003]\n", encoding="utf-8")
    assert_like_uncached(config=True)
    config.write_text("ignore: [SVC003, SVC001]\nnode-port-range: 8000-9000\n", encoding="utf-8")
    assert_like_uncached(config=True)


def test_a_changed_rule_file_is_a_new_run(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my-rules"
    folder.mkdir()
    text = (REPO / "rules" / "SVC215-loadbalancer-open-to-world.yaml").read_text(encoding="utf-8")
    text = text.replace("id: SVC215", "id: ACME001").replace("name: loadbalancer-open-to-world", "name: acme-open-lb")
    rule = folder / "ACME001-acme-open-lb.yaml"
    (project / "lb.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  namespace: default\n"
        "spec:\n  type: LoadBalancer\n  ports:\n  - port: 5432\n",
        encoding="utf-8",
    )
    rule.write_text(text.replace("severity: warning", "severity: error", 1), encoding="utf-8")
    first = check("--rules-dir", str(folder), "--select", "ALL")
    assert '"ACME001"' in first.stdout and '"severity": "error"' in first.stdout
    rule.write_text(text, encoding="utf-8")  # the same rule, now a warning
    assert_like_uncached("--rules-dir", str(folder), "--select", "ALL")
    assert check("--rules-dir", str(folder), "--select", "ALL").stdout != first.stdout


def test_a_damaged_record_is_a_miss_and_rewritten(project: Path) -> None:
    before = check("--no-cache")
    check()
    (record,) = records(project)
    data = record.read_bytes()
    record.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert same(check(), before)
    assert payload(record.read_bytes()) == payload(data)  # rewritten (marshal may share strings otherwise)
    assert same(check(), before)


def test_stdin_and_rendered_inputs_are_not_recorded(project: Path) -> None:
    manifest = (FIXTURES / "rules" / "SVC101" / "bad.yaml").read_bytes()
    for _ in range(2):
        run = run_cli("check", "-", "--isolated", "-f", "json", input=manifest)
        assert run.exit_code == 1
    shutil.copytree(FIXTURES / "kustomize", project / "kustomize")
    for _ in range(2):
        assert same(check(), check("--no-cache"))
    assert records(project) == []


def test_gitops_paths_are_not_recorded(project: Path) -> None:
    """Which directories an Argo CD Application deploys decides the units: those directories
    are not inputs of the key, so such a run is never reused."""
    (project / "apps").mkdir()
    (project / "apps" / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: argocd\n"
        "spec:\n  source:\n    path: core\n",
        encoding="utf-8",
    )
    first = check()
    assert records(project) == []
    assert same(check(), first)
    assert same(first, check("--no-cache"))


def test_only_the_newest_records_are_kept(project: Path) -> None:
    for severity in ("error", "warning", "note", "never", "error"):
        check("--fail-on", severity)
    assert len(records(project)) == 4


# -- content keys carried from an earlier run (svclint daemon) ------------------------------


def _keys(paths: list[str]) -> dict[str, bytes | None]:
    from svclint.lint import rerun

    return {path: rerun._content_key(path, 1 << 20) for path in paths}


def test_carried_content_keys_are_used_only_for_files_unchanged_and_old_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key carried from an earlier run stands for a file while its identity is the same;
    a file rewritten since, or changed too close to the earlier run's start (its times could
    not tell a later write apart), is read again."""
    import os
    import time

    from svclint.lint import rerun

    monkeypatch.chdir(tmp_path)
    for name in ("kept.yaml", "rewritten.yaml", "racy.yaml", "gone.yaml"):
        (tmp_path / name).write_text(f"kind: ConfigMap\nmetadata:\n  name: {name[:-5]}\n", encoding="utf-8")
    names = ["kept.yaml", "rewritten.yaml", "racy.yaml", "gone.yaml"]
    monkeypatch.setattr(rerun, "RACY_NS", 0)
    started = time.time_ns() + 1_000_000_000  # (every file changed before the earlier run began)
    read = _keys(names)
    carried = rerun.keys_to_carry({name: key for name, key in read.items() if key is not None}, str(tmp_path), started)
    assert sorted(carried) == sorted(names)
    racy = rerun.keys_to_carry({"racy.yaml": read["racy.yaml"] or b""}, str(tmp_path), time.time_ns() - 3_600 * 10**9)
    assert racy == {}  # changed after that run began: not carried
    # The carried keys are what the files now hold: a planted key shows which ones are used.
    planted = {name: (identity, b"1 planted") for name, (identity, _) in carried.items()}
    (tmp_path / "rewritten.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: other\n", encoding="utf-8")
    os.unlink(tmp_path / "gone.yaml")
    rerun.carry_keys(planted)
    try:
        now = _keys(["kept.yaml", "rewritten.yaml", "racy.yaml", "gone.yaml"])
    finally:
        rerun.carry_keys({})
    assert now["kept.yaml"] == now["racy.yaml"] == b"1 planted"
    assert now["rewritten.yaml"] not in (None, b"1 planted", read["rewritten.yaml"])
    assert now["gone.yaml"] is None
    assert _keys(["kept.yaml"]) == {"kept.yaml": read["kept.yaml"]}  # nothing carried: read
