"""`svclint check`: lint the manifests, write the report in the chosen format, return the exit code."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from svclint.api import lint_report
from svclint.cli.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    UsageFailure,
    catalog_for,
    common_options,
    rule_selection_options,
    rule_source_options,
    settings_from,
)
from svclint.cli.progress import Progress
from svclint.cli.streams import colour_wanted, echo_crashes, read_stdin, silence_stdout, write_text
from svclint.escape import visible
from svclint.findings import LintReport, Severity
from svclint.lint import baseline as known_findings
from svclint.lint.catalog import Catalog, DeferredCatalog
from svclint.lint.config import ConfigFile
from svclint.lint.rerun import keep_printed, printed
from svclint.loading.discovery import DiscoveryError, discover, display_path
from svclint.loading.render import RenderError
from svclint.loading.render.kustomize import kustomization_file
from svclint.loading.units import UnitError
from svclint.report import DOCUMENTED_FORMATS, FORMATTERS
from svclint.report.options import FormatOptions
from svclint.report.statistics import STATISTICS_FORMATS, format_statistics, format_statistics_json
from svclint.settings import Settings

FAIL_ON = ("error", "warning", "note", "never")


def exit_code(report: LintReport, fail_on: Severity | None) -> int:
    if report.crashes:
        return EXIT_ERROR
    if fail_on is not None and any(f.severity >= fail_on for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _scope(paths: tuple[str, ...], settings: Settings, changed_files: bool) -> tuple[list[str], list[str] | None]:
    """What to load and which files to report on.

    With ``--changed-files`` (the pre-commit hook) the graph still spans the project, the
    config's ``paths:`` or the current directory, so cross-file rules see every object;
    only findings located in the given files are reported. Each invocation loads the whole
    project again, so this holds when pre-commit splits the file list into several calls.
    """
    if not changed_files:
        return list(paths) or list(settings.project_paths) or ["."], None
    if not paths or "-" in paths:
        raise UsageFailure("--changed-files needs the changed files as PATHS (not stdin)")
    cwd = os.getcwd()
    try:  # a directory stands for the manifests under it
        changed = discover(list(paths), settings.exclude, cwd, settings.exclude_root, settings.cli_exclude)
    except DiscoveryError as error:
        raise UsageFailure(str(error)) from None
    report_only = [display_path(path, cwd) for path in changed]
    return list(settings.project_paths or (".",)) + list(paths), report_only


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@rule_selection_options
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 (default: error).")
@click.option("--node-port-range", metavar="LOW-HIGH", help="The cluster's --service-node-port-range (default 30000-32767).")
@rule_source_options
@click.option("--color/--no-color", default=None, help="Colour the text output, also into a pipe (default: only on a terminal, not with NO_COLOR or TERM=dumb).")
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no notes on stderr: only the report (and errors).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings (text or json).")
@click.option("--show-traceback", is_flag=True, help="Print the traceback of a rule that crashed.")
@click.option("--kustomize", "kustomize_paths", multiple=True, metavar="DIR", help="Render this kustomization and check the result (directories holding a kustomization.yaml are rendered anyway).")
@click.option("--kustomize-bin", metavar="PATH", help="kustomize or kubectl binary to render kustomizations with (default: kustomize, else kubectl, on PATH).")
@click.option("--schema-dir", multiple=True, type=click.Path(file_okay=False), metavar="DIR", help="JSON schemas for custom resources, used by SVC004 (repeatable).")
@click.option("--helm-chart", multiple=True, type=click.Path(file_okay=False), metavar="DIR", help="Render this chart with `helm template` and check the result (repeatable).")
@click.option("--helm-values", multiple=True, type=click.Path(dir_okay=False, exists=True), metavar="FILE", help="Values file for every Helm chart rendered (repeatable; `helm template --values`).")
@click.option("--helm-set", multiple=True, metavar="KEY=VALUE", help="Value for every Helm chart rendered (repeatable; `helm template --set`).")
@click.option("--helm-chart-root", type=click.Path(file_okay=False, exists=True), metavar="DIR", help="The chart piped `helm template` output comes from: findings point at DIR/templates/....")
@click.option("--allow-empty", is_flag=True, help="Exit 0 when no Kubernetes object is found (default: exit 2).")
@click.option("--changed-files", is_flag=True, help="PATHS are changed files (pre-commit): load the config's `paths:` (or .) too, report only findings in PATHS.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE", help="Report and fail only on findings not recorded in FILE (config `baseline:`); see docs/review.md.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="FILE", help="Record the current findings in FILE (sorted JSON) and exit 0; findings fixed since drop out.")
@click.option("--sarif-root", type=click.Path(file_okay=False, exists=True), help="Directory SARIF URIs are relative to (default: the current directory).")
@click.option("--sarif-category", metavar="NAME", help="Write runAutomationDetails.id NAME/ (for uploads without the action's category input).")
@common_options
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    color: bool | None,
    quiet: bool,
    statistics: bool,
    show_traceback: bool,
    kustomize_paths: tuple[str, ...],
    changed_files: bool,
    sarif_root: str | None,
    sarif_category: str | None,
    baseline_file: str | None,
    write_baseline: str | None,
    **options: Any,
) -> int:
    """Check the manifests under PATHS (files, directories, or - for stdin).

    Without PATHS, the config's `paths:` or the current directory is checked.
    Directories holding a kustomization.yaml are rendered with kustomize, chart
    directories with helm; `helm template CHART | svclint check -` reports findings in
    the chart's template files. Each deployment unit (overlay, chart, GitOps app,
    alternative directory) is checked as its own graph: see docs/inputs.md.
    """
    settings, config = settings_from(options)
    # Built on first use: a run that reprints its recorded report needs no rule (lint.rerun).
    # Each error below still comes after the catalog's and the set-up's, as when they were built first.
    catalog = DeferredCatalog(settings.plugins, settings.rule_dirs, lambda: _checked_catalog(settings, config))
    try:
        if write_baseline and changed_files:
            raise UsageFailure("--write-baseline records every finding of the project: drop --changed-files")
        if statistics and fmt not in STATISTICS_FORMATS:
            raise UsageFailure(f"--statistics writes {' or '.join(STATISTICS_FORMATS)}, not --format {fmt}")
        if fmt != "sarif" and (sarif_root or sarif_category):
            raise UsageFailure("--sarif-root and --sarif-category apply only to --format sarif")
        for path in kustomize_paths:
            if kustomization_file(path) is None and not os.path.basename(path).lower().startswith("kustomization"):
                raise UsageFailure(f"--kustomize {path}: no kustomization.yaml in that directory")
    except UsageFailure:
        catalog_for(settings, config)
        raise
    try:
        targets, report_only = _scope(paths + kustomize_paths, settings, changed_files)
    except UsageFailure:
        catalog.settle()
        raise
    if settings.helm_charts and not paths and not kustomize_paths and not changed_files:
        targets = []  # only the rendered charts
    if not (settings.cache and settings.cache_dir and targets and "-" not in targets):
        catalog.settle()  # no record to reprint (lint_report's condition)
    stdin_bytes = read_stdin(settings) if "-" in targets else None
    progress = Progress(sys.stderr, enabled=False if quiet else None)
    try:
        report = lint_report(
            targets,
            settings,
            stdin_bytes=stdin_bytes,
            report_only=report_only,
            catalog=catalog,
            documentation=fmt in DOCUMENTED_FORMATS,
            progress=progress if progress.enabled else None,
        )
    except (DiscoveryError, RenderError, UnitError) as error:
        catalog.settle()
        raise UsageFailure(str(error)) from None
    finally:
        progress.done()
    colour = colour_wanted(color, output)
    if write_baseline:
        return _write_baseline(report, write_baseline)
    baseline_file = baseline_file or settings.baseline
    if baseline_file:
        try:
            known = known_findings.read(baseline_file)
        except known_findings.BaselineError as error:
            raise UsageFailure(str(error)) from None
        report = known_findings.apply(report, known, baseline_file)
    format_options = FormatOptions(
        colour=colour,
        sarif_root=os.path.abspath(sarif_root) if sarif_root else None,
        cwd=os.getcwd(),
        sarif_category=sarif_category,
    )
    try:
        formatter = FORMATTERS[fmt] if not statistics else format_statistics if fmt == "text" else format_statistics_json
        shown = f"{fmt}{' --statistics' if statistics else ''} {format_options!r}"
        text = printed(report, settings, shown)  # a reprinted report, printed so before
        if text is None:
            text = formatter(report, format_options)
            keep_printed(report, settings, shown, text)
        write_text(text, output, colour)
    except BrokenPipeError:  # `svclint check | head`: quiet, and the exit code still follows the findings
        silence_stdout()
    for note in () if quiet else report.notes:
        click.echo(f"svclint: note: {visible(note)}", err=True)
    echo_crashes(report.crashes, show_traceback)
    if report.objects == 0 and not report.findings and not settings.allow_empty:
        raise UsageFailure(_nothing_found(targets, report))
    return exit_code(report, settings.fail_on)


def _checked_catalog(settings: Settings, config: ConfigFile | None) -> Catalog:
    """The catalog, with the config's rule entries and SVC004's set-up checked (usage errors)."""
    from svclint.lint.preflight import SetupError, check_setup  # (imports the engine)

    catalog = catalog_for(settings, config)
    try:
        check_setup(catalog, settings)
    except SetupError as error:
        raise UsageFailure(str(error)) from None
    return catalog


def _write_baseline(report: LintReport, path: str) -> int:
    """``--write-baseline``: every current finding, so the next ``--baseline`` run reports only new ones."""
    echo_crashes(report.crashes)
    if report.crashes:  # a baseline without a crashed rule's findings would pass them later
        click.echo(f"svclint: error: {visible(path)} not written", err=True)
        return EXIT_ERROR
    entries = known_findings.entries_of(report)
    write_text(known_findings.dumps(entries), path)
    click.echo(f"svclint: wrote {len(entries)} finding{'s' if len(entries) != 1 else ''} to the baseline {visible(path)}", err=True)
    return EXIT_CLEAN


def _nothing_found(targets: list[str], report: LintReport) -> str:
    """Why an empty run fails (kube-linter's --fail-if-no-objects-found, on by default here):
    a mistyped path or a pipeline that rendered nothing must not pass silently. A run with
    findings (a syntax error, an SVC009 note on an unrendered overlay) says why itself."""
    looked_at = ", ".join(targets) if targets else "the --helm-chart charts"
    details = [f"{report.files} file{'s' if report.files != 1 else ''} read"]
    if report.skipped_documents:
        details.append(f"{report.skipped_documents} non-Kubernetes document{'s' if report.skipped_documents != 1 else ''} skipped")
    return f"no Kubernetes object found in {looked_at} ({', '.join(details)}); pass --allow-empty to exit 0 anyway"
