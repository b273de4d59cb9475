"""Property-based tests: valid manifests, mutated, never crash svclint.

Seeds are the good rule fixtures and the example app (each file or fixture directory as one
multi-document stream). Mutations drop keys, change types, swap scalars for mappings and
lists, rename keys, duplicate items, cut the text at random points and splice in YAML
syntax. For every mutant and every formatter in FORMATTERS: the CLI exits 0 or 1 (2 would
mean a rule crashed, which is a bug to fix, not to accept), nothing is printed to stderr,
machine formats parse, and a second run gives identical bytes.

Hypothesis runs derandomized and without a database so CI is deterministic; set
SVCLINT_HYPOTHESIS_EXAMPLES to run more examples locally.
"""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svclint.report import FORMATTERS

from .conftest import FIXTURES, run_cli

EXAMPLES = int(os.environ.get("SVCLINT_HYPOTHESIS_EXAMPLES", "60"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _seed_streams() -> list[str]:
    groups: list[list[Path]] = []
    for good in sorted(FIXTURES.glob("rules/*/good*")):
        groups.append(sorted(good.rglob("*.y*ml")) if good.is_dir() else [good])
    groups.append(sorted((FIXTURES / "examples").rglob("*.yaml")))
    streams = []
    for files in groups:
        texts = [f.read_text(encoding="utf-8") for f in files if f.suffix in (".yaml", ".yml")]
        if texts:
            streams.append("\n---\n".join(texts))
    return streams


SEEDS = _seed_streams()
SEED_DOCUMENTS = [[d for d in yaml.safe_load_all(text) if d is not None] for text in SEEDS]

ODD_VALUES = st.sampled_from(
    [None, True, False, 0, -1, 65536, 2**63, 1.5, "", "x", "80", "http", "0x1F", "{{ .Values.port }}",
     "a" * 300, [], {}, [None], ["a"], {"a": "b"}, {"port": {}}, [{"name": 1}], "TCP", "SCTP", "udp"]
)

# Fields svclint reads, set anywhere with odd values (a mutation of values alone rarely
# reaches, say, a protocol that was not written).
FIELDS = st.sampled_from(
    ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "selector",
     "matchLabels", "matchExpressions", "key", "operator", "values", "ports", "port", "targetPort",
     "nodePort", "protocol", "containerPort", "hostPort", "type", "clusterIP", "externalName",
     "template", "containers", "initContainers", "restartPolicy", "replicas", "serviceName", "rules",
     "http", "paths", "backend", "service", "number", "defaultBackend", "ingressClassName",
     "parentRefs", "backendRefs", "items", "svclint.io/ignore", "loadBalancerSourceRanges",
     "podSelector", "namespaceSelector", "policyTypes", "ingress", "egress", "from", "to", "endPort"]
)


def _validate(fmt: str, text: str) -> None:
    """Machine formats must parse; every format must be text."""
    assert isinstance(text, str)
    if fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "junit":
        ElementTree.fromstring(text)


def _check(stream: str | bytes) -> None:
    data = stream.encode("utf-8", "surrogatepass") if isinstance(stream, str) else stream
    for fmt in sorted(FORMATTERS):
        args = ("check", "-", "--isolated", "--select", "ALL", "--format", fmt, "--allow-empty")
        first = run_cli(*args, input=data)
        assert first.exit_code in (0, 1), f"{fmt}: exit {first.exit_code}: {first.stderr}"
        assert first.stderr == "", first.stderr
        _validate(fmt, first.stdout)
        second = run_cli(*args, input=data)
        assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout), f"{fmt} is not deterministic"


# -- structural mutations ---------------------------------------------------------------


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every mapping and list inside ``value`` (the root included)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        out.append(path)
        for key, child in value.items():
            out.extend(_containers(child, path + (key,)))
    elif isinstance(value, list):
        out.append(path)
        for index, child in enumerate(value):
            out.extend(_containers(child, path + (index,)))
    return out


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _mutate(draw: Callable[..., Any], documents: list[Any]) -> None:
    """One in-place mutation somewhere in ``documents``."""
    paths = _containers(documents)
    target = _at(documents, draw(st.sampled_from(paths)))
    if not target:
        return
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    key = draw(st.sampled_from(keys))
    action = draw(st.sampled_from(["drop", "odd", "to-mapping", "to-list", "rename", "duplicate", "field"]))
    if action == "field" and isinstance(target, dict):
        target[draw(FIELDS)] = copy.deepcopy(draw(ODD_VALUES))
    elif action == "drop":
        del target[key]
    elif action == "odd":
        target[key] = copy.deepcopy(draw(ODD_VALUES))  # the samples are shared: never mutate them
    elif action == "to-mapping":
        target[key] = {"value": target[key]} if not isinstance(target[key], dict) else [target[key]]
    elif action == "to-list":
        target[key] = [target[key]]
    elif action == "rename" and isinstance(target, dict):
        target[str(key).upper() + "x"] = target.pop(key)
    elif action == "duplicate" and isinstance(target, list):
        target.insert(key, target[key])


@st.composite
def mutated_streams(draw: Callable[..., Any]) -> str:
    documents = json.loads(json.dumps(draw(st.sampled_from(SEED_DOCUMENTS)), default=str))
    for _ in range(draw(st.integers(1, 6))):
        _mutate(draw, documents)
    return yaml.safe_dump_all(documents, sort_keys=False)


@PROFILE
@given(mutated_streams())
def test_structurally_mutated_manifests_never_crash(stream: str) -> None:
    _check(stream)


# -- text mutations ---------------------------------------------------------------------

SPLICES = st.sampled_from(
    ["\t", ":", ": ", "- ", "[", "]", "{", "}", '"', "'", "&a ", "*a", "*b ", "<<: *a\n", "---\n", "...\n",
     "!!int ", "!!python/object/apply:os.system ", "? ", "|", ">", "#", "%YAML 1.1\n", "\ufeff", "\x85",
     "\x01", "\u2028", "\n  ", "{{ x }}", "0x", "~", "!", "@", "`", "\\", "%"]
)


@st.composite
def spliced_streams(draw: Callable[..., Any]) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(SPLICES) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
    return text


@PROFILE
@given(spliced_streams())
def test_manifests_with_spliced_syntax_never_crash(stream: str) -> None:
    _check(stream)


@PROFILE
@given(st.sampled_from(SEEDS), st.floats(0, 1))
def test_manifests_cut_at_any_point_never_crash(text: str, fraction: float) -> None:
    _check(text[: int(len(text) * fraction)])


@PROFILE
@given(st.sampled_from(SEEDS), st.integers(0, 10**6), st.binary(min_size=1, max_size=8))
def test_manifests_with_random_bytes_never_crash(text: str, where: int, junk: bytes) -> None:
    raw = text.encode("utf-8")
    at = where % (len(raw) + 1)
    _check(raw[:at] + junk + raw[at:])


# -- the nesting guard's bound ------------------------------------------------------------
# svclint/nesting.py lets libyaml compose a text only when a cheap bound says no node is
# 1,000 levels deep: depth <= (number of "[" and "{") + 2 * (longest run of indentation and
# block indicators at the start of a line) + 3. Check that bound against the parser itself.

_LINE_PREFIX = re.compile(r"(?:\A|(?<=[\r\n\x85\u2028\u2029]))[\ufeff \t?:\-]*")


def _bound(text: str) -> int:
    prefix = max((len(m.group()) for m in _LINE_PREFIX.finditer(text)), default=0)
    return text.count("[") + text.count("{") + 2 * prefix + 3


def _depth(text: str) -> int:
    depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


NESTED = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=5)),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3),
        st.dictionaries(st.text(max_size=3), children, min_size=1, max_size=3),
    ),
    max_leaves=40,
)


@PROFILE
@given(NESTED, st.sampled_from([None, True, False]), st.integers(1, 6), st.sampled_from(["\n", "\r", "\r\n"]))
def test_nesting_bound_holds_for_any_layout(data: Any, flow: bool | None, indent: int, line_break: str) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, indent=max(indent, 2), line_break=line_break, width=20)
    compact = text.replace(f"-{line_break}" + " " * max(indent, 2), "- ")  # "- - - x" styles too
    for candidate in (text, compact):
        try:
            depth = _depth(candidate)
        except yaml.YAMLError:
            continue
        assert depth <= _bound(candidate), candidate


def _indentless(n: int) -> str:
    r"""k0:\n- k1:\n  - k2: ...: a sequence at its key's column, two levels per two columns."""
    return "k0:\n" + "".join(" " * (2 * i) + f"- k{i + 1}:\n" for i in range(n // 2))


DEEP_LAYOUTS: dict[str, Callable[[int], str]] = {
    "compact sequences": lambda n: "- " * n + "x\n",
    "complex keys": lambda n: "? " * n + "x\n",
    "keys and sequences": lambda n: "- ? " * (n // 2) + "x\n",
    "one-space mappings": lambda n: "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "x\n",
    "indentless sequences": _indentless,
    "flow sequences": lambda n: "[" * n + "]" * n + "\n",
    "flow mappings": lambda n: "{a: " * n + "x" + "}" * n + "\n",
    "block then flow": lambda n: "- " * (n // 2) + "[" * (n // 2) + "]" * (n // 2) + "\n",
}


@pytest.mark.parametrize("layout", sorted(DEEP_LAYOUTS))
def test_nesting_guard_sees_every_deep_layout(layout: str) -> None:
    from svclint.loading.nesting import COMPOSE_SAFE_DEPTH, _may_nest_deeply

    shallow = DEEP_LAYOUTS[layout](300)
    assert 250 <= _depth(shallow) <= _bound(shallow)
    deep = DEEP_LAYOUTS[layout](COMPOSE_SAFE_DEPTH + 50)
    assert _may_nest_deeply(deep)
