"""Before anything is loaded: a selected rule that cannot run is an error, not a silent skip."""

from __future__ import annotations

from svclint.lint.catalog import Catalog
from svclint.lint.engine import decide
from svclint.settings import Settings

SCHEMA_RULE = "SVC004"  # schema-violation needs Kubernetes JSON schemas


class SetupError(Exception):
    """A selected rule cannot run as set up; the message says what to install or change."""


def check_setup(catalog: Catalog, settings: Settings) -> None:
    """Raise SetupError when SVC004 is selected without usable schemas (or with a bad --kube-version)."""
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
