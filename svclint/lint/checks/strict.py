"""Deferral to SVC008: a rule that finds a field missing stays quiet when it is only misspelled.

``targetport: 8080`` leaves the Service port without a targetPort, so SVC105 would report
the defaulted port; the defect is the key, and SVC008 reports it there. One defect, one
finding: the rules that read such a field ask ``misspelled_here`` first. Only while SVC008
runs: with it switched off, the other rules report what they see.
"""

from __future__ import annotations

from svclint.kube.fieldcheck import field_problems, misplaced, misspelled
from svclint.kube.fieldtree import field_tree
from svclint.kube.model import K8sObject
from svclint.lint.checks.svc008_unknown_field import UnknownField
from svclint.lint.rule import RuleContext
from svclint.lint.selection import decide
from svclint.loading.source import FieldPath


def misspelled_here(ctx: RuleContext, obj: K8sObject, path: FieldPath, field: str) -> bool:
    """SVC008 runs and reports an unknown key at ``path`` in ``obj`` that stands for ``field``."""
    if not decide([UnknownField], ctx.settings):
        return False
    return misspelled(obj, field_tree(ctx.settings.kube_version), path, field)


def reported_here(ctx: RuleContext, obj: K8sObject, path: FieldPath) -> bool:
    """SVC008 runs and reports the field at ``path`` (or one above it) of ``obj``: a wrong
    type or an unknown key, so a rule that finds the same field unreadable stays quiet."""
    if not decide([UnknownField], ctx.settings):
        return False
    return any(path[: len(p.path)] == p.path for p in field_problems(obj, field_tree(ctx.settings.kube_version)))


def misplaced_here(ctx: RuleContext, obj: K8sObject, path: FieldPath) -> bool:
    """SVC008 runs and reports a field written elsewhere that belongs at ``path``."""
    if not decide([UnknownField], ctx.settings):
        return False
    return misplaced(obj, field_tree(ctx.settings.kube_version), path)
