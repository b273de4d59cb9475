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

from svclint.kube.model import K8sObject, get_path, string_map
from svclint.loading.source import FieldPath

# (kind, namespace, name) -> the object of the input, for entries that read a second resource
Lookup = Callable[[str, str | None, str], K8sObject | None]


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


def prometheus(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
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


def prometheus_agent(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """PrometheusAgent: ``app.kubernetes.io/name: prometheus-agent`` (pkg/prometheus/agent/operator.go makeSelectorLabels)."""
    spec, name = obj.spec, obj.name
    containers = [_container("prometheus", *([_port(_port_name(spec), 9090)] if _listen(spec) else [])), _reloader(spec)]
    containers += _user_containers(spec, containers)
    labels = _pod_metadata_labels(spec)
    labels.update(MANAGED_BY)
    labels.update({"app.kubernetes.io/name": "prometheus-agent", "app.kubernetes.io/instance": name, "operator.prometheus.io/name": name})
    replicas = 1 if spec.get("mode") == "DaemonSet" else _int(spec.get("replicas"), 1)
    return [GeneratedPods(labels, containers, replicas, ("spec", "podMetadata"), f"StatefulSet prom-agent-{name}")]


def alertmanager(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
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


def thanos_ruler(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
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
def cnpg_cluster(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
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
def rabbitmq_cluster(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """StatefulSet ``NAME-server``; replicas default 1; ports epmd, amqp, management, prometheus."""
    spec, name = obj.spec, obj.name
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq"}
    ports = [_port("epmd", 4369), _port("amqp", 5672), _port("management", 15672), _port("prometheus", 15692)]
    return [GeneratedPods(labels, [_container("rabbitmq", *ports)], _int(spec.get("replicas"), 1), ("metadata", "name"), f"StatefulSet {name}-server")]


# -- Elastic Cloud on Kubernetes (elasticsearch.k8s.elastic.co, kibana.k8s.elastic.co) ---------------
# Source: github.com/elastic/cloud-on-k8s @ 7b93383d8ec1: pkg/controller/elasticsearch/label/label.go
# (NewPodLabels), pkg/apis/elasticsearch/v1/elasticsearch_config.go (IsConfiguredWithRole),
# pkg/controller/elasticsearch/nodespec/podspec.go and network/ports.go (9200, 9300),
# pkg/apis/common/v1/common.go (TypeLabelName; HTTPConfig.Protocol), pkg/controller/kibana/pod.go.
ES_ROLE_LABELS = (  # (role, label suffix, first version with the label)
    ("master", "node-master", (0, 0)),
    ("data", "node-data", (0, 0)),
    ("ingest", "node-ingest", (0, 0)),
    ("ml", "node-ml", (0, 0)),
    ("transform", "node-transform", (7, 7)),
    ("remote_cluster_client", "node-remote_cluster_client", (7, 7)),
    ("voting_only", "node-voting_only", (7, 3)),
    ("data_content", "node-data_content", (7, 10)),
    ("data_cold", "node-data_cold", (7, 10)),
    ("data_hot", "node-data_hot", (7, 10)),
    ("data_warm", "node-data_warm", (7, 10)),
    ("data_frozen", "node-data_frozen", (7, 12)),
)


def _version(text: Any) -> tuple[int, int] | None:
    parts = str(text).lstrip("v").split(".") if isinstance(text, str) else []
    try:
        return (int(parts[0]), int(parts[1])) if len(parts) >= 2 else None
    except ValueError:
        return None


def _es_config(config: Any, dotted: str) -> Any:
    """``node.roles`` written flat (``node.roles: [...]``) or nested (``node: {roles: [...]}``)."""
    if not isinstance(config, dict):
        return None
    if dotted in config:
        return config[dotted]
    head, _, rest = dotted.partition(".")
    return _es_config(config.get(head), rest) if rest else config.get(head)


def _es_has_role(config: Any, role: str) -> bool:
    """IsConfiguredWithRole: node.roles when set, else the legacy booleans, else every role but voting_only."""
    roles = _es_config(config, "node.roles")
    if isinstance(roles, list):
        return role in roles
    def flag(name: str, default: bool) -> bool:
        value = _es_config(config, f"node.{name}")
        return value if isinstance(value, bool) else default
    if role.startswith("data_"):
        return flag("data", True)
    if role == "transform":
        return flag("transform", flag("data", True))
    if role == "voting_only":
        return flag("voting_only", False)
    return flag(role, True)


def _http_scheme(spec: Mapping[str, Any]) -> str:
    tls = spec.get("http", {}).get("tls") if isinstance(spec.get("http"), dict) else None
    self_signed = tls.get("selfSignedCertificate") if isinstance(tls, dict) else None
    secret = tls.get("certificate", {}).get("secretName") if isinstance(tls, dict) and isinstance(tls.get("certificate"), dict) else None
    disabled = isinstance(self_signed, dict) and self_signed.get("disabled") is True
    return "http" if disabled and not secret else "https"


def elasticsearch(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """One StatefulSet ``NAME-es-NODESET`` per ``spec.nodeSets[]`` with ``count`` pods."""
    spec, name = obj.spec, obj.name
    scheme = _http_scheme(spec)
    version = spec.get("version")
    parsed = _version(version)
    out = []
    node_sets = spec.get("nodeSets")
    for i, node_set in enumerate(node_sets if isinstance(node_sets, list) else ()):
        if not isinstance(node_set, dict) or not isinstance(node_set.get("name"), str):
            continue
        sset = f"{name}-es-{node_set['name']}"
        labels = string_map(get_path(node_set, ("podTemplate", "metadata", "labels")))
        labels.update({
            "elasticsearch.k8s.elastic.co/cluster-name": name,
            "common.k8s.elastic.co/type": "elasticsearch",
            "elasticsearch.k8s.elastic.co/http-scheme": scheme,
            "elasticsearch.k8s.elastic.co/statefulset-name": sset,
        })
        if isinstance(version, str):
            labels["elasticsearch.k8s.elastic.co/version"] = version.lstrip("v")
        if parsed is not None:
            for role, suffix, since in ES_ROLE_LABELS:
                if parsed >= since:
                    labels[f"elasticsearch.k8s.elastic.co/{suffix}"] = "true" if _es_has_role(node_set.get("config"), role) else "false"
        containers = [_container("elasticsearch", _port(scheme, 9200), _port("transport", 9300))]
        containers += _user_containers(get_path(node_set, ("podTemplate", "spec")) or {}, containers)
        at = ("spec", "nodeSets", i, "podTemplate", "metadata")
        out.append(GeneratedPods(labels, containers, _int(node_set.get("count"), 1), at, f"StatefulSet {sset}"))
    return out


def kibana(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """Deployment ``NAME-kb`` with ``count`` pods (default 1); port 5601 named after the scheme."""
    spec, name = obj.spec, obj.name
    labels = string_map(get_path(spec, ("podTemplate", "metadata", "labels")))
    labels.update({"kibana.k8s.elastic.co/name": name, "common.k8s.elastic.co/type": "kibana"})
    if isinstance(spec.get("version"), str):
        labels["kibana.k8s.elastic.co/version"] = spec["version"]
    containers = [_container("kibana", _port(_http_scheme(spec), 5601))]
    containers += _user_containers(get_path(spec, ("podTemplate", "spec")) or {}, containers)
    return [GeneratedPods(labels, containers, _int(spec.get("count"), 1), ("spec", "podTemplate", "metadata"), f"Deployment {name}-kb")]


# -- Strimzi (kafka.strimzi.io KafkaNodePool of a Kafka) ------------------------------------------
# Source: github.com/strimzi/strimzi-kafka-operator @ 8541da1e336b:
# cluster-operator/.../model/KafkaPool.java (pod labels), KafkaCluster.java getContainerPortList
# (8443 tcp-kafkaagent; 9090 tcp-ctrlplane on controllers; 9091 tcp-replication and the
# listeners on brokers; 9404 tcp-prometheus with metrics), ListenersUtils.backwardsCompatiblePortName,
# operator-common/.../model/Labels.java (fromResource drops app.kubernetes.io/* but part-of).
def _listener_port_name(listener: Mapping[str, Any]) -> str:
    name, port, kind = listener.get("name"), listener.get("port"), listener.get("type")
    if port == 9092 and name == "plain" and kind == "internal":
        return "tcp-clients"
    if port == 9093 and name == "tls" and kind == "internal":
        return "tcp-clientstls"
    if port == 9094 and name == "external":
        return "tcp-external"
    return f"tcp-{name}"


def kafka_node_pool(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """The pods of one KafkaNodePool (``strimzi.io/cluster`` names its Kafka); replicas from the pool."""
    cluster = obj.labels.get("strimzi.io/cluster")
    if not cluster:
        return []
    kafka = lookup("Kafka", obj.namespace, cluster)
    found = kafka.spec.get("kafka") if kafka is not None else None
    kafka_spec: dict[str, Any] = found if isinstance(found, dict) else {}
    roles = obj.spec.get("roles")
    roles = roles if isinstance(roles, list) else []
    labels = {k: v for k, v in obj.labels.items() if not k.startswith("app.kubernetes.io/") or k == "app.kubernetes.io/part-of"}
    labels.update(string_map(get_path(kafka_spec, ("template", "pod", "metadata", "labels"))))
    labels.update(string_map(get_path(obj.spec, ("template", "pod", "metadata", "labels"))))
    labels.update({
        "strimzi.io/kind": "Kafka",
        "strimzi.io/name": f"{cluster}-kafka",
        "strimzi.io/cluster": cluster,
        "strimzi.io/component-type": "kafka",
        "strimzi.io/pool-name": obj.name,
        "app.kubernetes.io/name": "kafka",
        "app.kubernetes.io/instance": cluster,
        "app.kubernetes.io/part-of": f"strimzi-{cluster}",
        "app.kubernetes.io/managed-by": "strimzi-cluster-operator",
        "strimzi.io/broker-role": "true" if "broker" in roles else "false",
        "strimzi.io/controller-role": "true" if "controller" in roles else "false",
    })
    ports = [_port("tcp-kafkaagent", 8443)]
    if "controller" in roles:
        ports.append(_port("tcp-ctrlplane", 9090))
    if "broker" in roles:
        ports.append(_port("tcp-replication", 9091))
        listeners = kafka_spec.get("listeners")
        for listener in listeners if isinstance(listeners, list) else ():
            if isinstance(listener, dict) and isinstance(listener.get("port"), int) and isinstance(listener.get("name"), str):
                ports.append(_port(_listener_port_name(listener), listener["port"]))
    if kafka_spec.get("metricsConfig") is not None:
        ports.append(_port("tcp-prometheus", 9404))
    containers = [_container("kafka", *ports)]
    return [GeneratedPods(labels, containers, _int(obj.spec.get("replicas"), 1), ("metadata", "labels"), f"pods {cluster}-{obj.name}-N")]


# -- KubeRay (ray.io RayCluster) ------------------------------------------------------------------
# Source: github.com/ray-project/kuberay: ray-operator/controllers/ray/common/pod.go (labelPod:
# the operator's labels, the template's labels override all but ray.io/node-type, ray.io/group
# and ray.io/cluster), ray-operator/controllers/ray/utils/constant.go (label keys, "headgroup",
# ApplicationName "kuberay", ComponentName "kuberay-operator"). The containers and their ports
# are the user's pod templates; the ports KubeRay adds when missing are not modelled.
def _ray_labels(name: str, node_type: str, group: str, template_labels: Mapping[str, str]) -> dict[str, str]:
    labels = {
        "ray.io/is-ray-node": "yes",
        "ray.io/identifier": f"{name}-{node_type}",
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }
    labels.update(template_labels)
    labels.update({"ray.io/cluster": name, "ray.io/node-type": node_type, "ray.io/group": group})
    return labels


def _ray_group(
    name: str, node_type: str, group: str, spec: Mapping[str, Any], at: FieldPath, replicas: int
) -> GeneratedPods:
    template = spec.get("template")
    template = template if isinstance(template, dict) else {}
    labels = _ray_labels(name, node_type, group, string_map(get_path(template, ("metadata", "labels"))))
    containers = [c for c in get_path(template, ("spec", "containers")) or () if isinstance(c, dict) and isinstance(c.get("name"), str)]
    pods = f"the {node_type} pod of {name}" if node_type == "head" else f"the {group} worker pods of {name}"
    return GeneratedPods(labels, containers, replicas, (*at, "template", "metadata", "labels"), pods)


def ray_cluster(obj: K8sObject, lookup: Lookup) -> list[GeneratedPods]:
    """One head pod (group ``headgroup``) and each worker group's pods; a worker group with
    no replicas written runs ``minReplicas`` (1 when the autoscaler may add them)."""
    spec, name = obj.spec, obj.name
    head = spec.get("headGroupSpec")
    out = [_ray_group(name, "head", "headgroup", head, ("spec", "headGroupSpec"), 1)] if isinstance(head, dict) else []
    autoscaling = spec.get("enableInTreeAutoscaling") is True
    workers = spec.get("workerGroupSpecs")
    for index, worker in enumerate(workers if isinstance(workers, list) else ()):
        if not isinstance(worker, dict) or not isinstance(worker.get("groupName"), str):
            continue
        count = _int(worker.get("replicas"), _int(worker.get("minReplicas"), 0))
        at = ("spec", "workerGroupSpecs", index)
        out.append(_ray_group(name, "worker", worker["groupName"], worker, at, max(count, 1) if autoscaling else count))
    return out


@dataclass(frozen=True)
class OperatorKind:
    """A custom resource kind an operator turns into pods."""

    kind: str
    group: str
    operator: str
    source: str  # the operator source file the semantics come from
    pods: Callable[[K8sObject, Lookup], list[GeneratedPods]]


OPERATOR_KINDS: tuple[OperatorKind, ...] = (
    OperatorKind("Prometheus", "monitoring.coreos.com", "prometheus-operator", "pkg/prometheus/server/statefulset.go", prometheus),
    OperatorKind("PrometheusAgent", "monitoring.coreos.com", "prometheus-operator", "pkg/prometheus/agent/statefulset.go", prometheus_agent),
    OperatorKind("Alertmanager", "monitoring.coreos.com", "prometheus-operator", "pkg/alertmanager/statefulset.go", alertmanager),
    OperatorKind("ThanosRuler", "monitoring.coreos.com", "prometheus-operator", "pkg/thanos/statefulset.go", thanos_ruler),
    OperatorKind("Cluster", "postgresql.cnpg.io", "CloudNativePG", "pkg/specs/pods.go", cnpg_cluster),
    OperatorKind("RabbitmqCluster", "rabbitmq.com", "RabbitMQ Cluster Operator", "internal/resource/statefulset.go", rabbitmq_cluster),
    OperatorKind("Elasticsearch", "elasticsearch.k8s.elastic.co", "ECK", "pkg/controller/elasticsearch/label/label.go", elasticsearch),
    OperatorKind("Kibana", "kibana.k8s.elastic.co", "ECK", "pkg/controller/kibana/pod.go", kibana),
    OperatorKind("KafkaNodePool", "kafka.strimzi.io", "Strimzi", "cluster-operator/.../model/KafkaPool.java", kafka_node_pool),
    OperatorKind("RayCluster", "ray.io", "KubeRay", "ray-operator/controllers/ray/common/pod.go", ray_cluster),
)

_BY_KIND: dict[tuple[str, str], OperatorKind] = {(o.kind, o.group): o for o in OPERATOR_KINDS}


def operator_kind(obj: K8sObject) -> OperatorKind | None:
    """The table entry for ``obj``, matched on kind and API group."""
    return _BY_KIND.get((obj.manifest_kind, obj.group))
