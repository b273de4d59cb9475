"""What a formatter is told besides the report; each formatter reads the fields it needs."""

from __future__ import annotations

from dataclasses import dataclass

GITHUB_MAX_RESULTS = 25_000  # SARIF results GitHub code scanning accepts per run


@dataclass(frozen=True)
class FormatOptions:
    """``colour``: text only (ANSI colours and a blank line between files).

    SARIF: ``sarif_root`` is the absolute directory URIs are made relative to
    (``--sarif-root``); None keeps the display paths, which are relative to the working
    directory ``cwd`` already. ``sarif_category`` becomes ``runAutomationDetails.id``;
    ``sarif_max_results`` keeps the most severe results under GitHub's limit.
    """

    colour: bool = False
    sarif_root: str | None = None
    cwd: str | None = None
    sarif_category: str | None = None
    sarif_max_results: int = GITHUB_MAX_RESULTS


DEFAULT_OPTIONS = FormatOptions()
