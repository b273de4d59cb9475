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
    UnusedSuppression,
    ServiceSelectsNothing,
    NodePortOutOfRange,
    NodePortConflict,
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
