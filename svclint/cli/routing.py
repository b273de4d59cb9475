"""`svclint matrix` and `svclint explain`: who can reach which Service port, and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import click

from svclint.cli.options import EXIT_CLEAN, UsageFailure, common_options, settings_from, split_list
from svclint.cli.streams import read_stdin, write_stream
from svclint.escape import visible
from svclint.lint.config import ConfigError
from svclint.lint.rule import CatalogError
from svclint.loading.discovery import DiscoveryError
from svclint.loading.render import RenderError
from svclint.loading.units import UnitError
from svclint.suggest import did_you_mean, known

if TYPE_CHECKING:  # the routing package is imported only when one of these commands runs
    from svclint.routing.matrix import MatrixFilter
    from svclint.routing.model import RoutingModel

MATRIX_FORMATS = ("table", "csv", "json", "markdown", "dot", "connlist")


def _routing_model(paths: tuple[str, ...], options: dict[str, Any]) -> RoutingModel:
    from svclint.api import analyze

    settings, _config = settings_from(options)
    targets = list(paths) or list(settings.project_paths) or ["."]
    stdin_bytes = read_stdin(settings) if "-" in targets else None
    try:
        model = analyze(targets, settings, stdin_bytes=stdin_bytes)
    except (DiscoveryError, RenderError, ConfigError, CatalogError, UnitError) as error:
        raise UsageFailure(str(error)) from None
    if model.load_problems:
        click.echo(f"svclint: warning: {model.load_problems} document(s) could not be read and are left out; `svclint check` shows why", err=True)
    return model


@click.command("matrix")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(MATRIX_FORMATS), default="table", show_default=True, help="Output format (csv is the stable contract).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the matrix to FILE instead of stdout.")
@click.option("--from", "sources", multiple=True, metavar="SRC", help="Only these sources: workload (ns/name, name, glob), external, ingress-controller.")
@click.option("--to", "destinations", multiple=True, metavar="SVC[:PORT]", help="Only these Services (ns/name, name, glob), optionally one port (number or name).")
@click.option("--namespace", "-n", "namespaces", multiple=True, metavar="NS", help="Only rows whose source or destination is in NS (repeatable).")
@common_options
def matrix(paths: tuple[str, ...], fmt: str, output: str | None, sources: tuple[str, ...], destinations: tuple[str, ...], namespaces: tuple[str, ...], **options: Any) -> int:
    """Who can reach which Service port: every workload, `external` and `ingress-controller`.

    One cell per (source, Service port) with a verdict: allow, partial k/n, deny,
    no-endpoints, bad-target-port or external, plus `dns-blocked` when the source cannot
    resolve names. `svclint explain SRC DST` shows why.
    """
    from svclint.routing.formats import prepare

    return _write_filtered(prepare, paths, fmt, output, (sources, destinations, namespaces), options)


CALLS_FORMATS = ("table", "csv", "json", "markdown", "dot")


@click.command("calls")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "-f", "fmt", type=click.Choice(CALLS_FORMATS), default="table", show_default=True, help="Output format (csv is the stable contract).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the calls to FILE instead of stdout.")
@click.option("--from", "sources", multiple=True, metavar="SRC", help="Only calls from these workloads (ns/name, name, glob).")
@click.option("--to", "destinations", multiple=True, metavar="SVC[:PORT]", help="Only calls to these Services (ns/name, name, glob), optionally one port.")
@click.option("--namespace", "-n", "namespaces", multiple=True, metavar="NS", help="Only calls whose source or destination is in NS (repeatable).")
@common_options
def calls(paths: tuple[str, ...], fmt: str, output: str | None, sources: tuple[str, ...], destinations: tuple[str, ...], namespaces: tuple[str, ...], **options: Any) -> int:
    """The calls the app makes: each Service its containers are given, with the matrix's verdict.

    One row per (workload, Service port) named in container env values, ConfigMap keys they
    read, args and command, and .svc names in mounted ConfigMaps, with the verdict
    (allow, deny, no-endpoints...) and the file:line of the reference. Names that resolve
    to no Service or to a port the Service lacks are `svclint check`'s SVC501 and SVC502.
    """
    from svclint.routing.callformats import prepare_calls

    return _write_filtered(prepare_calls, paths, fmt, output, (sources, destinations, namespaces), options)


def _write_filtered(
    prepare: Callable[[str, RoutingModel, MatrixFilter], Callable[[TextIO], None]],
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    filters: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    options: dict[str, Any],
) -> int:
    """``matrix`` and ``calls``: the model, the --from/--to/--namespace filter, then the writer
    ``prepare`` returns once every filter is resolved (no output before a usage error)."""
    from svclint.routing.matrix import MatrixFilter, MatrixFilterError

    model = _routing_model(paths, options)
    flt = MatrixFilter(*(split_list(values) for values in filters))
    try:
        write = prepare(fmt, model, flt)
    except MatrixFilterError as error:
        raise UsageFailure(str(error)) from None
    write_stream(write, output, json_output=fmt == "json")
    return EXIT_CLEAN


@click.group("policy")
def policy() -> None:
    """NetworkPolicies from the calls the app makes."""


@policy.command("generate")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the policies to FILE instead of stdout.")
@common_options
def generate(paths: tuple[str, ...], output: str | None, **options: Any) -> int:
    """Least-privilege NetworkPolicies admitting exactly the calls `svclint calls` finds.

    One policy per workload, isolating it both ways, with a comment on each rule naming
    the reference it comes from; plus DNS to kube-dns, the ingress controller to Ingress
    backends and outside clients to NodePort/LoadBalancer ports. Policies are additive:
    apply these instead of the app's own policies, not beside an allow-all.
    """
    from svclint.routing.generate import generate as generate_policies

    model = _routing_model(paths, options)
    text = generate_policies(model)

    def write(out: TextIO) -> None:
        out.write(text)

    write_stream(write, output)
    return EXIT_CLEAN


@click.command("explain")
@click.argument("source")
@click.argument("destination")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@common_options
def explain(source: str, destination: str, paths: tuple[str, ...], **options: Any) -> int:
    """Why SOURCE can or cannot reach DESTINATION: the chain hop by hop, with file:line.

    SOURCE is a workload (ns/name, name, ns/name[Kind]), `external` or `ingress-controller`;
    DESTINATION is a Service (ns/name or name) with an optional :PORT (number or name), or
    an address as the source's containers write it (cart:7070, http://api.shop/v1),
    resolved by cluster DNS from the source's namespace. The calls the source's env,
    ConfigMaps and args make to it are listed under the verdict.
    """
    from svclint.routing.calls import address_columns
    from svclint.routing.explain import explain_text
    from svclint.routing.matrix import (
        MatrixFilterError,
        column_matches,
        source_matches,
        split_destination,
    )

    try:
        if "://" not in destination:  # a URL is an address, not SVC[:PORT]
            split_destination(destination)  # malformed: a usage error before loading anything
    except MatrixFilterError as error:
        raise UsageFailure(f"DESTINATION {error}") from None
    model = _routing_model(paths, options)
    found = [s for s in model.sources if source_matches(s, source)]
    if not found:
        names = _source_names(model)
        raise UsageFailure(f"source {source!r} matches no workload (nor external / ingress-controller){did_you_mean(source, names)}; {known(_plain(s.name) for s in model.sources)}")
    if len(found) > 1:
        raise UsageFailure(f"source {source!r} is ambiguous: {', '.join(s.name for s in found[:10])}")
    columns = [c for c in model.columns if "://" not in destination and column_matches(c, destination)]
    if not columns:  # an address as a container writes it: cart:7070, http://api.shop/v1
        columns = address_columns(model, found[0], destination)
    if not columns:
        raise UsageFailure(_no_destination(model, destination))
    click.echo("\n".join(visible(line) for line in explain_text(model, found[0], columns).split("\n")), nl=False)
    return EXIT_CLEAN


def _plain(name: str) -> str:
    """``ns/name[Kind]`` -> ``ns/name``."""
    return name.split("[", 1)[0]


def _source_names(model: RoutingModel) -> list[str]:
    """What SOURCE may name: each workload as ``ns/name`` and ``name``, and the two outsiders."""
    names: list[str] = []
    for source in model.sources:
        plain = _plain(source.name)
        names.extend((plain, plain.rsplit("/", 1)[-1]))
    return names


def _no_destination(model: RoutingModel, destination: str) -> str:
    """Why DESTINATION matched nothing: a Service that does not exist (with the nearest and
    the list), or a port the Service does not have (with the ports it has)."""
    from svclint.routing.matrix import column_matches, split_destination

    name, port = split_destination(destination)
    services = [c for c in model.columns if column_matches(c, name)]
    if services and port:
        ports = sorted({str(c.port) for c in services} | {c.service_port.name for c in services if c.service_port and c.service_port.name})
        return f"destination {destination!r}: the Service has no port {port!r}{did_you_mean(port, ports)}; its ports: {', '.join(ports)}"
    names: list[str] = []
    for column in model.columns:
        plain = _plain(column.destination)
        names.extend((plain, plain.rsplit("/", 1)[-1]))
    full = (_plain(c.destination) for c in model.columns)
    return f"destination {destination!r} matches no Service port{did_you_mean(name, names)}; Services {known(full)}"
