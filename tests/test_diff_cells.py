"""`svclint diff` compares only the cells a change can reach: held to the whole-matrix comparison.

Every routing fixture, with each of its documents dropped in turn (a policy, a Service, a
workload, a Namespace, an Ingress going away, or, read the other way round, arriving):
the narrowed comparison must find exactly the cells the comparison of every cell finds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.api import review
from svclint.review.connectivity import unit_changes
from svclint.settings import Settings

from .conftest import FIXTURES

FILES = sorted((FIXTURES / "routing").glob("*.yaml")) + sorted((FIXTURES / "scenarios").rglob("*.yaml"))


def _graph(directory: Path):  # type: ignore[no-untyped-def]
    side = review([str(directory)], Settings(), cwd=str(directory))
    assert len(side.units) == 1
    return side.units[0][1]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_narrowed_cells_equal_every_cell(path: Path, tmp_path: Path) -> None:
    documents = path.read_text(encoding="utf-8").split("\n---\n")
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    (old_dir / "m.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    old = _graph(old_dir)
    settings = Settings()
    for index in range(len(documents)):
        new_dir = tmp_path / f"new{index}"
        new_dir.mkdir()
        (new_dir / "m.yaml").write_text("\n---\n".join(d for i, d in enumerate(documents) if i != index), encoding="utf-8")
        new = _graph(new_dir)
        for before, after in ((old, new), (new, old)):
            narrowed = unit_changes("u", before, after, settings)
            full = unit_changes("u", before, after, settings, every_cell=True)
            assert narrowed == full, (path.name, index)


def test_the_comparison_sees_changes_at_all(tmp_path: Path) -> None:
    """The equality above is not vacuous: dropping the cart Deployment of the shop moves cells."""
    shop = FIXTURES / "review" / "shop"
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    services = (shop / "services.yaml").read_text(encoding="utf-8")
    workloads = (shop / "workloads.yaml").read_text(encoding="utf-8")
    (old_dir / "m.yaml").write_text(workloads + "---\n" + services, encoding="utf-8")
    (new_dir / "m.yaml").write_text(workloads.split("\n---\n")[0] + "\n---\n" + services, encoding="utf-8")
    changes = unit_changes("u", _graph(old_dir), _graph(new_dir), Settings())
    assert [(c.source, c.destination, c.before, c.after) for c in changes] == [
        ("default/cart[Deployment]", "default/cart[Service]:7070/TCP", "allow", "absent"),
        ("default/cart[Deployment]", "default/frontend[Service]:8080/TCP", "allow", "absent"),
        ("default/frontend[Deployment]", "default/cart[Service]:7070/TCP", "allow", "no-endpoints"),
        ("external", "default/cart[Service]:7070/TCP", "deny", "no-endpoints"),
        ("ingress-controller", "default/cart[Service]:7070/TCP", "allow", "no-endpoints"),
    ]
    assert {c.what for change in changes for c in change.causes} == {"Deployment default/cart removed"}
