"""Differential test: svclint's pod-level L4 verdicts against NCA (network-config-analyzer).

Hypothesis generates namespaces, labelled Deployments with named ports, and NetworkPolicies
(every peer form, named ports, endPort, UDP, policyTypes absent/partial, empty vs absent
rules). Both tools compute workload-to-workload connectivity; the allowed (protocol, port)
sets are compared on a fixed set of probe ports. NCA runs in-process (~30 ms a case).

CI runs a few dozen cases; `SVCLINT_NCA_EXAMPLES=3000 pytest tests/test_routing_nca.py` runs
the long campaign (results in docs/routing.md).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

nca_cli = pytest.importorskip("nca.nca_cli")

from svclint.api import analyze  # noqa: E402
from svclint.settings import Settings  # noqa: E402

PROBE_PORTS = (1, 53, 80, 443, 3000, 5353, 6379, 7070, 7777, 7999, 8000, 8080, 8081, 8500, 8999, 9000, 9090, 9100, 9300, 65535)
PROBES = [(proto, port) for proto in ("TCP", "UDP", "SCTP") for port in PROBE_PORTS]
EXAMPLES = int(os.environ.get("SVCLINT_NCA_EXAMPLES", "40"))

names = st.sampled_from(["x", "y", "z"])
roles = st.sampled_from(["r1", "r2"])


@st.composite
def selectors(draw: Any, keys: tuple[str, ...] = ("app", "role"), operators: tuple[str, ...] = ("In", "NotIn", "Exists", "DoesNotExist")) -> dict[str, Any]:
    kind = draw(st.sampled_from(["empty", "labels", "expr"]))
    if kind == "empty":
        return {}
    if kind == "labels":
        key = draw(st.sampled_from(keys))
        return {"matchLabels": {key: draw(names if key in ("app", "team") else roles)}}
    operator = draw(st.sampled_from(operators))
    key = draw(st.sampled_from(keys))
    expr: dict[str, Any] = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        expr["values"] = draw(st.lists(names if key in ("app", "team") else roles, min_size=1, max_size=2, unique=True))
    return {"matchExpressions": [expr]}


@st.composite
def peers(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["pod", "ns", "both", "ip"]))
    if kind == "ip":
        return {"ipBlock": draw(st.sampled_from([{"cidr": "0.0.0.0/0"}, {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}]))}
    out: dict[str, Any] = {}
    if kind == "pod":
        out["podSelector"] = draw(selectors())
    if kind == "both":
        # NCA evaluates Exists/DoesNotExist of a peer's podSelector in the policy's namespace
        # only, ignoring the namespaceSelector (K8sPolicyYamlParser.get_peers_with_key); see
        # docs/routing.md. In/NotIn are evaluated in every namespace, as Kubernetes does.
        out["podSelector"] = draw(selectors(operators=("In", "NotIn")))
    if kind in ("ns", "both"):
        out["namespaceSelector"] = draw(st.one_of(selectors(("team",)), st.just({"matchLabels": {"kubernetes.io/metadata.name": draw(st.sampled_from(["ns0", "ns1", "ns2"]))}})))
    return out


ports = st.sampled_from(
    [
        {"port": 8080},
        {"port": 80},
        {"port": "http"},
        {"port": "web"},
        {"port": "dns", "protocol": "UDP"},
        {"port": "dns"},
        {"port": 8000, "endPort": 9000},
        {"protocol": "UDP", "port": 53},
        {"protocol": "UDP"},
        {"protocol": "SCTP", "port": 9100},
    ]
)


@st.composite
def rules(draw: Any, peer_key: str) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    peers_kind = draw(st.sampled_from(["absent", "empty", "list"]))
    if peers_kind == "empty":
        rule[peer_key] = []
    elif peers_kind == "list":
        rule[peer_key] = draw(st.lists(peers(), min_size=1, max_size=2))
    if draw(st.booleans()):
        rule["ports"] = draw(st.lists(ports, min_size=1, max_size=2))
    return rule


@st.composite
def manifests(draw: Any) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    n_ns = draw(st.integers(1, 3))
    for i in range(n_ns):
        docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"ns{i}", "labels": {"team": draw(names)}}})
    for i in range(draw(st.integers(2, 4))):
        labels = {"app": draw(names)}
        if draw(st.booleans()):
            labels["role"] = draw(roles)
        container_ports = []
        http = draw(st.sampled_from([None, 8080, 9000]))
        if http:
            container_ports.append({"name": "http", "containerPort": http})
        if draw(st.booleans()):
            container_ports.append({"name": "web", "containerPort": 80})
        dns = draw(st.sampled_from([None, "UDP", "TCP"]))
        if dns:
            container_ports.append({"name": "dns", "containerPort": 53 if dns == "UDP" else 5353, "protocol": dns})
        container: dict[str, Any] = {"name": "c", "image": "example/app:1"}
        if container_ports:
            container["ports"] = container_ports
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"d{i}", "namespace": f"ns{draw(st.integers(0, n_ns - 1))}"},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
                },
            }
        )
    for i in range(draw(st.integers(0, 4))):
        spec: dict[str, Any] = {"podSelector": draw(selectors())}
        types = draw(st.sampled_from([None, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
        if types:
            spec["policyTypes"] = types
        for direction, key in (("ingress", "from"), ("egress", "to")):
            if types and direction.capitalize() not in types:
                continue  # NCA rejects rules of a direction policyTypes leaves out (Kubernetes ignores them)
            kind = draw(st.sampled_from(["absent", "empty", "rules"]))
            if kind == "empty" and direction == "egress" and not types:
                # NCA infers Egress from an empty `egress: []`; Kubernetes does not
                # (SetDefaults_NetworkPolicy: len(spec.egress) != 0). Documented in docs/routing.md.
                continue
            if kind == "empty":
                spec[direction] = []
            elif kind == "rules":
                spec[direction] = draw(st.lists(rules(key), min_size=1, max_size=2))
        docs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"p{i}", "namespace": f"ns{draw(st.integers(0, n_ns - 1))}"},
                "spec": spec,
            }
        )
    return docs


GROUP = re.compile(r"\{protocols:([A-Z, ]+?)(?:,dst_ports:([0-9,\-]+))?\}")


def _nca_probes(text: str) -> set[tuple[str, int]]:
    """Probe ports an NCA connection text allows (`All connections`, `All but {...}`, `{...}`)."""
    if text.strip() == "All connections":
        return set(PROBES)
    allowed: set[tuple[str, int]] = set()
    for protos, ranges in GROUP.findall(text):
        for proto in (p.strip() for p in protos.split(",")):
            for probe_proto, port in PROBES:
                if probe_proto != proto:
                    continue
                if not ranges or any(_in_range(port, r) for r in ranges.split(",")):
                    allowed.add((proto, port))
    if text.startswith("All but"):
        return set(PROBES) - allowed
    assert GROUP.search(text), f"cannot parse NCA connection {text!r}"
    return allowed


def _in_range(port: int, text: str) -> bool:
    lo, _, hi = text.partition("-")
    return int(lo) <= port <= int(hi or lo)


def run_nca(path: Path) -> dict[tuple[str, str], set[tuple[str, int]]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        nca_cli.nca_main(["--connectivity", "-r", str(path), "-o", "txt_no_fw_rules"])
    pairs: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for line in out.getvalue().splitlines():
        match = re.match(r"^(\S+\[\w+\]) => (\S+\[\w+\]) : (.*)$", line)
        if not match or "livesim" in line:
            continue
        pairs.setdefault((match.group(1), match.group(2)), set()).update(_nca_probes(match.group(3)))
    return pairs


def run_svclint(path: Path) -> dict[tuple[str, str], set[tuple[str, int]]]:
    model = analyze([str(path)], Settings())
    pairs = {}
    for src in model.workloads:
        for dst in model.workloads:
            if src.name == dst.name:
                continue
            assert src.cls is not None and dst.cls is not None
            allowed = model.engine.pair_ports(src.cls, dst.cls)
            probes = {(proto, port) for proto, port in PROBES if allowed.contains(proto, port)}
            if probes:
                pairs[(src.name, dst.name)] = probes
    return pairs


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(docs=manifests())
def test_svclint_agrees_with_nca(docs: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("nca") / "manifests.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    assert run_svclint(path) == run_nca(path), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("scenario", ["fixtures/scenarios/shop/manifests.yaml", "fixtures/routing/ports.yaml", "fixtures/routing/peers.yaml", "fixtures/routing/direction.yaml"])
def test_hand_written_cases_agree_with_nca(scenario: str) -> None:
    assert run_svclint(Path(scenario)) == run_nca(Path(scenario))
