"""Rendering what users keep instead of plain YAML: Kustomize overlays and Helm charts.

Each renderer runs the real tool (``kustomize``/``kubectl kustomize``, ``helm``) and
returns the rendered text together with how to attribute it back to the user's files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

TOOL_TIMEOUT_SECONDS = 300


class RenderError(Exception):
    """A renderer is missing or failed, naming the input.

    The loader turns it into an SVC009 note for that input (everything else is still
    checked); only a renderer the user named that cannot run is a usage error (exit 2).
    """


class ToolMissing(RenderError):
    """The renderer is not on PATH (as opposed to a build that failed)."""


def find_tool(name: str) -> str | None:
    """``name`` on PATH (or a path to an executable)."""
    if os.sep in name or (os.altsep and os.altsep in name):
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name)


def run_tool(argv: Sequence[str], what: str) -> str:
    """Run a renderer and return its stdout; failures name ``what`` and quote stderr."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, timeout=TOOL_TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL
        )
    except OSError as error:
        raise RenderError(f"{what}: cannot run {argv[0]}: {error.strerror or error}") from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"{what}: {' '.join(argv[:2])} did not finish in {TOOL_TIMEOUT_SECONDS}s") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise RenderError(f"{what}: {' '.join(argv[:2])} failed: {detail}")
    return done.stdout.decode("utf-8", "replace")
