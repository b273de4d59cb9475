"""NetworkPolicy and Service-layer semantics, one fixture per point, through `svclint matrix`.

Each expectation was derived by hand from the Kubernetes rules stated in the fixture's header
comment (fixtures/routing/*.yaml); rows are the exact CSV lines.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_cli

HEADER = "source,destination,port,protocol,verdict"


def csv_rows(path: str, *args: str) -> list[str]:
    run = run_cli("matrix", path, "--format", "csv", *args)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == HEADER
    assert lines[1:] == sorted(lines[1:], key=lambda row: (row.split(",")[0], row.split(",")[1], int(row.split(",")[2]), row.split(",")[3]))
    return lines[1:]


def workload_rows(path: str, *args: str) -> list[str]:
    return [r for r in csv_rows(path, *args) if not r.startswith(("external,", "ingress-controller,"))]


def test_policy_types_inference_and_ignored_directions() -> None:
    assert workload_rows("fixtures/routing/policy-types.yaml") == [
        "t/client[Deployment],t/guarded[Service],80,TCP,deny",
        "t/client[Deployment],t/server[Service],80,TCP,allow",
        "t/guarded[Deployment],t/guarded[Service],80,TCP,deny",
        "t/guarded[Deployment],t/server[Service],80,TCP,allow",
        "t/server[Deployment],t/guarded[Service],80,TCP,deny",
        "t/server[Deployment],t/server[Service],80,TCP,allow",
    ]


def test_peers_and_or_namespace_labels() -> None:
    rows = workload_rows("fixtures/routing/peers.yaml", "--from", "client", "--from", "batch", "--from", "local")
    assert rows == [
        "other/client[Deployment],t/and-server[Service],8080,TCP,deny",
        "other/client[Deployment],t/name-server[Service],8080,TCP,allow",
        "other/client[Deployment],t/or-server[Service],8080,TCP,deny",
        "prod/batch[Deployment],t/and-server[Service],8080,TCP,deny",
        "prod/batch[Deployment],t/name-server[Service],8080,TCP,deny",
        "prod/batch[Deployment],t/or-server[Service],8080,TCP,allow",
        "prod/client[Deployment],t/and-server[Service],8080,TCP,allow",
        "prod/client[Deployment],t/name-server[Service],8080,TCP,deny",
        "prod/client[Deployment],t/or-server[Service],8080,TCP,allow",
        "t/local[Deployment],t/and-server[Service],8080,TCP,deny",
        "t/local[Deployment],t/name-server[Service],8080,TCP,deny",
        "t/local[Deployment],t/or-server[Service],8080,TCP,allow",
    ]


def test_ports_named_endport_protocols() -> None:
    assert workload_rows("fixtures/routing/ports.yaml", "--from", "client") == [
        "t/client[Deployment],t/server[Service],53,UDP,allow",  # named UDP port, protocol matches
        "t/client[Deployment],t/server[Service],80,TCP,allow",  # named port web -> 8080
        "t/client[Deployment],t/server[Service],7777,SCTP,allow",
        "t/client[Deployment],t/server[Service],8500,TCP,deny",  # no rule covers 8500
        "t/client[Deployment],t/server[Service],9100,TCP,allow",  # inside 9000-9200
        "t/client[Deployment],t/server[Service],9300,TCP,deny",  # `metrics` is TCP, the rule says UDP
    ]


def test_egress_and_ingress_both_needed_and_ipblock_is_outside_only() -> None:
    assert workload_rows("fixtures/routing/direction.yaml") == [
        "t/client[Deployment],t/closed[Service],8080,TCP,deny",
        "t/client[Deployment],t/open[Service],8080,TCP,deny",
        "t/client[Deployment],t/saas[Service],443,TCP,external",
        "t/closed[Deployment],t/closed[Service],8080,TCP,deny",
        "t/closed[Deployment],t/open[Service],8080,TCP,allow",
        "t/closed[Deployment],t/saas[Service],443,TCP,external",
        "t/open[Deployment],t/closed[Service],8080,TCP,deny",
        "t/open[Deployment],t/open[Service],8080,TCP,allow",
        "t/open[Deployment],t/saas[Service],443,TCP,external",
    ]


def test_empty_versus_absent_rules() -> None:
    assert workload_rows("fixtures/routing/empty-rules.yaml", "--from", "client") == [
        "t/client[Deployment],t/empty-from[Service],8080,TCP,allow",
        "t/client[Deployment],t/empty-rule[Service],8080,TCP,allow",
        "t/client[Deployment],t/no-rules[Service],8080,TCP,deny",
    ]


def test_service_layer_verdicts() -> None:
    assert csv_rows("fixtures/routing/services.yaml", "--from", "client", "--from", "external") == [
        "external,t/api[Service],80,TCP,deny",
        "external,t/api[Service],81,TCP,bad-target-port",
        "external,t/ghost[Service],80,TCP,no-endpoints",
        "external,t/legacy-db[Service],5432,TCP,deny",
        "external,t/orphan[Service],5432,TCP,no-endpoints",
        "external,t/pods[Service],8080,TCP,deny",
        "external,t/pods[Service],9090,TCP,deny",
        "t/client[Deployment],t/api[Service],80,TCP,partial 1/2",  # api-v3 lacks `http`: not counted
        "t/client[Deployment],t/api[Service],81,TCP,bad-target-port",
        "t/client[Deployment],t/ghost[Service],80,TCP,no-endpoints",
        "t/client[Deployment],t/legacy-db[Service],5432,TCP,external",
        "t/client[Deployment],t/orphan[Service],5432,TCP,no-endpoints",
        "t/client[Deployment],t/pods[Service],8080,TCP,allow",  # headless, no ports: pod ports
        "t/client[Deployment],t/pods[Service],9090,TCP,deny",
    ]


def test_dns_blocked() -> None:
    assert workload_rows("fixtures/routing/dns.yaml", "--to", "server") == [
        "kube-system/coredns[Deployment],t/server[Service],8080,TCP,allow",
        "t/blocked[Deployment],t/server[Service],8080,TCP,allow dns-blocked",
        "t/resolver[Deployment],t/server[Service],8080,TCP,allow",
        "t/server[Deployment],t/server[Service],8080,TCP,allow",
    ]


def test_entry_points() -> None:
    assert csv_rows("fixtures/routing/entry.yaml", "--from", "external", "--from", "ingress-controller") == [
        "external,t/internal[Service],80,TCP,deny",  # Ingress backend, but only its namespace is admitted
        "external,t/web-lb[Service],443,TCP,deny",  # loadBalancerSourceRanges and ipBlock do not overlap
        "external,t/web-np[Service],80,TCP,allow",  # NodePort, ipBlock 203.0.113.0/24 admitted
        "external,t/web[Service],80,TCP,allow",  # Ingress defaultBackend through the controller
        "ingress-controller,t/internal[Service],80,TCP,deny",
        "ingress-controller,t/web-lb[Service],443,TCP,allow",
        "ingress-controller,t/web-np[Service],80,TCP,allow",
        "ingress-controller,t/web[Service],80,TCP,allow",
    ]


def test_invalid_policies_are_left_out_not_crashes() -> None:
    assert workload_rows("fixtures/routing/invalid.yaml", "--from", "client") == [
        "t/client[Deployment],t/server[Service],8080,TCP,allow",
    ]


def test_filters_namespace_and_to_port() -> None:
    rows = csv_rows("fixtures/scenarios/shop", "--namespace", "shop", "--from", "shop/frontend", "--to", "catalog:http")
    assert rows == ["shop/frontend[Deployment],shop/catalog[Service],80,TCP,partial 1/2"]
    run = run_cli("matrix", "fixtures/scenarios/shop", "--from", "nope")
    assert run.exit_code == 2 and "--from nope matches no workload" in run.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "dot", "connlist", "csv"])
def test_every_format_is_deterministic(fmt: str) -> None:
    first = run_cli("matrix", "fixtures/scenarios/shop", "--format", fmt)
    second = run_cli("matrix", "fixtures/scenarios/shop", "--format", fmt)
    assert first.exit_code == 0 and first.stdout == second.stdout and first.stdout


def test_connlist_shape() -> None:
    run = run_cli("matrix", "fixtures/scenarios/shop", "--format", "connlist")
    assert run.stdout.splitlines() == [
        "203.0.113.0-203.0.113.255[External] => shop/admin[Deployment] : TCP 3000",
        "shop/cart[Deployment] => shop/redis[StatefulSet] : TCP 6379",
        "shop/frontend[Deployment] => 0.0.0.0-9.255.255.255[External] : TCP 443",
        "shop/frontend[Deployment] => 11.0.0.0-255.255.255.255[External] : TCP 443",
        "shop/frontend[Deployment] => shop/cart[Deployment] : TCP 7070",
        "shop/frontend[Deployment] => shop/catalog-v1[Deployment] : TCP 8000-8999",
        "{ingress-controller} => shop/frontend[Deployment] : TCP 8080",
    ]


def test_connlist_all_connections_without_policies() -> None:
    run = run_cli("matrix", "fixtures/routing/ports.yaml", "--format", "connlist")
    assert run.stdout.splitlines() == [
        "0.0.0.0-255.255.255.255[External] => t/client[Deployment] : All Connections",
        "0.0.0.0-255.255.255.255[External] => t/server[Deployment] : SCTP 7777,TCP 8080,9000-9200,UDP 5353",
        "t/client[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "t/client[Deployment] => t/server[Deployment] : SCTP 7777,TCP 8080,9000-9200,UDP 5353",
        "t/server[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "t/server[Deployment] => t/client[Deployment] : All Connections",
    ]


def test_json_cells_carry_reasons_with_locations() -> None:
    run = run_cli("matrix", "fixtures/scenarios/shop", "--format", "json", "--from", "frontend", "--to", "catalog")
    payload = run.json()
    assert payload["version"] == 1 and payload["assumptions"]
    [cell] = payload["cells"]
    assert (cell["source"], cell["destination"], cell["port"], cell["protocol"], cell["verdict"]) == (
        "shop/frontend[Deployment]", "shop/catalog[Service]", 80, "TCP", "partial 1/2"
    )
    denied = [r for r in cell["reasons"] if r["hop"] == "ingress" and r["text"].startswith("ingress denied")]
    assert denied == [
        {
            "hop": "ingress",
            "text": "ingress denied: shop/catalog-v2[Deployment] is isolated by NetworkPolicy shop/default-deny and no "
            "ingress rule allows shop/frontend[Deployment] on TCP 9090",
            "file": "fixtures/scenarios/shop/manifests.yaml",
            "line": 246,
        }
    ]


def test_matrix_reports_unreadable_documents_on_stderr() -> None:
    run = run_cli("matrix", "-", "--format", "csv", input="kind: [\n")
    assert run.exit_code == 0
    assert "could not be read" in run.stderr
    assert run.stdout.splitlines() == [HEADER]


def test_check_builds_no_routing_model_without_svc4_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from svclint.routing import model

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("routing model built although no SVC4xx/SVC5xx rule runs")

    monkeypatch.setattr(model.RoutingModel, "__init__", refuse)
    # SVC5xx (calls, issue 12) resolve references against the model too
    run = run_cli("check", "fixtures/scenarios/shop", "--isolated", "--ignore", "SVC4,SVC5", "-f", "json")
    assert run.exit_code == 0, run.stderr
    crashed = run_cli("check", "fixtures/scenarios/shop", "--isolated", "--select", "SVC404", "-f", "json")
    assert crashed.exit_code == 2 and "SVC404" in crashed.stderr


def test_connlist_named_ports_resolve_per_destination() -> None:
    """One named port, two numbers: each destination gets its own (services.yaml: http 8080 / 9090)."""
    run = run_cli("matrix", "fixtures/routing/services.yaml", "--format", "connlist", "--from", "client")
    assert run.stdout.splitlines() == [
        "t/client[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "t/client[Deployment] => t/api-v1[Deployment] : TCP 8080",
        "t/client[Deployment] => t/api-v2[Deployment] : TCP 8080",
        "t/client[Deployment] => t/api-v3[Deployment] : TCP 8080",
    ]


def test_explain_external_through_nodeport_lists_admitted_addresses() -> None:
    run = run_cli("explain", "external", "web-lb", "fixtures/routing/entry.yaml")
    lines = run.stdout.splitlines()
    assert lines[0] == "external -> t/web-lb[Service]:443/TCP: deny"
    assert "  exposed outside the cluster by LoadBalancer  [fixtures/routing/entry.yaml:41]" in lines
    assert (
        "      outside addresses admitted (policies within loadBalancerSourceRanges 198.51.100.0-198.51.100.255): no address"
        in lines
    )


DUPLICATED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-v1, namespace: t}
spec:
  selector: {matchLabels: {app: api, v: "1"}}
  template:
    metadata: {labels: {app: api, v: "1"}}
    spec: {containers: [{name: s, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-v1, namespace: t}
spec:
  selector: {matchLabels: {app: api, v: "1"}}
  template:
    metadata: {labels: {app: api, v: "1"}}
    spec: {containers: [{name: s, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-v2, namespace: t}
spec:
  selector: {matchLabels: {app: api, v: "2"}}
  template:
    metadata: {labels: {app: api, v: "2"}}
    spec: {containers: [{name: s, image: example/api:2, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: t}
spec: {selector: {app: api}, ports: [{port: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: v2-closed, namespace: t}
spec:
  podSelector: {matchLabels: {v: "2"}}
  policyTypes: [Ingress]
"""


def test_a_workload_defined_twice_counts_once() -> None:
    run = run_cli("matrix", "-", "--format", "csv", "--from", "external", "--from", "api-v1", input=DUPLICATED)
    assert run.stdout.splitlines()[1:] == [
        "external,t/api[Service],8080,TCP,deny",
        "t/api-v1[Deployment],t/api[Service],8080,TCP,partial 1/2",
    ]
