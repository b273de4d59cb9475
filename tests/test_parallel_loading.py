"""Parallel loading (worker processes, marshal transfer) gives exactly the sequential result."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

import pytest

from svclint.loading import discovery, parsing
from svclint.settings import Limits

from .conftest import run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="parallel loading forks")

# Every fixture: syntax errors (chunk-by-chunk reparse), comment suppressions, JSON, Lists,
# non-Kubernetes documents, cross-file findings; ~120 files, so --jobs 2 makes 8 batches.
ALL = ("fixtures",)


def _check(*args: str, input: str | None = None) -> tuple[int, str]:
    run = run_cli("check", *args, "--isolated", "--format", "json", input=input)
    assert run.exit_code in (0, 1), run.stderr
    return run.exit_code, run.stdout


@pytest.mark.slow
def test_two_workers_report_exactly_what_one_process_reports() -> None:
    sequential = _check(*ALL, "--jobs", "1")
    assert sequential[1].count('"rule"') > 50  # the comparison covers real findings
    assert _check(*ALL, "--jobs", "2") == sequential
    assert _check(*ALL, "--jobs", "3") == sequential


def test_stdin_between_directories_keeps_its_place_with_workers() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\nspec:\n  selector:\n    app: nobody\n  ports:\n    - port: 80\n"
    args = ("fixtures/rules/SVC101", "-", "fixtures/rules/SVC202")
    sequential = _check(*args, "--jobs", "1", input=text)
    assert "<stdin>" in sequential[1]
    assert _check(*args, "--jobs", "2", input=text) == sequential


def test_a_batch_marshal_cannot_write_travels_as_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    files = discovery.discover(["fixtures/rules/SVC001"])
    direct = parsing._parse_batch(files, Limits())

    def refuse(value: object) -> bytes:
        raise ValueError("unmarshallable object")

    packed = parsing._parse_batch_packed(files, Limits())
    assert packed[0] is True
    assert parsing._unpack_batch(packed) == direct
    monkeypatch.setattr(marshal, "dumps", refuse)
    packed = parsing._parse_batch_packed(files, Limits())
    assert packed[0] is False
    assert parsing._unpack_batch(packed) == direct


def test_closing_the_parse_early_stops_the_workers() -> None:
    import multiprocessing

    files = discovery.discover(["fixtures"])
    parsed = parsing.parse_all(files, Limits(), 2)
    first = next(parsed)
    assert first.fs_path == files[0]
    parsed.close()
    assert multiprocessing.active_children() == []


from .test_engine import plugin_distribution  # noqa: E402,F401 - the fixture, reused


def test_a_rule_crashing_in_the_forked_half_is_reported_the_same(plugin_distribution: Path) -> None:  # noqa: F811
    # Plugin rules come last in the catalog, so with two jobs they run in the forked child.
    args = ("check", str(plugin_distribution), "--isolated", "--extend-select", "ACME002", "-f", "json")
    sequential = run_cli(*args, "--jobs", "1")
    parallel = run_cli(*args, "--jobs", "2")
    assert sequential.exit_code == parallel.exit_code == 2
    assert parallel.stderr == sequential.stderr == "svclint: error: rule ACME002 (acme-broken) crashed: RuntimeError: boom\n"
    assert parallel.stdout == sequential.stdout
    assert [f["rule"] for f in parallel.json()["findings"]] == ["ACME001"]
