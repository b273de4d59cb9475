"""parallel.py: forked work gives exactly what one process gives, whatever fails on the way."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from svclint import parallel
from svclint.parallel import fork_split, jobs_for_checking, jobs_for_parsing, map_in_workers

forks = pytest.mark.skipif(sys.platform == "win32", reason="forks")
PARENT = os.getpid()


def _identity(values: list[Any]) -> list[Any]:
    return values


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 7])
def test_fork_split_keeps_the_order(jobs: int, count: int) -> None:
    tasks = list(range(count))
    assert fork_split(tasks, _square, jobs, _identity, _identity) == [n * n for n in tasks]


@forks
def test_fork_split_runs_the_second_half_in_a_child() -> None:
    pids = fork_split(list(range(4)), lambda _: os.getpid(), 2, _identity, _identity)
    assert pids[:2] == [PARENT, PARENT] and PARENT not in pids[2:]


@forks
def test_fork_split_encodes_in_the_child_and_decodes_here() -> None:
    shared = ["a", "b", "c", "d"]
    found = fork_split(
        [0, 1, 2, 3],
        lambda i: shared[i],
        2,
        lambda values: [shared.index(v) for v in values],  # only indexes travel
        lambda indexes: [shared[i] for i in indexes],
    )
    assert found == shared


def _fails_in_child(n: int) -> Any:
    if os.getpid() != PARENT:
        raise RuntimeError("child only")
    return n


def _unpicklable_in_child(n: int) -> Any:
    return (lambda: n) if os.getpid() != PARENT else n


@forks
@pytest.mark.parametrize("run", [_fails_in_child, _unpicklable_in_child])
def test_fork_split_redoes_what_the_child_could_not_send(run: Any) -> None:
    assert fork_split([1, 2, 3, 4], run, 2, _identity, _identity) == [1, 2, 3, 4]
    assert multiprocessing.active_children() == []


@forks
def test_fork_split_without_fork_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(method: str) -> Any:
        raise RuntimeError("no fork")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    assert fork_split([1, 2, 3], _square, 2, _identity, _identity) == [1, 4, 9]


def _squares_and_pids(batch: list[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in batch]


def _squares_here(items: list[int]) -> list[tuple[int, int]]:
    return [(n * n, -1) for n in items]


def _fails_on_batch_with_ten(batch: list[int]) -> list[tuple[int, int]]:
    if 10 in batch:
        raise OSError("a worker died")
    return _squares_and_pids(batch)


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 37])
def test_map_in_workers_keeps_the_order(jobs: int, count: int) -> None:
    items = list(range(count))
    found = list(map_in_workers(_squares_and_pids, items, jobs, _identity, _squares_here))
    assert [square for square, _ in found] == [n * n for n in items]


@forks
def test_map_in_workers_works_in_workers() -> None:
    found = list(map_in_workers(_squares_and_pids, list(range(20)), 2, _identity, _squares_here))
    assert {pid for _, pid in found}.isdisjoint({PARENT, -1})
    assert multiprocessing.active_children() == []


@forks
def test_map_in_workers_does_the_rest_here_when_the_pool_fails() -> None:
    # 20 items, 2 jobs: batches of 3; the batch holding 10 fails, and everything from there is done here.
    found = list(map_in_workers(_fails_on_batch_with_ten, list(range(20)), 2, _identity, _squares_here))
    assert [square for square, _ in found] == [n * n for n in range(20)]
    assert [n for n, (_, pid) in enumerate(found) if pid == -1] == list(range(9, 20))


@forks
def test_closing_map_in_workers_early_stops_the_workers() -> None:
    found = map_in_workers(_squares_and_pids, list(range(2000)), 2, _identity, _squares_here)
    assert next(found)[0] == 0
    found.close()
    assert multiprocessing.active_children() == []


def test_jobs_for_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert jobs_for_checking(0, parallel.PARALLEL_MIN_OBJECTS - 1) == 1
    assert jobs_for_checking(0, parallel.PARALLEL_MIN_OBJECTS) == 2
    assert jobs_for_checking(3, 1) == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert jobs_for_checking(0, parallel.PARALLEL_MIN_OBJECTS) == 1


def test_jobs_for_parsing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    small, large = tmp_path / "small.yaml", tmp_path / "large.yaml"
    small.write_text("a: 1\n")
    with large.open("wb") as out:
        out.truncate(parallel.PARALLEL_MIN_BYTES)
    assert jobs_for_parsing(0, [str(small), str(tmp_path / "missing.yaml")]) == 1
    assert jobs_for_parsing(0, [str(small), str(large)]) == 4
    assert jobs_for_parsing(2, [str(large)]) == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert jobs_for_parsing(0, [str(large)]) == 2
