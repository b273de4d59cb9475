#!/usr/bin/env python3
"""Generate a large, realistic tree of Kubernetes manifests for benchmarking svclint.

Deterministic for a given ``--seed`` and standard library only, so the benchmark can be
rebuilt anywhere. The tree looks like a GitOps repository of a few clusters:

    platform/<ns>/...                           ingress-nginx, monitoring, kube-system
    <cluster>/<team>/<ns>/namespace.yaml        Namespace + default-deny policies
    <cluster>/<team>/<ns>/<app>/...             one file per object, or one multi-document
                                                bundle per app (as `helm template` writes)
    <cluster>/<team>/<ns>/policies/...          NetworkPolicies, bundled or one per file

Every app is a Deployment (or a StatefulSet for databases, caches and queues) with named
container ports, readiness/liveness probes, resources, env, sometimes a sidecar proxy and
init containers; Services of every type (ClusterIP with named or numeric targetPort,
NodePort, LoadBalancer, headless for StatefulSets, ExternalName); some Ingresses,
NetworkPolicies (pod/namespace selectors, matchExpressions, ipBlocks, named ports), and
ConfigMaps with block scalars. Files carry header and trailing comments, both list
indentation styles, flow mappings, ``.yaml``/``.yml``, leading ``---`` and ``...``, and the
occasional non-Kubernetes YAML (Helm values) a repository root holds.

A few deliberate defects are planted at fixed rates, so a run has findings to locate
(counted in the stats): Service selectors that match nothing, named targetPorts no container
declares, nodePorts out of range or requested twice, duplicate objects, and a rare file with
a YAML syntax error.

    python benchmarks/gen_corpus.py --objects 10000 --out /tmp/corpus-10k --seed 1

prints a JSON summary (objects per kind, files, bytes, defects) and writes it next to the
tree as ``<out>.stats.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from typing import Any

# -- a small YAML writer that keeps comments and styles ------------------------------------


class Comment:
    """A full-line comment, placed as a key of the mapping it annotates."""

    def __init__(self, text: str) -> None:
        self.text = text


class Trailing:
    """A value followed by a ``# comment`` on the same line."""

    def __init__(self, value: Any, text: str) -> None:
        self.value = value
        self.text = text


class Inline(dict):  # type: ignore[type-arg]
    """A mapping written in flow style: ``{cpu: 100m, memory: 128Mi}``."""


class Block(str):
    """A multi-line string written as a literal block scalar (``|``)."""


# Plain scalars YAML 1.1 would read as something other than a string must be quoted.
_IMPLICIT = re.compile(
    r"""^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |null|Null|NULL|~|=|<<
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*|[-+]?0[xob]?[0-9a-fA-F_]+
    |[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$""",
    re.VERBOSE,
)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or _IMPLICIT.match(text):
        return False
    if text[0] in "-?:,[]{}#&*!|>'\"%@`" or ": " in text or " #" in text or text.endswith(":"):
        return False
    return "\n" not in text and "\t" not in text


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if _plain_ok(text) else "'" + text.replace("'", "''") + "'"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


class Writer:
    """Block-style YAML with a per-file indentation style."""

    def __init__(self, indent: int, indent_lists: bool) -> None:
        self.indent = indent
        self.indent_lists = indent_lists  # "  - item" under the key, or "- item" at its column
        self.lines: list[str] = []

    def mapping(self, data: dict[Any, Any], col: int, first_prefix: str | None = None) -> None:
        """Write ``data`` at column ``col``; the first line may start with ``first_prefix``."""
        pad = " " * col
        for key, raw in data.items():
            lead = pad
            if first_prefix is not None:
                lead, first_prefix = first_prefix, None
            if isinstance(key, Comment):
                self.lines.append(f"{lead}# {key.text}")
                continue
            value, note = (raw.value, f"  # {raw.text}") if isinstance(raw, Trailing) else (raw, "")
            head = f"{lead}{scalar(key)}:"
            if isinstance(value, Inline) or (isinstance(value, (dict, list)) and not value):
                self.lines.append(f"{head} {_flow(value)}{note}")
            elif isinstance(value, Block):
                self.lines.append(f"{head} |{note}")
                inner = " " * (col + self.indent)
                self.lines.extend(inner + line if line else "" for line in value.rstrip("\n").split("\n"))
            elif isinstance(value, dict):
                self.lines.append(head + note)
                self.mapping(value, col + self.indent)
            elif isinstance(value, list):
                self.lines.append(head + note)
                self.sequence(value, col + (self.indent if self.indent_lists else 0))
            else:
                self.lines.append(f"{head} {scalar(value)}{note}")

    def sequence(self, items: list[Any], col: int) -> None:
        pad = " " * col
        for raw in items:
            value, note = (raw.value, f"  # {raw.text}") if isinstance(raw, Trailing) else (raw, "")
            if isinstance(value, dict) and value and not isinstance(value, Inline):
                start = len(self.lines)
                self.mapping(value, col + 2, first_prefix=pad + "- ")
                self.lines[start] += note
            else:
                self.lines.append(f"{pad}- {_flow(value)}{note}")


def render(documents: list[dict[Any, Any]], rng: random.Random, header: list[str]) -> str:
    writer = Writer(indent=4 if rng.random() < 0.08 else 2, indent_lists=rng.random() < 0.55)
    writer.lines.extend(f"# {line}" for line in header)
    for number, doc in enumerate(documents):
        if number or rng.random() < 0.3:
            writer.lines.append("---")
        writer.mapping(doc, 0)
    if len(documents) > 1 and rng.random() < 0.08:
        writer.lines.append("...")
    return "\n".join(writer.lines) + "\n"


def plain(value: Any) -> Any:
    """The data a YAML loader should return for ``value`` (comments and styles dropped)."""
    if isinstance(value, Trailing):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not isinstance(k, Comment)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return str(value) if isinstance(value, Block) else value


# -- the domain -----------------------------------------------------------------------------

CLUSTERS = ["eu-west-1", "us-east-2", "ap-south-1"]
TEAMS = ["checkout", "catalog", "identity", "payments", "search", "media", "growth", "ledger",
         "shipping", "support", "insights", "messaging", "pricing", "fraud", "partners", "core"]
STAGES = ["prod", "staging", "dev", "perf"]
NOUNS = ["order", "basket", "account", "invoice", "refund", "stock", "parcel", "review",
         "session", "profile", "token", "mail", "sms", "notify", "report", "metric", "event",
         "audit", "feed", "thumbnail", "upload", "query", "suggest", "score", "quote", "voucher",
         "reward", "chat", "geo", "tax", "rate", "label"]
ROLES = ["api", "worker", "web", "gateway", "bff", "indexer", "consumer", "exporter", "cron",
         "auth", "router", "sync", "admin", "grpc", "render"]
# Stateful component -> (image, [(port name, number, protocol)]).
STORES: dict[str, tuple[str, list[tuple[str, int, str]]]] = {
    "pg": ("postgres:16.1", [("postgresql", 5432, "TCP")]),
    "mariadb": ("mariadb:11.2", [("mysql", 3306, "TCP")]),
    "redis": ("redis:7.2.3", [("redis", 6379, "TCP")]),
    "valkey": ("valkey/valkey:7.2", [("redis", 6379, "TCP"), ("bus", 16379, "TCP")]),
    "kafka": ("apache/kafka:3.7.0", [("broker", 9092, "TCP"), ("controller", 9093, "TCP")]),
    "nats": ("nats:2.10.7", [("client", 4222, "TCP"), ("routes", 6222, "TCP"), ("monitor", 8222, "TCP")]),
    "mongo": ("mongo:7.0.4", [("mongodb", 27017, "TCP")]),
    "opensearch": ("opensearchproject/opensearch:2.11.1", [("http", 9200, "TCP"), ("transport", 9300, "TCP")]),
    "etcd": ("quay.io/coreos/etcd:v3.5.11", [("client", 2379, "TCP"), ("peer", 2380, "TCP")]),
    "memcached": ("memcached:1.6.22", [("memcache", 11211, "TCP"), ("memcache-udp", 11211, "UDP")]),
}
APP_PORTS = [8080, 8000, 8081, 3000, 5000, 9000, 8443]
PLATFORM = [
    # namespace, app, selector labels, image, ports, service name, service type
    ("ingress-nginx", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
     "registry.k8s.io/ingress-nginx/controller:v1.10.0", [("http", 80, "TCP"), ("https", 443, "TCP"), ("metrics", 10254, "TCP")],
     "ingress-nginx-controller", "LoadBalancer"),
    ("monitoring", "prometheus", {"app.kubernetes.io/name": "prometheus"},
     "quay.io/prometheus/prometheus:v2.49.1", [("web", 9090, "TCP")], "prometheus", "ClusterIP"),
    ("kube-system", "coredns", {"k8s-app": "kube-dns"},
     "registry.k8s.io/coredns/coredns:v1.11.1", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")],
     "kube-dns", "ClusterIP"),
]


class Corpus:
    """Writes the tree and counts what it wrote."""

    def __init__(self, out: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out = out
        self.seed = seed
        self.objects = 0
        self.files = 0
        self.bytes = 0
        self.lines = 0
        self.kinds: dict[str, int] = {}
        self.defects: dict[str, int] = {}
        self.node_ports: list[int] = []
        self.namespaces = 0
        self.app_names: set[tuple[str, str]] = set()
        self.written: set[str] = set()

    # -- output -------------------------------------------------------------------------

    def ext(self) -> str:
        return ".yml" if self.rng.random() < 0.12 else ".yaml"

    def write(self, rel: str, documents: list[dict[Any, Any]], header: list[str] = (), text: str | None = None) -> None:  # type: ignore[assignment]
        stem, suffix = os.path.splitext(rel)
        copy = 1
        while rel in self.written:  # never overwrite: a pasted duplicate gets its own file
            copy += 1
            rel = f"{stem}-{copy}{suffix}"
        self.written.add(rel)
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if text is None:
            text = render(documents, self.rng, list(header))
            for doc in documents:
                self.objects += 1
                self.kinds[doc["kind"]] = self.kinds.get(doc["kind"], 0) + 1
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        self.files += 1
        self.bytes += len(text.encode("utf-8"))
        self.lines += text.count("\n")

    def defect(self, name: str) -> None:
        self.defects[name] = self.defects.get(name, 0) + 1

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- building blocks ----------------------------------------------------------------

    @staticmethod
    def metadata(name: str, ns: str | None, labels: dict[str, str] | None = None,
                 annotations: dict[str, str] | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name}
        if ns is not None:
            meta["namespace"] = ns
        if labels:
            meta["labels"] = labels
        if annotations:
            meta["annotations"] = annotations
        return meta

    def node_port(self) -> int:
        """A nodePort nobody else requested (the allocator's pool is cluster-wide)."""
        taken = set(self.node_ports)
        while True:
            port = self.rng.randint(30000, 32767)
            if port not in taken or len(taken) > 2500:
                self.node_ports.append(port)
                return port

    def probe(self, port: Any, http: bool, liveness: bool) -> dict[str, Any]:
        rng = self.rng
        if http:
            handler: dict[str, Any] = {"httpGet": {"path": rng.choice(["/healthz", "/readyz", "/livez", "/status"]), "port": port}}
            if self.chance(0.1):
                handler["httpGet"]["scheme"] = "HTTP"
        elif self.chance(0.15):
            handler = {"exec": {"command": ["sh", "-c", "pg_isready -q || exit 1"]}}
        else:
            handler = {"tcpSocket": {"port": port}}
        if liveness:
            handler.update(initialDelaySeconds=rng.choice([10, 20, 30]), timeoutSeconds=rng.choice([1, 3, 5]), failureThreshold=rng.choice([3, 6]))
        else:
            handler.update(periodSeconds=Trailing(5, "fast readiness") if self.chance(0.15) else rng.choice([5, 10]))
        return handler

    def container(self, name: str, image: str, ports: list[tuple[str, int, str]], http: bool, probes: bool = True) -> dict[str, Any]:
        rng = self.rng
        c: dict[str, Any] = {"name": name, "image": image}
        if self.chance(0.6):
            c["imagePullPolicy"] = rng.choice(["IfNotPresent", "IfNotPresent", "Always"])
        if self.chance(0.15):
            c["args"] = [f"--port={ports[0][1]}" if ports else "--verbose", "--log-format=json"]
        if ports:
            declared = []
            for port_name, number, protocol in ports:
                entry: dict[str, Any] = {"name": port_name, "containerPort": number}
                if protocol != "TCP" or self.chance(0.5):
                    entry["protocol"] = protocol
                declared.append(Inline(entry) if self.chance(0.12) else entry)
            c["ports"] = declared
        env: list[dict[str, Any]] = []
        if self.chance(0.8):
            env.append({"name": "LOG_LEVEL", "value": rng.choice(["info", "warn", "debug"])})
        if self.chance(0.5):
            env.append({"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}})
        if self.chance(0.35):
            env.append({"name": "WORKERS", "value": str(rng.choice([2, 4, 8, 16]))})
        if self.chance(0.3):
            env.append({"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": f"{name}-db", "key": "url"}}})
        if self.chance(0.2):
            env.append({"name": "FEATURE_X", "value": rng.choice(["true", "false", "on"])})
        if env:
            c["env"] = env
        if self.chance(0.25):
            c["envFrom"] = [{"configMapRef": {"name": f"{name}-env"}}]
        requests = {"cpu": rng.choice(["25m", "100m", "200m", "500m", 1]), "memory": rng.choice(["64Mi", "128Mi", "256Mi", "512Mi", "1Gi"])}
        limits = {"memory": rng.choice(["256Mi", "512Mi", "1Gi", "2Gi"])}
        if self.chance(0.6):
            limits["cpu"] = rng.choice(["500m", 1, 2])
        c["resources"] = {"requests": Inline(requests), "limits": Inline(limits)} if self.chance(0.25) else {"requests": requests, "limits": limits}
        if probes and ports:
            first_name, first_number, _ = ports[0]
            target = first_name if self.chance(0.65) else first_number
            c["readinessProbe"] = self.probe(target, http, liveness=False)
            if self.chance(0.65):
                c["livenessProbe"] = self.probe(target, http, liveness=True)
        if self.chance(0.45):
            c["securityContext"] = {"runAsNonRoot": True, "runAsUser": rng.choice([1000, 10001, 65532]),
                                    "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": self.chance(0.7),
                                    "capabilities": {"drop": ["ALL"]}}
        if self.chance(0.3):
            c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True}]
        return c

    # -- objects ------------------------------------------------------------------------

    def namespace_docs(self, ns: str, team: str, stage: str, egress: bool) -> list[dict[str, Any]]:
        labels = {"team": team, "stage": stage}
        if self.chance(0.35):
            labels["istio-injection"] = "enabled"
        if self.chance(0.5):
            labels["pod-security.kubernetes.io/enforce"] = self.rng.choice(["restricted", "baseline"])
        docs: list[dict[str, Any]] = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": self.metadata(ns, None, labels)},
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": self.metadata("deny-all-ingress", ns),
             "spec": {Comment("nothing gets in unless a policy below allows it"): None,
                      "podSelector": {}, "policyTypes": ["Ingress"]}},
        ]
        if egress:
            docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                         "metadata": self.metadata("deny-all-egress", ns),
                         "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                                  "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                                      "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                                              "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}})
        return docs

    def app(self, ns: str, team: str, stage: str, name: str, store: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The objects of one application, and what policies need to know about it."""
        rng = self.rng
        version = f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"
        selector = {"app.kubernetes.io/name": name}
        if self.chance(0.45):
            selector["app.kubernetes.io/instance"] = f"{name}-{stage}"
        tier = "data" if store else rng.choice(["web", "backend", "backend", "backend", "edge"])
        pod_labels = dict(selector, tier=tier, team=team, **{"app.kubernetes.io/version": version})
        if store:
            image, ports = STORES[store]
            ports = list(ports)
            http = ports[0][0] == "http"
        else:
            http = True
            ports = [("http", rng.choice(APP_PORTS), "TCP")]
            if self.chance(0.3):
                ports.append(("grpc", rng.choice([9090, 50051, 9091]), "TCP"))
            image = f"ghcr.io/example/{team}/{name}:{version}"
        if self.chance(0.65):
            ports.append(("metrics", 9102 if any(p[1] == 9090 for p in ports) else 9090, "TCP"))
        containers = [self.container(name if self.chance(0.6) else "main", image, ports, http)]
        pod_spec: dict[str, Any] = {}
        if self.chance(0.55):
            pod_spec["serviceAccountName"] = name
        if self.chance(0.18):
            init: dict[str, Any] = {"name": "migrate", "image": image, "command": ["/app/migrate", "--wait"]}
            pod_spec["initContainers"] = [init]
            if self.chance(0.3):  # a native sidecar: an init container that keeps running
                pod_spec["initContainers"].append({"name": "log-agent", "image": "fluent/fluent-bit:3.0", "restartPolicy": "Always"})
        if self.chance(0.22):
            containers.append(self.container("istio-proxy", "istio/proxyv2:1.20.2",
                                             [("http-envoy-prom", 15090, "TCP")], True, probes=self.chance(0.5)))
        elif self.chance(0.1):
            containers.append(self.container("oauth2-proxy", "quay.io/oauth2-proxy/oauth2-proxy:v7.5.1",
                                             [("proxy", 4180, "TCP")], True))
        pod_spec["containers"] = containers
        if self.chance(0.3):
            pod_spec["volumes"] = [{"name": "config", "configMap": {"name": f"{name}-config"}}]
        if self.chance(0.25):
            pod_spec["nodeSelector"] = Inline({"kubernetes.io/arch": rng.choice(["amd64", "arm64"])})
        if self.chance(0.15):
            pod_spec["tolerations"] = [{"key": "workload", "operator": "Equal", "value": team, "effect": "NoSchedule"}]
        if self.chance(0.2):
            pod_spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                    "labelSelector": {"matchLabels": dict(selector)}}}]}}
        template_meta: dict[str, Any] = {"labels": pod_labels}
        if self.chance(0.35):
            template_meta["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": str(ports[-1][1])}
        owner_labels = dict(selector, **{"app.kubernetes.io/part-of": team,
                                         "app.kubernetes.io/managed-by": rng.choice(["Helm", "kustomize", "argocd"])})
        replicas = rng.choice([1, 3, 3, 5]) if store else rng.choice([1, 2, 2, 3, 3, 4, 6, 10])
        spec: dict[str, Any] = {"replicas": Trailing(replicas, "HPA overrides this") if self.chance(0.1) else replicas}
        headless = f"{name}-hl"
        if store:
            spec["serviceName"] = headless
        spec["selector"] = {"matchLabels": dict(selector)}
        if not store and self.chance(0.35):
            spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
        spec["template"] = {"metadata": template_meta, "spec": pod_spec}
        if store and self.chance(0.8):
            spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                "resources": {"requests": {"storage": rng.choice(["20Gi", "100Gi", "500Gi"])}}}}]
        workload: dict[Any, Any] = {}
        if self.chance(0.15):
            workload[Comment("generated from charts/" + name)] = None
        workload.update({"apiVersion": "apps/v1", "kind": "StatefulSet" if store else "Deployment",
                         "metadata": self.metadata(name, ns, owner_labels), "spec": spec})
        docs = [workload]

        # Services: the main one, a headless one for a StatefulSet, sometimes a legacy alias.
        svc_selector = dict(selector)
        if self.chance(0.03):
            key = rng.choice(sorted(svc_selector))
            svc_selector[key] = svc_selector[key] + rng.choice(["-v2", "-svc", "s"])
            self.defect("service_selector_matches_nothing")
        main_name, main_number, _ = ports[0]
        first: dict[str, Any] = {"name": main_name, "port": 80 if http and not store else main_number,
                                 "targetPort": main_name if self.chance(0.6) else main_number}
        if self.chance(0.02):
            first["targetPort"] = rng.choice(["htpp", "web", "grcp", "api"])
            self.defect("service_target_port_unknown_name")
        if self.chance(0.4):
            first["protocol"] = "TCP"
        service_ports = [first]
        for port_name, number, protocol in ports[1:]:
            if self.chance(0.55):
                service_ports.append({"name": port_name, "port": number, "targetPort": port_name if self.chance(0.5) else number, "protocol": protocol})
        svc_spec: dict[str, Any] = {}
        roll = rng.random()
        if not store and roll < 0.1:
            svc_spec["type"] = "NodePort"
            for port in service_ports:
                if self.chance(0.8):
                    port["nodePort"] = self.node_port()
            if self.chance(0.03):
                service_ports[0]["nodePort"] = rng.choice([8080, 29999, 32768, 40000])
                self.defect("node_port_out_of_range")
            elif self.chance(0.04) and len(self.node_ports) > 1:
                service_ports[0]["nodePort"] = self.node_ports[rng.randrange(len(self.node_ports) - 1)]
                self.defect("node_port_requested_twice")
        elif not store and roll < 0.13:
            svc_spec["type"] = "LoadBalancer"
            svc_spec["externalTrafficPolicy"] = "Local"
            svc_spec["loadBalancerSourceRanges"] = ["10.0.0.0/8"]
        elif self.chance(0.4):
            svc_spec["type"] = "ClusterIP"
        svc_spec["selector"] = svc_selector
        svc_spec["ports"] = service_ports
        docs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": self.metadata(name, ns, dict(selector) if self.chance(0.6) else None), "spec": svc_spec})
        if store:
            docs.append({"apiVersion": "v1", "kind": "Service", "metadata": self.metadata(headless, ns, dict(selector)),
                         "spec": {"clusterIP": Trailing("None", "headless: one DNS record per pod") if self.chance(0.3) else "None",
                                  "publishNotReadyAddresses": True, "selector": dict(selector),
                                  "ports": [{"name": n, "port": p, "targetPort": n, "protocol": proto} for n, p, proto in ports]}})
        if self.chance(0.05):
            docs.append({"apiVersion": "v1", "kind": "Service", "metadata": self.metadata(f"{name}-external", ns),
                         "spec": {"type": "ExternalName", "externalName": f"{name}.{stage}.legacy.example.net"}})

        # Ingress for some HTTP apps (a few point at a Service or port that does not exist).
        has_ingress = not store and self.chance(0.22)
        if has_ingress:
            backend_name = name
            backend_port: dict[str, Any] = {"number": first["port"]} if self.chance(0.6) else {"name": first["name"]}
            if self.chance(0.03):
                backend_name = name + "-svc"
                self.defect("ingress_backend_missing")
            host = f"{name}.{stage}.{team}.example.com"
            ingress: dict[str, Any] = {
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": self.metadata(name, ns, None, {"cert-manager.io/cluster-issuer": "letsencrypt"} if self.chance(0.4) else None),
                "spec": {"ingressClassName": "nginx",
                         "rules": [{"host": host, "http": {"paths": [
                             {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": backend_name, "port": backend_port}}}]}}]}}
            if self.chance(0.5):
                ingress["spec"]["tls"] = [{"hosts": [host], "secretName": f"{name}-tls"}]
            docs.append(ingress)

        if self.chance(0.3):
            data: dict[str, Any] = {"LOG_FORMAT": "json", "CACHE_TTL": "300", "ENABLE_TRACING": "true"}
            if self.chance(0.5):
                data["app.yaml"] = Block(f"server:\n  port: {main_number}\n  name: {name}\n\ntracing:\n  sampler: 0.1\n")
            docs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": self.metadata(f"{name}-config", ns), "data": data})
        return docs, {"name": name, "ports": ports, "store": store is not None, "ingress": has_ingress}

    def policies(self, ns: str, stage: str, apps: list[dict[str, Any]], egress: bool) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        callers = [a for a in apps if not a["store"]]
        for app in apps:
            if self.chance(0.12):
                continue
            port_name, port_number, _ = app["ports"][0]
            port = port_name if self.chance(0.5) else port_number
            rules: list[dict[str, Any]] = []
            peers = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": c["name"]}}}
                     for c in rng.sample(callers, min(len(callers), rng.randint(1, 3))) if c is not app]
            if self.chance(0.2):
                peers.append({"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "edge"]}]}})
            if peers:
                rules.append({"from": peers, "ports": [{"protocol": "TCP", "port": port}]})
            if app["ingress"]:
                rules.append({"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                                        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}}],
                              "ports": [{"port": port}]})
            if self.chance(0.25):
                peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {"team": rng.choice(TEAMS)}}}
                if self.chance(0.5):
                    peer["namespaceSelector"]["matchExpressions"] = [{"key": "stage", "operator": "NotIn", "values": ["dev"]}]
                rules.append({"from": [peer], "ports": [{"port": port_number}]})
            if any(p[0] == "metrics" for p in app["ports"]) and self.chance(0.6):
                rules.append({"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                              "ports": [{"port": "metrics"}]})
            if self.chance(0.05):
                rules.append({"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.99.0.0/16"]}}]})
            if not rules:
                continue
            spec: dict[str, Any] = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": app["name"]}},
                                    "policyTypes": ["Ingress"], "ingress": rules}
            stores = [a for a in apps if a["store"]]
            if egress and not app["store"] and stores and self.chance(0.7):
                target = rng.choice(stores)
                spec["policyTypes"] = ["Ingress", "Egress"]
                spec["egress"] = [{"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": target["name"]}}}],
                                   "ports": [{"port": target["ports"][0][1], "protocol": "TCP"}]}]
            out.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": self.metadata(f"allow-{app['name']}", ns), "spec": spec})
        return out

    # -- tree ---------------------------------------------------------------------------

    def platform(self) -> None:
        for ns, app, labels, image, ports, svc_name, svc_type in PLATFORM:
            base = f"platform/{ns}"
            self.write(f"{base}/namespace.yaml", [{"apiVersion": "v1", "kind": "Namespace",
                                                   "metadata": self.metadata(ns, None, {"team": "platform"})}], ["platform namespace"])
            deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": self.metadata(app, ns, dict(labels)),
                          "spec": {"replicas": 2, "selector": {"matchLabels": dict(labels)},
                                   "template": {"metadata": {"labels": dict(labels)},
                                                "spec": {"containers": [self.container(app, image, ports, ports[0][2] == "TCP")]}}}}
            service = {"apiVersion": "v1", "kind": "Service", "metadata": self.metadata(svc_name, ns),
                       "spec": {"type": svc_type, "selector": dict(labels),
                                "ports": [{"name": n, "port": p, "targetPort": n, "protocol": proto} for n, p, proto in ports]}}
            if svc_type == "LoadBalancer":
                service["spec"]["loadBalancerSourceRanges"] = ["0.0.0.0/0"]
            self.write(f"{base}/{app}.yaml", [deployment, service], [f"{app}: vendored upstream manifest", "do not edit"])

    def namespace(self, cluster: str, max_apps: int) -> None:
        rng = self.rng
        team, stage = rng.choice(TEAMS), rng.choice(STAGES)
        self.namespaces += 1
        ns = f"{team}-{stage}-{self.namespaces:03d}"
        base = f"{cluster}/{team}/{ns}"
        egress = self.chance(0.3)
        self.write(f"{base}/namespace{self.ext()}", self.namespace_docs(ns, team, stage, egress), [f"{ns}: owned by team {team}"])
        bundled = self.chance(0.35)
        apps = []
        for _ in range(max(1, min(max_apps, rng.randint(3, 28)))):
            store = rng.choice(sorted(STORES)) if self.chance(0.2) else None
            name = f"{rng.choice(NOUNS)}-{store or rng.choice(ROLES)}"
            while (ns, name) in self.app_names:
                name = f"{name}-{rng.randint(2, 9)}"
            self.app_names.add((ns, name))
            docs, info = self.app(ns, team, stage, name, store)
            apps.append(info)
            if self.chance(0.01) and len(docs) > 1:  # the same object pasted twice
                docs.append(docs[-1])
                self.defect("duplicate_object")
            if bundled:
                self.write(f"{base}/{name}/rendered{self.ext()}", docs, [f"Source: {name}/templates (helm template)"])
            else:
                for doc in docs:
                    kind = doc["kind"].lower()
                    stem = kind if kind in ("deployment", "statefulset") else f"{kind}-{doc['metadata']['name']}"
                    self.write(f"{base}/{name}/{stem}{self.ext()}", [doc], ["managed by kustomize"] if self.chance(0.4) else [])
            if self.chance(0.02):
                self.write(f"{base}/{name}/values.yaml", [], text=f"# helm values, not a manifest\nreplicaCount: 2\nimage:\n  tag: \"{name}\"\n")
        policies = self.policies(ns, stage, apps, egress)
        if policies and self.chance(0.4):
            self.write(f"{base}/policies{self.ext()}", policies, ["NetworkPolicies, reviewed by security"])
        else:
            for policy in policies:
                self.write(f"{base}/policies/{policy['metadata']['name']}{self.ext()}", [policy])
        if self.chance(0.03):
            self.write(f"{base}/broken{self.ext()}", [], text=(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  namespace: " + ns
                + "\ndata:\n  key: [unclosed\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-broken\n"
                + "  namespace: " + ns + "\n"))
            self.objects += 1
            self.kinds["ConfigMap"] = self.kinds.get("ConfigMap", 0) + 1
            self.defect("yaml_syntax_error")

    def build(self, target: int) -> None:
        self.platform()
        clusters = CLUSTERS[: max(1, min(len(CLUSTERS), target // 5000 + 1))]
        turn = 0
        while self.objects < target:
            self.namespace(clusters[turn % len(clusters)], max(1, (target - self.objects) // 5))
            turn += 1

    def stats(self) -> dict[str, Any]:
        return {"objects": self.objects, "files": self.files, "bytes": self.bytes, "lines": self.lines,
                "namespaces": self.namespaces, "kinds": dict(sorted(self.kinds.items())),
                "defects": dict(sorted(self.defects.items())), "seed": self.seed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--objects", type=int, required=True, help="approximate number of objects to write")
    parser.add_argument("--out", required=True, help="output directory (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    corpus = Corpus(args.out, args.seed)
    corpus.build(args.objects)
    stats = corpus.stats()
    with open(os.path.abspath(args.out).rstrip("/") + ".stats.json", "w", encoding="utf-8") as handle:
        json.dump(stats, handle, indent=1)
    json.dump(stats, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
