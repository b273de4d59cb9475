"""Template syntax left in a manifest: Helm/Go ``{{ ... }}`` actions, envsubst ``${VAR}`` (SVC005).

Two cases, with different confidence:

* a document that does not parse and holds ``{{`` outside comments: the template syntax is
  (almost always) why it does not parse, so it is reported once, as SVC005, instead of as
  YAML syntax errors;
* a document that parses (``image: "repo/app:{{ .Values.tag }}"``): only Helm's own objects
  and functions count (``.Values``, ``.Release``, ``include``...), because Go templates are
  legitimate data in Prometheus rules, Alertmanager configs and Argo Workflows
  (``{{ $labels.instance }}``, ``{{ range .Alerts }}``, ``{{inputs.parameters.x}}``).

Shell-style ``${VAR}`` and ``${VAR:-default}`` placeholders (envsubst, ``kubectl kustomize``'s
replacements done by hand, CI scripts) count only in identity fields (``_IDENTITY_PATHS``):
elsewhere they are legitimate data, a shell command in ``args`` or a config file's value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from svclint.loading.source import FieldPath, split_lines

ACTION = re.compile(r"\{\{.*?(?:\}\}|$)")
ENVSUBST = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=+?][^}]*)?\}")
HELM_ACTION = re.compile(
    r"\{\{-?\s*(?:[^}]*?[\s(|])?(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|\.Files\b|\.Template\b|\$\.Values\b"
    r"|include\s|tpl\s|toYaml\b|required\s)"
)


def first_action(text: str) -> tuple[int, int, str] | None:
    """(0-based line, 1-based column, action text) of the first ``{{`` outside a comment."""
    if "{{" not in text:
        return None
    for number, line in enumerate(split_lines(text)):  # YAML's line breaks, as the parser counts
        column = line.find("{{")
        if column < 0:
            continue
        comment = line.find("#")
        if 0 <= comment < column and (comment == 0 or line[comment - 1] in " \t"):
            continue
        match = ACTION.search(line, column)
        action = match.group(0) if match else "{{"
        return number, column + 1, action if len(action) <= 60 else action[:57] + "..."
    return None


def helm_actions(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """(path, action) of every string value (or key) holding a Helm template action."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and "{{" in key and HELM_ACTION.search(key):
                yield path + (key,), ACTION.search(key).group(0)  # type: ignore[union-attr]
            yield from helm_actions(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from helm_actions(item, path + (index,))
    elif isinstance(data, str) and "{{" in data:
        match = HELM_ACTION.search(data)
        if match:
            yield path, ACTION.search(data, match.start()).group(0)  # type: ignore[union-attr]


def first_placeholder(text: str) -> tuple[int, str] | None:
    """(1-based column, text) of the first ``{{`` action or ``${VAR}`` placeholder in one line."""
    found = first_action(text)
    if found is not None:
        return found[1], found[2]
    match = ENVSUBST.search(text)
    return (match.start() + 1, match.group(0)) if match else None


def unrendered_message(action: str) -> str:
    if action.startswith("${"):
        return (
            f"unrendered template placeholder {action!r}: this is a template for envsubst or a similar "
            "tool, not a manifest; render it first (envsubst < FILE | svclint check -) and check the output"
        )
    return (
        f"unrendered template syntax {action!r}: this is a Helm/Go template, not a manifest; "
        "render it first (helm template CHART | svclint check -) and check the output"
    )


# Identity fields: a Kubernetes name, namespace, label or selector can never hold "{{", so a
# placeholder there is a template whatever the template language (vitess' ``etcd-{{cell}}``).
_IDENTITY_PATHS: tuple[FieldPath, ...] = (
    ("metadata", "name"),
    ("metadata", "generateName"),
    ("metadata", "namespace"),
    ("metadata", "labels"),
    ("spec", "selector"),
)


def _string_with_action(value: Any, path: FieldPath) -> FieldPath | None:
    if isinstance(value, str):
        return path if ("{{" in value and "}}" in value) or ("${" in value and ENVSUBST.search(value)) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and ("{{" in key or ("${" in key and ENVSUBST.search(key))):
                return path + (key,)
            found = _string_with_action(item, path + (key,))
            if found is not None:
                return found
    return None


# A ConfigMap's or Secret's data is text for some program, and Go templates with Helm's names
# are legitimate there: Istio's sidecar injector templates read ``.Values`` and call ``toYaml``
# (istio-sidecar-injector in a rendered istiod chart). Its name and labels still count.
_CONFIG_KINDS = frozenset({"ConfigMap", "Secret"})
_CONFIG_DATA = ("data", "binaryData", "stringData")


def _without_config_data(data: dict[Any, Any]) -> dict[Any, Any]:
    if data.get("kind") not in _CONFIG_KINDS:
        return data
    return {key: value for key, value in data.items() if key not in _CONFIG_DATA}


def template_placeholder(data: Any) -> FieldPath | None:
    """Where a parsed document shows it is a template, or None.

    Checked by the loader on documents of text holding ``{{`` or ``${``: a Helm action anywhere
    (``helm_actions``), or any ``{{ }}`` or ``${VAR}`` in an identity field (``_IDENTITY_PATHS``).
    A placeholder that parsed as a mapping key (``replicas: {{x}}``) is found earlier, by
    the YAML walker, because the key is gone once the document is plain data.
    """
    if not isinstance(data, dict):
        return None
    for path, _action in helm_actions(_without_config_data(data)):
        return path
    for path in _IDENTITY_PATHS:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        found = _string_with_action(value, path) if value is not None else None
        if found is not None:
            return found
    return None
