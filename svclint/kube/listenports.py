"""Where a container's own configuration names a port: its command, args, env or a mounted ConfigMap.

Declaring ``containerPort`` is informational for a numeric port (k8s-semantics §5.4), and many
manifests leave out the ports an app is told to listen on (``--port 18080`` in Istio's echo
sample, ``endpoint: 0.0.0.0:5317`` in an OpenTelemetry collector's config). When a Service's
numeric targetPort is named so, it is very likely right, only undeclared. Only whole-number
tokens in address or flag shapes count: ``18080``, ``--port=18080``, ``:18080``,
``0.0.0.0:18080``, ``port: 18080``; a number inside other text (``10.18080.1``, ``v18080``) does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from svclint.kube.model import K8sObject, PodTemplate

# (kind, namespace, name) -> the object of the input
Lookup = Callable[[str, str | None, str], K8sObject | None]


def _in_args(number: int) -> re.Pattern[str]:
    """A whole token: the number, a flag's value (``--port=N``) or an address (``0.0.0.0:N``)."""
    return re.compile(rf"(?:^|[=:]){number}$")


def _in_config(number: int) -> re.Pattern[str]:
    """In a config file: an address (``0.0.0.0:N``, ``:N``, no space after the colon, unlike a
    YAML value ``timeout: N``) or a port setting (``port: N``, ``bind_port = N``)."""
    return re.compile(rf"""(?<!:):{number}(?![\d.])|port["']?\s*[:=]\s*["']?{number}(?![\d.])""", re.I)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def port_named_by(template: PodTemplate, number: int, lookup: Lookup) -> str | None:
    """What names ``number`` as a port in the serving containers' configuration, or None."""
    token, setting = _in_args(number), _in_config(number)

    def named(value: Any) -> bool:
        return any(token.search(word.strip("'\"")) for text in _strings(value) for word in text.split())

    for _path, container, _sidecar in template.containers():
        name = container.get("name")
        for field in ("command", "args"):
            if named(container.get(field)):
                return f"the {field} of container {name!r}"
        for item in container.get("env") or ():
            if isinstance(item, dict) and named(item.get("value")):
                return f"env {item.get('name')} of container {name!r}"
    for config_map in _mounted_config_maps(template, lookup):
        data = config_map.data.get("data")
        if isinstance(data, dict) and any(setting.search(text) for text in _strings(list(data.values()))):
            return f"ConfigMap {config_map.namespace}/{config_map.name} (mounted by the pod)"
    return None


def _mounted_config_maps(template: PodTemplate, lookup: Lookup) -> Iterable[K8sObject]:
    found = (lookup("ConfigMap", template.namespace, name) for name in template.mounted_config_maps())
    return [cm for cm in found if cm is not None]
