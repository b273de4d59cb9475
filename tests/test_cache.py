"""The parse cache (issue 15, docs/cache.md): a warm run says exactly what a cold one says,
in every format, after edits, renames and deletions; the cache cannot be poisoned or
pointed outside the repository; damaged packs and indexes are rewritten; the directory
stays bounded; concurrent runs keep it consistent."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.loading import cache as cache_module
from svclint.loading import packs
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


def entries(directory: Path) -> dict[str, packs.Place]:
    """The parse entries the directory's index names, read with the user's key."""
    cache = open_cache(str(directory), Limits())
    assert cache is not None
    try:
        return dict(cache.index())
    finally:
        cache.close()


def readable_entries(directory: Path) -> int:
    """How many of the index's entries read back whole (checksum and data)."""
    cache = open_cache(str(directory), Limits())
    assert cache is not None
    try:
        return sum(cache.get_entry(name) is not None for name in cache.index())
    finally:
        cache.close()


def pack_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith(packs.PACK_PREFIX))


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
    assert len(pack_files(cache)) == 1  # one batch (one job): one pack, not a file per entry
    assert readable_entries(cache) == len(entries(cache))
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


DAMAGES = ("truncated", "flipped", "foreign", "empty")


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.write_bytes(
        {"truncated": data[: len(data) // 2], "flipped": data[:-1] + bytes([data[-1] ^ 1]), "foreign": b"PK\x03\x04" + data, "empty": b""}[how]
    )


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_pack_is_ignored_and_rewritten(project: Path, how: str) -> None:
    before = check("json", "--no-cache")
    check("json", "-j", "4")  # several packs, written by workers
    cache = project / DIRECTORY_NAME
    count = len(entries(cache))
    damaged = pack_files(cache) + records(cache)  # the run's record too: else the next run reads no entry
    assert len(damaged) > 2 and records(cache)
    for path in damaged:
        damage(path, how)
    assert readable_entries(cache) < count
    assert same(check("json", "-j", "4"), before)
    assert readable_entries(cache) == len(entries(cache)) == count  # every entry in a new pack
    for record in records(cache):
        assert record.read_bytes().startswith(b"svclint-cache-1\n"), record.name
    assert same(check("json", "-j", "4"), before)


@pytest.mark.parametrize("how", (*DAMAGES, "other key"))
def test_a_damaged_or_foreign_index_is_ignored_and_rewritten(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    before = check("json", "--no-cache")
    check("json")
    cache = project / DIRECTORY_NAME
    count = len(entries(cache))
    for record in records(cache):
        record.unlink()
    index = cache / packs.INDEX_NAME
    if how == "other key":  # an index another user (or a pull request) wrote: its MAC fails
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
        shutil.rmtree(cache)
        check("json")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    else:
        damage(index, how)
    assert entries(cache) == {}
    assert same(check("json"), before)
    assert readable_entries(cache) == len(entries(cache)) == count
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
    harmless_place = cache.index()[cache.entry_name(harmless)]
    # The attacker's index (with a MAC under their key) names the harmless entry under the
    # name the bad file's bytes get there, and under the unkeyed name a naive cache would use.
    forged = {cache.entry_name(bad_bytes): harmless_place, hashlib.sha1(bad_bytes).hexdigest(): harmless_place}
    packs.publish(cache.descriptor, cache.key, forged, cache_module.MAX_CACHE_BYTES)
    cache.close()
    shutil.copytree(attacker_cache, project / DIRECTORY_NAME)
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


def test_the_environment_moves_the_cache_as_the_flag_does(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SVCLINT_CACHE_DIR`` is the user's, as ``--cache-dir`` is (a CI job's cache path): it
    wins over the config's ``cache-dir``, and the flag wins over it."""
    (project / ".git").mkdir()
    (project / ".svclint.yaml").write_text("cache-dir: build/lint-cache\n", encoding="utf-8")
    ci = tmp_path / "ci-cache"
    monkeypatch.setenv("SVCLINT_CACHE_DIR", str(ci))
    assert same(check("json"), check("json", "--no-cache"))
    assert len(entries(ci)) > 60
    assert not (project / "build").exists() and not (project / DIRECTORY_NAME).exists()
    flag = tmp_path / "flag-cache"
    check("json", "--cache-dir", str(flag))
    assert len(entries(flag)) > 60
    assert "SVCLINT_CACHE_DIR" in run_cli("check", "--help").stdout


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


def test_a_pack_index_or_lock_that_is_a_fifo_or_symlink_is_a_miss(project: Path, tmp_path: Path) -> None:
    """Packs, the index and the lock are opened without following symlinks and must be
    regular files: a planted FIFO cannot hang the run, a symlink cannot make it read outside."""
    check("json", "-j", "4")
    cache = project / DIRECTORY_NAME
    planted = pack_files(cache)[:2]
    planted[0].unlink()
    os.mkfifo(planted[0])
    planted[1].unlink()
    planted[1].symlink_to(tmp_path / "user-cache" / "svclint" / "key")
    for record in records(cache):
        record.unlink()
    assert same(check("json"), check("json", "--no-cache"))
    for name, how in ((packs.INDEX_NAME, "fifo"), (packs.INDEX_NAME, "symlink"), (packs.LOCK_NAME, "fifo"), (packs.LOCK_NAME, "symlink")):
        for record in records(cache):
            record.unlink()
        (cache / name).unlink()
        if how == "fifo":
            os.mkfifo(cache / name)
        else:
            (cache / name).symlink_to(tmp_path / "user-cache" / "svclint" / "key")
        assert same(check("json"), check("json", "--no-cache")), (name, how)
    assert (tmp_path / "user-cache" / "svclint" / "key").stat().st_size == 32  # never written through


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
    check("json", "-j", "4")
    cache = project / DIRECTORY_NAME
    before = pack_files(cache)
    assert len(before) > 3
    for age, pack in enumerate(before):  # a known order, oldest first
        os.utime(pack, ns=(10**18 + age * 10**9, 10**18 + age * 10**9))
    total = sum(p.stat().st_size for p in before)
    handle = open_cache(str(cache), Limits())
    assert isinstance(handle, ParseCache)
    (cache / ".stale.123.tmp").write_bytes(b"x" * 10)  # left by a run that crashed
    handle.prune(total // 2)
    handle.close()
    after = pack_files(cache)
    assert sum(p.stat().st_size for p in after) <= total // 2 * 3 // 4
    assert 0 < len(after) < len(before)
    assert after == before[len(before) - len(after) :]  # the newest stay
    assert not (cache / ".stale.123.tmp").exists()
    kept = entries(cache)
    assert kept and {place[0] for place in kept.values()} <= {p.name for p in after}  # the index forgot the rest
    assert readable_entries(cache) == len(kept)
    for record in records(cache):
        record.unlink()
    assert same(check("json"), check("json", "--no-cache"))
    assert len(entries(cache)) > len(kept)  # what was pruned is parsed and kept again


def test_a_run_that_grows_the_cache_past_its_bound_prunes_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound applies at the end of every run that added entries (here made tiny)."""
    uncached = check("json", "--no-cache")
    check("json", "-j", "4")
    cache = project / DIRECTORY_NAME
    total = sum(p.stat().st_size for p in pack_files(cache))
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", total)
    for record in records(cache):
        record.unlink()
    locations = project / "core" / "locations.yaml"
    locations.write_bytes(locations.read_bytes() + b"\n# edited\n" + b"#" * 4096 + b"\n")
    assert same(check("json"), check("json", "--no-cache"))  # one more entry: over the bound
    assert sum(p.stat().st_size for p in pack_files(cache)) <= total * 3 // 4
    assert readable_entries(cache) == len(entries(cache)) > 0
    locations.write_bytes(locations.read_bytes().split(b"\n# edited\n")[0])
    assert same(check("json"), uncached)


def test_entry_files_of_the_old_format_are_ignored_and_removed(project: Path) -> None:
    """svclint-cache-1 kept one file per entry, named by a 40-digit hash: a cache directory
    left by an older svclint is not read, and its entry files go on the next run."""
    cache = project / DIRECTORY_NAME
    cache.mkdir()
    harmless = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: harmless\n"
    old = [cache / hashlib.sha1(path.read_bytes()).hexdigest() for path in sorted(project.rglob("*.yaml"))[:5]]
    for path in old:
        path.write_bytes(b"svclint-cache-1\n" + hashlib.blake2b(harmless, digest_size=16).digest() + harmless)
    assert same(check("json"), check("json", "--no-cache"))
    assert not any(path.exists() for path in old)
    assert len(entries(cache)) > 60


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


def test_concurrent_cold_runs_with_workers_leave_a_consistent_cache(project: Path) -> None:
    """Two cold runs at once, each writing packs from two workers and publishing its index
    under the lock: both print what an uncached run prints, and the index they leave names
    every entry of both, each readable."""
    uncached = check("sarif", "--no-cache")
    command = [sys.executable, "-m", "svclint", "check", ".", "--isolated", "--format", "sarif", "-j", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs):
        assert (run.returncode, stdout.decode(), stderr.decode()) == (uncached.exit_code, uncached.stdout, uncached.stderr)
    cache = project / DIRECTORY_NAME
    assert len(entries(cache)) > 60
    assert readable_entries(cache) == len(entries(cache))
    assert {place[0] for place in entries(cache).values()} <= {p.name for p in pack_files(cache)}
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]
    for record in records(cache):
        record.unlink()
    assert same(check("sarif"), uncached)
