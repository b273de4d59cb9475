"""A run's result as the plain data the formatters take (``findings.LintReport``).

Everything a formatter would otherwise reach into the load, the graph or a rule class for
is worked out here: each rule's documentation and catalog address, the counts, and the
text of each file holding a finding (SARIF fingerprints its lines). Formatters then do no
I/O and import nothing from the pipeline.
"""

from __future__ import annotations

import re

from svclint import HOMEPAGE
from svclint.findings import InputFile, LintReport, RuleInfo, RuleOptionInfo, Severity
from svclint.lint.docs import in_catalog_document, rule_anchor
from svclint.lint.engine import LintResult
from svclint.lint.rule import Rule
from svclint.loading.source import STDIN_NAME, Source

RULES_DOCUMENT_URI = f"{HOMEPAGE}/blob/main/rules/README.md"
DEFAULT_PRECISION = "high"  # SARIF's ``precision``; a rule class may set its own


def rule_help_uri(rule: type[Rule]) -> str | None:
    """The rule's section of the published rules/README.md, when it is there."""
    return f"{RULES_DOCUMENT_URI}#{rule_anchor(rule)}" if in_catalog_document(rule) else None


def doc_section(documentation: str, title: str) -> str:
    """The body of ``## title`` in a rule's documentation, on one line ("" when absent)."""
    match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", documentation, re.M | re.S)
    return " ".join(match.group(1).split()) if match else ""


def rule_info(rule: type[Rule], severity: Severity | None = None, documentation: bool = True) -> RuleInfo:
    """``rule`` as plain data; ``severity`` is the run's when the config changed it.

    Without ``documentation`` the documentation fields stay empty (they read files).
    """
    text = rule.documentation() if documentation else ""
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        summary=rule.summary,
        severity=rule.severity if severity is None else severity,
        default_severity=rule.severity,
        enabled_by_default=rule.enabled_by_default,
        origin=rule.origin,
        tags=tuple(rule.tags),
        precision=getattr(rule, "precision", DEFAULT_PRECISION),
        options=tuple(RuleOptionInfo(o.name, o.type.__name__, o.default, o.help) for o in rule.options),
        documentation=text,
        description=doc_section(text, "What it does"),
        help_uri=rule_help_uri(rule),
    )


def _inputs(sources: list[Source], located: set[str]) -> tuple[InputFile, ...]:
    """One InputFile per display path, with the text of the files in ``located``.

    A file on disk wins over a rendered stream reported under the same path (a
    kustomization's output is shown at its kustomization.yaml). Reading ``text`` may read
    the file again, so only files holding a finding are read.
    """
    chosen: dict[str, Source] = {}
    for source in sources:
        known = chosen.get(source.path)
        if known is None or (source.fs_path and not known.fs_path):
            chosen[source.path] = source
    inputs = []
    for path, source in chosen.items():
        text = None
        if path in located:
            text = source.text or None
            if source.lossy:  # undecodable documents were blanked: not the file's bytes
                text = None
        inputs.append(InputFile(path, stdin=path == STDIN_NAME, text=text))
    return tuple(inputs)


def build_report(result: LintResult, documentation: bool = True) -> LintReport:
    """The plain data of ``result`` for the formatters (``documentation``: see ``rule_info``)."""
    load = result.load
    return LintReport(
        findings=tuple(result.findings),
        crashes=tuple(result.crashes),
        rules=tuple(rule_info(active.rule, active.severity, documentation) for active in result.active),
        inputs=_inputs(load.sources, {finding.location.path for finding in result.findings}),
        files=load.files,
        objects=len(load.objects),
        skipped_documents=load.skipped_documents,
        suppressed=result.suppressed,
        notes=tuple(load.notes),
    )
