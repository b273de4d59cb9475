"""YAML of other tools that looks like a Kubernetes object but is never applied to a cluster.

kind's cluster config (``apiVersion: kind.x-k8s.io/v1alpha4``, ``kind: Cluster``), skaffold's
``Config``, kubeadm's ``InitConfiguration``, a kubeconfig (``apiVersion: v1``, ``kind:
Config``) and the like have an apiVersion and a kind, but they are read by a command-line
tool, not by the API server. They are skipped and counted like other non-Kubernetes
documents (a CI config, Helm values), never reported as incomplete objects.

How a document is matched (``is_tool_config``): the API group of its apiVersion (the part
before the last ``/``; ``skaffold/v4beta6`` has the group ``skaffold``) is in
``TOOL_GROUPS``, or its (apiVersion, kind) pair is in ``TOOL_KINDS`` (for tools that reuse a
core-looking apiVersion). The list is in docs/inputs.md; extend both together. It lives with
the loader because the parse already asks it: such a file's ``${VAR}`` is no template (SVC005).

An object of a group svclint does not know that has no ``metadata`` at all is most likely
another tool's file too (``unknown_without_metadata``): it is skipped with one note, never
reported as SVC002.
"""

from __future__ import annotations

import re
from typing import Any

TOOL_GROUPS = frozenset(
    {
        "kind.x-k8s.io",  # kind cluster config (Cluster)
        "skaffold",  # skaffold.yaml (Config)
        "kubeadm.k8s.io",  # kubeadm InitConfiguration, ClusterConfiguration, JoinConfiguration
        "kubelet.config.k8s.io",  # KubeletConfiguration, CredentialProviderConfig
        "kubeproxy.config.k8s.io",  # KubeProxyConfiguration
        "kubescheduler.config.k8s.io",  # KubeSchedulerConfiguration
        "apiserver.config.k8s.io",  # EncryptionConfiguration, AdmissionConfiguration
        "audit.k8s.io",  # audit Policy
        "client.authentication.k8s.io",  # ExecCredential
        "k3d.io",  # k3d config (Simple)
        "kuttl.dev",  # kuttl TestSuite, TestStep, TestAssert
        "kustomize.config.k8s.io",  # Kustomization, Component
        "builtin",  # kustomize built-in plugin configs (PatchTransformer...)
        "config.kubernetes.io",  # kustomize/kpt function ResourceList
        "kpt.dev",  # Kptfile
        "fn.kpt.dev",  # kpt function configs
        "ctlptl.dev",  # ctlptl Cluster, Registry
        "config.kwok.x-k8s.io",  # kwok/kwokctl configuration
        "eksctl.io",  # eksctl ClusterConfig
        "kops.k8s.io",  # kops Cluster, InstanceGroup (kept in kops' state store)
        "clusterctl.cluster.x-k8s.io",  # clusterctl provider config
        "cli.kyverno.io",  # kyverno CLI Test, Values
        "chainsaw.kyverno.io",  # chainsaw Test, Configuration
        "krew.googlecontainertools.github.com",  # krew plugin manifest
        "garden.io",  # garden Project
        "ko.build",  # ko config
        "install.istio.io",  # IstioOperator: read by `istioctl install -f` (the in-cluster operator was removed in Istio 1.24)
    }
)
TOOL_KINDS = frozenset(
    {
        ("v1", "Config"),  # a kubeconfig file (client-go tools/clientcmd/api/v1)
        ("v1", "Policy"),  # a legacy kube-scheduler --policy-config-file (no such API object)
    }
)

# Groups that are Kubernetes' own (k8s.io/api): every *.k8s.io group, and the older names.
_CORE_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "policy", "extensions"})


def api_group(api_version: str) -> str:
    """``apps/v1`` -> ``apps``, ``v1`` -> "" (the core group)."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def is_tool_config(data: dict[Any, Any]) -> bool:
    """True when ``data`` is another tool's configuration, not an object for the API server."""
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str):
        return False
    return api_group(api_version) in TOOL_GROUPS or (isinstance(kind, str) and (api_version, kind) in TOOL_KINDS)


def unknown_without_metadata(data: dict[Any, Any]) -> bool:
    """An object of a group that is not Kubernetes' own, with no ``metadata`` key at all.

    Every object the API server stores has metadata.name, so such a document is not a
    complete object; when its group is not Kubernetes' own it is far more often another
    tool's file than a custom resource missing its name: one note, not SVC002.
    """
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or "metadata" in data:
        return False
    group = api_group(api_version)
    return group not in _CORE_GROUPS and not group.endswith(".k8s.io") and group != "k8s.io"


# What an apiVersion of the API server looks like: ``v1``, ``apps/v1``, ``example.com/v2beta1``
# (k8s.io/apimachinery pkg/runtime/schema ParseGroupVersion; versions as in pkg/version).
_KUBE_API_VERSION = re.compile(r"^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[1-9][0-9]*(?:(?:alpha|beta)[1-9][0-9]*)?$")


def other_versioned_file(data: dict[Any, Any]) -> bool:
    """A document with an ``apiVersion`` the API server could never serve, no ``kind`` and no
    ``metadata``: another tool's versioned file (Grafana provisioning's ``apiVersion: 1``),
    not a Kubernetes object missing its kind. Skipped and counted, never SVC002."""
    if "kind" in data or "metadata" in data or "apiVersion" not in data:
        return False
    api_version = data["apiVersion"]
    return not (isinstance(api_version, str) and _KUBE_API_VERSION.match(api_version))


def helm_repository_index(data: dict[Any, Any]) -> bool:
    """A Helm chart repository's ``index.yaml`` (``apiVersion: v1``, ``entries``, ``generated``:
    helm pkg/repo/index.go IndexFile), published beside manifests (openfaas/faas-netes' docs/):
    a core-looking apiVersion, but no kind and no metadata. Skipped and counted, never SVC002."""
    return "kind" not in data and "metadata" not in data and isinstance(data.get("entries"), dict) and "generated" in data
