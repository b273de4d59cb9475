"""The parse cache (issue 15, docs/cache.md): a warm run says exactly what a cold one says,
in every format, after edits, renames and deletions; the cache cannot be poisoned or
pointed outside the repository; damaged entries are rewritten; the directory stays bounded."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.loading.cache import DIRECTORY_NAME, ParseCache, open_cache
from svclint.report import FORMATTERS
from svclint.settings import Limits
from tests.conftest import REPO, CliRun, cached_project, run_cli

FORMATS = sorted(FORMATTERS)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cached_project(tmp_path, monkeypatch)


def check(fmt: str, *extra: str) -> CliRun:
    return run_cli("check", ".", "--isolated", "--format", fmt, *extra)


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if len(p.name) == 40)


def records(directory: Path) -> list[Path]:
    """Whole-run records (``lint.rerun``)."""
    return sorted(p for p in directory.iterdir() if p.name.startswith("run-"))


def same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


def assert_warm_equals_uncached(formats: list[str] = FORMATS) -> None:
    for fmt in formats:
        uncached = check(fmt, "--no-cache")
        cached = check(fmt)
        assert same(cached, uncached), fmt
        assert cached.stdout  # every format says something about these fixtures


def test_cold_warm_and_uncached_runs_are_byte_identical_in_every_format(project: Path) -> None:
    cold = {fmt: check(fmt) for fmt in FORMATS}
    cache = project / DIRECTORY_NAME
    assert len(entries(cache)) > 60  # one entry per parsed file
    for fmt in FORMATS:
        assert same(check(fmt), cold[fmt]), fmt  # warm
        assert same(check(fmt, "--no-cache"), cold[fmt]), fmt
    assert same(check("sarif", "-j", "2"), cold["sarif"])  # entries read in worker processes


def test_edits_renames_and_deletions_between_runs_match_an_uncached_run(project: Path) -> None:
    check("json")  # fill the cache
    locations = project / "core" / "locations.yaml"
    locations.write_text(locations.read_text(encoding="utf-8").replace("targetPort", "targetport", 1), encoding="utf-8")
    suppressed = project / "core" / "suppressed.yaml"
    suppressed.rename(project / "core" / "renamed.yaml")  # same bytes, new path: an entry hit
    first_bad = sorted((project / "rules").glob("*/bad.yaml"))[0]
    first_bad.unlink()
    # Two files swap their contents: both hit, each must carry its new path and lines.
    a, b = sorted((project / "rules").glob("*/good.yaml"))[:2]
    text_a, text_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(text_b)
    b.write_bytes(text_a)
    assert_warm_equals_uncached()


def test_a_damaged_entry_is_ignored_and_rewritten(project: Path) -> None:
    before = check("json", "--no-cache")
    check("json")
    cache = project / DIRECTORY_NAME
    damaged = entries(cache) + records(cache)  # the run's record too: else the next run reads no entry
    assert records(cache)
    for index, entry in enumerate(damaged):
        data = entry.read_bytes()
        # truncated, flipped payload byte, foreign header, empty
        entry.write_bytes([data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 1]), b"PK\x03\x04" + data, b""][index % 4])
    assert same(check("json"), before)
    rewritten = {entry.name: entry.read_bytes() for entry in entries(cache) + records(cache)}
    for entry in damaged:
        assert rewritten[entry.name].startswith(b"svclint-cache-1\n")
    assert same(check("json"), before)


def test_a_committed_cache_cannot_hide_a_finding(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack: a pull request adds a bad manifest and, under the name its bytes would
    have, an entry describing a harmless file. Entry names are keyed with the user's secret
    (not in the repository), so the attacker cannot compute the name the victim looks up."""
    target = project / "core" / "locations.yaml"
    harmless = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: harmless\n"
    attacker_cache = tmp_path / "attacker-cache"
    # On the attacker's machine (another user key): cache the harmless content, then store
    # that entry under the name the bad file's bytes get there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker-key"))
    cache = open_cache(str(attacker_cache), Limits())
    assert cache is not None
    bad_bytes = target.read_bytes()
    target.write_bytes(harmless)
    check("json", "--cache-dir", str(attacker_cache))
    target.write_bytes(bad_bytes)
    harmless_entry = attacker_cache / cache.entry_name(harmless)
    assert harmless_entry.is_file()
    shutil.copytree(attacker_cache, project / DIRECTORY_NAME)
    shutil.copy(harmless_entry, project / DIRECTORY_NAME / cache.entry_name(bad_bytes))
    # Also the unkeyed name a naive cache would use.
    shutil.copy(harmless_entry, project / DIRECTORY_NAME / hashlib.sha1(bad_bytes).hexdigest())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    honest = check("json", "--no-cache").json()
    assert any(f["file"] == "core/locations.yaml" for f in honest["findings"])
    assert check("json").json() == honest


def test_without_a_user_key_there_is_no_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")
    monkeypatch.setenv("HOME", "~")  # expanduser cannot name a home either
    assert same(check("text"), check("text", "--no-cache"))
    assert not (project / DIRECTORY_NAME).exists()
    assert not (project / "relative").exists()


def test_no_cache_writes_nothing_and_cache_dir_moves_it(project: Path, tmp_path: Path) -> None:
    check("text", "--no-cache")
    assert not (project / DIRECTORY_NAME).exists()
    elsewhere = tmp_path / "elsewhere"
    check("text", "--cache-dir", str(elsewhere))
    assert not (project / DIRECTORY_NAME).exists()
    assert len(entries(elsewhere)) > 60
    assert (elsewhere / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (elsewhere / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_the_cache_is_ignored_by_git(project: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    subprocess.run(["git", "init", "-q", "."], check=True)
    check("text")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], check=True, capture_output=True, text=True)
    assert DIRECTORY_NAME not in status.stdout
    assert "core/locations.yaml" in status.stdout


def test_a_symlinked_cache_directory_is_not_used(project: Path, tmp_path: Path) -> None:
    """A repository that commits .svclint_cache as a symlink cannot make svclint read or
    write where it points (docs/security.md)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / DIRECTORY_NAME).symlink_to(outside)
    assert same(check("json"), check("json", "--no-cache"))
    assert list(outside.iterdir()) == []


def test_an_entry_that_is_a_fifo_or_symlink_is_a_miss(project: Path, tmp_path: Path) -> None:
    """Entries are opened without following symlinks and must be regular files: a planted
    FIFO cannot hang the run, a symlink cannot make it read outside."""
    check("json")
    cache = project / DIRECTORY_NAME
    planted = entries(cache)[:2]
    planted[0].unlink()
    os.mkfifo(planted[0])
    planted[1].unlink()
    planted[1].symlink_to(tmp_path / "user-cache" / "svclint" / "key")
    assert same(check("json"), check("json", "--no-cache"))


def test_config_cache_dir_must_stay_inside_the_repository(project: Path, tmp_path: Path) -> None:
    (project / ".git").mkdir()
    (project / ".svclint.yaml").write_text("cache-dir: ../outside\n", encoding="utf-8")
    result = run_cli("check", ".", "--format", "json")
    assert result.exit_code == 2
    assert "'../outside' is not a directory inside the repository" in result.stderr
    assert not (tmp_path / "outside").exists()
    (project / ".svclint.yaml").write_text("cache-dir: build/lint-cache\n", encoding="utf-8")
    inside = run_cli("check", ".", "--format", "json")
    assert inside.exit_code == 1
    assert len(entries(project / "build" / "lint-cache")) > 60
    assert not (project / DIRECTORY_NAME).exists()
    (project / ".svclint.yaml").write_text("cache: false\n", encoding="utf-8")
    shutil.rmtree(project / "build")
    assert run_cli("check", ".", "--format", "json").stdout == inside.stdout
    assert not (project / "build").exists() and not (project / DIRECTORY_NAME).exists()


def test_other_limits_are_other_entries(project: Path) -> None:
    """Limits change what parsing produces, so they are part of every entry's name."""
    check("json")
    cache = project / DIRECTORY_NAME
    count = len(entries(cache))
    (project / ".svclint.yaml").write_text("limits:\n  max-depth: 50\n", encoding="utf-8")
    assert same(run_cli("check", ".", "--format", "json"), run_cli("check", ".", "--format", "json", "--no-cache"))
    assert len(entries(cache)) == 2 * count


def test_the_cache_is_pruned_to_its_bound(project: Path) -> None:
    check("json")
    cache = project / DIRECTORY_NAME
    before = entries(cache)
    total = sum(p.stat().st_size for p in before)
    handle = open_cache(str(cache), Limits())
    assert isinstance(handle, ParseCache)
    (cache / ".stale.123.tmp").write_bytes(b"x" * 10)  # left by a run that crashed
    handle.prune(total // 2)
    handle.close()
    after = entries(cache)
    assert sum(p.stat().st_size for p in after) <= total // 2 * 3 // 4
    assert 0 < len(after) < len(before)
    assert not (cache / ".stale.123.tmp").exists()
    assert same(check("json"), check("json", "--no-cache"))


def test_concurrent_runs_share_the_cache(project: Path) -> None:
    """Runs at once each see whole entries or none (an entry still being written fails its
    checksum: a miss), and all print what an uncached run prints."""
    uncached = check("json", "--no-cache")
    command = [sys.executable, "-m", "svclint", "check", ".", "--isolated", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _round in range(2):  # cold, then warm
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
        for run in runs:
            stdout, stderr = run.communicate(timeout=120)
            assert (run.returncode, stdout.decode(), stderr.decode()) == (uncached.exit_code, uncached.stdout, uncached.stderr)
    assert not [p for p in (project / DIRECTORY_NAME).iterdir() if p.name.endswith(".tmp")]
