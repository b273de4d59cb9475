"""Built-in rules, one module each, listed explicitly (no import-time registration)."""

from __future__ import annotations

from svclint.lint.checks.svc001_yaml_syntax_error import YamlSyntaxError
from svclint.lint.checks.svc002_invalid_object import InvalidObject
from svclint.lint.checks.svc003_duplicate_object import DuplicateObject
from svclint.lint.checks.svc004_schema_violation import SchemaViolation
from svclint.lint.checks.svc005_unrendered_template import UnrenderedTemplate
from svclint.lint.checks.svc006_implicit_yaml_type import ImplicitYamlType
from svclint.lint.checks.svc007_unused_suppression import UnusedSuppression
from svclint.lint.checks.svc008_unknown_field import UnknownField
from svclint.lint.checks.svc009_not_checked import NotChecked
from svclint.lint.checks.svc101_service_selects_nothing import ServiceSelectsNothing
from svclint.lint.checks.svc102_service_without_endpoints import ServiceWithoutEndpoints
from svclint.lint.checks.svc103_workload_selector_mismatch import (
    WorkloadSelectorMismatch,
)
from svclint.lint.checks.svc104_named_target_port_unresolved import (
    NamedTargetPortUnresolved,
)
from svclint.lint.checks.svc105_target_port_not_declared import TargetPortNotDeclared
from svclint.lint.checks.svc106_target_port_protocol_mismatch import (
    TargetPortProtocolMismatch,
)
from svclint.lint.checks.svc107_named_target_port_inconsistent import (
    NamedTargetPortInconsistent,
)
from svclint.lint.checks.svc108_statefulset_service_invalid import (
    StatefulSetServiceInvalid,
)
from svclint.lint.checks.svc109_service_selects_multiple_workloads import (
    ServiceSelectsMultipleWorkloads,
)
from svclint.lint.checks.svc110_service_backend_scaled_to_zero import (
    ServiceBackendScaledToZero,
)
from svclint.lint.checks.svc111_service_backend_without_readiness_probe import (
    ServiceBackendWithoutReadinessProbe,
)
from svclint.lint.checks.svc201_nodeport_out_of_range import NodePortOutOfRange
from svclint.lint.checks.svc202_nodeport_conflict import NodePortConflict
from svclint.lint.checks.svc203_nodeport_not_allowed import NodePortNotAllowed
from svclint.lint.checks.svc204_service_ports_invalid import ServicePortsInvalid
from svclint.lint.checks.svc205_service_port_name import ServicePortName
from svclint.lint.checks.svc206_invalid_port import InvalidPort
from svclint.lint.checks.svc207_invalid_protocol import InvalidProtocol
from svclint.lint.checks.svc208_hostport_conflict import HostPortConflict
from svclint.lint.checks.svc209_container_port_conflict import ContainerPortConflict
from svclint.lint.checks.svc210_cluster_ip_conflict import ClusterIPConflict
from svclint.lint.checks.svc211_service_name_invalid import ServiceNameInvalid
from svclint.lint.checks.svc212_field_not_allowed_for_type import FieldNotAllowedForType
from svclint.lint.checks.svc213_external_name_invalid import ExternalNameInvalid
from svclint.lint.checks.svc216_service_field_invalid import ServiceFieldInvalid
from svclint.lint.checks.svc301_ingress_service_missing import IngressServiceMissing
from svclint.lint.checks.svc302_ingress_service_port_missing import (
    IngressServicePortMissing,
)
from svclint.lint.checks.svc303_ingress_backend_unroutable import (
    IngressBackendUnroutable,
)
from svclint.lint.checks.svc304_httproute_backend_missing import HTTPRouteBackendMissing
from svclint.lint.checks.svc305_route_backend_missing import RouteBackendMissing
from svclint.lint.checks.svc401_networkpolicy_selects_nothing import (
    NetworkPolicySelectsNothing,
)
from svclint.lint.checks.svc402_networkpolicy_peer_selects_nothing import (
    NetworkPolicyPeerSelectsNothing,
)
from svclint.lint.checks.svc403_egress_blocks_dns import EgressBlocksDns
from svclint.lint.checks.svc404_service_unreachable import ServiceUnreachable
from svclint.lint.checks.svc405_exposed_service_blocked import ExposedServiceBlocked
from svclint.lint.checks.svc406_policy_uses_service_port import PolicyUsesServicePort
from svclint.lint.checks.svc407_policy_named_port_unresolved import (
    PolicyNamedPortUnresolved,
)
from svclint.lint.checks.svc408_obsolete_isolation_annotation import (
    ObsoleteIsolationAnnotation,
)
from svclint.lint.checks.svc409_networkpolicy_invalid import NetworkPolicyInvalid
from svclint.lint.checks.svc501_service_reference_unresolved import (
    ServiceReferenceUnresolved,
)
from svclint.lint.checks.svc502_service_reference_port_mismatch import (
    ServiceReferencePortMismatch,
)
from svclint.lint.checks.svc503_service_reference_blocked import ServiceReferenceBlocked
from svclint.lint.rule import Rule

BUILTIN_RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    InvalidObject,
    DuplicateObject,
    SchemaViolation,
    UnrenderedTemplate,
    ImplicitYamlType,
    UnusedSuppression,
    UnknownField,
    NotChecked,
    ServiceSelectsNothing,
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
    NodePortOutOfRange,
    NodePortConflict,
    NodePortNotAllowed,
    ServicePortsInvalid,
    ServicePortName,
    InvalidPort,
    InvalidProtocol,
    HostPortConflict,
    ContainerPortConflict,
    ClusterIPConflict,
    ServiceNameInvalid,
    FieldNotAllowedForType,
    ExternalNameInvalid,
    ServiceFieldInvalid,
    IngressServiceMissing,
    IngressServicePortMissing,
    IngressBackendUnroutable,
    HTTPRouteBackendMissing,
    RouteBackendMissing,
    NetworkPolicySelectsNothing,
    NetworkPolicyPeerSelectsNothing,
    EgressBlocksDns,
    ServiceUnreachable,
    ExposedServiceBlocked,
    PolicyUsesServicePort,
    PolicyNamedPortUnresolved,
    ObsoleteIsolationAnnotation,
    NetworkPolicyInvalid,
    ServiceReferenceUnresolved,
    ServiceReferencePortMismatch,
    ServiceReferenceBlocked,
)
