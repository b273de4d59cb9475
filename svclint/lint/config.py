"""Configuration: find it, validate it with jsonschema, layer it and the flags into Settings.

Order, lowest first: defaults < ``.svclint.yaml`` / ``.svclint.yml`` / ``[tool.svclint]`` in
``pyproject.toml`` (the first found walking up from the working directory, or ``--config``)
< command-line flags. Errors name the file and line (config YAML is read with ruamel.yaml,
which keeps the position of every key).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from svclint.findings import Severity
from svclint.lint.catalog import Catalog
from svclint.lint.yamllines import yaml_line_of
from svclint.loading.source import parse_field_path
from svclint.loading.yamlload import parse_stream
from svclint.settings import (
    CallsConfig,
    HelmChartOptions,
    Limits,
    PodSource,
    Settings,
    UnitConfig,
    WorkloadIdentity,
    parse_port_range,
)
from svclint.suggest import did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAMES = (".svclint.yaml", ".svclint.yml")
CONFIG_LIMITS = Limits(max_depth=100, max_expanded_nodes=100_000, max_document_bytes=1024 * 1024)


class ConfigError(Exception):
    """An invalid configuration; the message starts with ``file:line:``."""


@dataclass
class ConfigFile:
    path: str
    data: dict[str, Any]
    line_of: Callable[[tuple[Any, ...]], int]

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def error(self, path: tuple[Any, ...], message: str) -> ConfigError:
        where = ".".join(str(p) for p in path)
        prefix = f"{where}: " if where else ""
        return ConfigError(f"{self.path}:{self.line_of(path)}: {prefix}{message}")


def find_config(start: str) -> str | None:
    """The nearest config file at or above ``start``."""
    directory = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_section(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return "svclint" in tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    except RecursionError:  # nested past Python's stack: read_config names the file
        return True


def _toml_line_of(text: str) -> Callable[[tuple[Any, ...]], int]:
    lines = text.splitlines()

    def line_of(path: tuple[Any, ...]) -> int:
        start = next((i for i, line in enumerate(lines) if line.strip() == "[tool.svclint]"), 0)
        for part in path:
            if not isinstance(part, str):
                continue
            for i in range(start, len(lines)):
                stripped = lines[i].strip()
                if stripped.startswith((part, f'"{part}"', f"[tool.svclint.{part}")):
                    start = i
                    break
        return start + 1

    return line_of


def read_config(path: str) -> ConfigFile:
    """Parse a config file (YAML or pyproject.toml) without validating it."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(CONFIG_LIMITS.max_document_bytes + 1)
        if len(raw) > CONFIG_LIMITS.max_document_bytes:
            raise ConfigError(f"{path}:1: config file is over {CONFIG_LIMITS.max_document_bytes} bytes")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}:1: cannot read config: {error}") from None
    if os.path.basename(path) == "pyproject.toml" or path.endswith(".toml"):
        try:
            data = tomllib.loads(text).get("tool", {}).get("svclint", {})
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}:1: invalid TOML: {error}") from None
        except RecursionError:
            raise ConfigError(f"{path}:1: invalid TOML: nested too deeply") from None
        return ConfigFile(path, data, _toml_line_of(text))
    # The manifests' bounds first (alias expansion, depth): ruamel and the schema check
    # below would otherwise recurse past Python's limit or walk an alias bomb for minutes.
    bounded = parse_stream(text, CONFIG_LIMITS)
    if bounded.problems:
        problem = bounded.problems[0]
        message = problem.message.replace("; limits.max-expanded-nodes", " (a fixed limit for config files)")
        raise ConfigError(f"{path}:{problem.line}: invalid YAML: {message}")
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{path}:{line}: invalid YAML: {getattr(error, 'problem', error)}") from None
    except (TypeError, ValueError) as error:  # ruamel on a mapping used as a key (found by fuzzing)
        raise ConfigError(f"{path}:1: invalid YAML: a mapping key that is not a plain value ({error})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be a mapping")
    return ConfigFile(path, data, yaml_line_of(data))


def repository_root(directory: str) -> str:
    """The work tree holding ``directory`` (the nearest parent with ``.git``), else ``directory``:
    what a config file may name paths in."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.abspath(directory)
        current = parent


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def config_jobs_ceiling() -> int:
    return max(1, os.cpu_count() or 1)


def config_schema() -> dict[str, Any]:
    text = resources.files("svclint").joinpath("schemas/config.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _non_string_key(data: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """Path of the first mapping key that is not a string (``? {a: 1}``, ``true:``): the
    schema check compares keys and would raise on them (found by fuzzing)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                return path
            found = _non_string_key(value, path + (key,))
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _non_string_key(value, path + (index,))
            if found is not None:
                return found
    return None


def validate_config(config: ConfigFile) -> None:
    import jsonschema  # only when there is a config to validate: it costs 0.1 s to import

    bad_key = _non_string_key(config.data)
    if bad_key is not None:
        raise config.error(bad_key, "every key must be a string")

    validator = jsonschema.Draft202012Validator(config_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(config.data))
    if error is None:
        return
    path = tuple(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        unknown = sorted(str(k) for k in error.instance if k not in known)
        if unknown:
            path += (unknown[0],)
            message = f"unknown key {unknown[0]!r}{did_you_mean(unknown[0], known)}"
    raise config.error(path, message)


def apply_config(settings: Settings, config: ConfigFile) -> Settings:
    """Settings with the file's values layered on top (paths relative to the file)."""
    data = config.data
    base = config.directory

    def rel(paths: list[str], key: str) -> tuple[str, ...]:
        out = tuple(p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p)) for p in paths)
        for index, path in enumerate(out):
            if not _inside(os.path.realpath(path), os.path.realpath(repository_root(base))):
                raise config.error(
                    (key, index),
                    f"{paths[index]!r} is outside the repository ({repository_root(base)}); a config file "
                    "names only paths inside it (give a path outside on the command line)",
                )
        return out

    changes: dict[str, Any] = {"config_path": config.path}
    if "paths" in data:
        changes["project_paths"] = rel(list(data["paths"]), "paths")
    if "exclude" in data:
        changes["exclude"] = tuple(data["exclude"])
        changes["exclude_root"] = base
    if "select" in data:
        changes["select"] = tuple(data["select"])
    if "extend-select" in data:
        changes["extend_select"] = tuple(data["extend-select"])
    if "ignore" in data:
        changes["ignore"] = tuple(data["ignore"])
    if "fail-on" in data:
        changes["fail_on"] = None if data["fail-on"] == "never" else Severity.parse(data["fail-on"])
    if "default-namespace" in data:
        changes["default_namespace"] = data["default-namespace"]
    if "node-port-range" in data:
        try:
            changes["node_port_range"] = parse_port_range(data["node-port-range"])
        except ValueError as error:
            raise config.error(("node-port-range",), str(error)) from None
    if "kube-version" in data:
        changes["kube_version"] = data["kube-version"].lstrip("v")
    if "rule-dirs" in data:
        changes["rule_dirs"] = rel(list(data["rule-dirs"]), "rule-dirs")
    if "plugins" in data:
        changes["plugins"] = data["plugins"]
    if "jobs" in data:  # a repository cannot start more processes than the machine has cores
        changes["jobs"] = min(data["jobs"], config_jobs_ceiling())
    if "rules" in data:
        changes["rule_config"] = {str(k): _rule_entry(v) for k, v in data["rules"].items()}
    for key, attr in (("ingress-controller", "ingress_controller"), ("kube-dns", "kube_dns"), ("openshift-router", "openshift_router")):
        if key in data:
            identity = data[key]
            changes[attr] = WorkloadIdentity(
                identity["namespace"],
                tuple(sorted(identity["labels"].items())),
                tuple(sorted(identity.get("namespace-labels", {}).items())),
            )
    if "calls" in data:  # issue 12: how Service references are read
        calls = data["calls"]
        changes["calls"] = CallsConfig(
            calls.get("cluster-domain", CallsConfig.cluster_domain),
            tuple(calls.get("ignore-variables", ())),
            tuple(calls.get("host-variables", ())),
        )
    if "pod-sources" in data:
        changes["pod_sources"] = tuple(_pod_source(config, i, entry) for i, entry in enumerate(data["pod-sources"]))
    if "limits" in data:
        limits = data["limits"]
        # Each at most its CEILINGS value: the schema refuses more (a config error at its line).
        changes["limits"] = Limits(
            max_depth=limits.get("max-depth", Limits.max_depth),
            max_expanded_nodes=limits.get("max-expanded-nodes", Limits.max_expanded_nodes),
            max_document_bytes=limits.get("max-document-bytes", Limits.max_document_bytes),
            max_objects_per_file=limits.get("max-objects-per-file", Limits.max_objects_per_file),
        )
    changes.update(_input_config(data, base))
    if "baseline" in data:  # issue 13: known findings `check` does not report (lint/baseline.py)
        changes["baseline"] = rel([data["baseline"]], "baseline")[0]
    changes.update(_cache_config(config))
    return replace(settings, **changes)


def _pod_source(config: ConfigFile, index: int, entry: dict[str, Any]) -> PodSource:
    """One ``pod-sources:`` entry (the schema checked the types); paths must name a field."""
    defaults = PodSource(entry["kind"], entry["group"])
    paths: dict[str, str | None] = {}
    for key in ("labels", "containers", "replicas"):
        value = entry.get(key, getattr(defaults, key))
        if value is not None and not parse_field_path(value):
            raise config.error(("pod-sources", index, key), f"{value!r} is not a field path such as spec.template.metadata.labels")
        paths[key] = value
    return PodSource(
        kind=entry["kind"],
        group=entry["group"],
        labels=paths["labels"],
        containers=paths["containers"],
        replicas=paths["replicas"],
        default_replicas=entry.get("default-replicas", 1),
        fixed_labels=tuple(sorted(entry.get("fixed-labels", {}).items())),
        ports=tuple((p.get("name", ""), p["port"], p.get("protocol", "TCP")) for p in entry.get("ports", [])),
    )


def _rule_entry(value: Any) -> dict[str, Any]:
    if value in ("off", False):
        return {"enabled": False}
    if value in ("on", True):
        return {"enabled": True}
    return dict(value)


# An id or id prefix (SVC999, SVC9) that matches nothing: the nearest id would be a guess, not a typo.
_ID_PREFIX = re.compile(r"[A-Z]+[0-9]*")


def _rule_names(catalog: Catalog) -> list[str]:
    return [name for rule in catalog for name in (rule.id, rule.name)]


def check_rule_config(settings: Settings, catalog: Catalog, config: ConfigFile | None) -> None:
    """Rule keys must name rules; severities and options must fit the rule's declaration."""

    def fail(path: tuple[Any, ...], message: str) -> ConfigError:
        return config.error(path, message) if config is not None else ConfigError(message)

    for key in ("select", "extend_select", "ignore"):
        for selector in getattr(settings, key) or ():
            if not catalog.is_known_selector(selector):
                hint = "" if _ID_PREFIX.fullmatch(selector) else did_you_mean(selector, _rule_names(catalog))
                raise fail((key.replace("_", "-"),), f"{selector!r} names no rule (expected an id, prefix or name){hint}")
    for key, entry in settings.rule_config.items():
        rule = catalog.get(key)
        if rule is None:
            hint = "" if _ID_PREFIX.fullmatch(key) else did_you_mean(key, _rule_names(catalog))
            raise fail(("rules", key), f"{key!r} names no rule{hint}")
        known = {o.name: o for o in rule.options}
        for option, value in entry.items():
            if option in ("severity", "enabled"):
                continue
            if option not in known:
                names = ", ".join(sorted(known)) or "none"
                raise fail(("rules", key, option), f"{rule.id} has no option {option!r} (options: {names})")
            try:
                known[option].coerce(value)
            except ValueError as error:
                raise fail(("rules", key, option), str(error)) from None


@dataclass(frozen=True)
class Flags:
    """The command-line flags that override the configuration; empty or None: not given.

    Lists are already split at commas. Directories are made absolute against the working
    directory, as a shell user means them.
    """

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    fail_on: str | None = None  # a severity or "never"
    default_namespace: str | None = None
    node_port_range: str | None = None  # "LOW-HIGH"
    kube_version: str | None = None
    exclude: tuple[str, ...] = ()
    rules_dir: tuple[str, ...] = ()
    no_plugins: bool = False
    jobs: int | None = None
    kustomize_bin: str | None = None
    helm_chart: tuple[str, ...] = ()
    schema_dir: tuple[str, ...] = ()
    allow_remote: bool = False  # command line only: a repository cannot widen what svclint reaches
    follow_symlinks: bool = False  # command line only, as allow_remote
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    helm_chart_root: str | None = None
    no_gitignore: bool = False
    allow_empty: bool = False
    units: tuple[str, ...] = ()
    no_cache: bool = False
    cache_dir: str | None = None


def apply_flags(settings: Settings, flags: Flags) -> Settings:
    """Settings with the given flags layered on top (the last layer); ConfigError names the flag."""
    changes: dict[str, Any] = {}
    if flags.select:
        changes["select"] = flags.select
    if flags.extend_select:
        changes["extend_select"] = settings.extend_select + flags.extend_select
    if flags.ignore:
        changes["ignore"] = flags.ignore
    if flags.extend_ignore:
        changes["ignore"] = changes.get("ignore", settings.ignore) + flags.extend_ignore
    if flags.fail_on:
        changes["fail_on"] = None if flags.fail_on == "never" else Severity.parse(flags.fail_on)
    if flags.default_namespace:
        changes["default_namespace"] = flags.default_namespace
    if flags.node_port_range:
        try:
            changes["node_port_range"] = parse_port_range(flags.node_port_range)
        except ValueError as error:
            raise ConfigError(f"--node-port-range: {error}") from None
    if flags.kube_version:
        changes["kube_version"] = flags.kube_version.lstrip("v")
    if flags.exclude:
        changes["cli_exclude"] = flags.exclude
    if flags.rules_dir:
        changes["rule_dirs"] = settings.rule_dirs + tuple(os.path.abspath(d) for d in flags.rules_dir)
    if flags.no_plugins:
        changes["plugins"] = False
    if flags.jobs is not None:
        changes["jobs"] = flags.jobs
    if flags.kustomize_bin:
        changes["kustomize_bin"] = flags.kustomize_bin
    if flags.helm_chart:
        changes["helm_charts"] = flags.helm_chart
    if flags.schema_dir:
        changes["schema_dirs"] = tuple(os.path.abspath(d) for d in flags.schema_dir)
    if flags.allow_remote:
        changes["allow_remote"] = True
    if flags.follow_symlinks:
        changes["follow_symlinks"] = True
    changes.update(_input_flags(flags))
    changes.update(_cache_flags(flags))
    return replace(settings, **changes)


def _cache_flags(flags: Flags) -> dict[str, Any]:
    """--no-cache and --cache-dir (docs/cache.md): any directory, the user's choice."""
    changes: dict[str, Any] = {}
    if flags.cache_dir:
        changes["cache_dir"] = os.path.abspath(flags.cache_dir)
    if flags.no_cache:
        changes["cache"] = False
    return changes


def _cache_config(config: ConfigFile) -> dict[str, Any]:
    """Config keys ``cache`` and ``cache-dir``: a repository's config may move the cache only
    to a directory inside the repository (docs/security.md)."""
    data, changes = config.data, dict[str, Any]()
    if "cache" in data:
        changes["cache"] = bool(data["cache"])
    if "cache-dir" in data:
        path = os.path.normpath(os.path.join(config.directory, data["cache-dir"]))
        root = repository_root(config.directory)
        if not _inside(os.path.realpath(path), os.path.realpath(root)) or os.path.realpath(path) == os.path.realpath(root):
            raise config.error(
                ("cache-dir",),
                f"{data['cache-dir']!r} is not a directory inside the repository ({root}); a config file "
                "keeps the cache inside it (give another directory with --cache-dir)",
            )
        changes["cache_dir"] = path
    return changes


def _input_flags(flags: Flags) -> dict[str, Any]:
    """Helm values, .gitignore and empty runs (docs/inputs.md)."""
    changes: dict[str, Any] = {}
    if flags.helm_values:
        changes["helm_values"] = tuple(os.path.abspath(f) for f in flags.helm_values)
    if flags.helm_set:
        changes["helm_set"] = flags.helm_set
    if flags.helm_chart_root:
        changes["helm_chart_root"] = flags.helm_chart_root
    if flags.no_gitignore:
        changes["gitignore"] = False
    if flags.allow_empty:
        changes["allow_empty"] = True
    if flags.units:
        changes["only_units"] = flags.units
    return changes


def _input_config(data: dict[str, Any], base: str) -> dict[str, Any]:
    """Config keys ``units``, ``helm``, ``gitignore``, ``allow-empty`` (docs/inputs.md)."""

    def rel(path: str) -> str:
        return path if os.path.isabs(path) else os.path.normpath(os.path.join(base, path))

    changes: dict[str, Any] = {}
    if "units" in data:
        changes["units"] = tuple(
            UnitConfig(str(u.get("name", "")), tuple(u["paths"]), base, bool(u.get("each", False))) for u in data["units"]
        )
    helm = data.get("helm") or {}
    if "values" in helm:
        changes["helm_values"] = tuple(rel(f) for f in helm["values"])
    if "set" in helm:
        changes["helm_set"] = tuple(helm["set"])
    if "chart-root" in helm:
        changes["helm_chart_root"] = rel(helm["chart-root"])
    if "charts" in helm:
        changes["helm_chart_options"] = {
            os.path.realpath(rel(chart)): HelmChartOptions(
                tuple(rel(f) for f in (entry or {}).get("values", ())), tuple((entry or {}).get("set", ()))
            )
            for chart, entry in helm["charts"].items()
        }
    if "gitignore" in data:
        changes["gitignore"] = bool(data["gitignore"])
    if "allow-empty" in data:
        changes["allow_empty"] = bool(data["allow-empty"])
    return changes


def load_settings(config_path: str | None, isolated: bool, cwd: str) -> tuple[Settings, ConfigFile | None]:
    """Defaults layered with the discovered (or given) config file."""
    settings = Settings()
    if isolated:
        return settings, None
    path = config_path or find_config(cwd)
    if path is None:
        return settings, None
    config = read_config(path)
    validate_config(config)
    return apply_config(settings, config), config
