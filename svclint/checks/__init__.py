"""Built-in rules, one module each, listed explicitly (no import-time registration)."""

from __future__ import annotations

from ..rule import Rule
from .svc001_yaml_syntax_error import YamlSyntaxError
from .svc002_invalid_object import InvalidObject
from .svc003_duplicate_object import DuplicateObject
from .svc007_unused_suppression import UnusedSuppression
from .svc101_service_selects_nothing import ServiceSelectsNothing
from .svc102_service_without_endpoints import ServiceWithoutEndpoints
from .svc103_workload_selector_mismatch import WorkloadSelectorMismatch
from .svc201_nodeport_out_of_range import NodePortOutOfRange
from .svc202_nodeport_conflict import NodePortConflict

BUILTIN_RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    InvalidObject,
    DuplicateObject,
    UnusedSuppression,
    ServiceSelectsNothing,
    NodePortOutOfRange,
    NodePortConflict,
    ServiceWithoutEndpoints,
    WorkloadSelectorMismatch,
)
