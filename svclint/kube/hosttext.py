"""Host names in a configuration value: ``host:port``, URLs, broker lists, bare names.

Only the shapes of the text are decided here (kube/references.py decides what a shape
means for a pod). Conservative: a token is read only when it is a whole address, never
a name inside prose; localhost, IP addresses and anything holding an unexpanded
variable are not hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# scheme://[userinfo@]hosts[/path]; jdbc:postgresql:// has two schemes.
URL = re.compile(r"^(?P<scheme>(?:[a-z][a-z0-9+.-]*:)*[a-z][a-z0-9+.-]*)://(?:[^@/?#\s]*@)?(?P<hosts>[^/?#\s]*)", re.I)
HOST_PORT = re.compile(r"^(?P<host>[a-z0-9][a-z0-9.-]*):(?P<port>[0-9]{1,5})$", re.I)
BARE = re.compile(r"^[a-z0-9][a-z0-9.-]*$", re.I)
FLAG = re.compile(r"^(?P<flag>-{1,2}[a-z0-9][\w.-]*|-D[\w.-]+)=", re.I)
IPV4 = re.compile(r"^[0-9.]+$")
# The port a client uses when a URL names none (the schemes' registered defaults).
DEFAULT_PORTS = {
    "http": 80, "ws": 80, "https": 443, "wss": 443, "redis": 6379, "rediss": 6379,
    "postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306, "amqp": 5672,
    "amqps": 5671, "mongodb": 27017, "nats": 4222, "memcached": 11211,
}

# Schemes whose ``//authority`` names no network host: a bucket (``s3://mlpipeline``), a
# volume claim or a model (KServe's ``pvc://``, ``hf://``), a trust domain (``spiffe://``), an
# API path (Istio's ``ISTIO_META_OWNER=kubernetes://apis/apps/v1/...``), a file or socket.
NOT_HOST_SCHEMES = frozenset(
    {
        "file", "unix", "unix-abstract", "kubernetes", "k8s", "spiffe", "s3", "s3a", "s3n", "gs", "gcs",
        "az", "azure", "abfs", "abfss", "wasb", "wasbs", "pvc", "hf", "docker", "oci", "data", "mem", "memory",
    }
)

URL_FORM, HOST_PORT_FORM, NAME_FORM = "url", "host:port", "name"


@dataclass(frozen=True)
class HostPort:
    host: str
    port: int | None
    form: str  # url, host:port, name
    flag: str = ""  # the --flag= the token followed, if any


def is_local(host: str) -> bool:
    """localhost, an IP address, or an empty host: never a Service."""
    host = host.lower().rstrip(".")
    return not host or host == "localhost" or host.endswith(".localhost") or bool(IPV4.match(host)) or host.startswith("[")


def hosts_in(text: str) -> list[HostPort]:
    """Every whole address in ``text``, token by token (whitespace separates tokens)."""
    out: list[HostPort] = []
    for raw in text.split():
        token = raw.strip("'\"")
        flag = ""
        match = FLAG.match(token)
        if match:
            flag, token = match.group("flag"), token[match.end():]
        out.extend(_token(token, flag))
    return out


def _token(token: str, flag: str) -> list[HostPort]:
    if "$" in token or "{" in token:
        return []  # an unexpanded variable or template: not a host yet
    url = URL.match(token)
    if url:
        scheme = url.group("scheme").lower().rsplit(":", 1)[-1]
        if scheme in NOT_HOST_SCHEMES:
            return []
        default = DEFAULT_PORTS.get(scheme)
        return [hp for item in url.group("hosts").split(",") if (hp := _host_port(item, default, URL_FORM, flag))]
    if "," in token:  # a broker list: host:port items only
        return [hp for item in token.split(",") if HOST_PORT.match(item) and (hp := _host_port(item, None, HOST_PORT_FORM, flag))]
    if HOST_PORT.match(token):
        found = _host_port(token, None, HOST_PORT_FORM, flag)
        return [found] if found else []
    if BARE.match(token) and not is_local(token) and not token.isdigit():
        return [HostPort(token.lower(), None, NAME_FORM, flag)]
    return []


def _host_port(item: str, default: int | None, form: str, flag: str) -> HostPort | None:
    host, colon, port = item.rpartition(":") if ":" in item and not item.endswith("]") else (item, "", "")
    if not colon:
        host = item
    if is_local(host) or not BARE.match(host):
        return None
    if colon:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            return None
        return HostPort(host.lower(), int(port), form, flag)
    return HostPort(host.lower(), default, form, flag)
