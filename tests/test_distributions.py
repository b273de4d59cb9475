"""svclint.distributions reads what is installed without importing importlib.metadata (25 ms
of a warm run): it must answer what importlib.metadata answers, and ask it whenever its own
reading could miss something."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from svclint import distributions

from .conftest import REPO


def _dist_info(site: Path, name: str, version: str, entry_points: str | None = None) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_every_installed_distribution_has_the_version_importlib_metadata_gives() -> None:
    found = distributions.installed()
    assert found.complete  # this test environment: plain site-packages directories
    expected: dict[str, str] = {}
    for dist in metadata.distributions():
        expected.setdefault(distributions.normalized(dist.metadata["Name"]), dist.version)
    assert found.versions == expected
    assert distributions.version("svclint") == metadata.version("svclint")
    assert distributions.version("no-such-distribution-here") is None


def test_entry_points_are_found_and_their_absence_is_told_without_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not distributions.has_entry_points("svclint.rules.test-group")
    site = tmp_path / "site"
    _dist_info(site, "quiet_tool", "2.0", "[console_scripts]\nquiet = quiet_tool:main\n")
    monkeypatch.syspath_prepend(str(site))
    assert distributions.version("Quiet-Tool") == "2.0"  # the path changed: read again
    assert not distributions.has_entry_points("svclint.rules.test-group")
    _dist_info(site, "acme_rules", "1.5", "[svclint.rules.test-group]\nacme = acme_rules:RULES\n")
    assert distributions.has_entry_points("svclint.rules.test-group")  # a directory added: read again
    assert distributions.version("acme-rules") == "1.5"


def test_a_path_entry_it_cannot_read_defers_to_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    egg = tmp_path / "packed.egg"
    egg.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: a path entry that is a file
    monkeypatch.syspath_prepend(str(egg))
    assert not distributions.installed().complete
    assert distributions.version("svclint") == metadata.version("svclint")
    develop = tmp_path / "develop"
    (develop / "legacy.egg-info").mkdir(parents=True)  # no version in the name
    monkeypatch.syspath_prepend(str(develop))
    assert not distributions.installed().complete


def test_a_run_that_reprints_its_record_does_not_import_importlib_metadata(tmp_path: Path) -> None:
    probe = (
        "import json, sys\nfrom svclint.cli import main\nmain(sys.argv[1:])\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", probe, "check", "fixtures/examples/shop", "--isolated", "-f", "json", "--cache-dir", str(tmp_path)]
    for _ in range(2):  # the first run records, the second reprints
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "svclint.distributions" in modules and "importlib.metadata" not in modules
