"""`svclint diff OLD [NEW] [PATHS]`: what a change does to connectivity and to the findings."""

from __future__ import annotations

import os
from typing import Any

import click

from svclint.api import review
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
from svclint.cli.streams import echo_crashes, silence_stdout, write_text
from svclint.lint.preflight import SetupError, check_setup
from svclint.loading.discovery import DiscoveryError
from svclint.loading.render import RenderError
from svclint.loading.units import UnitError
from svclint.report.options import FormatOptions
from svclint.review.compare import FailWhen, compare, fails
from svclint.review.formats import FORMATS
from svclint.review.trees import TreeError, absolute_paths, opened, settings_for

FAIL_ON = ("error", "warning", "note", "never")


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True, help="Output format (markdown: a pull-request comment; sarif: the new findings only).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@rule_selection_options
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity of a NEW finding that makes the exit code 1 (default: the config's, else error).")
@click.option("--fail-on-exposure/--no-fail-on-exposure", default=True, show_default=True, help="Exit 1 when the outside world reaches a Service port it did not reach before.")
@click.option("--fail-on-closed/--no-fail-on-closed", default=True, show_default=True, help="Exit 1 when a workload reaches less of a Service port than before.")
@rule_source_options
@common_options
def diff(
    old: str, new: str | None, paths: tuple[str, ...], fmt: str, output: str | None,
    fail_on_exposure: bool, fail_on_closed: bool, **options: Any,
) -> int:
    """Compare OLD with NEW: the (source, Service port) cells whose verdict changed, with the
    objects and lines that changed them, and the findings that are new, fixed or unchanged.

    OLD and NEW are directories, files or git revisions (main, HEAD~1, a commit); NEW
    defaults to the working tree (`.`). A revision is read from git without touching the
    work tree. PATHS (default: the config's `paths:`, else `.`) are checked on both sides,
    relative to the current directory (or to OLD and NEW when they are directories).
    Exit 1 when the outside world reaches more, a workload reaches less, or a new finding
    is at or above --fail-on; flags tune each. See docs/review.md.
    """
    settings, config = settings_from(options)
    catalog = catalog_for(settings, config)
    try:
        check_setup(catalog, settings)
    except SetupError as error:
        raise UsageFailure(str(error)) from None
    cwd = os.getcwd()
    if not paths and settings.project_paths:
        paths = tuple(os.path.relpath(p, cwd) for p in settings.project_paths)
    when = FailWhen(fail_on_exposure, fail_on_closed, settings.fail_on)
    if new == ".":
        new = None
    try:
        with opened(old, paths, cwd) as old_tree, opened(new, paths, cwd) as new_tree:
            sides = []
            for tree in (old_tree, new_tree):
                sides.append(
                    review(absolute_paths(tree), settings_for(tree, settings, cwd), catalog=catalog, cwd=tree.cwd, documentation=fmt == "sarif")
                )
            result = compare(old_tree.label, new_tree.label, sides[0], sides[1], settings)
            format_options = FormatOptions(cwd=new_tree.cwd)
            text = FORMATS[fmt](result, format_options)
    except (TreeError, DiscoveryError, RenderError, UnitError) as error:
        raise UsageFailure(str(error)) from None
    try:
        write_text(text, output)
    except BrokenPipeError:
        silence_stdout()
    echo_crashes(result.report.crashes)
    if result.report.crashes:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails(result, when) else EXIT_CLEAN

