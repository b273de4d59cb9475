"""The shipped field trees are exactly what scripts/gen_field_trees.py writes from the pinned schemas."""

from __future__ import annotations

import importlib.util
from importlib.metadata import version

import pytest

from svclint.kube.fieldtree import DATA_FILE, choose_version, field_tree, shipped_versions

from .conftest import REPO


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_field_trees", REPO / "scripts" / "gen_field_trees.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_file_is_the_generators_output_for_the_pinned_source() -> None:
    generator = _generator()
    installed = version("kubernetes-validate")
    if installed != generator.PINNED:
        pytest.skip(f"kubernetes-validate {installed} installed; the file is generated from {generator.PINNED}")
    text = generator.render(generator.generate(generator.schema_root(), installed))
    with open(DATA_FILE, encoding="utf-8") as handle:
        assert handle.read() == text


def test_versions_and_choice() -> None:
    versions = shipped_versions()
    assert versions[0] == (1, 25) and versions[-1] == (1, 37)
    assert versions[choose_version("1.31")] == (1, 31)
    assert versions[choose_version("v1.31.4")] == (1, 31)
    assert versions[choose_version("1.20")] == (1, 25)  # older than every shipped one: the oldest
    assert versions[choose_version("1.40")] == (1, 37)


def test_fields_follow_the_version() -> None:
    # trafficDistribution arrived in 1.30's ServiceSpec; NetworkPolicy had a status in 1.25-1.27.
    spec_129 = field_tree("1.29").root("v1", "Service")
    spec_131 = field_tree("1.31").root("v1", "Service")
    assert spec_129 is not None and spec_131 is not None
    assert "trafficDistribution" not in spec_129.fields["spec"].fields  # type: ignore[union-attr]
    assert "trafficDistribution" in spec_131.fields["spec"].fields  # type: ignore[union-attr]
    policy_125, policy_137 = (field_tree(v).root("networking.k8s.io/v1", "NetworkPolicy") for v in ("1.25", "1.37"))
    assert policy_125 is not None and "status" in policy_125.fields
    assert policy_137 is not None and "status" not in policy_137.fields
    union = field_tree(None).root("networking.k8s.io/v1", "NetworkPolicy")
    assert union is not None and "status" in union.fields  # no --kube-version: known in some version


def test_custom_resources_and_unknown_versions_have_no_tree() -> None:
    tree = field_tree(None)
    assert tree.root("monitoring.coreos.com/v1", "ServiceMonitor") is None
    assert tree.root("extensions/v1beta1", "Ingress") is None
    assert tree.root("apps/v1", "Deployment") is not None
