"""What the commands share: exit codes, the usage error, comma lists, the common options,
and the settings and catalog a command runs with (config file, then flags)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import click

from svclint.cli.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageFailure
from svclint.lint.catalog import Catalog, build_catalog
from svclint.lint.config import ConfigError, ConfigFile, Flags, apply_flags, check_rule_config, load_settings
from svclint.lint.rule import CatalogError
from svclint.loading.cache import DIRECTORY_NAME
from svclint.settings import Settings

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "UsageFailure", "catalog_for", "common_options", "rule_selection_options", "rule_source_options", "settings_from", "split_list"]

F = TypeVar("F", bound=Callable[..., Any])


def split_list(values: Sequence[str], option: str = "") -> tuple[str, ...]:
    """``--select SVC1,SVC2 --select SVC3`` -> all three; an option given empty is a usage error."""
    parts = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    if values and not parts:
        raise UsageFailure(f"{option or 'option'}: expected a comma-separated list, got nothing")
    return parts


def _apply(function: F, decorators: Sequence[Callable[[Any], Any]]) -> F:
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def rule_selection_options(function: F) -> F:
    """``--select``/``--extend-select``/``--ignore``/``--extend-ignore``: which rules run (check, diff)."""
    return _apply(function, [
        click.option("--select", multiple=True, metavar="RULES", help="Run only these rules: ids, prefixes (SVC2) or names, comma-separated."),
        click.option("--extend-select", multiple=True, metavar="RULES", help="Add rules to the selection (e.g. off-by-default ones)."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (ids, prefixes or names)."),
        click.option("--extend-ignore", multiple=True, metavar="RULES", help="Skip these rules in addition to the configured ignores."),
    ])


def rule_source_options(function: F) -> F:
    """``--kube-version``/``--rules-dir``/``--no-plugins``: what the rules know and where they come from (check, diff)."""
    return _apply(function, [
        click.option("--kube-version", metavar="1.N", help="Kubernetes version the manifests target."),
        click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False), help="Directory of declarative rule files (repeatable)."),
        click.option("--no-plugins", is_flag=True, help="Do not load rules from installed plugins."),
    ])


def common_options(function: F) -> F:
    """The options every command that loads manifests takes."""
    decorators = [
        click.option("--config", "-c", type=click.Path(dir_okay=False), help="Config file (default: nearest .svclint.yaml or [tool.svclint] in pyproject.toml)."),
        click.option("--isolated", is_flag=True, help="Ignore every config file."),
        click.option("--default-namespace", metavar="NS", help="Namespace of objects that name none (default: default)."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching this gitignore-style glob (repeatable)."),
        click.option("--jobs", "-j", type=click.IntRange(0, 64), help="Loader processes (0: automatic)."),
        click.option("--allow-remote", is_flag=True, help="Let kustomize fetch remote resources and git URLs (off: such a kustomization is not built, one SVC009 note per remote entry). Command line only."),
        click.option("--follow-symlinks", is_flag=True, help="Follow symlinks that lead outside the checked directories (off: they are skipped, named in one note). Command line only."),
        click.option("--no-gitignore", is_flag=True, help="Read files git ignores too (default: inside a git work tree, skip them)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the parse cache (docs/cache.md)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR", envvar="SVCLINT_CACHE_DIR", show_envvar=True, help="Parse cache directory (default: .svclint_cache beside the config, else in the current directory)."),
        click.option("--unit", "units", multiple=True, metavar="NAME", help="Check only this deployment unit (repeatable; see `docs/inputs.md`)."),
    ]
    return _apply(function, decorators)


def _flags(options: dict[str, Any]) -> Flags:
    """The settings flags among a command's click options (a command has only some of them)."""
    return Flags(
        select=split_list(options.get("select") or (), "--select"),
        extend_select=split_list(options.get("extend_select") or (), "--extend-select"),
        ignore=split_list(options.get("ignore") or (), "--ignore"),
        extend_ignore=split_list(options.get("extend_ignore") or (), "--extend-ignore"),
        fail_on=options.get("fail_on"),
        default_namespace=options.get("default_namespace"),
        node_port_range=options.get("node_port_range"),
        kube_version=options.get("kube_version"),
        exclude=tuple(options.get("exclude") or ()),
        rules_dir=tuple(options.get("rules_dir") or ()),
        no_plugins=bool(options.get("no_plugins")),
        jobs=options.get("jobs"),
        kustomize_bin=options.get("kustomize_bin"),
        helm_chart=tuple(options.get("helm_chart") or ()),
        schema_dir=tuple(options.get("schema_dir") or ()),
        allow_remote=bool(options.get("allow_remote")),
        follow_symlinks=bool(options.get("follow_symlinks")),
        helm_values=tuple(options.get("helm_values") or ()),
        helm_set=tuple(options.get("helm_set") or ()),
        helm_chart_root=options.get("helm_chart_root"),
        no_gitignore=bool(options.get("no_gitignore")),
        allow_empty=bool(options.get("allow_empty")),
        units=tuple(options.get("units") or ()),
        no_cache=bool(options.get("no_cache")),
        cache_dir=options.get("cache_dir"),
    )


def settings_from(options: dict[str, Any]) -> tuple[Settings, ConfigFile | None]:
    """The config file (found or given) layered with the flags that were given."""
    try:
        settings, config = load_settings(options.get("config"), options.get("isolated", False), os.getcwd())
        return with_default_cache(apply_flags(settings, _flags(options)), config), config
    except ConfigError as error:
        raise UsageFailure(str(error)) from None


def with_default_cache(settings: Settings, config: ConfigFile | None) -> Settings:
    """The CLI caches parsed files by default: in .svclint_cache beside the config file, else
    in the current directory (docs/cache.md)."""
    if not settings.cache or settings.cache_dir is not None:
        return settings
    root = config.directory if config is not None else os.getcwd()
    return replace(settings, cache_dir=os.path.join(root, DIRECTORY_NAME))


def catalog_for(settings: Settings, config: ConfigFile | None) -> Catalog:
    """Every rule (built-in, plugins, rule files), with the config's rule entries checked against it."""
    try:
        catalog = build_catalog(settings.plugins, settings.rule_dirs)
        check_rule_config(settings, catalog, config)
    except (CatalogError, ConfigError) as error:
        raise UsageFailure(str(error)) from None
    return catalog
