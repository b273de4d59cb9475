"""``svclint server``: the language server, over stdin and stdout (docs/editors.md)."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import click

from svclint.cli.errors import EXIT_CLEAN, UsageFailure
from svclint.cli.options import catalog_for, common_options, rule_selection_options, rule_source_options, settings_from
from svclint.lint.catalog import Catalog
from svclint.settings import Settings


@click.command("server")
@rule_selection_options
@rule_source_options
@common_options
def server(**options: Any) -> int:
    """Run the language server on stdin and stdout, for editors.

    The editor starts it in the workspace; the workspace folder is checked as `svclint
    check` checks it (config, units, .gitignore, the parse cache), and the findings of
    every open YAML file are published as diagnostics while you type. Code actions add a
    suppression comment or apply a finding's did-you-mean; hovering a Service shows its
    endpoints and who can reach each port. Needs the `server` extra:
    pip install 'svclint[server]'. Editor set-up: docs/editors.md.
    """
    if importlib.util.find_spec("pygls") is None:
        raise UsageFailure("svclint server needs pygls: pip install 'svclint[server]'")
    from svclint.server.lsp import serve

    if options.get("config"):  # the server works in the workspace root: keep the file the user named
        options["config"] = os.path.abspath(options["config"])

    def configure() -> tuple[Settings, Catalog]:
        settings, config = settings_from(options)
        return settings, catalog_for(settings, config)

    serve(configure)
    return EXIT_CLEAN
