"""SVC009 not-checked."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.loader import SkippedInput


class NotChecked(Rule):
    """## What it does
    Says which input was not checked and why, once per input: a kustomization that could
    not be rendered (no kustomize or kubectl on PATH, or the build failed), a Helm chart
    directory when helm is not on PATH, or a document of an API group svclint does not
    know that has no `metadata` (most likely another tool's file), or a file that is not
    valid YAML and names no `apiVersion` or `kind` anywhere (a data file: JSON lines, a
    seed file), which cannot hold a Kubernetes object. The message says how to
    get the input checked. Everything else in the run is still checked.

    ## Why is this bad?
    Nothing is wrong with the cluster: the note tells you that the objects of this input
    were not looked at, so a clean report does not cover them. Install the renderer (or
    name it with `--kustomize-bin`), render the input yourself and pipe it in, or exclude
    the input (`--exclude`) when it is not meant to be checked.
    """

    id = "SVC009"
    name = "not-checked"
    summary = "Input not checked (renderer missing or failing, another tool's file): why and how to fix"
    severity = Severity.NOTE
    namespaced = True
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.load.problems:
            if isinstance(problem, SkippedInput):
                yield Violation(problem.message, location=problem.location)
