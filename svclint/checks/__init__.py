"""Built-in rules, one module each, listed explicitly (no import-time registration)."""

from __future__ import annotations

from ..rule import Rule
from .svc001_yaml_syntax_error import YamlSyntaxError
from .svc002_invalid_object import InvalidObject
from .svc003_duplicate_object import DuplicateObject
from .svc004_schema_violation import SchemaViolation
from .svc005_unrendered_template import UnrenderedTemplate
from .svc006_implicit_yaml_type import ImplicitYamlType
from .svc007_unused_suppression import UnusedSuppression
from .svc101_service_selects_nothing import ServiceSelectsNothing
from .svc201_nodeport_out_of_range import NodePortOutOfRange
from .svc202_nodeport_conflict import NodePortConflict

BUILTIN_RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    InvalidObject,
    DuplicateObject,
    SchemaViolation,
    UnrenderedTemplate,
    ImplicitYamlType,
    UnusedSuppression,
    ServiceSelectsNothing,
    NodePortOutOfRange,
    NodePortConflict,
)
