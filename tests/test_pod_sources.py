"""Every pod source: operator resources, custom workload kinds, pod-sources:, snapshots, Routes.

Each case runs the real CLI on manifests under fixtures/podsources/ and checks exact rule
ids, lines and messages (or the matrix/connlist/explain text).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from svclint.kube.graph import ManifestGraph
from svclint.kube.objects import load
from svclint.settings import PodSource, Settings
from tests.conftest import FIXTURES, run_cli

PODS = FIXTURES / "podsources"
REL = "fixtures/podsources"


def findings(*args: str) -> list[dict[str, Any]]:
    run = run_cli("check", "--isolated", "-f", "json", *args)
    assert run.exit_code in (0, 1), run.stderr
    found: list[dict[str, Any]] = json.loads(run.stdout)["findings"]
    return found


def graph_of(path: Path, settings: Settings | None = None) -> ManifestGraph:
    settings = settings or Settings()
    return ManifestGraph(load([str(path)], settings).objects, settings.pod_sources)


def labels_of(graph: ManifestGraph, kind: str) -> list[dict[str, str]]:
    return [t.labels for t in graph.pod_templates if t.owner.manifest_kind == kind]


# -- operator resources ---------------------------------------------------------------------------


def test_prometheus_operator_resources_back_services_and_policies() -> None:
    assert findings(f"{REL}/operators/prometheus-operator.yaml") == []


def test_prometheus_pods_carry_pod_metadata_and_the_operator_labels() -> None:
    graph = graph_of(PODS / "operators" / "prometheus-operator.yaml")
    [prometheus] = [t for t in graph.pod_templates if t.owner.manifest_kind == "Prometheus"]
    assert prometheus.labels == {
        "team": "sre",
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/name": "prometheus",
        "app.kubernetes.io/instance": "main",
        "operator.prometheus.io/name": "main",
        "prometheus": "main",
        "operator.prometheus.io/shard": "0",
    }
    assert prometheus.replicas == 2 and prometheus.generated
    assert [(p.name, p.number, p.protocol) for p in prometheus.ports()] == [("web", 9090, "TCP"), ("reloader-web", 8080, "TCP")]
    [alertmanager] = [t for t in graph.pod_templates if t.owner.manifest_kind == "Alertmanager"]
    assert [(p.name, p.number, p.protocol) for p in alertmanager.ports()] == [
        ("web", 9093, "TCP"), ("mesh-tcp", 9094, "TCP"), ("mesh-udp", 9094, "UDP"), ("reloader-web", 8080, "TCP"),
    ]
    assert alertmanager.replicas == 3
    [ruler] = [t for t in graph.pod_templates if t.owner.manifest_kind == "ThanosRuler"]
    assert ruler.labels["thanos-ruler"] == "rules" and ruler.replicas == 1


def test_cnpg_primary_and_replicas_are_told_apart_by_instance_role() -> None:
    graph = graph_of(PODS / "operators" / "cnpg.yaml")
    roles = sorted((t.labels["cnpg.io/instanceRole"], t.replicas) for t in graph.pod_templates)
    assert roles == [("primary", 1), ("replica", 2)]
    assert findings(f"{REL}/operators/cnpg.yaml") == []


def test_rabbitmq_cluster_pods() -> None:
    assert findings(f"{REL}/operators/rabbitmq.yaml") == []
    assert labels_of(graph_of(PODS / "operators" / "rabbitmq.yaml"), "RabbitmqCluster") == [
        {"app.kubernetes.io/name": "events", "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq"}
    ]


def test_nearest_miss_names_the_custom_resource() -> None:
    [finding] = findings(f"{REL}/operators/miss.yaml")
    assert finding["line"] == 18
    assert finding["message"] == (
        "Service monitoring/prometheus-k8s selector app.kubernetes.io/component=prometheus-server,"
        "app.kubernetes.io/name=prometheus matches no pod template in namespace 'monitoring'; nearest is "
        "Prometheus monitoring/k8s, whose generated pod template (created by prometheus-operator as StatefulSet "
        "prometheus-k8s, pkg/prometheus/server/statefulset.go) has app.kubernetes.io/component=prometheus, "
        "not app.kubernetes.io/component=prometheus-server"
    )


def test_operator_pods_are_matrix_rows_named_by_the_resource() -> None:
    run = run_cli("matrix", "-f", "csv", f"{REL}/operators/prometheus-operator.yaml")
    assert "observability/main[Prometheus],observability/alertmanager[Service],9093,TCP,allow" in run.stdout
    assert "observability/main[Alertmanager],observability/alertmanager[Service],9093,TCP,deny" in run.stdout


# -- custom workload kinds ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rollout", "deploymentconfig", "openkruise", "assumed"])
def test_custom_workloads_back_their_services(name: str) -> None:
    assert findings(f"{REL}/workloads/{name}.yaml") == []


def test_rollout_pod_sets_carry_strategy_labels() -> None:
    graph = graph_of(PODS / "workloads" / "rollout.yaml")
    checkout = sorted(sorted(t.labels.items()) for t in graph.pod_templates if t.owner.name == "checkout")
    assert checkout == [
        [("app", "checkout"), ("role", "canary")],
        [("app", "checkout"), ("role", "stable")],
        [("app", "checkout-preview")],
    ]
    payments = [t for t in graph.pod_templates if t.workload.kind == "Rollout" and t.workload.name == "payments"]
    assert [(t.owner.kind, t.replicas, t.labels) for t in payments] == [("Deployment", 3, {"app": "payments"})]


def test_without_their_kinds_the_same_services_would_select_nothing() -> None:
    """The kinds are what makes the difference: renamed to an unknown group, SVC101 comes back
    (as notes: the renamed resource may still run the pods)."""
    text = (PODS / "workloads" / "deploymentconfig.yaml").read_text().replace("apps.openshift.io/v1", "apps.example.com/v1")
    run = run_cli("check", "--isolated", "-f", "json", "-", input=text.replace("template:", "podTemplate:"))
    assert [(f["rule"], f["severity"]) for f in json.loads(run.stdout)["findings"]] == [("SVC101", "note")] * 3


def test_deploymentconfig_pods_carry_the_controller_labels() -> None:
    graph = graph_of(PODS / "workloads" / "deploymentconfig.yaml")
    [template] = graph.pod_templates
    assert template.labels == {"app": "frontend", "deploymentconfig": "frontend"}
    assert template.controller_label_matches("deployment", "frontend-3") is True
    assert template.controller_label_matches("deployment", "frontend-x") is False


# -- uncertainty and pod-sources: --------------------------------------------------------------------


def test_unmodelled_custom_resource_turns_misses_into_notes() -> None:
    found = findings(f"{REL}/uncertain/redis.yaml")
    assert [(f["line"], f["severity"]) for f in found] == [(19, "note"), (31, "note"), (37, "note")]
    hint = (
        "but Redis shop/sessions (cache.example.com) is a custom resource svclint does not model and may run these "
        "pods: if its operator creates them, declare the kind under `pod-sources:` in .svclint.yaml"
    )
    assert all(hint in f["message"] for f in found)
    assert found[0]["message"].startswith("Service shop/sessions selector redis.example.com/instance=sessions matches no pod template")
    run = run_cli("check", "--isolated", f"{REL}/uncertain/redis.yaml")
    assert run.exit_code == 0  # notes do not fail the run


def test_operator_specs_that_say_pods_in_other_words_turn_misses_into_notes() -> None:
    """Zalando's postgresql (``numberOfInstances``) and Spotahome's RedisFailover
    (``spec.redis.replicas``), in GKE's database samples: a Service for their pods is a note."""
    found = findings(f"{REL}/uncertain/operator-specs.yaml")
    assert [(f["rule"], f["line"], f["severity"], f["related"][0]["message"]) for f in found] == [
        ("SVC101", 22, "note", "not modelled: postgresql data/orders-db"),
        ("SVC101", 45, "note", "not modelled: RedisFailover cache/sessions"),
    ]


def test_pod_sources_entry_declares_the_pods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PODS / "config")
    run = run_cli("check", "-f", "json", "redis.yaml")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["findings"] == []
    matrix = run_cli("matrix", "-f", "csv", "redis.yaml")
    assert "shop/sessions[Redis],shop/sessions[Service],6379,TCP,allow" in matrix.stdout


def test_pod_source_labels_ports_and_replicas() -> None:
    source = PodSource(
        "Redis", "cache.example.com", labels="spec.podLabels", containers=None,
        fixed_labels=(("redis.example.com/instance", "{name}"),), ports=(("redis", 6379, "TCP"),),
    )
    graph = graph_of(PODS / "uncertain" / "redis.yaml", Settings(pod_sources=(source,)))
    [template] = graph.pod_templates
    assert template.labels == {"team": "payments", "redis.example.com/instance": "sessions"}
    assert template.replicas == 3
    assert [(p.name, p.number) for p in template.ports()] == [("redis", 6379)]


@pytest.mark.parametrize(
    "text,message",
    [
        ("pod-sources:\n  - kind: Redis\n", "pod-sources.0: 'group' is a required property"),
        ("pod-sources:\n  - kind: Redis\n    group: cache.example.com\n    labels: '...'\n",
         "pod-sources.0.labels: '...' is not a field path such as spec.template.metadata.labels"),
        ("pod-sources:\n  - kind: Redis\n    group: cache.example.com\n    ports: [{port: 70000}]\n", "70000"),
    ],
)
def test_pod_sources_config_is_validated(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / ".svclint.yaml"
    config.write_text(text)
    run = run_cli("check", "--config", str(config), f"{REL}/uncertain/redis.yaml")
    assert run.exit_code == 2
    assert message in run.stderr
    assert f"{config}:" in run.stderr


# -- cluster snapshots -----------------------------------------------------------------------------


def test_snapshot_lists_load_without_noise() -> None:
    assert findings(f"{REL}/snapshot") == []
    graph = graph_of(PODS / "snapshot")
    kinds = sorted({o.kind for o in graph.objects})
    assert kinds == ["Namespace", "NetworkPolicy", "Pod", "ReplicaSet", "Service"]
    assert graph.namespace_labels("infra")["tier"] == "platform"


def test_snapshot_pods_are_named_by_their_owner() -> None:
    graph = graph_of(PODS / "snapshot")
    names = sorted({t.workload.qualified for t in graph.pod_templates})
    assert names == [
        "infra/agent[DaemonSet]", "shop/batch-5c4b3[ReplicaSet]", "shop/db[StatefulSet]", "shop/debug[Pod]", "shop/web[Deployment]",
    ]


def test_snapshot_connlist_golden() -> None:
    run = run_cli("matrix", "-f", "connlist", f"{REL}/snapshot")
    assert run.exit_code == 0
    assert run.stdout == (PODS / "snapshot" / "connlist.txt").read_text()


def test_ipblock_matches_pods_by_status_pod_ip_with_except() -> None:
    lines = run_cli("matrix", "-f", "connlist", f"{REL}/snapshot").stdout.splitlines()
    assert "shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432" in lines  # 10.244.1.10, 10.244.2.11
    assert "infra/agent[DaemonSet] => shop/db[StatefulSet] : TCP 5432" in lines  # 10.244.1.30
    assert not any(line.startswith("shop/debug[Pod] => shop/db") for line in lines)  # 10.244.3.40: except
    run = run_cli("matrix", "-f", "json", f"{REL}/snapshot")
    assert json.loads(run.stdout)["assumptions"][0].startswith("ipBlock rules match addresses outside the cluster, and snapshot Pods")


def test_list_items_keep_their_locations(tmp_path: Path) -> None:
    """A finding on an item of a nested List points at the item's field in the file."""
    for path in (PODS / "snapshot").iterdir():
        text = path.read_text()
        if path.name == "policies.yaml":
            text = text.replace("app: db\n          policyTypes", "app: dbx\n          policyTypes")
        (tmp_path / path.name).write_text(text)
    found = findings(str(tmp_path))
    assert [(f["rule"], f["file"].rsplit("/", 1)[-1], f["line"]) for f in found] == [("SVC401", "policies.yaml", 19)]


# -- OpenShift Route ---------------------------------------------------------------------------------


def test_route_is_an_entry_point_through_the_router() -> None:
    assert findings(f"{REL}/route/shop.yaml") == []
    run = run_cli("explain", "external", "storefront", f"{REL}/route/shop.yaml")
    assert "exposed by Route shop/storefront through the OpenShift router openshift-router" in run.stdout
    assert "ingress allowed by NetworkPolicy shop/storefront ingress rule 1" in run.stdout
    connlist = run_cli("matrix", "-f", "connlist", f"{REL}/route/shop.yaml").stdout
    assert "{ingress-controller} => shop/storefront[Deployment] : TCP 8080" in connlist.splitlines()


def test_route_blocked_by_policy_is_svc405() -> None:
    [finding] = findings(f"{REL}/route/blocked.yaml")
    assert finding["line"] == 8
    assert finding["message"].startswith(
        "Route backoffice/admin routes to Service backoffice/admin port 80, but the pods admit no traffic from the OpenShift router"
    )


def test_router_identity_is_configurable(tmp_path: Path) -> None:
    config = tmp_path / ".svclint.yaml"
    config.write_text(
        "openshift-router:\n  namespace: routers\n  labels: {app: router}\n  namespace-labels: {network.openshift.io/policy-group: ingress}\n"
    )
    run = run_cli("explain", "--config", str(config), "external", "storefront", f"{REL}/route/shop.yaml")
    assert run.exit_code == 0, run.stderr
    assert "openshift-router (assumed: namespace routers, labels app=router)" in run.stdout
    assert "external -> shop/storefront[Service]:80/TCP: allow" in run.stdout


def test_rules_docs_name_the_pod_sources() -> None:
    run = run_cli("rules", "SVC101")
    assert "pod-sources:" in run.stdout and "Argo Rollouts" in run.stdout
    assert os.path.exists(FIXTURES / "rules" / "SVC305" / "bad.yaml")


def test_eck_node_sets_and_kibana() -> None:
    assert findings(f"{REL}/operators/eck.yaml") == []
    graph = graph_of(PODS / "operators" / "eck.yaml")
    by_set = {t.labels.get("elasticsearch.k8s.elastic.co/statefulset-name", t.owner.kind): t for t in graph.pod_templates}
    masters, data = by_set["logs-es-masters"], by_set["logs-es-data"]
    assert (masters.replicas, masters.labels["elasticsearch.k8s.elastic.co/node-master"], masters.labels["elasticsearch.k8s.elastic.co/node-data"]) == (3, "true", "false")
    assert (data.replicas, data.labels["elasticsearch.k8s.elastic.co/node-data"], data.labels["tier"]) == (2, "true", "hot")
    assert [(p.name, p.number) for p in data.ports()] == [("https", 9200), ("transport", 9300)]
    kibana = by_set["Kibana"]
    assert kibana.labels == {"kibana.k8s.elastic.co/name": "logs", "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/version": "8.15.0"}


def test_unreachable_service_with_unmodelled_clients_is_a_note() -> None:
    [finding] = findings(f"{REL}/uncertain/clients.yaml")
    assert (finding["rule"], finding["line"], finding["severity"]) == ("SVC404", 44, "note")
    assert finding["message"].endswith(
        "; but Worker jobs/importer (batch.example.com) is a custom resource svclint does not model and may run its "
        "clients: if its operator creates them, declare the kind under `pod-sources:` in .svclint.yaml"
    )


def test_strimzi_node_pools() -> None:
    assert findings(f"{REL}/operators/strimzi.yaml") == []
    graph = graph_of(PODS / "operators" / "strimzi.yaml")
    pools = {t.owner.name: t for t in graph.pod_templates}
    brokers, controllers = pools["brokers"], pools["controllers"]
    assert brokers.labels["strimzi.io/name"] == "events-kafka" and brokers.labels["strimzi.io/broker-role"] == "true"
    assert controllers.labels["strimzi.io/broker-role"] == "false" and controllers.replicas == 3
    assert [p.name for p in brokers.ports()] == ["tcp-kafkaagent", "tcp-replication", "tcp-clients", "tcp-clientstls"]
    assert [p.name for p in controllers.ports()] == ["tcp-kafkaagent", "tcp-ctrlplane"]


def test_replicaset_of_a_deployment_in_the_input_is_the_deployment(tmp_path: Path) -> None:
    """`kubectl get deploy,rs -o yaml` without Pods: one workload, not two."""
    manifest = tmp_path / "snapshot.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: shop}\n"
        "  spec:\n    selector: {matchLabels: {app: web}}\n"
        "    template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}\n"
        "- apiVersion: apps/v1\n  kind: ReplicaSet\n"
        "  metadata:\n    name: web-5d4c\n    namespace: shop\n"
        "    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]\n"
        "  spec:\n    selector: {matchLabels: {app: web, pod-template-hash: 5d4c}}\n"
        "    template: {metadata: {labels: {app: web, pod-template-hash: 5d4c}}, spec: {containers: [{name: web, image: web:1}]}}\n"
    )
    graph = graph_of(manifest)
    assert [t.workload.qualified for t in graph.pod_templates] == ["shop/web[Deployment]"]


def test_kuberay_head_and_worker_pods() -> None:
    """A RayCluster's pods (kubeflow's raycluster example): the Services selecting the head and
    the workers have endpoints; a worker group the autoscaler may grow counts one pod."""
    assert findings(f"{REL}/operators/kuberay.yaml") == []
    graph = graph_of(PODS / "operators" / "kuberay.yaml")
    assert sorted((t.labels["ray.io/node-type"], t.labels["ray.io/group"], t.replicas) for t in graph.pod_templates) == [
        ("head", "headgroup", 1),
        ("worker", "gpu", 1),
    ]
    head = next(t for t in graph.pod_templates if t.labels["ray.io/node-type"] == "head")
    assert head.labels == {
        "ray.io/is-ray-node": "yes",
        "ray.io/identifier": "training-head",
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
        "team": "ml",
        "ray.io/cluster": "training",
        "ray.io/node-type": "head",
        "ray.io/group": "headgroup",
    }
