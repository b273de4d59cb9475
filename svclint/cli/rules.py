"""`svclint rules`: the rule catalog, or one rule's documentation, as text, Markdown or JSON."""

from __future__ import annotations

from typing import Any

import click

from svclint.cli.options import EXIT_CLEAN, UsageFailure, catalog_for, settings_from
from svclint.lint.docs import catalog_markdown, rule_text
from svclint.lint.report_data import rule_info
from svclint.report.rules import format_rule_list, format_rules_json


@click.command("rules")
@click.argument("rule", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False), help="Also list declarative rules from this directory.")
@click.option("--no-plugins", is_flag=True, help="Do not load rules from installed plugins.")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--isolated", is_flag=True, help="Ignore every config file.")
def rules(rule: str | None, fmt: str, **options: Any) -> int:
    """List the rule catalog, or show the documentation of RULE (id or name)."""
    settings, config = settings_from(options)
    catalog = catalog_for(settings, config)
    if rule is not None:
        found = catalog.get(rule)
        if found is None:
            raise UsageFailure(f"no rule named {rule!r}; `svclint rules` lists them")
        selected = [found]
    else:
        selected = list(catalog)
    if fmt == "json":
        text = format_rules_json([rule_info(r) for r in selected])
    elif fmt == "markdown" and rule is None:
        text = catalog_markdown(catalog)
    elif rule is not None:
        text = rule_text(selected[0])
    else:
        text = format_rule_list([rule_info(r) for r in selected])
    click.echo(text, nl=False)
    return EXIT_CLEAN
