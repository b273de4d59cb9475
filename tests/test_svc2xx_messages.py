"""Exact SVC2xx messages (the API server's own wording plus the fix) and the name grammars."""

from __future__ import annotations

import pytest

from svclint.kube.validation import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_port_name,
)

from .conftest import run_cli


def _messages(path: str, rule: str) -> list[tuple[int, str]]:
    run = run_cli("check", path, "--isolated", "-f", "json", "--select", rule, "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    return [(f["line"], f["message"]) for f in run.json()["findings"]]


def test_service_name_message_is_the_api_servers_with_a_suggestion() -> None:
    (line, message), = _messages("fixtures/rules/SVC211/bad.yaml", "SVC211")
    assert line == 4
    assert message == (
        'Service name "Web_API" is invalid: a DNS-1035 label must consist of lower case alphanumeric '
        "characters or '-', start with an alphabetic character, and end with an alphanumeric character "
        "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'); "
        "rename it, e.g. to 'web-api'"
    )


def test_protocol_messages_list_the_supported_values() -> None:
    assert _messages("fixtures/rules/SVC207/bad.yaml", "SVC207") == [
        (13, 'protocol "udp" is not supported (supported values: "SCTP", "TCP", "UDP"); '
             'write "UDP": protocols are case-sensitive'),
        (16, 'protocol "HTTP" is not supported (supported values: "SCTP", "TCP", "UDP"); use "TCP" '
             "(an application protocol such as HTTP belongs in appProtocol on a Service port)"),
    ]


def test_quoted_target_port_and_long_port_name() -> None:
    assert _messages("fixtures/rules/SVC206/bad.yaml", "SVC206") == [
        (12, 'targetPort "8080" is not a valid port name: must contain at least one letter (a-z); '
             "a quoted number is a port *name*: write targetPort: 8080 without quotes"),
        (31, 'port name "http-metrics-port" is not a valid port name: must be no more than 15 characters; '
             "shorten it to at most 15 characters (e.g. metrics, http, grpc-web)"),
    ]


def test_external_name_fix_suggests_the_host() -> None:
    (_, message), = _messages("fixtures/rules/SVC213/bad.yaml", "SVC213")
    assert message.endswith(
        "drop the scheme, put the port in spec.ports, not in the name, use lowercase: "
        "externalName: billing-db.example.com"
    )


def test_port_name_messages() -> None:
    messages = dict(_messages("fixtures/rules/SVC205/bad.edge-cases.yaml", "SVC205"))
    assert messages[12] == 'port name "web.http" is invalid: must not contain dots; use e.g. \'web-http\''
    assert messages[14] == 'port name 443 is not a string; quote it (name: "443") so YAML keeps it text'
    assert messages[11].startswith("port 80 needs a name because the Service has 5 ports (spec.ports[0].name: Required value)")


def test_timeout_86400_is_valid_and_86401_is_not() -> None:
    messages = dict(_messages("fixtures/rules/SVC212/bad.edge-cases.yaml", "SVC212"))
    assert messages[55] == (
        "timeoutSeconds 86401 must be greater than 0 and at most 86400 (one day); "
        "use a value in 1-86400, or omit it for the default 10800"
    )
    assert _messages("fixtures/rules/SVC212/good.edge-cases.yaml", "SVC212") == []


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("http", []),
        ("h2c", []),
        ("8080", ["must contain at least one letter (a-z)"]),
        ("metrics-endpoint", ["must be no more than 15 characters"]),
        ("http--alt", ["must not contain consecutive hyphens"]),
        ("-http", ["must not begin or end with a hyphen"]),
        ("HTTP", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"]),
    ],
)
def test_iana_service_names(name: str, problems: list[str]) -> None:
    assert is_valid_port_name(name) == problems


def test_dns_grammars() -> None:
    assert is_dns1123_label("443") == []
    assert is_dns1123_label("a" * 63) == [] and is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert is_dns1123_label("web.http") == ["must not contain dots"]
    assert is_dns1035_label("web-1") == [] and is_dns1035_label("1web") != []
    assert is_dns1123_subdomain("10.0.0.5") == []  # an IP literal passes, as in the API server
    assert is_dns1123_subdomain("db.example.com") == [] and is_dns1123_subdomain("DB.example.com") != []
