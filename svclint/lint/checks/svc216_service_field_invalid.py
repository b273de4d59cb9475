"""SVC216 service-field-invalid."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.kube.services import service_type
from svclint.kube.validation import (
    IP_MESSAGE,
    PORT_RANGE_MESSAGE,
    go_value,
    is_dns1035_label,
    is_dns1123_label,
    is_qualified_name,
    is_valid_label_value,
    is_valid_port_num,
    parse_cidr,
    parse_ip,
    special_ip_problem,
)
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.source import FieldPath, format_field_path

SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"
IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
# Every value some supported Kubernetes accepts (PreferClose 1.31+, PreferSameZone and
# PreferSameNode 1.34+): an older API server rejecting a newer value is not reported.
TRAFFIC_DISTRIBUTIONS = ("PreferClose", "PreferSameNode", "PreferSameZone")
CIDR_MESSAGE = "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 "

Problem = tuple[FieldPath, str]


def _invalid(path: FieldPath, value: Any, message: str) -> Problem:
    """field.Invalid as the API server prints it."""
    shown = _go_list(value) if isinstance(value, list) else _short(value)
    return path, f"{format_field_path(path)}: Invalid value: {shown}: {message}"


def _strings(value: Any) -> list[tuple[int, str]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def metadata_problems(service: K8sObject) -> Iterator[Problem]:
    """ValidateObjectMeta (k8s.io/apimachinery pkg/api/validation/objectmeta.go) on a Service."""
    metadata = service.data.get("metadata")
    if not isinstance(metadata, dict):
        return
    namespace = metadata.get("namespace")
    if isinstance(namespace, str) and namespace:
        for message in is_dns1123_label(namespace):  # ValidateNamespaceName
            yield _invalid(("metadata", "namespace"), namespace, message)
    name, generate_name = metadata.get("name"), metadata.get("generateName")
    if isinstance(name, str) and name and isinstance(generate_name, str) and generate_name:
        # Validated whatever name says (SVC211 checks it only when it stands for the name).
        masked = generate_name[:-1] + "a" if generate_name.endswith("-") else generate_name
        for message in is_dns1035_label(masked):
            yield _invalid(("metadata", "generateName"), generate_name, message)
    for field, check_values in (("labels", True), ("annotations", False)):
        mapping = metadata.get(field)
        for key, value in mapping.items() if isinstance(mapping, dict) else ():
            if not isinstance(key, str):
                continue
            path = ("metadata", field, key)
            # ValidateLabels / ValidateAnnotations (annotation keys are checked lower-cased).
            for message in is_qualified_name(key if check_values else key.lower()):
                yield _invalid(path, key, message)
            if check_values and isinstance(value, str):
                for message in is_valid_label_value(value):
                    yield _invalid(path, value, message)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        mode, hints = annotations.get(TOPOLOGY_MODE), annotations.get(TOPOLOGY_HINTS)
        if isinstance(mode, str) and isinstance(hints, str) and mode != hints:
            # ValidateService: the deprecated annotation and its successor must agree.
            yield _invalid(
                ("metadata", "annotations", TOPOLOGY_MODE), mode, f"must match annotations[{TOPOLOGY_HINTS}] when both are specified"
            )


def spec_problems(service: K8sObject) -> Iterator[Problem]:
    """ValidateService (pkg/apis/core/validation/validation.go): the per-field checks of a v1 Service."""
    spec = service.spec
    kind = service_type(service)
    selector = spec.get("selector")
    for key, value in selector.items() if isinstance(selector, dict) else ():
        if isinstance(key, str):  # ValidateLabels(spec.selector)
            for message in is_qualified_name(key):
                yield _invalid(("spec", "selector", key), key, message)
            if isinstance(value, str):
                for message in is_valid_label_value(value):
                    yield _invalid(("spec", "selector", key), value, message)
    ports = spec.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        app_protocol = port.get("appProtocol") if isinstance(port, dict) else None
        if isinstance(app_protocol, str):  # validateServicePort: ValidateQualifiedName(appProtocol)
            for message in is_qualified_name(app_protocol):
                yield _invalid(("spec", "ports", i, "appProtocol"), app_protocol, message)
    if kind != "ExternalName":
        yield from cluster_ip_problems(spec)
    for i, ip in _strings(spec.get("externalIPs")):  # ValidateService: IsValidIP + validateNonSpecialIP
        parsed = parse_ip(ip)
        problem = IP_MESSAGE if parsed is None else special_ip_problem(parsed)
        if problem:
            yield _invalid(("spec", "externalIPs", i), ip, problem)
    for i, cidr in _strings(spec.get("loadBalancerSourceRanges")):  # GetLoadBalancerSourceRanges
        if parse_cidr(cidr.strip()) is None:
            yield _invalid(("spec", "loadBalancerSourceRanges", i), cidr, CIDR_MESSAGE)
    ranges = service.annotations.get(SOURCE_RANGES_ANNOTATION)
    if ranges is not None and not spec.get("loadBalancerSourceRanges"):
        # The annotation counts only without the field; empty means none (pkg/api/service/util.go).
        if ranges.strip() and any(parse_cidr(part.strip()) is None for part in ranges.split(",")):
            yield _invalid(("metadata", "annotations", SOURCE_RANGES_ANNOTATION), ranges, CIDR_MESSAGE)
    port = spec.get("healthCheckNodePort")
    if isinstance(port, int) and not isinstance(port, bool) and port != 0 and not is_valid_port_num(port):
        yield _invalid(("spec", "healthCheckNodePort"), port, PORT_RANGE_MESSAGE)
    lb_class = spec.get("loadBalancerClass")
    if kind == "LoadBalancer" and isinstance(lb_class, str):  # validateLoadBalancerClassField
        for message in is_qualified_name(lb_class):
            yield _invalid(("spec", "loadBalancerClass"), lb_class, message)
    distribution = spec.get("trafficDistribution")
    if isinstance(distribution, str) and distribution not in TRAFFIC_DISTRIBUTIONS:
        supported = ", ".join(f'"{v}"' for v in TRAFFIC_DISTRIBUTIONS)
        yield ("spec", "trafficDistribution"), (
            f"spec.trafficDistribution: Unsupported value: {_short(distribution)}: supported values: {supported}"
        )


def cluster_ip_problems(spec: dict[str, Any]) -> Iterator[Problem]:
    """ValidateService's clusterIP check and ValidateServiceClusterIPsRelatedFields, as a manifest
    meets them: an unset clusterIPs is defaulted from clusterIP (and clusterIP from clusterIPs[0])."""
    cluster_ip = spec.get("clusterIP")
    if isinstance(cluster_ip, str) and cluster_ip not in ("", "None") and parse_ip(cluster_ip) is None:
        yield _invalid(("spec", "clusterIP"), cluster_ip, "must be empty, 'None', or a valid IP address")
    raw = spec.get("clusterIPs")
    ips = [v for _, v in _strings(raw)] if isinstance(raw, list) and len(_strings(raw)) == len(raw) else None
    families = [v for _, v in _strings(spec.get("ipFamilies"))]
    seen: set[str] = set()
    for i, family in _strings(spec.get("ipFamilies")):
        if family not in IP_FAMILIES:
            yield ("spec", "ipFamilies", i), (
                f'spec.ipFamilies[{i}]: Unsupported value: {_short(family)}: supported values: "IPv4", "IPv6"'
            )
        elif family in seen:
            yield ("spec", "ipFamilies", i), f"spec.ipFamilies[{i}]: Duplicate value: {go_value(family)}"
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if isinstance(policy, str) and policy not in IP_FAMILY_POLICIES:
        supported = ", ".join(f'"{v}"' for v in IP_FAMILY_POLICIES)
        yield ("spec", "ipFamilyPolicy"), (
            f"spec.ipFamilyPolicy: Unsupported value: {_short(policy)}: supported values: {supported}"
        )
    if not ips:
        # The registry copies clusterIP into clusterIPs before validating (NormalizeClusterIPs in
        # pkg/registry/core/service/strategy.go): the family check then meets clusterIP itself.
        parsed_ip = parse_ip(cluster_ip) if isinstance(cluster_ip, str) and cluster_ip != "None" else None
        if parsed_ip is not None and families and families[0] in IP_FAMILIES:
            wanted = 4 if families[0] == "IPv4" else 6
            if parsed_ip.version != wanted:
                yield _invalid(
                    ("spec", "clusterIP"), cluster_ip, f"expected an {families[0]} value as indicated by `ipFamilies[0]`"
                )
        return
    if isinstance(cluster_ip, str) and cluster_ip and ips[0] != cluster_ip:
        yield _invalid(("spec", "clusterIPs"), ips, "first value must match `clusterIP`")
    invalid = False
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            if len(ips) > 1:
                invalid = True
                yield _invalid(("spec", "clusterIPs"), ips, "'None' must be the first and only value")
            continue
        if parse_ip(ip) is None:
            invalid = True
            yield _invalid(("spec", "clusterIPs", i), ip, IP_MESSAGE)
    if len(ips) > 2:
        yield _invalid(("spec", "clusterIPs"), ips, "may only hold up to 2 values")
    if invalid:
        return
    parsed = [parse_ip(ip) for ip in ips if ip != "None"]
    if len(ips) == 2 and len({ip.version for ip in parsed if ip is not None}) != 2:
        yield _invalid(("spec", "clusterIPs"), ips, "may specify no more than one IP for each IP family")
    if ips != ["None"]:
        for i, ip in enumerate(ips[: len(families)]):
            version = 6 if ":" in ip else 4
            if families[i] == "IPv4" and version == 6:
                yield _invalid(("spec", "clusterIPs", i), ip, f"expected an IPv4 value as indicated by `ipFamilies[{i}]`")
            if families[i] == "IPv6" and version == 4:
                yield _invalid(("spec", "clusterIPs", i), ip, f"expected an IPv6 value as indicated by `ipFamilies[{i}]`")


def _go_list(values: list[str]) -> str:
    return "[]string{" + ", ".join(_short(v) for v in values) + "}"


def _short(value: Any) -> str:
    """go_value, with a long string cut (a 10 MB selector value stays out of the message)."""
    if isinstance(value, str) and len(value) > 100:
        return f"{go_value(value[:60])}... ({len(value)} characters)"
    return go_value(value)


class ServiceFieldInvalid(Rule):
    """## What it does
    Reports the Service fields the API server rejects that no other rule covers, each at the
    field it names and with the API server's own message (ValidateService and
    ValidateServiceClusterIPsRelatedFields in pkg/apis/core/validation/validation.go,
    ValidateObjectMeta in k8s.io/apimachinery):

    - `metadata.namespace` that is not a DNS-1123 label; label and annotation keys that are
      not qualified names (`[prefix/]name`), label values that are not label values;
      `generateName` (checked even when `name` is set); the topology annotations
      `service.kubernetes.io/topology-mode` and the deprecated `topology-aware-hints` with
      different values;
    - `spec.selector` keys and values (a selector is a label map);
    - `clusterIP` other than empty, `None` or an IP; `clusterIPs` whose first value differs
      from `clusterIP`, with `None` not alone, a malformed IP, more than two values, two of
      one family, or a family other than `ipFamilies` says; `ipFamilies` other than `IPv4`
      and `IPv6`, or twice the same; `ipFamilyPolicy` other than `SingleStack`,
      `PreferDualStack` or `RequireDualStack`;
    - `externalIPs` that are not IPs, or loopback, unspecified, link-local or link-local
      multicast addresses; `loadBalancerSourceRanges` entries (and the
      `service.beta.kubernetes.io/load-balancer-source-ranges` annotation) that are not CIDRs;
    - `healthCheckNodePort` outside 1-65535; `appProtocol` and `loadBalancerClass` that are
      not qualified names; `trafficDistribution` other than `PreferClose`, `PreferSameZone`
      or `PreferSameNode`.

    IPv4 addresses with leading zeros (`010.0.0.1`) are accepted, as the API server's
    sloppy parser accepts them. Values of the wrong type are SVC008's.

    ## Why is this bad?
    The Service is rejected at apply time, so nothing it should route exists; in a GitOps
    pipeline the sync fails on a field that looked harmless in review.
    """

    id = "SVC216"
    name = "service-field-invalid"
    summary = "A Service field the API server rejects (addresses, ranges, label keys, namespace)"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            for path, message in (*metadata_problems(service), *spec_problems(service)):
                if "{{" in str(path[-1]) or "{{" in str(service.get(path)):
                    continue  # an unrendered template placeholder: SVC005 says so
                yield ctx.report(f"Service {service.namespace}/{service.name}: {message}", service, path)
