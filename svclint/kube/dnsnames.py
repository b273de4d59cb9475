"""Which Service a host name written in a pod names, as the cluster's DNS resolves it.

A pod's resolv.conf (kubelet, ``pkg/kubelet/network/dns/dns.go`` generateSearchesForDNSClusterFirst)
searches ``<ns>.svc.<domain> svc.<domain> <domain>`` with ``ndots:5``, and CoreDNS's
kubernetes plugin answers ``<service>.<ns>.svc.<domain>`` and, for a headless Service,
``<hostname>.<service>.<ns>.svc.<domain>`` (the DNS spec,
github.com/kubernetes/dns docs/specification.md). So:

- ``cart`` is Service ``cart`` of the client's own namespace;
- ``cart.shop``, ``cart.shop.svc`` and ``cart.shop.svc.<domain>`` are Service ``cart`` of ``shop``;
- ``db-0.db`` is first tried as ``db-0.db.<client ns>.svc.<domain>``: pod ``db-0`` of the
  headless Service ``db`` when the client's namespace has one; ``db-0.db.data.svc`` names the
  namespace.

Conservative on purpose: a two-label name ``a.b`` is a Service only when ``b`` is a
namespace the input knows (else ``example.com`` would be Service ``example`` of namespace
``com``); any other dotted name that does not end in ``.svc`` or ``.svc.<domain>`` is outside
the cluster and no reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

# DNS-1035 label: what a Service name must be (validation.IsDNS1035Label).
SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
# DNS-1123 label: namespaces and pod hostnames.
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# Services every cluster has, never in manifests: the API server and cluster DNS.
BUILTIN = frozenset({("default", "kubernetes"), ("kube-system", "kube-dns")})


@dataclass(frozen=True)
class DnsTarget:
    """The Service (and, for a headless one, the pod hostname) a name resolves to."""

    service: str
    namespace: str
    pod: str | None = None
    qualified: bool = False  # the namespace is written in the name

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.service}"


def resolve_name(
    host: str,
    client_namespace: str,
    cluster_domain: str,
    namespaces: Collection[str],
    headless: Callable[[str, str], bool],
) -> DnsTarget | None:
    """The Service ``host`` names from a pod of ``client_namespace``, or None (not a Service name).

    ``headless(namespace, name)`` says whether that namespace has a headless Service of that name.
    """
    name = host.lower().rstrip(".")
    domain = cluster_domain.lower().strip(".")
    if name.endswith("." + domain):
        name = name[: -len(domain) - 1]
        if not name.endswith(".svc"):
            return None  # pod A records (a-b-c-d.ns.pod) and other zones: not Services
    labels = name.split(".")
    if not all(LABEL.match(label) for label in labels):
        return None
    if labels[-1] == "svc":
        return _svc_form(labels[:-1])
    if len(labels) == 1:
        return _service(labels[0], client_namespace, None, False)
    if len(labels) == 2:
        pod, service = labels
        if headless(client_namespace, service):
            return _service(service, client_namespace, pod, False)
        if service in namespaces:  # the search list's svc.<domain>: name.ns
            return _service(pod, service, None, True)
        return None
    if len(labels) == 3 and labels[2] in namespaces and headless(labels[2], labels[1]):
        return _service(labels[1], labels[2], labels[0], True)
    return None


def _svc_form(labels: list[str]) -> DnsTarget | None:
    if len(labels) == 2:
        return _service(labels[0], labels[1], None, True)
    if len(labels) == 3:
        return _service(labels[1], labels[2], labels[0], True)
    return None


def _service(name: str, namespace: str, pod: str | None, qualified: bool) -> DnsTarget | None:
    if not SERVICE_NAME.match(name) or (namespace, name) in BUILTIN:
        return None
    return DnsTarget(name, namespace, pod, qualified)


def service_variable_prefix(service_name: str) -> str:
    """``redis-cart`` -> ``REDIS_CART``: the prefix of the kubelet's ``_SERVICE_HOST`` variables.

    pkg/kubelet/envvars/envvars.go makeEnvVariableName: upper case, ``-`` -> ``_``.
    """
    return service_name.upper().replace("-", "_")
