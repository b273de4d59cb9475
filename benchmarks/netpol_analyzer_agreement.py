#!/usr/bin/env python3
"""How often ``svclint matrix -f connlist`` agrees with netpol-analyzer's expected output.

Reads a local copy of np-guard/netpol-analyzer given on the command line (its ``tests/``
and ``test_outputs/connlist/``; nothing of it is copied into this repository):

    python benchmarks/netpol_analyzer_agreement.py /path/to/netpol-analyzer [-v] [--case NAME]

A case is a directory ``tests/NAME`` with an expected ``test_outputs/connlist/NAME_connlist_output.txt``
(the plain ``list`` run: no focus workload, no other option). Only plain-Kubernetes cases
count: inputs with AdminNetworkPolicy/BaselineAdminNetworkPolicy, UserDefinedNetworks or
NetworkAttachmentDefinitions (secondary networks), KubeVirt, OpenShift (Route,
DeploymentConfig, ``*.openshift.io``) or Gateway API objects are left out; the cases left
out only for OpenShift Routes (which svclint models) are compared too, on a line of their own.

Both outputs are normalised before they are compared: outside peers are address ranges
that netpol-analyzer cuts at every CIDR any policy names, while svclint merges adjacent
ranges with the same connections; each (workload, direction) is rewritten as maximal runs
of addresses with the same connections. Connection lists are compared as sets of
``PROTOCOL port-or-range`` items. A case agrees when the normalised line sets are equal.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

EXCLUDED = re.compile(
    r"kind:\s*[\"']?(AdminNetworkPolicy|BaselineAdminNetworkPolicy|ClusterNetworkPolicy|UserDefinedNetwork|"
    r"ClusterUserDefinedNetwork|NetworkAttachmentDefinition|VirtualMachine|VirtualMachineInstance|Route|"
    r"DeploymentConfig|Gateway|GatewayClass|HTTPRoute|GRPCRoute)\b"
    r"|\"kind\":\s*\"(AdminNetworkPolicy|BaselineAdminNetworkPolicy|UserDefinedNetwork|ClusterUserDefinedNetwork|"
    r"NetworkAttachmentDefinition|VirtualMachine|Route|DeploymentConfig|Gateway|HTTPRoute|GRPCRoute)\""
    r"|kubevirt\.io|openshift\.io|gateway\.networking\.k8s\.io|k8s\.v1\.cni\.cncf\.io/networks"
)
RANGE = re.compile(r"^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\[External\]$")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def exclusions(case: Path) -> set[str]:
    """What makes a case not plain Kubernetes (empty: plain)."""
    found: set[str] = set()
    for root, _, files in os.walk(case):
        for name in files:
            if name.endswith(MANIFEST_SUFFIXES):
                text = Path(root, name).read_text(encoding="utf-8", errors="replace")
                found.update(re.sub(r"[\"':\s]|kind", "", m.group(0)) for m in EXCLUDED.finditer(text))
    return found


def plain_kubernetes(case: Path) -> bool:
    return not exclusions(case)


def openshift_routes_only(case: Path) -> bool:
    """Left out only for OpenShift Routes, which svclint models: reported on a line of their own."""
    found = exclusions(case)
    return bool(found) and found <= {"Route", "route.openshift.io", "openshift.io"}


def cases(root: Path) -> list[tuple[str, Path, Path]]:
    expected_dir = root / "test_outputs" / "connlist"
    out = []
    for case in sorted((root / "tests").iterdir()):
        expected = expected_dir / f"{case.name}_connlist_output.txt"
        if case.is_dir() and expected.is_file():
            out.append((case.name, case, expected))
    return out


def conns(text: str) -> frozenset[str]:
    """``TCP 80,8080,UDP 53`` -> {TCP 80, TCP 8080, UDP 53}; ``All Connections`` stays one item."""
    text = text.strip()
    if text in ("All Connections", "No Connections"):
        return frozenset({text})
    items, protocol = set(), ""
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if " " in part:
            protocol, part = part.split(" ", 1)
        items.add(f"{protocol} {part.strip()}")
    return frozenset(items)


def normalise(lines: list[str]) -> set[str]:
    """Lines with outside peers rewritten as maximal address runs per (workload, direction, connections)."""
    plain: set[str] = set()
    ranges: dict[tuple[str, str], list[tuple[int, int, frozenset[str]]]] = defaultdict(list)
    for line in lines:
        line = line.strip()
        if not line or " => " not in line:
            continue
        left, rest = line.split(" => ", 1)
        right, _, allowed = rest.partition(" : ")
        allowed_set = conns(allowed)
        for peer, other, direction in ((left, right, "egress"), (right, left, "ingress")):
            match = RANGE.match(peer)
            if match:
                lo, hi = (int(ipaddress.IPv4Address(x)) for x in match.groups())
                ranges[(other, direction)].append((lo, hi, allowed_set))
                break
        else:
            plain.add(f"{left} => {right} : {','.join(sorted(allowed_set))}")
    for (workload, direction), spans in ranges.items():
        spans.sort()
        merged: list[tuple[int, int, frozenset[str]]] = []
        for lo, hi, allowed_set in spans:
            if merged and merged[-1][2] == allowed_set and merged[-1][1] + 1 >= lo:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]), allowed_set)
            else:
                merged.append((lo, hi, allowed_set))
        for lo, hi, allowed_set in merged:
            peer = f"{ipaddress.IPv4Address(lo)}-{ipaddress.IPv4Address(hi)}[External]"
            pair = f"{workload} => {peer}" if direction == "egress" else f"{peer} => {workload}"
            plain.add(f"{pair} : {','.join(sorted(allowed_set))}")
    return plain


def svclint_lines(case: Path) -> tuple[list[str], str]:
    run = subprocess.run(
        [sys.executable, "-m", "svclint", "matrix", "--format", "connlist", str(case)],
        capture_output=True, text=True, check=False,
    )
    return run.stdout.splitlines(), run.stderr.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("netpol_analyzer", type=Path, help="a local copy of np-guard/netpol-analyzer")
    parser.add_argument("--case", action="append", default=[], help="only these cases (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the differing lines of each disagreeing case")
    args = parser.parse_args()
    selected = [c for c in cases(args.netpol_analyzer) if not args.case or c[0] in args.case]
    plain = [c for c in selected if plain_kubernetes(c[1])]
    routes = [c for c in selected if openshift_routes_only(c[1])]
    agree = sum(compare(name, case, expected, args.verbose) for name, case, expected in plain)
    routes_agree = sum(compare(name, case, expected, args.verbose) for name, case, expected in routes)
    total = len(plain)
    share = 100.0 * agree / total if total else 0.0
    print(f"\n{agree} of {total} plain-Kubernetes cases agree ({share:.1f}%); {len(selected) - total} cases left out (not plain Kubernetes)")
    if routes:
        print(f"{routes_agree} of {len(routes)} cases left out only for OpenShift Routes agree too")
    return 0


def compare(name: str, case: Path, expected_path: Path, verbose: bool) -> bool:
    """Run svclint on one case, print its line, and say whether it agrees."""
    ours, errors = svclint_lines(case)
    theirs = expected_path.read_text(encoding="utf-8").splitlines()
    a, b = normalise(ours), normalise(theirs)
    ok = a == b
    print(f"{'agree   ' if ok else 'DIFFER  '} {name}" + ("" if ok else f"  (-{len(b - a)} missing, +{len(a - b)} extra)"))
    if not ok and verbose:
        for line in sorted(b - a)[:15]:
            print(f"    - {line}")
        for line in sorted(a - b)[:15]:
            print(f"    + {line}")
        if errors:
            print(f"    stderr: {errors[:300]}")
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
