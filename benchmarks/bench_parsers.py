#!/usr/bin/env python3
"""svclint's YAML fast pass against the stages it is made of and against faster parsers (issue 15).

Everything runs in this one process on the same decoded texts (every file svclint's discovery
lists under DIR), side by side, ``--runs`` rounds in an order rotated every round, with the
garbage collector off as in svclint; the table gives median CPU and wall seconds and the ratio
to svclint's fast pass (``parse_stream``: libyaml composer, cached YAML 1.1 tags, walker).

Rows:

* the stages of the fast pass: libyaml's scanner alone (``raw_scan``), scanner and parser
  (``raw_parse``: events, no Python objects), the composer with svclint's tag cache, the same
  with PyYAML's stock resolver, and the walker alone over already composed nodes;
* PyYAML's ``load_all(..., Loader=yaml.CSafeLoader)``, the reference of ``bench_load.py``;
* each candidate parser that is installed (``pip install rapidyaml yaml-rs libfyaml
  fastyaml-rs pyyaml-rs``); rapidyaml twice: its C++ parse alone, and with the Python walk any
  use of it needs (its Python API gives a tree, not Python data).

Then each candidate reads a set of small YAML probes and the first one where it does not give
svclint's documents (or svclint's "this is an error") is printed: that is why it is not used.

    python benchmarks/bench_parsers.py /tmp/c10k            # an existing tree
    python benchmarks/bench_parsers.py --objects 10000        # generated with gen_corpus.py

Not a test: ratios move with the machine's load, the probes do not.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

import yaml  # noqa: E402
from yaml import _yaml as libyaml  # type: ignore[attr-defined]  # noqa: E402

from svclint.loading.composer import Loader  # noqa: E402
from svclint.loading.discovery import discover  # noqa: E402
from svclint.loading.source import decode_manifest  # noqa: E402
from svclint.loading.yamlload import _Walker, parse_stream  # noqa: E402
from svclint.settings import Limits  # noqa: E402

Documents = list[Any]

# (name, YAML text): what kubectl, and so svclint, reads differently from a YAML 1.2 loader,
# plus the structural features svclint relies on. svclint's own result is the expectation.
PROBES: list[tuple[str, str]] = [
    ("YAML 1.1 boolean", "a: yes\n"),
    ("quoted stays a string", 'a: "yes"\n'),
    ("YAML 1.1 octal", "a: 0755\n"),
    ("0o is not octal in 1.1", "a: 0o755\n"),
    ("sexagesimal", "a: 1:20\n"),
    ("underscores in numbers", "a: 1_000\n"),
    ("timestamp stays a string", "a: 2024-01-01\n"),
    (".inf and ~", "a: .inf\nb: ~\n"),
    ("explicit tags", 'a: !!str 1\nb: !!int "2"\n'),
    ("duplicate key is an error", "a: 1\na: 2\n"),
    ("merge key", "base: &b {p: 1}\nsvc:\n  <<: *b\n  q: 2\n"),
    ("y and n are strings", "y: n\n"),
    ("undefined alias is an error", "a: *nope\n"),
    ("byte order mark", "\ufeffa: 1\n"),
    ("tab indentation is an error", "a:\n\tb: 1\n"),
    ("documents and ...", "a: 1\n---\nb: 2\n...\n---\nc: 3\n"),
    ("mapping as a key (an unquoted {{ }})", "replicas: {{ x }}\n"),
]


class _Error(Exception):
    """A candidate's answer: the text is not valid YAML."""


def _svclint(text: str) -> Documents:
    parsed = parse_stream(text)
    if any(not p.template for p in parsed.problems):  # a template (SVC005) is still read
        raise _Error(parsed.problems[0].message)
    return [d.data for d in parsed.documents if d.data is not None]


# --- candidates: text -> documents (plain data), raising on what they reject ---------------


def _rapidyaml_adapter() -> tuple[Callable[[str], Any], Callable[[str], Documents]] | None:
    """rapidyaml's tree, walked in Python with svclint's YAML 1.1 scalar rules: plain scalars
    get PyYAML's implicit tags, anchors and aliases (and ``<<``) are followed, duplicate keys
    raise. The walk is the cost any integration pays: the Python API has no bulk conversion."""
    try:
        import ryml  # type: ignore[import-not-found]
    except ImportError:
        return None
    resolver = yaml.resolver.Resolver()
    walker = _Walker(Limits(), 0)
    none = ryml.NONE
    tags = {"!!str": "tag:yaml.org,2002:str", "!!int": "tag:yaml.org,2002:int",
            "!!float": "tag:yaml.org,2002:float", "!!bool": "tag:yaml.org,2002:bool",
            "!!null": "tag:yaml.org,2002:null"}
    tag_cache: dict[str, str] = {}

    def scalar(text: str, plain: bool, tag: str | None) -> Any:
        if tag is not None:
            resolved = tags.get(tag, "tag:yaml.org,2002:str")
        elif not plain:
            return text
        else:
            resolved = tag_cache.get(text) or tag_cache.setdefault(
                text, resolver.resolve(yaml.ScalarNode, text, (True, False)))
        return walker._scalar(yaml.ScalarNode(resolved, text))

    def walk(tree: Any, node: int, anchors: dict[str, Any]) -> Any:
        if tree.is_val_ref(node):
            name = str(tree.val_ref(node), "utf8")
            if name not in anchors:
                raise _Error(f"undefined alias *{name}")
            return anchors[name]
        if tree.is_map(node):
            out: dict[Any, Any] = {}
            merged: dict[Any, Any] = {}
            child = tree.first_child(node)
            while child != none:
                key_text = str(tree.key(child), "utf8")
                value = walk(tree, child, anchors)
                if key_text == "<<" and tree.is_key_plain(child):
                    for source in reversed(value if isinstance(value, list) else [value]):
                        merged.update(source)
                else:
                    key_tag = str(tree.key_tag(child), "utf8") if tree.has_key_tag(child) else None
                    key = scalar(key_text, tree.is_key_plain(child), key_tag)
                    if key in out:
                        raise _Error(f"duplicate key {key!r}")
                    out[key] = value
                child = tree.next_sibling(child)
            result: Any = {**merged, **out} if merged else out
        elif tree.is_seq(node):
            result = []
            child = tree.first_child(node)
            while child != none:
                result.append(walk(tree, child, anchors))
                child = tree.next_sibling(child)
        else:
            view = tree.val(node)
            text = "" if view is None else str(view, "utf8")
            tag = str(tree.val_tag(node), "utf8") if tree.has_val_tag(node) else None
            result = None if view is None and tag is None else scalar(text, tree.is_val_plain(node), tag)
        if tree.has_val_anchor(node):
            anchors[str(tree.val_anchor(node), "utf8")] = result
        return result

    def parse_only(text: str) -> Any:
        return ryml.parse_in_arena(text.encode("utf-8"))

    def load(text: str) -> Documents:
        try:
            with _quiet_stderr():  # rapidyaml prints its diagnostics on file descriptor 2
                tree = ryml.parse_in_arena(text.encode("utf-8"))
        except ryml.ExceptionBasic as error:
            raise _Error(str(error)) from error
        root = tree.root_id()
        docs = ryml.children(tree, root) if tree.is_stream(root) else [root]
        return [d for d in (walk(tree, doc, {}) for doc in docs) if d is not None]

    return parse_only, load


def _yaml_rs() -> Callable[[str], Documents] | None:
    try:
        import yaml_rs  # type: ignore[import-not-found]
    except ImportError:
        return None

    def load(text: str) -> Documents:
        try:
            data = yaml_rs.loads(text, parse_datetime=False)
        except yaml_rs.YAMLDecodeError as error:
            raise _Error(str(error)) from error
        # One document comes back bare, several as a list: a one-document list is ambiguous.
        docs = data if isinstance(data, list) and text.count("\n---") else [data]
        return [d for d in docs if d is not None]

    return load


_DEVNULL: list[int] = []


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence what a C library prints on file descriptor 2 (it does for every failed parse)."""
    if not _DEVNULL:
        _DEVNULL.append(os.open(os.devnull, os.O_WRONLY))
    saved = os.dup(2)
    os.dup2(_DEVNULL[0], 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _libfyaml() -> Callable[[str], Documents] | None:
    try:
        import libfyaml  # type: ignore[import-not-found]
    except ImportError:
        return None

    def load(text: str) -> Documents:
        try:
            with _quiet_stderr():  # libfyaml prints its diagnostics on file descriptor 2
                docs = libfyaml.loads_all(text, mode="yaml1.1")
        except ValueError as error:
            raise _Error(str(error)) from error
        out = [d.to_python() if hasattr(d, "to_python") else d for d in docs]
        return [d for d in out if d is not None]

    return load


def _pyo3_loader(module: str) -> Callable[[str], Documents] | None:
    try:
        loader = __import__(module)
    except ImportError:
        return None

    def load(text: str) -> Documents:
        try:
            return [d for d in loader.safe_load_all(text) if d is not None]
        except ValueError as error:
            raise _Error(str(error)) from error

    return load


# --- timing ---------------------------------------------------------------------------


def _texts(directory: str) -> list[str]:
    texts = []
    for path in discover([directory], cwd=directory):
        with open(path, "rb") as handle:
            text, _ = decode_manifest(handle.read())
        texts.append(text)
    return texts


def _compose(loader_class: Any, text: str) -> list[Any]:
    loader = loader_class(text)
    try:
        nodes = []
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    finally:
        loader.dispose()


def _raw(method: str, text: str) -> int:
    count: int = getattr(libyaml.CParser(text), method)()
    return count


def workloads(texts: list[str]) -> dict[str, Callable[[], object]]:
    """Row name -> a function doing that work over every text."""
    composed = [_compose(Loader, text) for text in texts]
    limits = Limits()

    def walker_only() -> None:
        for text, nodes in zip(texts, composed):
            for node in nodes:
                _Walker(limits, 0, "*" in text).convert(node)

    rows: dict[str, Callable[[], object]] = {
        "svclint fast pass (parse_stream)": lambda: [parse_stream(t) for t in texts],
        "  libyaml scanner (raw_scan)": lambda: [_raw("raw_scan", t) for t in texts],
        "  libyaml scanner+parser (raw_parse)": lambda: [_raw("raw_parse", t) for t in texts],
        "  + composer, svclint tag cache": lambda: [_compose(Loader, t) for t in texts],
        "  + composer, PyYAML resolver": lambda: [_compose(yaml.CSafeLoader, t) for t in texts],
        "  walker alone": walker_only,
        "PyYAML load_all CSafeLoader": lambda: [list(yaml.load_all(t, Loader=yaml.CSafeLoader)) for t in texts],
    }
    candidates = _candidates()
    ryml = _rapidyaml_adapter()
    if ryml is not None:
        rows["rapidyaml: C++ parse only"] = lambda: [ryml[0](t) for t in texts]
    for name, load in candidates.items():
        rows[name] = (lambda f: lambda: [f(t) for t in texts])(load)
    return rows


def _candidates() -> dict[str, Callable[[str], Documents]]:
    ryml = _rapidyaml_adapter()
    found = {
        "rapidyaml + Python walk": ryml[1] if ryml else None,
        "yaml-rs": _yaml_rs(),
        "libfyaml (mode yaml1.1)": _libfyaml(),
        "fastyaml-rs": _pyo3_loader("fast_yaml"),
        "pyyaml-rs": _pyo3_loader("pyyaml_rs"),
    }
    return {name: load for name, load in found.items() if load is not None}


def time_rows(rows: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (CPU s, wall s) per row; the order rotates every round."""
    names = list(rows)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for round_ in range(runs):
            for name in names[round_ % len(names):] + names[: round_ % len(names)]:
                cpu, wall = time.process_time(), time.perf_counter()
                result = rows[name]()
                samples[name].append((time.process_time() - cpu, time.perf_counter() - wall))
                del result
                gc.collect()
    finally:
        if enabled:
            gc.enable()
    return {name: (statistics.median(s[0] for s in runs_), statistics.median(s[1] for s in runs_))
            for name, runs_ in samples.items()}


# --- semantics --------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _answer(load: Callable[[str], Documents], text: str) -> Documents | str:
    try:
        return load(text)
    except _Error:
        return "an error"
    except Exception as error:  # noqa: BLE001 - a candidate's own exception type is an answer too
        return f"{type(error).__name__}"


def semantics(candidates: dict[str, Callable[[str], Documents]]) -> dict[str, list[str]]:
    """Candidate -> the probes where it does not read what svclint reads."""
    broken: dict[str, list[str]] = {}
    for name, load in candidates.items():
        for probe, text in PROBES:
            expected, got = _answer(_svclint, text), _answer(load, text)
            same = expected == got if isinstance(expected, str) or isinstance(got, str) else _same(expected, got)
            if not same:
                broken.setdefault(name, []).append(f"{probe}: `{text.strip()!r}` svclint {expected!r}, got {got!r}")
    return broken


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="?", help="tree to read (default: generate one)")
    parser.add_argument("--objects", type=int, default=10000, help="objects of a generated tree")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generator", default=os.path.join(HERE, "gen_corpus.py"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    directory = args.directory
    if directory is None:
        from bench_load import corpus

        directory, _ = corpus(args.generator, args.objects, tempfile.gettempdir(), "bench-parsers", args.seed, False)
    texts = _texts(directory)
    size = sum(len(t.encode("utf-8")) for t in texts)
    print(f"{len(texts)} files, {size / 1e6:.1f} MB, median of {args.runs}, same process\n")
    medians = time_rows(workloads(texts), args.runs)
    base_cpu, base_wall = medians["svclint fast pass (parse_stream)"]
    print("| parser | CPU s | wall s | CPU ratio |")
    print("|---|---:|---:|---:|")
    for name, (cpu, wall) in medians.items():
        print(f"| {name.strip() if not name.startswith('  ') else '↳ ' + name.strip()} | {cpu:.2f} | {wall:.2f} | {cpu / base_cpu:.2f}× |")
    print()
    broken = semantics(_candidates())
    for name in _candidates():
        problems = broken.get(name, [])
        print(f"{name}: " + ("reads every probe as svclint does" if not problems else f"differs on {len(problems)} of {len(PROBES)} probes"))
        for problem in problems:
            print(f"  - {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
