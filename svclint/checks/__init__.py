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
from .svc203_nodeport_not_allowed import NodePortNotAllowed
from .svc204_service_ports_invalid import ServicePortsInvalid
from .svc205_service_port_name import ServicePortName
from .svc206_invalid_port import InvalidPort
from .svc207_invalid_protocol import InvalidProtocol
from .svc208_hostport_conflict import HostPortConflict
from .svc209_container_port_conflict import ContainerPortConflict
from .svc210_cluster_ip_conflict import ClusterIPConflict
from .svc211_service_name_invalid import ServiceNameInvalid
from .svc212_field_not_allowed_for_type import FieldNotAllowedForType
from .svc213_external_name_invalid import ExternalNameInvalid
from .svc301_ingress_service_missing import IngressServiceMissing
from .svc302_ingress_service_port_missing import IngressServicePortMissing
from .svc303_ingress_backend_unroutable import IngressBackendUnroutable
from .svc304_httproute_backend_missing import HTTPRouteBackendMissing
from .svc401_networkpolicy_selects_nothing import NetworkPolicySelectsNothing
from .svc402_networkpolicy_peer_selects_nothing import NetworkPolicyPeerSelectsNothing
from .svc403_egress_blocks_dns import EgressBlocksDns
from .svc404_service_unreachable import ServiceUnreachable
from .svc405_exposed_service_blocked import ExposedServiceBlocked
from .svc406_policy_uses_service_port import PolicyUsesServicePort
from .svc407_policy_named_port_unresolved import PolicyNamedPortUnresolved
from .svc408_obsolete_isolation_annotation import ObsoleteIsolationAnnotation
from .svc409_networkpolicy_invalid import NetworkPolicyInvalid

BUILTIN_RULES: tuple[type[Rule], ...] = (
    YamlSyntaxError,
    InvalidObject,
    DuplicateObject,
    SchemaViolation,
    UnrenderedTemplate,
    ImplicitYamlType,
    UnusedSuppression,
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
    IngressServiceMissing,
    IngressServicePortMissing,
    IngressBackendUnroutable,
    HTTPRouteBackendMissing,
    NetworkPolicySelectsNothing,
    NetworkPolicyPeerSelectsNothing,
    EgressBlocksDns,
    ServiceUnreachable,
    ExposedServiceBlocked,
    PolicyUsesServicePort,
    PolicyNamedPortUnresolved,
    ObsoleteIsolationAnnotation,
    NetworkPolicyInvalid,
)
