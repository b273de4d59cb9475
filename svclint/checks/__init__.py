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
from .svc104_named_target_port_unresolved import NamedTargetPortUnresolved
from .svc105_target_port_not_declared import TargetPortNotDeclared
from .svc106_target_port_protocol_mismatch import TargetPortProtocolMismatch
from .svc107_named_target_port_inconsistent import NamedTargetPortInconsistent
from .svc108_statefulset_service_invalid import StatefulSetServiceInvalid
from .svc109_service_selects_multiple_workloads import ServiceSelectsMultipleWorkloads
from .svc110_service_backend_scaled_to_zero import ServiceBackendScaledToZero
from .svc111_service_backend_without_readiness_probe import ServiceBackendWithoutReadinessProbe
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
    ServiceWithoutEndpoints,
    WorkloadSelectorMismatch,
    NamedTargetPortUnresolved,
    TargetPortNotDeclared,
    TargetPortProtocolMismatch,
    NamedTargetPortInconsistent,
    StatefulSetServiceInvalid,
    ServiceSelectsMultipleWorkloads,
    ServiceBackendScaledToZero,
    ServiceBackendWithoutReadinessProbe,
    IngressServiceMissing,
    IngressServicePortMissing,
    IngressBackendUnroutable,
    HTTPRouteBackendMissing,
)
