"""Command line: the only layer that prints, exits or reads the environment.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage, config or
internal error (including a rule that crashed, which is named).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from svclint import __version__
from svclint.api import lint_report
from svclint.findings import LintReport, Severity
from svclint.lint.catalog import build_catalog
from svclint.lint.config import ConfigError, check_rule_config, load_settings
from svclint.lint.docs import catalog_markdown, rule_text
from svclint.lint.report_data import rule_info
from svclint.lint.rule import CatalogError
from svclint.loading.discovery import DiscoveryError, discover, display_path
from svclint.loading.render import RenderError
from svclint.loading.render.kustomize import kustomization_file
from svclint.parallel import disable_gc_for_process
from svclint.report import FORMATTERS
from svclint.report.options import FormatOptions
from svclint.report.rules import format_rule_list, format_rules_json
from svclint.settings import Settings, parse_port_range

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("error", "warning", "note", "never")


class UsageFailure(click.ClickException):
    """A problem with the invocation or configuration: message on stderr, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"svclint: error: {self.format_message()}", err=True)


def _split(values: Sequence[str], option: str = "") -> tuple[str, ...]:
    """``--select SVC1,SVC2 --select SVC3`` -> all three; an option given empty is a usage error."""
    parts = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    if values and not parts:
        raise UsageFailure(f"{option or 'option'}: expected a comma-separated list, got nothing")
    return parts


def _settings(options: dict[str, Any]) -> tuple[Settings, Any]:
    """Config file layered with the command-line flags that were given."""
    try:
        settings, config = load_settings(options.get("config"), options.get("isolated", False), os.getcwd())
    except ConfigError as error:
        raise UsageFailure(str(error)) from None
    changes: dict[str, Any] = {}
    if options.get("select"):
        changes["select"] = _split(options["select"], "--select")
    if options.get("extend_select"):
        changes["extend_select"] = settings.extend_select + _split(options["extend_select"], "--extend-select")
    if options.get("ignore"):
        changes["ignore"] = _split(options["ignore"], "--ignore")
    if options.get("extend_ignore"):
        changes["ignore"] = changes.get("ignore", settings.ignore) + _split(options["extend_ignore"], "--extend-ignore")
    if options.get("fail_on"):
        changes["fail_on"] = None if options["fail_on"] == "never" else Severity.parse(options["fail_on"])
    if options.get("default_namespace"):
        changes["default_namespace"] = options["default_namespace"]
    if options.get("node_port_range"):
        try:
            changes["node_port_range"] = parse_port_range(options["node_port_range"])
        except ValueError as error:
            raise UsageFailure(f"--node-port-range: {error}") from None
    if options.get("kube_version"):
        changes["kube_version"] = options["kube_version"].lstrip("v")
    if options.get("exclude"):
        changes["cli_exclude"] = tuple(options["exclude"])
    if options.get("rules_dir"):
        changes["rule_dirs"] = settings.rule_dirs + tuple(os.path.abspath(d) for d in options["rules_dir"])
    if options.get("no_plugins"):
        changes["plugins"] = False
    if options.get("jobs") is not None:
        changes["jobs"] = options["jobs"]
    if options.get("kustomize_bin"):
        changes["kustomize_bin"] = options["kustomize_bin"]
    if options.get("helm_chart"):
        changes["helm_charts"] = tuple(options["helm_chart"])
    if options.get("schema_dir"):
        changes["schema_dirs"] = tuple(os.path.abspath(d) for d in options["schema_dir"])
    return replace(settings, **changes), config


def _catalog(settings: Settings, config: Any) -> Any:
    try:
        catalog = build_catalog(settings.plugins, settings.rule_dirs)
        check_rule_config(settings, catalog, config)
    except (CatalogError, ConfigError) as error:
        raise UsageFailure(str(error)) from None
    return catalog


def _check_schemas(catalog: Any, settings: Settings) -> None:
    """SVC004 selected without schemas (or with a bad --kube-version) is a usage error."""
    from svclint.kube.schemas import SchemaSetupError, load_schema_set
    from svclint.lint.checks.svc004_schema_violation import INSTALL_HINT
    from svclint.lint.engine import decide

    if not any(active.rule.id == "SVC004" for active in decide(catalog, settings)):
        return
    try:
        schemas = load_schema_set(settings.kube_version, settings.schema_dirs)
    except SchemaSetupError as error:
        raise UsageFailure(str(error)) from None
    if schemas is None:
        raise UsageFailure(f"SVC004 (schema-violation) is selected but no Kubernetes JSON schemas are installed: {INSTALL_HINT}")


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as error:
            raise UsageFailure(f"cannot write {output}: {error.strerror or error}") from None
    else:
        click.echo(text, nl=False)


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


def exit_code(report: LintReport, fail_on: Severity | None) -> int:
    if report.crashes:
        return EXIT_ERROR
    if fail_on is not None and any(f.severity >= fail_on for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _common_options(function: Any) -> Any:
    decorators = [
        click.option("--config", "-c", type=click.Path(dir_okay=False), help="Config file (default: nearest .svclint.yaml or [tool.svclint] in pyproject.toml)."),
        click.option("--isolated", is_flag=True, help="Ignore every config file."),
        click.option("--default-namespace", metavar="NS", help="Namespace of objects that name none (default: default)."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching this gitignore-style glob (repeatable)."),
        click.option("--jobs", "-j", type=click.IntRange(0, 64), help="Loader processes (0: automatic)."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svclint")
def cli() -> None:
    """Lint Kubernetes manifests and analyse how traffic is routed between them.

    \b
    svclint check deploy/          find broken wiring (exit 1 on errors)
    svclint rules                  list every rule; `svclint rules SVC101` explains one
    svclint matrix deploy/         who can reach which Service port (-f csv for the contract)
    svclint explain web api:80     why a workload can or cannot reach a Service port
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules: ids, prefixes (SVC2) or names, comma-separated.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Add rules to the selection (e.g. off-by-default ones).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (ids, prefixes or names).")
@click.option("--extend-ignore", multiple=True, metavar="RULES", help="Skip these rules in addition to the configured ignores.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 (default: error).")
@click.option("--node-port-range", metavar="LOW-HIGH", help="The cluster's --service-node-port-range (default 30000-32767).")
@click.option("--kube-version", metavar="1.N", help="Kubernetes version the manifests target.")
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False), help="Directory of declarative rule files (repeatable).")
@click.option("--no-plugins", is_flag=True, help="Do not load rules from installed plugins.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
@click.option("--show-traceback", is_flag=True, help="Print the traceback of a rule that crashed.")
@click.option("--kustomize", "kustomize_paths", multiple=True, metavar="DIR", help="Render this kustomization and check the result (directories holding a kustomization.yaml are rendered anyway).")
@click.option("--kustomize-bin", metavar="PATH", help="kustomize or kubectl binary to render kustomizations with (default: kustomize, else kubectl, on PATH).")
@click.option("--schema-dir", multiple=True, type=click.Path(file_okay=False), metavar="DIR", help="JSON schemas for custom resources, used by SVC004 (repeatable).")
@click.option("--helm-chart", multiple=True, type=click.Path(file_okay=False), metavar="DIR", help="Render this chart with `helm template` and check the result (repeatable).")
@click.option("--changed-files", is_flag=True, help="PATHS are changed files (pre-commit): load the config's `paths:` (or .) too, report only findings in PATHS.")
@click.option("--sarif-root", type=click.Path(file_okay=False, exists=True), help="Directory SARIF URIs are relative to (default: the current directory).")
@click.option("--sarif-category", metavar="NAME", help="Write runAutomationDetails.id NAME/ (for uploads without the action's category input).")
@_common_options
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    color: bool | None,
    show_traceback: bool,
    kustomize_paths: tuple[str, ...],
    changed_files: bool,
    sarif_root: str | None,
    sarif_category: str | None,
    **options: Any,
) -> None:
    """Check the manifests under PATHS (files, directories, or - for stdin).

    Without PATHS, the config's `paths:` or the current directory is checked.
    Directories holding a kustomization.yaml are rendered with kustomize; `helm template
    CHART | svclint check -` reports findings in the chart's template files.
    """
    settings, config = _settings(options)
    catalog = _catalog(settings, config)
    if fmt != "sarif" and (sarif_root or sarif_category):
        raise UsageFailure("--sarif-root and --sarif-category apply only to --format sarif")
    for path in kustomize_paths:
        if kustomization_file(path) is None and not os.path.basename(path).lower().startswith("kustomization"):
            raise UsageFailure(f"--kustomize {path}: no kustomization.yaml in that directory")
    _check_schemas(catalog, settings)
    targets, report_only = _scope(paths + kustomize_paths, settings, changed_files)
    if settings.helm_charts and not paths and not kustomize_paths and not changed_files:
        targets = []  # only the rendered charts
    # Bounded: one byte over the limit is enough for the loader to report it.
    stdin_bytes = sys.stdin.buffer.read(settings.limits.max_document_bytes + 1) if "-" in targets else None
    try:
        report = lint_report(targets, settings, stdin_bytes=stdin_bytes, report_only=report_only, catalog=catalog)
    except (DiscoveryError, RenderError) as error:
        raise UsageFailure(str(error)) from None
    format_options = FormatOptions(
        colour=color if color is not None else (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
        sarif_root=os.path.abspath(sarif_root) if sarif_root else None,
        cwd=os.getcwd(),
        sarif_category=sarif_category,
    )
    _write(FORMATTERS[fmt](report, format_options), output)
    for crash in report.crashes:
        click.echo(f"svclint: error: rule {crash.rule_id} ({crash.rule_name}) crashed: {crash.error}", err=True)
        if show_traceback:
            click.echo(crash.traceback, err=True)
    raise SystemExit(exit_code(report, settings.fail_on))


@cli.command()
@click.argument("rule", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False), help="Also list declarative rules from this directory.")
@click.option("--no-plugins", is_flag=True, help="Do not load rules from installed plugins.")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--isolated", is_flag=True, help="Ignore every config file.")
def rules(rule: str | None, fmt: str, **options: Any) -> None:
    """List the rule catalog, or show the documentation of RULE (id or name)."""
    settings, config = _settings(options)
    catalog = _catalog(settings, config)
    if rule is not None:
        found = catalog.get(rule)
        if found is None:
            raise UsageFailure(f"no rule named {rule!r}; `svclint rules` lists them")
        selected = [found]
    else:
        selected = list(catalog)
    if fmt == "json":
        click.echo(format_rules_json([rule_info(r) for r in selected]), nl=False)
    elif fmt == "markdown":
        click.echo(catalog_markdown(catalog) if rule is None else rule_text(selected[0]), nl=False)
    elif rule is not None:
        click.echo(rule_text(selected[0]), nl=False)
    else:
        click.echo(format_rule_list([rule_info(r) for r in selected]), nl=False)


# -- routing: matrix and explain ------------------------------------------------------------

MATRIX_FORMATS = ("table", "csv", "json", "markdown", "dot", "connlist")


def _read_stdin(settings: Settings) -> bytes:
    """Standard input, bounded as `check` bounds it: one byte over the limit is enough for
    the loader to report it."""
    return sys.stdin.buffer.read(settings.limits.max_document_bytes + 1)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (in-process runs)
        pass


def _routing_model(paths: tuple[str, ...], options: dict[str, Any]) -> Any:
    from svclint.api import analyze

    settings, _config = _settings(options)
    targets = list(paths) or list(settings.project_paths) or ["."]
    stdin_bytes = _read_stdin(settings) if "-" in targets else None
    try:
        model = analyze(targets, settings, stdin_bytes=stdin_bytes)
    except (DiscoveryError, RenderError, ConfigError, CatalogError) as error:
        raise UsageFailure(str(error)) from None
    if model.load_problems:
        click.echo(f"svclint: warning: {model.load_problems} document(s) could not be read and are left out; `svclint check` shows why", err=True)
    return model


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(MATRIX_FORMATS), default="table", show_default=True, help="Output format (csv is the stable contract).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the matrix to FILE instead of stdout.")
@click.option("--from", "sources", multiple=True, metavar="SRC", help="Only these sources: workload (ns/name, name, glob), external, ingress-controller.")
@click.option("--to", "destinations", multiple=True, metavar="SVC[:PORT]", help="Only these Services (ns/name, name, glob), optionally one port (number or name).")
@click.option("--namespace", "-n", "namespaces", multiple=True, metavar="NS", help="Only rows whose source or destination is in NS (repeatable).")
@_common_options
def matrix(paths: tuple[str, ...], fmt: str, output: str | None, sources: tuple[str, ...], destinations: tuple[str, ...], namespaces: tuple[str, ...], **options: Any) -> None:
    """Who can reach which Service port: every workload, `external` and `ingress-controller`.

    One cell per (source, Service port) with a verdict: allow, partial k/n, deny,
    no-endpoints, bad-target-port or external, plus `dns-blocked` when the source cannot
    resolve names. `svclint explain SRC DST` shows why.
    """
    from svclint.routing.formats import prepare
    from svclint.routing.matrix import MatrixFilter, MatrixFilterError

    model = _routing_model(paths, options)
    flt = MatrixFilter(_split(sources), _split(destinations), _split(namespaces))
    try:
        write = prepare(fmt, model, flt)  # every filter resolved before any output
    except MatrixFilterError as error:
        raise UsageFailure(str(error)) from None
    if output:
        try:
            handle = open(output, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
        except OSError as error:
            raise UsageFailure(f"cannot write {output}: {error.strerror or error}") from None
        with handle:
            write(handle)
    else:
        try:
            write(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `svclint matrix | head`: the reader has what it wanted
            _silence_stdout()
    raise SystemExit(EXIT_CLEAN)


@cli.command()
@click.argument("source")
@click.argument("destination")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@_common_options
def explain(source: str, destination: str, paths: tuple[str, ...], **options: Any) -> None:
    """Why SOURCE can or cannot reach DESTINATION: the chain hop by hop, with file:line.

    SOURCE is a workload (ns/name, name, ns/name[Kind]), `external` or `ingress-controller`;
    DESTINATION is a Service (ns/name or name) with an optional :PORT (number or name).
    """
    from svclint.routing.explain import explain_text
    from svclint.routing.matrix import (
        MatrixFilterError,
        column_matches,
        source_matches,
        split_destination,
    )

    try:
        split_destination(destination)  # malformed: a usage error before loading anything
    except MatrixFilterError as error:
        raise UsageFailure(f"DESTINATION {error}") from None
    model = _routing_model(paths, options)
    found = [s for s in model.sources if source_matches(s, source)]
    if not found:
        raise UsageFailure(f"source {source!r} matches no workload (nor external / ingress-controller)")
    if len(found) > 1:
        raise UsageFailure(f"source {source!r} is ambiguous: {', '.join(s.name for s in found[:10])}")
    columns = [c for c in model.columns if column_matches(c, destination)]
    if not columns:
        raise UsageFailure(f"destination {destination!r} matches no Service port")
    click.echo(explain_text(model, found[0], columns), nl=False)
    raise SystemExit(EXIT_CLEAN)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the exit code."""
    disable_gc_for_process()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="svclint", standalone_mode=False)
    except SystemExit as exit:
        return int(exit.code or 0)
    except click.exceptions.Exit as exit:
        return exit.exit_code
    except click.ClickException as error:
        error.show()
        return EXIT_ERROR if isinstance(error, (UsageFailure, click.UsageError)) else error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except BrokenPipeError:  # `svclint ... | head`: the reader has all it wanted
        _silence_stdout()
        return EXIT_CLEAN
    except Exception as error:  # noqa: BLE001 - never a bare traceback; exit 2 says "not a lint result"
        click.echo(f"svclint: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("svclint: please report this with the input that caused it", err=True)
        return EXIT_ERROR
    return EXIT_CLEAN


__all__ = ["cli", "main", "exit_code"]
