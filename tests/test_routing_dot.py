"""`svclint matrix -f dot`: namespaces as clusters, one edge per (source, Service) with its
ports merged, broken Services drawn (no pods, bad targetPort), denied pairs left out, and a
legend. The example app has one Service without pods and one with a bad targetPort."""

from __future__ import annotations

from .conftest import run_cli


def _dot(*args: str) -> list[str]:
    run = run_cli("matrix", *args, "--isolated", "-f", "dot")
    assert run.exit_code == 0, run.stderr
    return run.stdout.splitlines()


def test_broken_services_are_drawn_once() -> None:
    lines = _dot("fixtures/examples/shop")
    assert '    "shop/postgres-read[Service]" [shape=ellipse, color="#8250df", fontcolor="#8250df", penwidth=2];' in lines
    assert '  "shop/postgres-read[Service]" -> "shop/postgres-read[Service] (broken)" [label="5432/TCP no-endpoints", color="#8250df", style=dotted, fontcolor="#8250df"];' in lines
    assert '  "shop/postgres-read[Service] (broken)" [shape=plaintext, label="∅ no pods", fontcolor="#8250df"];' in lines
    assert '  "shop/frontend-nodeport[Service] (broken)" [shape=plaintext, label="∅ bad targetPort", fontcolor="#8250df"];' in lines
    assert sum(1 for line in lines if "-> \"shop/postgres-read[Service]\"" in line) == 0  # not from every source


def test_namespaces_are_clusters_and_entry_points_stay_outside() -> None:
    lines = _dot("fixtures/examples/shop")
    start = lines.index('  subgraph "cluster_shop" {')
    end = lines.index("  }", start)
    inside = lines[start + 2 : end]
    assert all(line.startswith('    "shop/') for line in inside)
    assert lines.index('  "external" [shape=box];') < start


def test_allowed_edges_only_with_merged_ports_and_a_legend() -> None:
    lines = _dot("fixtures/examples/shop")
    edges = [line for line in lines if " -> " in line and "legend" not in line and "(broken)" not in line]
    assert '  "shop/api[Deployment]" -> "shop/postgres[Service]" [label="5432/TCP", color="#1a7f37"];' in edges
    assert not any('"shop/postgres[StatefulSet]" ->' in e for e in edges)  # denied everywhere: not drawn
    assert '    label="legend (deny: not drawn, see -f table)"; fontname=Helvetica; style=dashed;' in lines
    platform = _dot("fixtures/scenarios/platform")
    merged = [line for line in platform if " -> " in line and ", " in line.split("label=")[1].split('"')[1]]
    assert merged, "a source reaching two ports of one Service gets one edge"
