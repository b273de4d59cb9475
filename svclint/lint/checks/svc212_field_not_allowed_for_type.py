"""SVC212 field-not-allowed-for-type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.kube.services import is_headless, is_int, service_type
from svclint.kube.validation import go_value
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.source import FieldPath

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
MAX_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds


def _supported(values: tuple[str, ...]) -> str:
    return "supported values: " + ", ".join(f'"{v}"' for v in sorted(values))


def _is_set(spec: dict[str, Any], key: str) -> bool:
    """Present with a value the API keeps (null, "" and [] decode to unset)."""
    return key in spec and spec[key] not in (None, "", [])


class FieldNotAllowedForType(Rule):
    """## What it does
    Reports Service fields the API server rejects for the Service's type or value
    (ValidateService in pkg/apis/core/validation/validation.go), at the field to change:

    - `type` other than exactly `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`;
    - `clusterIP: None` (headless) on a NodePort or LoadBalancer Service;
    - `clusterIP`, `clusterIPs`, `ipFamilies` or `ipFamilyPolicy` on an ExternalName Service
      (`"None"` included);
    - `loadBalancerSourceRanges` (or the `service.beta.kubernetes.io/load-balancer-source-ranges`
      annotation), `allocateLoadBalancerNodePorts` or `loadBalancerClass` on a Service that is
      not a LoadBalancer;
    - `externalTrafficPolicy` on a Service that is not externally accessible (a ClusterIP
      Service without `externalIPs`, a headless one, ExternalName), or a value other than
      `Cluster` or `Local`; `internalTrafficPolicy` other than `Cluster` or `Local`;
    - `healthCheckNodePort` unless the Service is a LoadBalancer with
      `externalTrafficPolicy: Local`;
    - `sessionAffinity` other than `ClientIP` or `None`, and with `ClientIP` a
      `timeoutSeconds` outside 1-86400 (86400 is valid, whatever the message says).

    Values that defaulting clears are not reported: `sessionAffinityConfig` with
    `sessionAffinity: None` is silently dropped, and empty strings mean "unset".

    ## Why is this bad?
    The Service is rejected. These fields are usually left over from a change of type, so
    the manifest no longer says what the Service does.
    """

    id = "SVC212"
    name = "field-not-allowed-for-type"
    summary = "A Service field that its type (or value) does not allow"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            for message, at in self._problems(service):
                yield ctx.report(message, service, at)

    def _problems(self, service: K8sObject) -> Iterator[tuple[str, FieldPath]]:
        spec = service.spec
        kind = service_type(service)
        if kind not in SERVICE_TYPES:
            match = next((t for t in SERVICE_TYPES if t.lower() == str(kind).lower()), None)
            fix = f"write {match!r} (types are case-sensitive)" if match else "use one of them"
            yield f"type {go_value(spec.get('type'))} is not supported ({_supported(SERVICE_TYPES)}); {fix}", ("spec", "type")
            return
        yield from self._cluster_ip(spec, kind)
        yield from self._load_balancer_fields(service, kind)
        yield from self._traffic_policies(service, kind)
        yield from self._session_affinity(spec)

    def _cluster_ip(self, spec: dict[str, Any], kind: str) -> Iterator[tuple[str, FieldPath]]:
        if kind == "ExternalName":
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if _is_set(spec, key):
                    yield (
                        f"{key} may not be set for ExternalName services (it gets no cluster IP, only a DNS "
                        f"CNAME to externalName); remove {key}",
                        ("spec", key),
                    )
        elif kind in ("NodePort", "LoadBalancer") and spec.get("clusterIP") == "None":
            yield (
                f"clusterIP may not be set to 'None' for {kind} services (spec.clusterIPs[0]: Invalid value: \"None\"); "
                "remove clusterIP: None, or use a separate headless Service for per-pod DNS",
                ("spec", "clusterIP"),
            )

    def _load_balancer_fields(self, service: K8sObject, kind: str) -> Iterator[tuple[str, FieldPath]]:
        if kind == "LoadBalancer":
            return
        spec = service.spec
        why = f"may only be used when type is 'LoadBalancer', not {kind}"
        if _is_set(spec, "loadBalancerSourceRanges"):
            yield f"loadBalancerSourceRanges {why}; remove it, or restrict access with a NetworkPolicy", ("spec", "loadBalancerSourceRanges")
        elif SOURCE_RANGES_ANNOTATION in service.annotations:
            yield (
                f"annotation {SOURCE_RANGES_ANNOTATION} {why}; remove it",
                ("metadata", "annotations", SOURCE_RANGES_ANNOTATION),
            )
        for key in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if key in spec and spec[key] is not None:
                yield f"{key} {why}; remove it", ("spec", key)

    def _traffic_policies(self, service: K8sObject, kind: str) -> Iterator[tuple[str, FieldPath]]:
        spec = service.spec
        external_ips = spec.get("externalIPs")
        # pkg/api/service/util.go ExternallyAccessible
        accessible = kind in ("NodePort", "LoadBalancer") or (
            kind == "ClusterIP" and isinstance(external_ips, list) and len(external_ips) > 0
        )
        policy = spec.get("externalTrafficPolicy")
        if _is_set(spec, "externalTrafficPolicy"):
            if not accessible:
                what = "a headless Service" if is_headless(service) and kind == "ClusterIP" else f"{'an' if kind == 'ExternalName' else 'a'} {kind} Service"
                extra = " without externalIPs" if kind == "ClusterIP" else ""
                yield (
                    f"externalTrafficPolicy {go_value(policy)} may only be set for externally-accessible services, "
                    f"and this is {what}{extra}; remove it (internalTrafficPolicy governs in-cluster traffic)",
                    ("spec", "externalTrafficPolicy"),
                )
            elif policy not in ("Cluster", "Local"):
                yield (
                    f"externalTrafficPolicy {go_value(policy)} is not supported ({_supported(('Cluster', 'Local'))})",
                    ("spec", "externalTrafficPolicy"),
                )
        internal = spec.get("internalTrafficPolicy")
        if _is_set(spec, "internalTrafficPolicy") and internal not in ("Cluster", "Local"):
            yield (
                f"internalTrafficPolicy {go_value(internal)} is not supported ({_supported(('Cluster', 'Local'))})",
                ("spec", "internalTrafficPolicy"),
            )
        health = spec.get("healthCheckNodePort")
        if is_int(health) and health != 0 and not (kind == "LoadBalancer" and policy == "Local"):
            yield (
                f"healthCheckNodePort {health} may only be set when type is 'LoadBalancer' and "
                "externalTrafficPolicy is 'Local'; remove it",
                ("spec", "healthCheckNodePort"),
            )

    def _session_affinity(self, spec: dict[str, Any]) -> Iterator[tuple[str, FieldPath]]:
        affinity = spec.get("sessionAffinity")
        if _is_set(spec, "sessionAffinity") and affinity not in ("ClientIP", "None"):
            match = next((v for v in ("ClientIP", "None") if v.lower() == str(affinity).lower()), None)
            fix = f"; write {match!r}" if match else ""
            yield (
                f"sessionAffinity {go_value(affinity)} is not supported ({_supported(('ClientIP', 'None'))}){fix}",
                ("spec", "sessionAffinity"),
            )
            return
        if affinity != "ClientIP":
            return  # with None, defaulting drops sessionAffinityConfig before validation
        path = ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")
        config = spec.get("sessionAffinityConfig")
        client = config.get("clientIP") if isinstance(config, dict) else None
        timeout = client.get("timeoutSeconds") if isinstance(client, dict) else None
        if is_int(timeout) and not 0 < timeout <= MAX_AFFINITY_SECONDS:
            yield (
                f"timeoutSeconds {timeout} must be greater than 0 and at most {MAX_AFFINITY_SECONDS} (one day); "
                f"use a value in 1-{MAX_AFFINITY_SECONDS}, or omit it for the default 10800",
                path,
            )
