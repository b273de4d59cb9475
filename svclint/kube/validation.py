"""The API server's name and number grammars, with its exact messages.

Ported from k8s.io/apimachinery pkg/util/validation/validation.go (IsDNS1035Label,
IsDNS1123Label, IsDNS1123Subdomain, IsValidPortName, IsValidPortNum) so a finding can quote
what ``kubectl apply`` would print. Each function returns the list of failed checks (empty:
valid), as the Go functions do.
"""

from __future__ import annotations

import re
from typing import Any

PROTOCOLS = ("SCTP", "TCP", "UDP")  # sorted, as sets.List renders them
SUPPORTED_PROTOCOLS = 'supported values: "SCTP", "TCP", "UDP"'
PORT_RANGE_MESSAGE = "must be between 1 and 65535, inclusive"

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE = re.compile(rf"^{_DNS1123_LABEL}$")
_DNS1123_SUBDOMAIN_RE = re.compile(rf"^{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*$")
_DNS1035_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME_CHARSET_RE = re.compile(r"^[-a-z0-9]+$")
_PORT_NAME_LETTER_RE = re.compile(r"[a-z]")

DNS1035_LABEL_MESSAGE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
    "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def is_dns1035_label(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append(max_len_error(63))
    if not _DNS1035_LABEL_RE.match(value):
        errors.append(DNS1035_LABEL_MESSAGE)
    return errors


def is_dns1123_label(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append(max_len_error(63))
    if not _DNS1123_LABEL_RE.match(value):
        # A valid subdomain that is not a valid label can only be one with dots.
        errors.append("must not contain dots" if _DNS1123_SUBDOMAIN_RE.match(value) else DNS1123_LABEL_MESSAGE)
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    errors = []
    if len(value) > 253:
        errors.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        errors.append(DNS1123_SUBDOMAIN_MESSAGE)
    return errors


def is_valid_port_name(value: str) -> list[str]:
    """IANA_SVC_NAME (RFC 6335): container port names and string targetPorts."""
    errors = []
    if len(value) > 15:
        errors.append(max_len_error(15))
    if not _PORT_NAME_CHARSET_RE.match(value):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER_RE.search(value):
        errors.append("must contain at least one letter (a-z)")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def is_valid_port_num(value: int) -> bool:
    return 1 <= value <= 65535


def go_value(value: Any) -> str:
    """A value as field.Invalid prints it: strings %q-quoted, numbers and bools bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    return str(value)


def dns_label_suggestion(value: str, allow_leading_digit: bool = False) -> str | None:
    """A nearby valid name (``Web_API`` -> ``web-api``), or None when nothing sensible is left."""
    name = re.sub(r"[^a-z0-9-]+", "-", value.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")[:63].strip("-")
    if not name:
        return None
    if not allow_leading_digit and not name[0].isalpha():
        name = ("svc-" + name)[:63].rstrip("-")
    return name


def protocol_hint(value: Any) -> str:
    """What to write instead of an unsupported protocol value."""
    if isinstance(value, str) and value.upper() in PROTOCOLS:
        return f'write "{value.upper()}": protocols are case-sensitive'
    if isinstance(value, str) and value.upper() in ("HTTP", "HTTPS", "HTTP2", "H2C", "GRPC", "WS", "WSS", "TLS"):
        return 'use "TCP" (an application protocol such as HTTP belongs in appProtocol on a Service port)'
    return 'use "TCP", "UDP" or "SCTP"'
