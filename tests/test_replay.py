"""A cached run after a few files changed keeps the findings the change cannot reach
(``lint.replay``) and must print exactly what an uncached run prints.

Each test edits real trees the way people do (a label value, a port, a selector, a policy's
peer, a namespace, a document added or removed, YAML broken and mended, a suppression
comment), one edit after another on the same cache so that the kept load's snapshots chain,
and compares every cached run with an uncached run of the same files, byte for byte. The
random edits are seeded: the same edits every run.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from svclint.lint import replay
from tests.conftest import FIXTURES, REPO, CliRun, run_cli

SCALAR = re.compile(r"^(\s*-?\s*[\w./-]+: )([\w.-]+)\s*$")


def _same(left: CliRun, right: CliRun) -> bool:
    return (left.exit_code, left.stdout, left.stderr) == (right.exit_code, right.stdout, right.stderr)


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[replay.Replay | None]:
    """What ``replay.prepare`` answered in each cached run (the behaviour is not changed)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    answers: list[replay.Replay | None] = []
    real = replay.prepare

    def spying(*args: object, **kwargs: object) -> replay.Replay | None:
        answer = real(*args, **kwargs)  # type: ignore[arg-type]
        answers.append(answer)
        return answer

    monkeypatch.setattr(replay, "prepare", spying)
    return answers


def _edit(text: str, rng: random.Random) -> str | None:
    """One seeded edit of a scalar value: a number moved by one, a word changed or swapped
    for another of the file's values; None when the file has no scalar to edit."""
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if SCALAR.match(line) and not line.lstrip().startswith("#")]
    if not candidates:
        return None
    i = rng.choice(candidates)
    match = SCALAR.match(lines[i])
    assert match is not None
    prefix, value = match.groups()
    key = prefix.strip().lstrip("- ").rstrip(": ")
    if key in {"apiVersion", "kind"}:
        return None
    values = [m.group(2) for line in lines if (m := SCALAR.match(line))]
    choice = rng.random()
    if value.isdigit():
        new = str(int(value) + rng.choice((1, -1, 1000)))
    elif choice < 0.5:
        new = rng.choice(values)
    else:
        new = value + rng.choice(("-x", "2", ""))
    lines[i] = prefix + new
    return "\n".join(lines)


def _check_edits(tree: Path, cache: Path, edits: int, seed: int, formats: tuple[str, ...] = ("json",)) -> int:
    """Apply ``edits`` seeded edits to ``tree`` one after another; after each, every format's
    cached run equals the uncached one. Returns how many edits changed a file."""
    rng = random.Random(seed)
    manifests = sorted(p for p in tree.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and not p.is_symlink())
    base = ("check", str(tree), "--isolated", "--select", "ALL", "--fail-on", "never")
    for fmt in formats:
        run_cli(*base, "-f", fmt, "--cache-dir", str(cache))
    done = 0
    while done < edits:
        path = rng.choice(manifests)
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        edited = _edit(text, rng)
        if edited is None or edited == text:
            continue
        path.write_text(edited, encoding="utf-8", errors="surrogateescape")
        done += 1
        for fmt in formats:
            uncached = run_cli(*base, "-f", fmt, "--no-cache")
            cached = run_cli(*base, "-f", fmt, "--cache-dir", str(cache))
            assert _same(cached, uncached), (path, edited, fmt)
    return done


@pytest.mark.parametrize(
    ("name", "one_unit"),
    [("examples/shop", True), ("server/mesh", True), ("core", True), ("netpol-analyzer-shape", True), ("calls", False), ("units-repo", False)],
)
def test_seeded_edits_on_fixture_trees_match_uncached_runs(
    name: str, one_unit: bool, tmp_path: Path, replays: list[replay.Replay | None]
) -> None:
    """A tree of several deployment units is checked whole after a change (no state is kept)."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / name, tree, symlinks=True)
    assert _check_edits(tree, tmp_path / "cache", edits=12, seed=15, formats=("json", "sarif")) == 12
    assert any(answer is not None for answer in replays) == one_unit


def _corpus(directory: Path, objects: int, seed: int) -> Path:
    tree = directory / "corpus"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), "--objects", str(objects), "--out", str(tree), "--seed", str(seed)],
        check=True, capture_output=True,
    )
    return tree


def test_seeded_edits_on_a_generated_tree_replay_and_match(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    """A GitOps-shaped tree of ~400 objects, one unit: each edit replays (no added file, no
    identity changed) unless it renames an object, and the report is an uncached run's."""
    tree = _corpus(tmp_path, 400, seed=3)
    assert _check_edits(tree, tmp_path / "cache", edits=20, seed=7) == 20
    assert sum(answer is not None for answer in replays) >= 10


def test_seeded_edits_on_a_second_generated_tree_in_sarif(tmp_path: Path, replays: list[replay.Replay | None]) -> None:
    tree = _corpus(tmp_path, 600, seed=2)
    assert _check_edits(tree, tmp_path / "cache", edits=10, seed=2, formats=("sarif",)) == 10
    assert sum(answer is not None for answer in replays) >= 5
