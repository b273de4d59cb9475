"""Port sets per protocol and IP address sets: the values a NetworkPolicy rule allows.

Both are canonical tuples of disjoint, sorted, inclusive intervals, so equal sets compare
equal and hash alike (the connlist groups by them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PROTOCOLS = ("SCTP", "TCP", "UDP")  # the protocols Kubernetes accepts, in print order
MAX_PORT = 65535

Intervals = tuple[tuple[int, int], ...]


def _normalise(intervals: Iterable[tuple[int, int]]) -> Intervals:
    out: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _contains(intervals: Intervals, value: int) -> bool:
    return any(lo <= value <= hi for lo, hi in intervals)


@dataclass(frozen=True)
class PortSet:
    """Allowed ports per protocol: ((protocol, intervals), ...) with empty protocols dropped."""

    items: tuple[tuple[str, Intervals], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[tuple[int, int]]]) -> PortSet:
        items = []
        for proto in PROTOCOLS:
            intervals = _normalise(mapping.get(proto, ()))
            if intervals:
                items.append((proto, intervals))
        return cls(tuple(items))

    @classmethod
    def single(cls, protocol: str, lo: int, hi: int | None = None) -> PortSet:
        return cls.of({protocol: [(lo, hi if hi is not None else lo)]})

    def as_dict(self) -> dict[str, Intervals]:
        return dict(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __or__(self, other: PortSet) -> PortSet:
        if not other.items:
            return self
        if not self.items:
            return other
        mine, theirs = self.as_dict(), other.as_dict()
        return PortSet.of({p: mine.get(p, ()) + theirs.get(p, ()) for p in PROTOCOLS})

    def __and__(self, other: PortSet) -> PortSet:
        mine, theirs = self.as_dict(), other.as_dict()
        return PortSet.of({p: _intersect(mine[p], theirs[p]) for p in PROTOCOLS if p in mine and p in theirs})

    def contains(self, protocol: str, port: int) -> bool:
        for proto, intervals in self.items:
            if proto == protocol:
                return _contains(intervals, port)
        return False

    @property
    def is_all(self) -> bool:
        return self == ALL_PORTS

    def text(self) -> str:
        """netpol-analyzer's connection text: ``All Connections`` or ``TCP 80,8000-9000,UDP 53``."""
        if self.is_all:
            return "All Connections"
        if not self.items:
            return "No Connections"
        parts = []
        for proto, intervals in self.items:
            ranges = ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in intervals)
            parts.append(f"{proto} {ranges}")
        return ",".join(parts)


ALL_PORTS = PortSet.of({p: [(1, MAX_PORT)] for p in PROTOCOLS})
NO_PORTS = PortSet()


# -- IP addresses ---------------------------------------------------------------------------

IPV4_MAX = 2**32 - 1
IPV6_MAX = 2**128 - 1


@dataclass(frozen=True)
class IPSet:
    """A set of addresses outside the cluster: IPv4 and IPv6 interval tuples."""

    v4: Intervals = ()
    v6: Intervals = ()

    @classmethod
    def cidr(cls, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> IPSet:
        span = ((int(network.network_address), int(network.broadcast_address)),)
        return cls(v4=span) if network.version == 4 else cls(v6=span)

    def __bool__(self) -> bool:
        return bool(self.v4 or self.v6)

    def __or__(self, other: IPSet) -> IPSet:
        if not other:
            return self
        if not self:
            return other
        return IPSet(_normalise(self.v4 + other.v4), _normalise(self.v6 + other.v6))

    def __and__(self, other: IPSet) -> IPSet:
        return IPSet(_intersect(self.v4, other.v4), _intersect(self.v6, other.v6))

    def __sub__(self, other: IPSet) -> IPSet:
        return IPSet(_subtract(self.v4, other.v4, IPV4_MAX), _subtract(self.v6, other.v6, IPV6_MAX))

    @property
    def is_all(self) -> bool:
        return self == ALL_IPS

    def text(self) -> str:
        """``0.0.0.0/0`` style summary: every interval as a-b (IPv4 first)."""
        if self.is_all:
            return "0.0.0.0/0 and ::/0"
        parts = [_range_text(lo, hi, 4) for lo, hi in self.v4] + [_range_text(lo, hi, 6) for lo, hi in self.v6]
        return ", ".join(parts) if parts else "no address"


def _subtract(a: Intervals, b: Intervals, top: int) -> Intervals:
    complement = []
    start = 0
    for lo, hi in b:
        if lo > start:
            complement.append((start, lo - 1))
        start = hi + 1
    if start <= top:
        complement.append((start, top))
    return _intersect(a, tuple(complement))


def _range_text(lo: int, hi: int, version: int) -> str:
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return f"{make(lo)}-{make(hi)}"


def range_text_v4(lo: int, hi: int) -> str:
    return _range_text(lo, hi, 4)


ALL_IPS = IPSet(((0, IPV4_MAX),), ((0, IPV6_MAX),))
NO_IPS = IPSet()
