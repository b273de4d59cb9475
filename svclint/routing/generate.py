"""Least-privilege NetworkPolicies from the calls an app makes (``svclint policy generate``).

One policy per workload, isolating it both ways, that admits exactly:

- egress to kube-dns on UDP and TCP 53 (the ``kube-dns`` identity of the config);
- egress to the pods behind each Service port the workload calls, on the pod port the
  Service forwards to, and the matching ingress on those pods from the caller (a comment
  names the reference each rule comes from); a call to an ExternalName Service or one
  with manual Endpoints allows egress to any address on that port;
- ingress from the ingress controller (or OpenShift router) to the backends of Ingress
  (Route) rules, and from any address to NodePort/LoadBalancer/externalIPs ports;
- for the kube-dns and ingress-controller pods when they are in the input: DNS from every
  pod / egress to every backend.

Policies are additive: these admit nothing more only when they replace the app's own
policies (an ``allow-all`` left in place keeps allowing). Pods are selected by their
workload's ``spec.selector.matchLabels`` (else the pod template labels), peers in another
namespace also by ``kubernetes.io/metadata.name``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from svclint.kube.model import PodTemplate
from svclint.routing.calls import Call, calls
from svclint.routing.model import RoutingModel, Source
from svclint.routing.services import EXTERNAL_NAME, MANUAL, PODS, Column
from svclint.settings import WorkloadIdentity

NAMESPACE_NAME = "kubernetes.io/metadata.name"
POLICY_PREFIX = "svclint-"
ANYWHERE = ('ipBlock: {cidr: "0.0.0.0/0"}', 'ipBlock: {cidr: "::/0"}')


@dataclass
class _Rule:
    comment: str
    peers: list[str]  # YAML lines of the peer list items (already indented relative)
    ports: list[tuple[str, int]]  # (protocol, port)


@dataclass
class _Policy:
    source: Source
    ingress: dict[str, _Rule] = field(default_factory=dict)
    egress: dict[str, _Rule] = field(default_factory=dict)


def pod_labels(template: PodTemplate) -> dict[str, str]:
    """What selects the workload's pods: its matchLabels, or the pod template labels."""
    selector = template.owner.spec.get("selector") if template.owner.kind != "Pod" else None
    if isinstance(selector, dict) and not selector.get("matchExpressions"):
        labels = selector.get("matchLabels")
        if isinstance(labels, dict) and labels and all(template.labels.get(k) == v for k, v in labels.items()):
            return {str(k): str(v) for k, v in labels.items()}
    return dict(template.labels)


def _selector(labels: dict[str, str]) -> str:
    if not labels:
        return "{}"
    return "{matchLabels: {" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(labels.items())) + "}}"


def _peer(namespace: str, labels: dict[str, str], own_namespace: str) -> str:
    if namespace == own_namespace:
        return f"podSelector: {_selector(labels)}"
    return f"namespaceSelector: {_selector({NAMESPACE_NAME: namespace})}\n  podSelector: {_selector(labels)}"


def _identity_peer(identity: WorkloadIdentity, own_namespace: str) -> str:
    return _peer(identity.namespace, dict(identity.labels), own_namespace)


def _add(rules: dict[str, _Rule], key: str, comment: str, peers: list[str], ports: list[tuple[str, int]]) -> None:
    rule = rules.get(key)
    if rule is None:
        rules[key] = _Rule(comment, peers, sorted(set(ports)))
    else:
        rule.ports = sorted(set(rule.ports) | set(ports))
        if comment not in rule.comment:
            rule.comment += "; " + comment


def _endpoint_ports(column: Column) -> dict[str, tuple[PodTemplate, list[tuple[str, int]]]]:
    out: dict[str, tuple[PodTemplate, list[tuple[str, int]]]] = {}
    for endpoint in column.resolved:
        assert endpoint.port is not None
        entry = out.setdefault(endpoint.template.workload.qualified, (endpoint.template, []))
        entry[1].append((column.protocol, endpoint.port))
    return out


def generate(model: RoutingModel) -> str:
    """The policies as one YAML stream, with comments; deterministic."""
    policies = {s.name: _Policy(s) for s in model.workloads}
    dns = model.settings.kube_dns
    for policy in policies.values():
        ns = policy.source.namespace or ""
        _add(policy.egress, "dns", "DNS: kube-dns on UDP and TCP 53", [_identity_peer(dns, ns)], [("UDP", 53), ("TCP", 53)])
    for call in calls(model):
        _call(policies, call)
    _entries(model, policies)
    _platform(model, policies)
    return "".join(_render(p) for _, p in sorted(policies.items()))


def _call(policies: dict[str, _Policy], call: Call) -> None:
    caller = policies[call.source.name]
    assert call.source.template is not None
    ref = call.checked.reference
    loc = ref.holder.location(ref.path)
    why = f"{call.source.name} -> {call.destination}:{call.port or '*'}: {ref.origin} ({loc.path}:{loc.line})"
    own = call.source.namespace or ""
    for column in call.columns:
        if column.kind in (EXTERNAL_NAME, MANUAL):
            port = column.target if isinstance(column.target, int) else column.port
            _add(caller.egress, f"external {port}", why, [*ANYWHERE], [(column.protocol, port)])
            continue
        for name, (template, ports) in sorted(_endpoint_ports(column).items()):
            _add(caller.egress, f"to {name}", why, [_peer(template.namespace or "", pod_labels(template), own)], ports)
            callee = policies.get(name)
            if callee is not None:
                peer = _peer(own, pod_labels(call.source.template), template.namespace or "")
                _add(callee.ingress, f"from {call.source.name}", why, [peer], ports)


def _entries(model: RoutingModel, policies: dict[str, _Policy]) -> None:
    """Ingress from the controller / router or from outside, for exposed Service ports."""
    for column in model.columns:
        exposure = model.exposure[id(column)]
        if column.kind != PODS or not exposure.exposed:
            continue
        for name, (template, ports) in sorted(_endpoint_ports(column).items()):
            policy = policies.get(name)
            if policy is None:
                continue
            ns = template.namespace or ""
            for text in exposure.direct:
                _add(policy.ingress, "outside", f"{column.label} exposed by {text}", [*ANYWHERE], ports)
            for backend in exposure.ingresses:
                identity = model.settings.openshift_router if backend.kind == "Route" and model.classes.router else model.settings.ingress_controller
                what = "router" if identity is model.settings.openshift_router else "ingress controller"
                _add(policy.ingress, f"entry {what}", f"{column.label} is a backend of {backend.label} (the {what})", [_identity_peer(identity, ns)], ports)


def _platform(model: RoutingModel, policies: dict[str, _Policy]) -> None:
    """kube-dns and the ingress controller, when the input has them: serve DNS / reach backends."""
    dns_names = {t.workload.qualified for cls in model.classes.kube_dns if cls.synthetic is None for t in cls.templates}
    for name in dns_names:
        if name in policies:
            _add(policies[name].ingress, "dns clients", "DNS for every pod", ["namespaceSelector: {}"], [("UDP", 53), ("TCP", 53)])
            _add(policies[name].egress, "dns upstream", "upstream DNS servers", [*ANYWHERE], [("UDP", 53), ("TCP", 53)])
    controllers = {t.workload.qualified for cls in model.classes.ingress_controller if cls.synthetic is None for t in cls.templates}
    for name in sorted(controllers & policies.keys()):
        policy = policies[name]
        own = policy.source.namespace or ""
        _add(policy.ingress, "outside", "clients of the Ingress rules", [*ANYWHERE], [("TCP", 80), ("TCP", 443)])
        for column in model.columns:
            if column.kind != PODS or not model.exposure[id(column)].ingresses:
                continue
            for backend, (template, ports) in sorted(_endpoint_ports(column).items()):
                _add(policy.egress, f"to {backend}", f"Ingress backend {column.label}", [_peer(template.namespace or "", pod_labels(template), own)], ports)


def _render(policy: _Policy) -> str:
    source = policy.source
    assert source.template is not None
    workload = source.template.workload
    lines = [
        f"# {source.name}: admits exactly the calls svclint found (svclint policy generate)",
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata:",
        f"  name: {json.dumps(_name(workload.name, workload.kind))}",
        f"  namespace: {json.dumps(source.namespace or '')}",
        "spec:",
        f"  podSelector: {_selector(pod_labels(source.template))}",
        "  policyTypes: [Ingress, Egress]",
    ]
    for direction, rules, word in (("ingress", policy.ingress, "from"), ("egress", policy.egress, "to")):
        if not rules:
            lines.append(f"  {direction}: []")
            continue
        lines.append(f"  {direction}:")
        for _, rule in sorted(rules.items()):
            lines.append(f"    # {' '.join(rule.comment.split())}")
            lines.append(f"    - {word}:")
            for peer in rule.peers:
                first, *rest = peer.split("\n")
                lines.append(f"        - {first}")
                lines.extend(f"        {r}" for r in rest)
            lines.append("      ports:")
            lines.extend(f"        - {{protocol: {p}, port: {n}}}" for p, n in rule.ports)
    return "---\n" + "\n".join(lines) + "\n"


def _name(name: str, kind: str) -> str:
    base = f"{POLICY_PREFIX}{name}"
    return base if kind in ("Deployment", "StatefulSet", "DaemonSet") else f"{base}-{kind.lower()}"[:253]
