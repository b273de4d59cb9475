"""Before anything is loaded: a selected rule that cannot run is an error, not a silent skip."""

from __future__ import annotations

from svclint.kube.fieldtree import parse_kube_version
from svclint.lint.catalog import Catalog
from svclint.lint.engine import decide
from svclint.settings import Settings

SCHEMA_RULE = "SVC004"  # schema-violation needs Kubernetes JSON schemas


class SetupError(Exception):
    """A selected rule cannot run as set up; the message says what to install or change."""


def check_setup(catalog: Catalog, settings: Settings) -> None:
    """Raise SetupError when SVC004 is selected without usable schemas, or --kube-version is not a version."""
    if settings.kube_version is not None and parse_kube_version(settings.kube_version) is None:
        raise SetupError(f"--kube-version {settings.kube_version!r}: expected MAJOR.MINOR such as 1.31")
    if not any(active.rule.id == SCHEMA_RULE for active in decide(catalog, settings)):
        return
    # Only when SVC004 runs: jsonschema costs 0.1 s to import.
    from svclint.kube.schemas import SchemaSetupError, load_schema_set
    from svclint.lint.checks.svc004_schema_violation import INSTALL_HINT

    try:
        schemas = load_schema_set(settings.kube_version, settings.schema_dirs)
    except SchemaSetupError as error:
        raise SetupError(str(error)) from None
    if schemas is None:
        raise SetupError(f"SVC004 (schema-violation) is selected but no Kubernetes JSON schemas are installed: {INSTALL_HINT}")
