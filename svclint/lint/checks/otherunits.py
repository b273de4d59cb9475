"""What the run's other deployment units hold, for findings about something missing.

A repository often keeps Services apart from the workloads they select: bank-of-anthos's
`extras/asm-multicluster` holds only Services, applied in a second cluster beside the
workloads of `kubernetes-manifests/`. svclint checks each unit alone (loading/units.py), so
in that unit every Service "selects nothing". When what a unit lacks is in another unit of
the same run, the finding is uncertain (a note) and names that unit, as SVC501 does.

For pods (SVC101, SVC303, SVC401, SVC402), the other unit's pods must carry every label of
the selector, in the same namespace. That holds too when the unit runs other workloads there:
Istio's samples keep `bookinfo-versions.yaml` (a Service per version) beside variants of the
app, and the version Services select the pods of `bookinfo.yaml`, a unit of its own. A
selector no unit's pods match stays a finding of its own severity, unless a chart or
kustomization of the run that could not be rendered (no helm, a failed build) writes every one
of its labels: its pods may be the ones selected (openfaas/faas-netes' `cloud/gateway-lb.yml`
beside `chart/openfaas`).
"""

from __future__ import annotations

from collections.abc import Mapping

from svclint.kube.objects import LoadResult
from svclint.kube.selectors import LabelSelector


def unit_with_service(load: LoadResult, namespace: str | None, name: str) -> str | None:
    """Another unit of the run that defines the Service this unit lacks."""
    return load.elsewhere.get((namespace or "", name))


def unit_with_pods(load: LoadResult, namespace: str | None, selector: Mapping[str, str] | LabelSelector) -> str | None:
    """Another unit whose pod templates in ``namespace`` match ``selector`` (a Service's, or a
    NetworkPolicy's); the caller has found none of this unit's that do."""
    if not selector:
        return None
    for unit, pod_namespace, labels in load.pods_elsewhere:
        if pod_namespace == (namespace or "") and _matches(selector, labels):
            return unit
    return _unrendered_with(load, selector)


def _unrendered_with(load: LoadResult, selector: Mapping[str, str] | LabelSelector) -> str | None:
    """A chart or kustomization of the run that was not rendered and whose files write every
    label of ``selector`` (its namespace is unknown until it is installed); only plain labels
    count, no expression (loading/unrendered.py)."""
    if isinstance(selector, LabelSelector):
        if selector.requirements or not selector.match_labels:
            return None
        wanted = set(selector.match_labels)
    else:
        wanted = set(selector.items())
    for name, labels in (*load.unrendered, *load.unrendered_elsewhere):
        if wanted <= labels:
            return f"{name} (not rendered: its files write these labels)"
    return None


def _matches(selector: Mapping[str, str] | LabelSelector, labels: Mapping[str, str]) -> bool:
    if isinstance(selector, LabelSelector):
        return selector.matches(labels)
    return all(labels.get(k) == v for k, v in selector.items())


def only_in(unit: str, what: str) -> str:
    """The hint a finding ends with."""
    return f"; {what} only in another deployment unit of this run, {unit}"
