"""Warm runs over every fixture directory say what an uncached run says (issue 15): the
cold run that fills the cache, a warm run that reuses parse entries and located positions
(``loading.positions``), and a warm run that reuses the whole recorded report
(``lint.rerun``). Also: an unchanged file is not composed again to be located."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from svclint.api import lint_report
from svclint.loading import parsing as parsing_module
from svclint.loading.cache import open_cache
from svclint.loading.positions import PositionStore
from svclint.settings import Limits, Settings
from tests.conftest import FIXTURES, CliRun, composed_paths, run_cli

DIRECTORIES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


def drop_records(cache: Path) -> None:
    for record in cache.glob("run-*"):
        record.unlink()


@pytest.mark.parametrize("name", DIRECTORIES)
def test_cold_and_warm_runs_match_an_uncached_run_on_every_fixture(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache = tmp_path / "cache"
    for fmt in ("json", "sarif"):
        command = ("check", str(FIXTURES / name), "--isolated", "-f", fmt, "--select", "ALL", "--fail-on", "never")
        uncached = run_cli(*command, "--no-cache")
        assert uncached.exit_code in (0, 2), uncached.stderr
        cold = run_cli(*command, "--cache-dir", str(cache))
        assert same(cold, uncached), fmt
        drop_records(cache)  # the rules run again, on parse entries and kept positions
        assert same(run_cli(*command, "--cache-dir", str(cache)), uncached), fmt
        assert same(run_cli(*command, "--cache-dir", str(cache)), uncached), fmt  # the record


@pytest.mark.parametrize("name", DIRECTORIES)
def test_after_one_file_changed_warm_runs_match_an_uncached_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-object findings kept for the unchanged files, computed for the changed one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    tree = tmp_path / name
    shutil.copytree(FIXTURES / name, tree, symlinks=True)
    cache = tmp_path / "cache"
    command = ("check", str(tree), "--isolated", "-f", "json", "--select", "ALL", "--fail-on", "never", "-j", "1")
    run_cli(*command, "--cache-dir", str(cache))
    manifests = sorted(p for p in tree.rglob("*.yaml") if p.is_file() and not p.is_symlink())
    for changed in manifests[:: max(1, len(manifests) // 3)]:
        changed.write_bytes(changed.read_bytes() + b"\n# edited\n")
        uncached = run_cli(*command, "--no-cache")
        assert same(run_cli(*command, "--cache-dir", str(cache)), uncached), changed


def test_an_unchanged_file_is_not_composed_again_to_locate_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "core", tree)
    composed = composed_paths(monkeypatch)
    settings = Settings(cache_dir=str(tmp_path / "cache"), jobs=1)
    first = lint_report([str(tree)], settings, cwd=str(tmp_path))
    assert first.findings and composed  # the cold run located its findings by composing
    for record in (tmp_path / "cache").glob("run-*"):
        record.unlink()
    composed.clear()
    again = lint_report([str(tree)], settings, cwd=str(tmp_path))
    assert again == first
    assert composed == []
    # One file edited: only that file is composed again.
    edited = tree / "locations.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    lint_report([str(tree)], settings, cwd=str(tmp_path))
    assert set(composed) == {"tree/locations.yaml"}


def test_positions_are_kept_only_for_the_bytes_of_their_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed on disk after it was parsed: what its new text says is not recorded
    under the old bytes' entry."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache = open_cache(str(tmp_path / "cache"), Limits())
    assert cache is not None
    entry = cache.entry_name(b"kind: Service\n")
    cache.close()
    store = PositionStore(str(tmp_path / "cache"), Limits())
    memo = store.memo(entry)
    memo.verify(b"kind: Deployment\n")
    memo.put("key", (1, 1, True))
    store.save()
    assert PositionStore(str(tmp_path / "cache"), Limits()).memo(entry).get("key") is None
    memo.verify(b"kind: Service\n")
    memo.put("key", (2, 3, True))
    store.save()
    store.close()
    assert PositionStore(str(tmp_path / "cache"), Limits()).memo(entry).get("key") == (2, 3, True)


def test_an_unchanged_file_is_read_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run key reads and hashes every input; parsing takes an unchanged file's entry by
    that hash instead of reading the file again. A file changed since is read and parsed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "core", tree)
    read: list[str] = []
    real_read = parsing_module._read

    def counting(fs_path: str, limits: Limits) -> object:
        read.append(os.path.basename(fs_path))
        return real_read(fs_path, limits)

    monkeypatch.setattr(parsing_module, "_read", counting)
    settings = Settings(cache_dir=str(tmp_path / "cache"), jobs=1)
    uncached = lint_report([str(tree)], Settings(jobs=1), cwd=str(tmp_path))
    files = len(read)
    assert files > 5
    read.clear()
    assert lint_report([str(tree)], settings, cwd=str(tmp_path)) == uncached  # cold: parsed, so read
    assert len(read) == files
    for record in (tmp_path / "cache").glob("run-*"):
        record.unlink()
    read.clear()
    assert lint_report([str(tree)], settings, cwd=str(tmp_path)) == uncached
    assert read == []
    edited = tree / "locations.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = lint_report([str(tree)], Settings(jobs=1), cwd=str(tmp_path))
    read.clear()
    assert lint_report([str(tree)], settings, cwd=str(tmp_path)) == after
    assert read == ["locations.yaml"]
