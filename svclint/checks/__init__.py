"""Built-in rules, one module each, listed explicitly (no import-time registration)."""

from __future__ import annotations

from ..rule import Rule
from .svc001_yaml_syntax_error import YamlSyntaxError
from .svc002_invalid_object import InvalidObject
from .svc003_duplicate_object import DuplicateObject
from .svc007_unused_suppression import UnusedSuppression
from .svc101_service_selects_nothing import ServiceSelectsNothing
from .svc201_nodeport_out_of_range import NodePortOutOfRange
from .svc202_nodeport_conflict import NodePortConflict
from .svc301_ingress_service_missing import IngressServiceMissing
from .svc302_ingress_service_port_missing import IngressServicePortMissing
from .svc303_ingress_backend_unroutable import IngressBackendUnroutable
from .svc304_httproute_backend_missing import HTTPRouteBackendMissing

BUILTIN_RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    InvalidObject,
    DuplicateObject,
    UnusedSuppression,
    ServiceSelectsNothing,
    NodePortOutOfRange,
    NodePortConflict,
    IngressServiceMissing,
    IngressServicePortMissing,
    IngressBackendUnroutable,
    HTTPRouteBackendMissing,
)
