"""`svclint matrix` / `svclint explain` command-line behaviour: errors, filters, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

RENDER_ERROR = (
    "svclint: error: kustomization fixtures/kustomize/overlay: needs kustomize or kubectl on PATH "
    "to render the kustomization (or name one with --kustomize-bin)\n"
)


@pytest.mark.parametrize("args", [("matrix", "fixtures/kustomize/overlay"), ("explain", "a", "b", "fixtures/kustomize/overlay")])
def test_render_error_is_a_usage_error(args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run = run_cli(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", RENDER_ERROR)
