"""Why a cell has its verdict: the chain hop by hop, each hop with the object and line that decided it.

The same reasons feed ``matrix --format json`` (every cell) and ``svclint explain`` (text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from svclint.kube.model import K8sObject
from svclint.kube.services import is_headless
from svclint.loading.source import FieldPath
from svclint.routing.calls import references_to
from svclint.routing.classes import PodClass
from svclint.routing.engine import CompiledRule, Decision
from svclint.routing.model import RoutingModel, Source
from svclint.routing.services import (
    EXTERNAL_NAME,
    MANUAL,
    NO_ENDPOINTS,
    Column,
    Endpoint,
)


@dataclass(frozen=True)
class Reason:
    hop: str  # service, endpoint, egress, ingress, entry, dns
    text: str
    depth: int = 0
    file: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hop": self.hop, "text": self.text}
        if self.file is not None:
            out["file"], out["line"] = self.file, self.line
        return out


def _at(hop: str, text: str, obj: K8sObject | None, path: FieldPath = (), depth: int = 0) -> Reason:
    if obj is None:
        return Reason(hop, text, depth)
    loc = obj.location(path)
    return Reason(hop, text, depth, loc.path, loc.line)


def _who(cls: PodClass | None, source: Source | None = None) -> str:
    if cls is None:
        return "the outside world"
    if source is not None and source.template is not None:
        return source.name
    return cls.describe()


def _rule_text(rule: CompiledRule, peer_cls: PodClass | None, model: RoutingModel, ports: str) -> str:
    policy = rule.policy
    peer = rule.matching_peer(peer_cls, model.classes)
    peer_text = "any peer" if peer is None else peer.text(policy.namespace)
    if peer_cls is None and peer is not None:
        peer_text += " (outside addresses only)"
    port_text = "any port" if not rule.rule.ports else "ports " + ", ".join(p.text() for p in rule.rule.ports)
    return f"allowed by NetworkPolicy {policy.key} {rule.rule.label} ({'from' if rule.rule.direction == 'ingress' else 'to'} {peer_text}; {port_text})"


def decision_reasons(decision: Decision, model: RoutingModel, src: PodClass | None, dst: PodClass | None, port: str, depth: int, source: Source | None = None) -> list[Reason]:
    hop = decision.direction
    side = _who(src, source) if hop == "egress" else _who(dst)
    other = _who(dst) if hop == "egress" else _who(src, source)
    if not decision.isolating:
        kind = "Egress" if hop == "egress" else "Ingress"
        return [Reason(hop, f"{hop} allowed: no NetworkPolicy with policyType {kind} selects {side} (default allow)", depth)]
    if decision.allowing:
        peer = dst if hop == "egress" else src
        return [
            _at(hop, f"{hop} {_rule_text(r, peer, model, port)}", r.policy.obj, r.rule.path, depth)
            for r in decision.allowing
        ]
    names = ", ".join(p.key for p in decision.isolating)
    first = decision.isolating[0]
    return [
        _at(
            hop,
            f"{hop} denied: {side} is isolated by NetworkPolicy {names} and no {hop} rule allows {other} on {port}",
            first.obj,
            ("spec", "podSelector"),
            depth,
        )
    ]


def service_reason(column: Column) -> Reason:
    service = column.service
    sp = column.service_port
    path: FieldPath = sp.path if sp is not None else ("spec",)
    if column.kind == EXTERNAL_NAME:
        text = f"Service {column.destination} is ExternalName {service.spec.get('externalName')}: traffic leaves the cluster on {column.port}/{column.protocol}"
    elif column.kind == MANUAL:
        text = f"Service {column.destination} has no selector: manual Endpoints outside the model, reached like outside addresses"
    elif column.kind == NO_ENDPOINTS:
        selector = service.spec.get("selector")
        text = (
            f"Service {column.destination} selector matches no pod template in namespace {column.namespace}"
            if selector
            else f"Service {column.destination} has no selector and no Endpoints"
        )
        path = ("spec", "selector") if selector else path
    elif sp is None:
        text = f"headless Service {column.destination} without ports: clients use pod port {column.port}/{column.protocol}"
    else:
        target = f"targetPort {column.target}" if column.target != column.port else f"targetPort {column.target} (= port)"
        headless = "headless " if is_headless(service) else ""
        text = f"{headless}Service {column.destination} port {column.port}/{column.protocol} -> {target} on {len(column.endpoints)} endpoint workload(s)"
    return _at("service", text, service, path)


def endpoint_reason(column: Column, endpoint: Endpoint) -> Reason:
    owner = endpoint.template.workload.qualified
    if endpoint.port is None:
        return Reason(
            "endpoint",
            f"endpoint {owner}: no container port named {column.target!r} with protocol {column.protocol}: it gets no traffic for this port",
            1,
            *_loc(endpoint),
        )
    if endpoint.declared is not None:
        loc = endpoint.template.owner.location(endpoint.declared.path)
        return Reason("endpoint", f"endpoint {owner}: pod port {endpoint.port}/{column.protocol} (named port {endpoint.declared.name})", 1, loc.path, loc.line)
    return Reason("endpoint", f"endpoint {owner}: pod port {endpoint.port}/{column.protocol}", 1, *_loc(endpoint))


def _loc(endpoint: Endpoint) -> tuple[str, int]:
    loc = endpoint.template.location(("metadata", "labels"))
    return loc.path, loc.line


def cell_reasons(model: RoutingModel, source: Source, column: Column) -> list[Reason]:
    reasons = [service_reason(column)]
    if column.kind in (EXTERNAL_NAME, MANUAL):
        if source.cls is None:
            reasons.append(Reason("entry", "not exposed outside the cluster"))
            return reasons
        port = column.target if isinstance(column.target, int) else column.port
        decision = model.engine.decide_egress(source.cls, None, column.protocol, port)
        reasons.extend(decision_reasons(decision, model, source.cls, None, f"{column.protocol} {port}", 1, source))
        reasons.extend(_dns(model, source))
        return reasons
    if source.cls is None:
        reasons.extend(_entry(model, column))
        exposure = model.exposure[id(column)]
        if not exposure.exposed:
            return reasons
    for endpoint in column.endpoints:
        reasons.append(endpoint_reason(column, endpoint))
        if endpoint.port is None:
            continue
        on = f"{column.protocol} {endpoint.port}"
        if source.cls is None:
            exposure = model.exposure[id(column)]
            if exposure.direct:
                decision = model.engine.decide_ingress(None, endpoint.cls, column.protocol, endpoint.port)
                reasons.extend(decision_reasons(decision, model, None, endpoint.cls, on, 2))
                limit = exposure.direct_ips
                within = "" if limit.is_all else f" (policies within loadBalancerSourceRanges {limit.text()})"
                reasons.append(Reason("entry", f"outside addresses admitted{within}: {model.external_ips_allowed(column, endpoint)}", 2))
            for ic in {id(c): c for c in map(model.controller_for, exposure.ingresses)}.values():
                for decision in (
                    model.engine.decide_egress(ic, endpoint.cls, column.protocol, endpoint.port),
                    model.engine.decide_ingress(ic, endpoint.cls, column.protocol, endpoint.port),
                ):
                    reasons.extend(decision_reasons(decision, model, ic, endpoint.cls, on, 2))
            continue
        for decision in model.endpoint_decisions(source, column, endpoint):
            reasons.extend(decision_reasons(decision, model, source.cls, endpoint.cls, on, 2, source))
    if source.template is not None and column.kind != NO_ENDPOINTS:
        reasons.extend(_dns(model, source))
    return reasons


def _entry(model: RoutingModel, column: Column) -> list[Reason]:
    exposure = model.exposure[id(column)]
    out = []
    for text in exposure.direct:
        out.append(_at("entry", f"exposed outside the cluster by {text}", column.service, ("spec", "type")))
    for backend in exposure.ingresses:
        ic = model.controller_for(backend)
        via = f"through the {'OpenShift router' if backend.kind == 'Route' else 'ingress controller'} {ic.describe()}"
        out.append(_at("entry", f"exposed by {backend.label} {via}", backend.ingress, backend.path))
    for ic in {id(c): c for c in map(model.controller_for, exposure.ingresses)}.values():
        if not model.controller_reachable_from_outside(ic):
            what = "OpenShift router" if ic in model.classes.router else "ingress controller"
            out.append(Reason("entry", f"the {what} itself does not admit outside traffic on TCP 80 or 443"))
    if not out:
        out.append(_at("entry", f"not exposed outside the cluster: a {column.service.spec.get('type') or 'ClusterIP'} Service and no Ingress backend", column.service, ("spec",)))
    return out


def _dns(model: RoutingModel, source: Source) -> list[Reason]:
    assert source.cls is not None
    if not model.dns_blocked(source.cls):
        return [Reason("dns", "DNS: can reach kube-dns on UDP 53")]
    out = [Reason("dns", f"{source.name} cannot reach kube-dns on UDP 53: Service names do not resolve (dns-blocked)")]
    for dns in model.classes.kube_dns:
        for decision in (
            model.engine.decide_egress(source.cls, dns, "UDP", 53),
            model.engine.decide_ingress(source.cls, dns, "UDP", 53),
        ):
            if not decision.allowed:
                out.extend(decision_reasons(decision, model, source.cls, dns, "UDP 53", 1, source))
    return out


def explain_text(model: RoutingModel, source: Source, columns: list[Column]) -> str:
    lines = []
    for column in columns:
        verdict = model.verdict(source, column)
        lines.append(f"{source.name} -> {column.label}: {verdict}")
        for item in references_to(model, source, column):
            ref = item.reference
            loc = ref.holder.location(ref.path)
            lines.append(f"  called by {ref.origin}: {ref.text}  [{loc.path}:{loc.line}]")
        for reason in cell_reasons(model, source, column):
            where = f"  [{reason.file}:{reason.line}]" if reason.file else ""
            lines.append(f"{'  ' * (reason.depth + 1)}{reason.text}{where}")
        lines.append("")
    lines.append("assumptions:")
    lines.extend(f"  - {a}" for a in model.assumptions)
    return "\n".join(lines) + "\n"
