"""Unknown fields and wrong types of a built-in object, against its compact field tree.

Computed once per object (``field_problems``) and shared: SVC008 reports the problems, and
rules that read a field which is really misplaced ask ``has_unknown_field`` and stay quiet
(one defect, one finding, at the key). Objects whose apiVersion/kind the tree does not have
(custom resources, removed versions) have no problems here.

What the API server does, and so what is checked: kubectl converts YAML to JSON and the API
server decodes it strictly (field validation ``Strict`` is kubectl's default since
Kubernetes 1.27, k8s.io/apimachinery pkg/runtime/serializer/json): an unknown field is an
error, and so is a JSON type Go cannot unmarshal into the field's type. ``null`` is
accepted anywhere (the field stays unset). A float with no fraction is an integer once
sigs.k8s.io/yaml has converted it (``80.0`` is written ``80``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from svclint.kube.fieldtree import FieldTree, FieldType, Struct
from svclint.kube.model import K8sObject
from svclint.kube.structure import describe
from svclint.loading.source import FieldPath, format_field_path
from svclint.suggest import is_close, nearest

_EXPECTED = {
    "s": "a string", "i": "an integer", "n": "a number", "b": "a boolean (true or false)",
    "io": "a number or a string", "q": "a quantity (a string such as 500m or a number)",
    "l": "a list", "m": "a mapping",
}
# Fields renamed between API versions, whose old spelling is the likeliest unknown field.
# networking.k8s.io/v1beta1 IngressBackend -> v1 (k8s.io/api networking/v1 types.go).
_RENAMED = {
    ("networking.v1.IngressBackend", "serviceName"): "service.name",
    ("networking.v1.IngressBackend", "servicePort"): "service.port.number (or service.port.name)",
}


@dataclass(frozen=True)
class FieldProblem:
    """An unknown field (``unknown``) or a value of the wrong type, at ``path`` in the object."""

    path: FieldPath
    message: str
    unknown: bool
    meant: str | None = None  # the field an unknown key most likely stands for (targetport -> targetPort)
    belongs: FieldPath | None = None  # where a misplaced field belongs (a selector under template: spec.selector)


_Chain = tuple[Struct, FieldPath, dict[Any, Any], Any]  # (struct, its path, its value, the enclosing chain or None)


class _Walker:
    """Walks one object's data against its root struct, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def struct(self, value: dict[Any, Any], struct: Struct, path: FieldPath, chain: Any) -> None:
        fields = struct.fields
        here: _Chain = (struct, path, value, chain)
        for key, item in value.items():
            kind = fields.get(key) if type(key) is str else None
            if kind is None:
                self.unknown(value, key, here)
                continue
            if item is None or kind == "x":
                continue
            if kind == "s" and type(item) is str:
                continue  # the commonest case, without a call
            self.value(item, kind, path + (key,), here)

    def value(self, item: Any, kind: FieldType, path: FieldPath, chain: Any) -> None:
        cls = type(item)
        if type(kind) is str:
            if kind == "s":
                ok = cls is str
            elif kind == "i":
                ok = (cls is int) or (cls is float and item.is_integer())
            elif kind == "b":
                ok = cls is bool
            elif kind == "io":
                ok = cls is str or cls is int or (cls is float and item.is_integer())
            elif kind == "n" or kind == "q":
                ok = cls is int or cls is float or (kind == "q" and cls is str)
            else:
                ok = True
            if not ok:
                self.wrong(path, kind, item, chain)
            return
        if type(kind) is Struct:
            if cls is dict:
                self.struct(item, kind, path, chain)
            else:
                self.wrong(path, kind, item, chain)
            return
        assert isinstance(kind, tuple)
        container, inner = kind
        if container == "l":
            if cls is not list:
                self.wrong(path, kind, item, chain)
            elif inner != "x":
                for i, element in enumerate(item):
                    if element is not None:
                        self.value(element, inner, path + (i,), chain)
        elif cls is not dict:
            self.wrong(path, kind, item, chain)
        elif inner == "s":
            # Scalar values of string maps (labels, selectors, data): SVC006 reads how YAML typed them.
            for key, element in item.items():
                if type(element) is dict or type(element) is list:
                    self.wrong(path + (key,), inner, element, chain)
        elif inner != "x":
            for key, element in item.items():
                if element is not None:
                    self.value(element, inner, path + (key,), chain)

    def wrong(self, path: FieldPath, kind: FieldType, item: Any, chain: Any) -> None:
        if type(item) is dict and len(item) == 1 and str(next(iter(item))).startswith("{"):
            return  # `cell: {{cell}}`, a placeholder of an unrendered template, loads as a mapping
        if type(item) is str and "{{" in item:
            return  # `port: "{{ .Values.port }}"`: an unrendered template (SVC005), not a wrong type
        if isinstance(kind, Struct):
            expected = f"a mapping ({kind.title})"
        elif isinstance(kind, tuple):
            expected = _EXPECTED[kind[0]]
        else:
            expected = _EXPECTED.get(kind, kind)
            if kind == "s" and isinstance(chain, tuple) and path[-1] == "value" and chain[0].title == "EnvVar":
                return  # env values: SVC006 reads how YAML typed them
        self.problems.append(
            FieldProblem(path, f"{format_field_path(path)} must be {expected}, not {describe(item)}", False)
        )

    def unknown(self, value: dict[Any, Any], key: Any, here: _Chain) -> None:
        struct, path, _, _ = here
        if isinstance(key, str) and ("{{" in key or key.startswith("{'")):
            return  # a template placeholder used as a key (`{{ include "labels" . }}`): SVC005's
        if not isinstance(key, str):
            key_text = describe(key)
            self.problems.append(
                FieldProblem(path + (key,), f"{key_text} is not a field name{_where(path)} ({struct.title})", True)
            )
            return
        renamed = _RENAMED.get((struct.name, key))
        if renamed is not None:
            first = next(k for k in value if (struct.name, k) in _RENAMED)
            if key != first:
                return  # one finding for the old spelling of a whole struct
            old = [k for k in value if (struct.name, k) in _RENAMED]
            new = "; ".join(f"{k} is now {_RENAMED[(struct.name, k)]}" for k in old)
            self.problems.append(
                FieldProblem(
                    path + (key,),
                    f"unknown field{'s' if len(old) > 1 else ''} {', '.join(old)}{_where(path)}: "
                    f"{' and '.join(old)} {'are' if len(old) > 1 else 'is a'} networking.k8s.io/v1beta1 "
                    f"field{'s' if len(old) > 1 else ''}; in {struct.name.split('.')[0]}.k8s.io/"
                    f"{struct.name.split('.')[1]} {new}",
                    True,
                    "service",
                )
            )
            return
        text, belongs = hint(key, here)
        self.problems.append(
            FieldProblem(
                path + (key,), f"unknown field {key}{_where(path)} ({struct.title}){text}", True, close_field(key, struct), belongs
            )
        )


def _where(path: FieldPath) -> str:
    return f" in {format_field_path(path)}" if path else " at the top level"


def _holds(kind: FieldType, key: str) -> Struct | None:
    """The struct (or struct of list items) ``kind`` names, when it has field ``key``."""
    while isinstance(kind, tuple):
        kind = kind[1]
    return kind if isinstance(kind, Struct) and key in kind.fields else None


def _list_of(kind: FieldType) -> bool:
    return isinstance(kind, tuple) and kind[0] == "l"


def close_field(key: str, struct: Struct) -> str | None:
    """The field of ``struct`` that ``key`` is a likely misspelling of (case first), or None."""
    names = struct.fields
    folded = {name.lower(): name for name in names}
    close = folded.get(key.lower())
    if close is None:
        candidate = nearest(key, names)
        close = candidate if candidate is not None and is_close(key, candidate) else None
    return close


def hint(key: str, here: _Chain) -> tuple[str, FieldPath | None]:
    """"; did you mean targetPort?" or where a misplaced field belongs ("" when unsure), and
    the path it belongs at when that is one place."""
    struct, path, value, outer = here
    names = struct.fields
    close = close_field(key, struct)
    if close is not None:
        return f"; did you mean {close}?", None
    for name, kind in sorted(names.items()):
        if kind == ("m", "s") and name in value and value[name] is None:
            return f"; {name} is empty just above: indent {key} under {name}", path + (name, key)
    if names.get("matchLabels") == ("m", "s"):
        return (
            f"; a label selector has only matchLabels and matchExpressions: write matchLabels: {{{key}: ...}}",
            path + ("matchLabels", key),
        )
    for name, kind in sorted(names.items()):
        if name in value and _holds(kind, key):  # only a field written here: a hint, not a guess
            where = format_field_path(path + (name,))
            each = "each item of " if _list_of(kind) else ""
            return f"; {key} belongs in {each}{where}", None if each else path + (name, key)
    if outer is not None:
        parent, parent_path, parent_value, _ = outer
        if key in parent.fields:
            return f"; {key} belongs one level up, in {format_field_path(parent_path) or 'the top level'}", parent_path + (key,)
        for name, kind in sorted(parent.fields.items()):
            if name in parent_value and _holds(kind, key) and not _list_of(kind):
                return f"; {key} belongs in {format_field_path(parent_path + (name,))}", parent_path + (name, key)
    return "", None


def field_problems(obj: K8sObject, tree: FieldTree) -> tuple[FieldProblem, ...]:
    """Unknown fields and wrong types of ``obj`` (computed once per object and version)."""
    cache: dict[str, tuple[FieldProblem, ...]] | None = obj.__dict__.get("_field_problems")
    if cache is None:
        cache = obj.__dict__["_field_problems"] = {}
    found = cache.get(tree.version)
    if found is None:
        root = tree.root(obj.api_version, obj.manifest_kind)
        if root is None:
            found = ()
        else:
            walker = _Walker()
            walker.struct(obj.data, root, (), None)
            found = tuple(walker.problems)
        cache[tree.version] = found
    return found


def misplaced(obj: K8sObject, tree: FieldTree, path: FieldPath) -> bool:
    """Whether a field reported as unknown elsewhere belongs at ``path`` (``selector`` written
    under ``template``): a rule that finds ``path`` missing defers to the unknown-field finding."""
    return any(p.belongs == path for p in field_problems(obj, tree))


def misspelled(obj: K8sObject, tree: FieldTree, path: FieldPath, field: str) -> bool:
    """Whether the mapping at ``path`` holds an unknown key that stands for ``field``
    (``targetport`` for ``targetPort``): a rule that reads ``field`` there, and so sees it
    missing, defers to the unknown-field finding."""
    depth = len(path) + 1
    return any(
        p.meant == field and len(p.path) == depth and p.path[:-1] == path for p in field_problems(obj, tree)
    )
