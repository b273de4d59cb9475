"""Shared test helpers: run the real CLI and read fixture expectations."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from svclint.cli import cli
from svclint.loading.source import split_lines

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Za-z0-9_, -]+)")


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str, input: str | bytes | None = None) -> CliRun:
    """Invoke the real click command in-process, stdout and stderr kept apart."""
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    stderr = result.stderr if result.stderr_bytes is not None else ""
    return CliRun(result.exit_code, result.stdout, stderr)


def expected_markers(paths: list[Path], rule_id: str | None = None) -> Counter[tuple[str, int, str]]:
    """(file, line, rule) for every ``# expect: SVCnnn`` marker in ``paths``."""
    found: Counter[tuple[str, int, str]] = Counter()
    for path in paths:
        for number, line in enumerate(split_lines(path.read_text(encoding="utf-8", errors="replace")), 1):
            match = EXPECT.search(line)
            if not match:
                continue
            for rule in match.group(1).replace(" ", ",").split(","):
                rule = rule.strip()
                if rule and (rule_id is None or rule == rule_id):
                    found[(path.relative_to(REPO).as_posix(), number, rule)] += 1
    return found


def finding_keys(payload: dict[str, Any]) -> Counter[tuple[str, int, str]]:
    return Counter((f["file"], f["line"], f["rule"]) for f in payload["findings"])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden output files.")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Any:
    """``golden(path, text)``: compare with a committed file, or rewrite it (--update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(path: Path, text: str) -> None:
        if update or not path.exists():
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"{path} did not exist; it was written, review and commit it")
        assert path.read_text(encoding="utf-8") == text, f"{path} differs (run pytest --update-golden to accept)"

    return check


@pytest.fixture(scope="session", autouse=True)
def _suite_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One cache directory and user key for the session's runs (each xdist worker its own),
    set before any fixture runs svclint: the suite writes nothing into the checkout or the
    home directory (a test of the cache's default place removes ``SVCLINT_CACHE_DIR``)."""
    directory = tmp_path_factory.mktemp("svclint-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SVCLINT_CACHE_DIR", str(directory / "cache"))
        patch.setenv("XDG_CACHE_HOME", str(directory / "user"))
        yield directory


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test from the repository root so reported paths are repo-relative."""
    monkeypatch.chdir(REPO)


def cached_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of real fixtures (core, hostile input, a sample of every kind of finding) as the
    working directory, with the cache's user key in ``tmp_path``: the cache tests' project,
    whose cache is in its default place (no ``SVCLINT_CACHE_DIR``)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("SVCLINT_CACHE_DIR", raising=False)
    tree = tmp_path / "project"
    for name in ("core", "bad-input"):
        shutil.copytree(FIXTURES / name, tree / name, symlinks=True)
    for rule in sorted(p for p in (FIXTURES / "rules").iterdir() if not p.name.startswith("."))[:20]:
        shutil.copytree(rule, tree / "rules" / rule.name, symlinks=True)
    monkeypatch.chdir(tree)
    return tree


def composed_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display path of each document a run composes again to locate a finding, appended
    as it happens (``Source._compose`` spied on, its behaviour unchanged)."""
    from svclint.loading import source as source_module

    composed: list[str] = []
    real_compose = source_module.Source._compose

    def counting(self: source_module.Source, span: source_module.DocumentSpan) -> object:
        composed.append(self.path)
        return real_compose(self, span)

    monkeypatch.setattr(source_module.Source, "_compose", counting)
    return composed
