"""SVC003 duplicate-object."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class DuplicateObject(Rule):
    """## What it does
    Reports an object whose API group, kind, namespace and name are the same as those of
    another object in the input, and points at both.

    Two identical definitions (a bundle of CRDs beside the files it was made from) are a
    note: applying both changes nothing until one of them is edited.

    ## Why is this bad?
    Only one of them can exist in the cluster: whichever is applied last silently replaces
    the other, so what runs depends on file order.
    """

    id = "SVC003"
    name = "duplicate-object"
    summary = "The same group/kind/namespace/name is defined more than once"
    severity = Severity.WARNING
    namespaced = True
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: dict[tuple[str, str, str | None, str], list[K8sObject]] = defaultdict(list)
        for obj in self._candidates(ctx):
            if obj.name.endswith("*"):  # generateName: the server picks a unique name
                continue
            seen[(obj.group, obj.kind, obj.namespace, obj.name)].append(obj)
        for objects in seen.values():
            if len(objects) < 2:
                continue
            objects.sort(key=lambda o: (o.source.path, o.doc_index, o.base_path))
            first = objects[0]
            where = first.location("metadata.name")
            for other in objects[1:]:
                same = other.data == first.data
                yield ctx.report(
                    f"{other.ref} is already defined at {where.path}:{where.line}; "
                    + (
                        "the two are identical, so applying both changes nothing until one is edited: keep one"
                        if same
                        else "the one applied last replaces the other"
                    ),
                    other,
                    "metadata.name",
                    related=[Related(f"first definition of {first.ref}", first, "metadata.name")],
                    uncertain=same,
                )

    @staticmethod
    def _candidates(ctx: RuleContext) -> Iterable[K8sObject]:
        """Every object, or (focused) the objects sharing kind, namespace and name with one in
        focus, in input order (the graph's ``by_key`` lists keep it)."""
        if ctx.focus is None:
            return ctx.graph.objects
        keys = dict.fromkeys((obj.kind, obj.namespace, obj.name) for obj in ctx.focused(ctx.graph.objects))
        return [obj for key in keys for obj in ctx.graph.by_key.get(key, ())]
