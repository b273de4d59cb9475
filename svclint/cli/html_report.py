"""`svclint report`: the findings and the reachability of the app in one offline HTML file."""

from __future__ import annotations

import os
from typing import Any

import click

from svclint.cli.errors import EXIT_CLEAN, UsageFailure
from svclint.cli.options import catalog_for, common_options, settings_from
from svclint.cli.progress import Progress
from svclint.cli.streams import read_stdin, write_text

DEFAULT_OUTPUT = "svclint-report.html"


@click.command("report")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=DEFAULT_OUTPUT, show_default=True, help="The HTML file to write.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no 'wrote' line on stderr.")
@common_options
def report(paths: tuple[str, ...], output: str, quiet: bool, **options: Any) -> int:
    """Write one self-contained HTML page (works offline): the findings by unit and file
    with their lines, and per namespace a Service map and a grid of who reaches which
    Service port; clicking a cell or an edge shows why, with file:line.

    The map needs one deployment unit: with several, pass --unit NAME (the findings cover
    every unit either way).
    """
    from svclint.api import analyze, lint_report
    from svclint.loading.discovery import DiscoveryError
    from svclint.loading.render import RenderError
    from svclint.loading.units import UnitError
    from svclint.report.html.data import page_data
    from svclint.report.html.page import render_page
    from svclint.routing.pagedata import routing_data

    settings, config = settings_from(options)
    catalog = catalog_for(settings, config)
    targets = list(paths) or list(settings.project_paths) or ["."]
    stdin_bytes = read_stdin(settings) if "-" in targets else None
    progress = Progress(enabled=False if quiet else None)
    try:
        findings = lint_report(targets, settings, stdin_bytes=stdin_bytes, catalog=catalog, progress=progress if progress.enabled else None)
        progress("tracing reachability")
        note = ""
        try:
            model = analyze(targets, settings, stdin_bytes=stdin_bytes)
        except UnitError as error:
            model, note = None, f"No map: {error}"
    except (DiscoveryError, RenderError) as error:
        raise UsageFailure(str(error)) from None
    finally:
        progress.done()
    title = "svclint report: " + (", ".join(paths) if paths else os.path.basename(os.getcwd()))
    routing = routing_data(model) if model is not None else None
    write_text(render_page(page_data(findings, routing, title, note)), output)
    if not quiet:
        click.echo(f"svclint: wrote {output}", err=True)
    return EXIT_CLEAN
