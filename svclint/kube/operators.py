"""Custom resources that operators turn into pods: the labels, ports and replicas those pods get.

Each entry reads one custom resource and returns the pods its operator creates, taken from
the operator's source (cited per entry, at the commit read). Only what is fixed by that
source is modelled: labels whose value is not knowable from the manifest (a version the
operator computes, a hash) are left out, so a selector naming them does not match (and
the uncertainty note says why). ``--labels`` flags given to an operator are not seen.

Entries return ``GeneratedPods``; ``kube.sources`` turns them into ``PodTemplate``s marked
``generated`` (rules about the containers a user wrote skip them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from svclint.kube.model import K8sObject, string_map
from svclint.loading.source import FieldPath


@dataclass(frozen=True)
class GeneratedPods:
    """One set of identical pods an operator creates for a custom resource."""

    labels: dict[str, str]
    containers: list[dict[str, Any]]
    replicas: int
    labels_at: FieldPath  # where the user's part of the labels is written (for locations)
    workload: str  # the StatefulSet (or pod name prefix) the operator creates, for messages
    extra: dict[str, Any] = field(default_factory=dict)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _port(name: str, number: int, protocol: str = "TCP") -> dict[str, Any]:
    return {"name": name, "containerPort": number, "protocol": protocol}


def _container(name: str, *ports: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "ports": list(ports)}


def _user_containers(spec: Mapping[str, Any], generated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``spec.containers`` the user adds next to the operator's (same name: merged, ports kept from both)."""
    names = {c["name"] for c in generated}
    extra = spec.get("containers")
    out = []
    for c in extra if isinstance(extra, list) else ():
        if isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"] not in names:
            ports = c.get("ports")
            out.append({"name": c["name"], "ports": ports if isinstance(ports, list) else []})
    return out


def _pod_metadata_labels(spec: Mapping[str, Any], key: str = "podMetadata") -> dict[str, str]:
    metadata = spec.get(key)
    return string_map(metadata.get("labels")) if isinstance(metadata, dict) else {}


# -- prometheus-operator (monitoring.coreos.com) -------------------------------------------
# Source: github.com/prometheus-operator/prometheus-operator @ 6adcebc5076c (2026-08-08).
# Pod labels are spec.podMetadata.labels overwritten by the selector labels
# (pkg/prometheus/server/statefulset.go makeStatefulSetSpec: maps.Copy(podLabels,
# podSelectorLabels); makeSelectorLabels in pkg/prometheus/server/operator.go). The reserved
# labels are listed in pkg/apis/monitoring/v1/prometheus_types.go (podMetadata).
MANAGED_BY = {"app.kubernetes.io/managed-by": "prometheus-operator"}


def _listen(spec: Mapping[str, Any]) -> bool:
    return spec.get("listenLocal") is not True


def _reloader(spec: Mapping[str, Any]) -> dict[str, Any]:
    """config-reloader: ``reloader-web`` 8080 unless listenLocal (pkg/operator/config_reloader.go)."""
    return _container("config-reloader", *([_port("reloader-web", 8080)] if _listen(spec) else []))


def _port_name(spec: Mapping[str, Any]) -> str:
    name = spec.get("portName")
    return name if isinstance(name, str) and name else "web"  # +kubebuilder:default:="web"


def prometheus(obj: K8sObject) -> list[GeneratedPods]:
    """One StatefulSet per shard (``prometheus-NAME``, ``prometheus-NAME-shard-N``); replicas default 1.

    pkg/prometheus/common.go: ReplicasNumberPtr (default 1), ExpectedStatefulSetShardNames,
    MakeContainerPorts (``web`` 9090 unless listenLocal); thanos-sidecar ``http`` 10902 and
    ``grpc`` 10901 when spec.thanos is set (pkg/prometheus/server/statefulset.go).
    """
    spec, name = obj.spec, obj.name
    containers = [_container("prometheus", *([_port(_port_name(spec), 9090)] if _listen(spec) else [])), _reloader(spec)]
    if isinstance(spec.get("thanos"), dict):
        containers.append(_container("thanos-sidecar", _port("http", 10902), _port("grpc", 10901)))
    containers += _user_containers(spec, containers)
    shards = max(1, _int(spec.get("shards"), 1))
    out = []
    for shard in range(shards):
        labels = _pod_metadata_labels(spec)
        labels.update(MANAGED_BY)
        labels.update({
            "app.kubernetes.io/name": "prometheus",
            "app.kubernetes.io/instance": name,
            "operator.prometheus.io/name": name,
            "prometheus": name,
            "operator.prometheus.io/shard": str(shard),
        })
        workload = f"StatefulSet prometheus-{name}" + (f"-shard-{shard}" if shard else "")
        out.append(GeneratedPods(labels, containers, _int(spec.get("replicas"), 1), ("spec", "podMetadata"), workload))
    return out


def prometheus_agent(obj: K8sObject) -> list[GeneratedPods]:
    """PrometheusAgent: ``app.kubernetes.io/name: prometheus-agent`` (pkg/prometheus/agent/operator.go makeSelectorLabels)."""
    spec, name = obj.spec, obj.name
    containers = [_container("prometheus", *([_port(_port_name(spec), 9090)] if _listen(spec) else [])), _reloader(spec)]
    containers += _user_containers(spec, containers)
    labels = _pod_metadata_labels(spec)
    labels.update(MANAGED_BY)
    labels.update({"app.kubernetes.io/name": "prometheus-agent", "app.kubernetes.io/instance": name, "operator.prometheus.io/name": name})
    replicas = 1 if spec.get("mode") == "DaemonSet" else _int(spec.get("replicas"), 1)
    return [GeneratedPods(labels, containers, replicas, ("spec", "podMetadata"), f"StatefulSet prom-agent-{name}")]


def alertmanager(obj: K8sObject) -> list[GeneratedPods]:
    """StatefulSet ``alertmanager-NAME``; replicas default 1 (pkg/alertmanager/statefulset.go).

    Ports: ``web`` 9093 unless listenLocal, ``mesh-tcp`` 9094/TCP, ``mesh-udp`` 9094/UDP, and the
    config-reloader's ``reloader-web`` 8080. Labels: makeSelectorLabels in
    pkg/alertmanager/operator.go over spec.podMetadata.labels.
    """
    spec, name = obj.spec, obj.name
    web = [_port(_port_name(spec), 9093)] if _listen(spec) else []
    containers = [
        _container("alertmanager", *web, _port("mesh-tcp", 9094), _port("mesh-udp", 9094, "UDP")),
        _reloader(spec),
    ]
    containers += _user_containers(spec, containers)
    labels = _pod_metadata_labels(spec)
    labels.update({"app.kubernetes.io/name": "alertmanager", **MANAGED_BY, "app.kubernetes.io/instance": name, "alertmanager": name})
    return [GeneratedPods(labels, containers, _int(spec.get("replicas"), 1), ("spec", "podMetadata"), f"StatefulSet alertmanager-{name}")]


def thanos_ruler(obj: K8sObject) -> list[GeneratedPods]:
    """StatefulSet ``thanos-ruler-NAME`` (pkg/thanos/statefulset.go): ``grpc`` 10901, ``web`` 10902 unless listenLocal."""
    spec, name = obj.spec, obj.name
    ports = [_port("grpc", 10901)] + ([_port(_port_name(spec), 10902)] if _listen(spec) else [])
    containers = [_container("thanos-ruler", *ports), _reloader(spec)]
    containers += _user_containers(spec, containers)
    labels = _pod_metadata_labels(spec)
    labels.pop("app.kubernetes.io/version", None)  # overwritten with the operator's version
    labels.update({"app.kubernetes.io/name": "thanos-ruler", **MANAGED_BY, "app.kubernetes.io/instance": name, "thanos-ruler": name})
    return [GeneratedPods(labels, containers, _int(spec.get("replicas"), 1), ("spec", "podMetadata"), f"StatefulSet thanos-ruler-{name}")]


# -- CloudNativePG (postgresql.cnpg.io Cluster) ----------------------------------------------
# Source: github.com/cloudnative-pg/cloudnative-pg @ a95a534dbe08: pkg/specs/pods.go
# (PodWithExistingStorage labels; createPostgresContainers ports), pkg/utils/labels_annotations.go,
# pkg/management/url/url.go (9187, 8000), pkg/postgres/configuration.go (5432).
def cnpg_cluster(obj: K8sObject) -> list[GeneratedPods]:
    """One primary and ``instances - 1`` replicas (``cnpg.io/instanceRole``, and the older ``role``)."""
    spec, name = obj.spec, obj.name
    instances = _int(spec.get("instances"), 1)
    containers = [_container("postgres", _port("postgresql", 5432), _port("metrics", 9187), _port("status", 8000))]
    base = _pod_metadata_labels(spec, "inheritedMetadata")
    base.update({
        "cnpg.io/cluster": name,
        "cnpg.io/podRole": "instance",
        "app.kubernetes.io/name": "postgresql",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "database",
        "app.kubernetes.io/managed-by": "cloudnative-pg",
    })
    out = []
    for role, count in (("primary", min(instances, 1)), ("replica", max(instances - 1, 0))):
        if count == 0 and role == "replica":
            continue
        labels = {**base, "cnpg.io/instanceRole": role, "role": role}
        out.append(GeneratedPods(labels, containers, count, ("spec",), f"the {role} pod{'s' if role == 'replica' else ''} of {name}"))
    return out


# -- RabbitMQ Cluster Operator (rabbitmq.com RabbitmqCluster) -----------------------------------
# Source: github.com/rabbitmq/cluster-operator @ 06cda8e8e1a9: internal/metadata/label.go (Label),
# internal/resource/statefulset.go (podTemplateSpec labels, updateContainerPorts).
def rabbitmq_cluster(obj: K8sObject) -> list[GeneratedPods]:
    """StatefulSet ``NAME-server``; replicas default 1; ports epmd, amqp, management, prometheus."""
    spec, name = obj.spec, obj.name
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq"}
    ports = [_port("epmd", 4369), _port("amqp", 5672), _port("management", 15672), _port("prometheus", 15692)]
    return [GeneratedPods(labels, [_container("rabbitmq", *ports)], _int(spec.get("replicas"), 1), ("metadata", "name"), f"StatefulSet {name}-server")]


@dataclass(frozen=True)
class OperatorKind:
    """A custom resource kind an operator turns into pods."""

    kind: str
    group: str
    operator: str
    source: str  # the operator source file the semantics come from
    pods: Callable[[K8sObject], list[GeneratedPods]]


OPERATOR_KINDS: tuple[OperatorKind, ...] = (
    OperatorKind("Prometheus", "monitoring.coreos.com", "prometheus-operator", "pkg/prometheus/server/statefulset.go", prometheus),
    OperatorKind("PrometheusAgent", "monitoring.coreos.com", "prometheus-operator", "pkg/prometheus/agent/statefulset.go", prometheus_agent),
    OperatorKind("Alertmanager", "monitoring.coreos.com", "prometheus-operator", "pkg/alertmanager/statefulset.go", alertmanager),
    OperatorKind("ThanosRuler", "monitoring.coreos.com", "prometheus-operator", "pkg/thanos/statefulset.go", thanos_ruler),
    OperatorKind("Cluster", "postgresql.cnpg.io", "CloudNativePG", "pkg/specs/pods.go", cnpg_cluster),
    OperatorKind("RabbitmqCluster", "rabbitmq.com", "RabbitMQ Cluster Operator", "internal/resource/statefulset.go", rabbitmq_cluster),
)

_BY_KIND: dict[tuple[str, str], OperatorKind] = {(o.kind, o.group): o for o in OPERATOR_KINDS}


def operator_kind(obj: K8sObject) -> OperatorKind | None:
    """The table entry for ``obj``, matched on kind and API group."""
    return _BY_KIND.get((obj.manifest_kind, obj.group))
