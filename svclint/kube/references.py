"""Service references a pod template writes: the values its containers really get.

Read, per container, in the kubelet's order (pkg/kubelet/kubelet_pods.go
makeEnvironmentVariables): ``envFrom`` ConfigMaps first, then ``env`` entries in order,
each ``$(VAR)`` expanded from what is defined so far and from the Service variables the
kubelet injects (``<NAME>_SERVICE_HOST``/``_PORT``, only for Services of the pod's own
namespace and not with ``enableServiceLinks: false``); then ``command`` and ``args``
expanded with the whole environment (third_party/forked/golang/expansion). Also
``.svc``-shaped names in the data of ConfigMaps the pod mounts. And the calls a workload
declares in its ``svclint.io/calls`` annotation: what no field shows (an address kept in a
Secret, or built in code).

What counts as a reference (docs/routing.md, "Calls"):

- a URL, a ``host:port`` or a broker list whose host resolves as a Service name
  (kube/dnsnames.py) is a *strong* reference: when no such Service exists it is SVC501;
- every address of a ``svclint.io/calls`` annotation is a strong reference, bare names too;
- a bare name is a reference only when it is ``.svc``-shaped, when a Service of that name
  exists, or when its variable matches ``calls.host-variables``;
- localhost, IP addresses, external hostnames, values holding unexpanded variables, image
  names (a variable or flag naming ``image``) and the variables of ``calls.ignore-variables``
  (default ``*NO_PROXY*``) are never references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from svclint.kube.dnsnames import DnsTarget, resolve_name, service_variable_prefix
from svclint.kube.graph import ManifestGraph
from svclint.kube.hosttext import NAME_FORM, hosts_in
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.services import is_headless, service_ports
from svclint.loading.source import FieldPath
from svclint.settings import CallsConfig

VARIABLE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
PASS_ON = re.compile(r"(?:-{1,2}[\w.-]+=)?\$\([A-Za-z_][A-Za-z0-9_.-]*\)")
KUBELET_VARIABLE = re.compile(r"^([A-Z0-9_]+)_SERVICE_(HOST|PORT)(?:_([A-Z0-9_]+))?$")
ALWAYS_IGNORED = ("*NO_PROXY*", "*no_proxy*", "*IMAGE*", "*image*")
SVC_NAME = re.compile(r"(?<![\w.-])((?:[a-z0-9-]+\.){2,3}svc(?:\.[a-z0-9.-]*[a-z0-9])?)(?::([0-9]{1,5}))?(?![\w-])")


@dataclass(frozen=True)
class Reference:
    """One Service name a container gets, and where it is written."""

    template: PodTemplate
    holder: K8sObject  # the object the text is written in (the workload or a ConfigMap)
    path: FieldPath  # the field inside ``holder``
    origin: str  # how the container gets it: env X, envFrom ConfigMap c key k, args[1]...
    text: str  # the value as the container sees it
    host: str
    port: int | None
    target: DnsTarget
    strong: bool  # an address form: unresolved is a finding
    variable: str | None = None  # the kubelet variable it came from (REDIS_SERVICE_HOST)
    port_name: str | None = None  # $(X_SERVICE_PORT_<NAME>): a named Service port
    links_disabled: bool = False  # the kubelet variable does not exist (enableServiceLinks: false)


@dataclass
class _Entry:
    value: str | None  # None: defined, value unknown (Secret, fieldRef, too long once expanded)
    holder: K8sObject
    path: FieldPath
    origin: str
    literal: bool = False  # an env `value` (the kubelet expands it), not valueFrom / envFrom


# (expanded text, kubelet Service variables used as (service, port name), used a user variable)
_Expanded = tuple[str, list[tuple[str, "str | None"]], bool]
_NOT_EXPANDED: _Expanded = ("", [], False)
# Expansion can double a value per variable (B=$(A)$(A), C=$(B)$(B)...): past this, unknown.
MAX_EXPANDED = 64 * 1024


class _Lookup:
    """What resolution needs of the graph: namespaces, Services, headless Services, ConfigMaps."""

    def __init__(self, graph: ManifestGraph, config: CallsConfig) -> None:
        self.graph = graph
        self.config = config
        self.namespaces = graph.namespaces
        self.services: dict[tuple[str, str], K8sObject] = {}
        for service in graph.of_kind("Service"):
            self.services.setdefault((service.namespace or "", service.name), service)

    def headless(self, namespace: str, name: str) -> bool:
        service = self.services.get((namespace, name))
        return service is not None and is_headless(service)

    def resolve(self, host: str, namespace: str) -> DnsTarget | None:
        return resolve_name(host, namespace, self.config.cluster_domain, self.namespaces, self.headless)

    def ignored(self, name: str) -> bool:
        return any(fnmatchcase(name, g) for g in (*ALWAYS_IGNORED, *self.config.ignore_variables))

    def config_map(self, namespace: str, name: object) -> K8sObject | None:
        return self.graph.get("ConfigMap", namespace, name) if isinstance(name, str) else None


def template_references(graph: ManifestGraph, config: CallsConfig, templates: list[PodTemplate] | None = None) -> Iterator[Reference]:
    """Every reference of every user-written pod template (generated ones write no env)."""
    lookup = _Lookup(graph, config)
    for template in graph.pod_templates if templates is None else templates:
        if not template.generated:
            yield from _of_template(template, lookup)


def _of_template(template: PodTemplate, lookup: _Lookup) -> Iterator[Reference]:
    links = template.spec.get("enableServiceLinks") is not False
    seen: set[tuple[int, FieldPath, str, int | None]] = set()
    for container in template.all_containers():
        spec = container.spec
        env: dict[str, _Entry] = {}
        for ref in _env_from(template, spec, container.path, env, lookup, links):
            key = (id(ref.holder), ref.path, ref.host, ref.port)
            if key not in seen:  # a ConfigMap read by two containers: one reference
                seen.add(key)
                yield ref
        for name in ("command", "args"):
            items = spec.get(name)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if isinstance(item, str):
                    entry = _Entry(item, template.owner, (*container.path, name, i), f"{name}[{i}]")
                    expanded = _expand(item, env, template.namespace or "", lookup)
                    if len(expanded[0]) <= MAX_EXPANDED:
                        yield from _read(template, entry, expanded, "", lookup, links, args=True)
    yield from _mounted(template, lookup, seen)
    yield from _declared(template, lookup)


def _env_from(template: PodTemplate, spec: dict[str, Any], at: FieldPath, env: dict[str, _Entry], lookup: _Lookup, links: bool) -> Iterator[Reference]:
    namespace = template.namespace or ""
    for source in spec.get("envFrom") or ():
        if not isinstance(source, dict):
            continue
        prefix = source.get("prefix") or ""
        cm_ref = source.get("configMapRef")
        cm = lookup.config_map(namespace, cm_ref.get("name")) if isinstance(cm_ref, dict) else None
        if cm is not None and isinstance(cm.data.get("data"), dict):
            for key, value in cm.data["data"].items():
                entry = _Entry(str(value), cm, ("data", key), f"envFrom ConfigMap {cm.name} key {key}")
                env[f"{prefix}{key}"] = entry
                yield from _read(template, entry, _NOT_EXPANDED, f"{prefix}{key}", lookup, links)
    for i, item in enumerate(spec.get("env") or ()):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        entry = _value_of(template, item, (*at, "env", i), lookup)
        expanded = _NOT_EXPANDED
        if entry.value is not None and entry.literal:  # only `value` is expanded, never valueFrom
            expanded = _expand(entry.value, env, template.namespace or "", lookup)
            entry.value = expanded[0] if len(expanded[0]) <= MAX_EXPANDED else None  # a variable bomb stays unknown
        env[name] = entry
        if entry.value is not None:
            yield from _read(template, entry, expanded, name, lookup, links)


def _value_of(template: PodTemplate, item: dict[str, Any], at: FieldPath, lookup: _Lookup) -> _Entry:
    name = item["name"]
    if "value" in item and isinstance(item["value"], str):
        return _Entry(item["value"], template.owner, (*at, "value"), f"env {name}", literal=True)
    ref = (item.get("valueFrom") or {}).get("configMapKeyRef") if isinstance(item.get("valueFrom"), dict) else None
    if isinstance(ref, dict):
        cm = lookup.config_map(template.namespace or "", ref.get("name"))
        data = cm.data.get("data") if cm is not None else None
        key = ref.get("key")
        if cm is not None and isinstance(data, dict) and isinstance(key, str) and isinstance(data.get(key), str):
            return _Entry(data[key], cm, ("data", key), f"env {name} from ConfigMap {cm.name} key {key}")
    return _Entry(None, template.owner, at, f"env {name}")


def _expand(text: str, env: dict[str, _Entry], namespace: str, lookup: _Lookup) -> _Expanded:
    """One pass of the kubelet's $(VAR) expansion over what is defined so far (never recursive)."""
    kubelet: list[tuple[str, str | None]] = []
    user = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal user
        name = match.group(1)
        entry = env.get(name)
        if entry is not None:
            user = True
            return entry.value if entry.value is not None else match.group(0)
        found = KUBELET_VARIABLE.match(name)
        if not found:
            return match.group(0)  # kubelet leaves an undefined $(VAR) as written
        service = found.group(1).lower().replace("_", "-")
        if found.group(2) == "HOST":
            kubelet.append((service, None))
            return service
        port_name = found.group(3).lower().replace("_", "-") if found.group(3) else None
        kubelet.append((service, port_name))
        obj = lookup.services.get((namespace, service))
        ports = list(service_ports(obj)) if obj is not None else []
        chosen = [p for p in ports if p.name == port_name] if port_name else ports[:1]
        return str(chosen[0].port) if chosen and chosen[0].port else "0"

    expanded = VARIABLE.sub(substitute, text.replace("$$", "\x00")).replace("\x00", "$")
    return expanded, kubelet, user


def _read(template: PodTemplate, entry: _Entry, expanded: _Expanded, name: str, lookup: _Lookup, links: bool, args: bool = False) -> Iterator[Reference]:
    """The references in one value; ``expanded`` is its $(VAR) expansion (or _NOT_EXPANDED)."""
    assert entry.value is not None
    if name and lookup.ignored(name):
        return
    namespace = template.namespace or ""
    text, kubelet, user = expanded if expanded is not _NOT_EXPANDED else (entry.value, [], False)
    if args and user and not kubelet and PASS_ON.fullmatch(entry.value):
        return  # `--flag=$(VAR)` passes a variable on: its own env entry holds the reference
    kubelet_hosts = {service: port for service, port in kubelet if port is None}
    port_names = {service: port for service, port in kubelet if port is not None}
    found = False
    single = len(text.split()) == 1  # bare names only as a whole value: never inside prose or scripts
    for hp in hosts_in(text):
        if "image" in hp.flag.lower():
            continue
        target = lookup.resolve(hp.host, namespace)
        if target is None:
            continue
        variable = hp.host in kubelet_hosts and not target.qualified
        bare = hp.form == NAME_FORM
        if bare and not single and not variable:
            continue
        strong = not bare or ".svc" in hp.host or variable or _host_variable(name, lookup)
        if not strong and (target.namespace, target.service) not in lookup.services:
            continue
        found = found or variable
        yield Reference(
            template, entry.holder, entry.path, entry.origin, text, hp.host, hp.port if hp.port != 0 else None, target,
            strong,
            f"{service_variable_prefix(hp.host)}_SERVICE_HOST" if variable else None,
            port_names.get(hp.host) if variable else None,
            variable and not links,
        )
    for service in kubelet_hosts:
        if not found and (target := lookup.resolve(service, namespace)) is not None:
            yield Reference(template, entry.holder, entry.path, entry.origin, text, service, None, target, True,
                            f"{service_variable_prefix(service)}_SERVICE_HOST", port_names.get(service), not links)


def _host_variable(name: str, lookup: _Lookup) -> bool:
    return bool(name) and any(fnmatchcase(name, g) for g in lookup.config.host_variables)


def _mounted(template: PodTemplate, lookup: _Lookup, seen: set[tuple[int, FieldPath, str, int | None]]) -> Iterator[Reference]:
    """``.svc``-shaped names (with an optional port) in the data of ConfigMaps the pod mounts."""
    namespace = template.namespace or ""
    for cm in _mounted_config_maps(template, lookup):
        data = cm.data.get("data")
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if not isinstance(value, str):
                continue
            for match in SVC_NAME.finditer(value.lower()):
                target = lookup.resolve(match.group(1), namespace)
                port = int(match.group(2)) if match.group(2) and 0 < int(match.group(2)) < 65536 else None
                seen_key = (id(cm), ("data", key), match.group(1), port)
                if target is None or seen_key in seen:
                    continue
                seen.add(seen_key)
                yield Reference(template, cm, ("data", key), f"ConfigMap {cm.name} key {key} (mounted)", match.group(0),
                                match.group(1), port, target, True)


CALLS_ANNOTATION = "svclint.io/calls"


def _declared(template: PodTemplate, lookup: _Lookup) -> Iterator[Reference]:
    """The addresses of a ``svclint.io/calls`` annotation, on the workload or its pod template:
    calls the manifests cannot show, declared where a reviewer sees them. Each is a strong
    reference (no Service of that name is SVC501), a bare name too: it was written as a call."""
    owner = template.owner
    places: dict[FieldPath, Any] = {("metadata", "annotations"): owner.annotations.get(CALLS_ANNOTATION)}
    metadata = owner.get((*template.path, "metadata")) if template.path else None
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        places[(*template.path, "metadata", "annotations")] = metadata["annotations"].get(CALLS_ANNOTATION)
    namespace = template.namespace or ""
    for at, text in places.items():
        if not isinstance(text, str):
            continue
        for hp in (hp for token in re.split(r"[\s,]+", text) for hp in hosts_in(token)):
            target = lookup.resolve(hp.host, namespace)
            if target is not None:
                yield Reference(template, owner, (*at, CALLS_ANNOTATION), f"annotation {CALLS_ANNOTATION}", text, hp.host,
                                hp.port if hp.port != 0 else None, target, True)


def _mounted_config_maps(template: PodTemplate, lookup: _Lookup) -> list[K8sObject]:
    found = (lookup.config_map(template.namespace or "", name) for name in template.mounted_config_maps())
    return [cm for cm in found if cm is not None]
