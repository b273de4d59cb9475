"""The library entry points: return data, never print or exit."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from svclint.findings import LintReport
from svclint.kube.objects import load
from svclint.lint.catalog import Catalog, build_catalog
from svclint.lint.engine import LintResult, run
from svclint.lint.report_data import build_report
from svclint.parallel import gc_paused
from svclint.settings import Settings

if TYPE_CHECKING:  # the routing package is imported only when asked for
    from svclint.routing.model import RoutingModel


@gc_paused()
def lint_paths(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    report_only: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    cwd: str | None = None,
) -> LintResult:
    """Load ``paths`` into one graph and run the enabled rules.

    ``report_only`` (display paths) keeps only findings located in those files while the
    graph is still built from every path: that is how the pre-commit hook stays right when
    it is given a few changed files.

    The cyclic garbage collector is paused for the call (``parallel.gc_paused``): loading and
    checking only build one large acyclic structure, which collection passes would re-scan.
    """
    settings = settings or Settings()
    catalog = catalog or build_catalog(settings.plugins, settings.rule_dirs)
    result = load(paths, settings, stdin_bytes=stdin_bytes, cwd=cwd or os.getcwd())
    return run(result, catalog, settings, report_only)


@gc_paused()  # the graph is alive while the report is built: see lint_paths
def lint_report(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    report_only: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    cwd: str | None = None,
    documentation: bool = True,
) -> LintReport:
    """``lint_paths`` as the plain data every formatter in ``svclint.report`` takes.

    ``documentation=False`` leaves the rules' documentation out, for formats that don't show it.
    """
    result = lint_paths(paths, settings, stdin_bytes=stdin_bytes, report_only=report_only, catalog=catalog, cwd=cwd)
    return build_report(result, documentation)


def analyze(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    cwd: str | None = None,
) -> RoutingModel:
    """Load ``paths`` and build the routing model (NetworkPolicies, Services, entry points)."""
    from svclint.kube.graph import ManifestGraph
    from svclint.routing.model import routing_model

    settings = settings or Settings()
    result = load(paths, settings, stdin_bytes=stdin_bytes, cwd=cwd or os.getcwd())
    model = routing_model(ManifestGraph(result.objects, settings.pod_sources), settings)
    model.load_problems = len(result.problems)
    return model

