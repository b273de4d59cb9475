"""The API server's name and number grammars, with its exact messages.

Ported from k8s.io/apimachinery pkg/util/validation/validation.go (IsDNS1035Label,
IsDNS1123Label, IsDNS1123Subdomain, IsValidPortName, IsValidPortNum) so a finding can quote
what ``kubectl apply`` would print. Each function returns the list of failed checks (empty:
valid), as the Go functions do.
"""

from __future__ import annotations

import ipaddress
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


# k8s.io/apimachinery pkg/util/validation/validation.go: IsQualifiedName, IsValidLabelValue.
_QUALIFIED_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_RE = re.compile(rf"^{_QUALIFIED_NAME}$")
QUALIFIED_NAME_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def is_qualified_name(value: str) -> list[str]:
    """IsQualifiedName: ``[prefix/]name``, prefix a DNS-1123 subdomain, name at most 63 characters."""
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
        errors: list[str] = []
    elif len(parts) == 2:
        prefix, name = parts
        errors = []
        if not prefix:
            errors.append("prefix part " + "must be non-empty")
        else:
            errors += ["prefix part " + m for m in is_dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name " + QUALIFIED_NAME_MESSAGE.replace("name part ", "", 1)
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + max_len_error(63))
    if name and not _QUALIFIED_NAME_RE.match(name):
        errors.append(QUALIFIED_NAME_MESSAGE)
    return errors


def is_valid_label_value(value: str) -> list[str]:
    errors = []
    if len(value) > 63:
        errors.append(max_len_error(63))
    if value and not _QUALIFIED_NAME_RE.match(value):
        errors.append(LABEL_VALUE_MESSAGE)
    return errors


IP_MESSAGE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as k8s.io/utils/net ParseIPSloppy reads it (IPv4 octets may have leading zeros)."""
    if "." in value and ":" not in value:
        octets = value.split(".")
        if len(octets) != 4 or not all(o.isdigit() and o.isascii() and len(o) <= 3 for o in octets):
            return None
        value = ".".join(str(int(o)) for o in octets)
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR as ParseCIDRSloppy reads it (host bits may be set), or None."""
    address, slash, bits = value.partition("/")
    if not slash or not bits.isdigit() or not bits.isascii():
        return None
    ip = parse_ip(address)
    if ip is None or int(bits) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{ip}/{int(bits)}", strict=False)


def special_ip_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """validateNonSpecialIP (pkg/apis/core/validation): addresses an external IP may not be."""
    if ip.is_unspecified:
        return "may not be unspecified (0.0.0.0)" if ip.version == 4 else "may not be unspecified (::)"
    if ip.is_loopback:
        return "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    if ip in ipaddress.ip_network("169.254.0.0/16") or ip in ipaddress.ip_network("fe80::/10"):
        return "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
    if ip in ipaddress.ip_network("224.0.0.0/24") or ip in ipaddress.ip_network("ff02::/16"):
        return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
    return None
